/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Mute mirrored to a PulseAudio/PipeWire source through libpulse, where a sound server runs: the
 * source is muted and unmuted with us, and a mute change made in the server (a desktop's mixer)
 * is reported back. The server may come and go; we reconnect with back-off. No D-Bus here. */

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "macro.h"

typedef struct PulseMirror PulseMirror;

/* muted: the source's mute as the server now reports it (first report after connecting, and every
 * change after). */
typedef void (*pulse_mirror_change_t)(PulseMirror *p, bool muted, void *userdata);

int pulse_mirror_new(sd_event *event, const char *server, const char *source, pulse_mirror_change_t on_change,
                     void *userdata, PulseMirror **ret);
PulseMirror *pulse_mirror_free(PulseMirror *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(PulseMirror *, pulse_mirror_free);

/* Asks the server to (un)mute the source; remembered and applied on (re)connect. */
void pulse_mirror_set_muted(PulseMirror *p, bool muted);
