/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Opening a PCM or control without running alsa.conf's hooks when they are not needed.
 *
 * alsa.conf loads /etc/alsa/conf.d through a hook, and on Debian that directory holds
 * 99-pulse.conf, a hook of its own that connects to a PulseAudio server to see whether one runs.
 * That maps libpulse, which cannot be unloaded, and all it needs (libX11, libsndfile and its
 * codecs, D-Bus) into every program that opens any device at all: about 3 MiB of audiod's peak
 * RSS on a plain card. So a name is first looked up in the configuration files alone —
 * $ALSA_CONFIG_PATH or alsa.conf, then /etc/asound.conf and the user's asoundrc, the files the
 * hook would load besides conf.d — and opened from them, with no hook run. A name not defined
 * there (a sound server's PCM from conf.d) and "default"/"sysdefault" (which conf.d may take over)
 * are opened through alsa-lib's full configuration, as any program would. */

#include <alsa/asoundlib.h>

#include "macro.h"

/* *ret_config is the configuration the PCM was opened from, or NULL for alsa-lib's own. It is
 * needed while the device is set up (hw_params), not for its life: alsa-lib drops its own
 * reference to the tree a device was opened from when snd_pcm_open() returns, and frees that tree
 * at the next open after a file changed; the definition handed to a plugin's open function is
 * freed as soon as that returns. So plugins copy what they keep (pcm_plug its rate_converter). */
int alsa_pcm_open(snd_pcm_t **ret, snd_config_t **ret_config, const char *name, snd_pcm_stream_t stream, int mode);
int alsa_ctl_open(snd_ctl_t **ret, snd_config_t **ret_config, const char *name, int mode);

/* Frees alsa-lib's global configuration (parsed for "default" and names only conf.d defines, with
 * its hooks run) and the plugins no device uses any more. alsa-lib would keep it for the next
 * open; audiod's come after a hot-plug or a failure, minutes to months apart, and parse it again
 * then. Safe with devices open (alsa-lib >= 1.1.6 counts the references to the tree and to each
 * plugin). */
void alsa_config_release(void);

static inline void alsa_config_deletep(snd_config_t **c) {
        if (*c)
                (void) snd_config_delete(*c);
}
