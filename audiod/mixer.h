/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The card's capture switch (a boolean control such as "Capture Switch"), read and written
 * through the ALSA control interface, with its change events in the event loop so that a change
 * made by anyone else (amixer, a desktop mixer) is seen at once. No D-Bus here. */

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "macro.h"

typedef struct Mixer Mixer;

/* on_change gets the switch's new state as "muted" (switch off). */
typedef void (*mixer_change_t)(Mixer *m, bool muted, void *userdata);

/* -ENOENT when the control device has no such element; the caller mutes the stream only then. */
int mixer_open(sd_event *event, const char *ctl_name, const char *control, mixer_change_t on_change,
               void *userdata, Mixer **ret);
Mixer *mixer_free(Mixer *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Mixer *, mixer_free);

int mixer_get_muted(Mixer *m, bool *ret);
int mixer_set_muted(Mixer *m, bool muted);
const char *mixer_ctl_name(const Mixer *m);
