/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* libpulse's main loop abstraction implemented on sd-event, so a PulseAudio/PipeWire context
 * lives in the daemon's one event loop instead of a thread of its own. */

#include <pulse/mainloop-api.h>
#include <systemd/sd-event.h>

typedef struct PulseGlue PulseGlue;

int pulse_glue_new(sd_event *event, PulseGlue **ret);
/* Call only after every pa_context using it is unreferenced. */
PulseGlue *pulse_glue_free(PulseGlue *g);
pa_mainloop_api *pulse_glue_api(PulseGlue *g);
