/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The ALSA capture PCM: opened non-blocking, read from its poll descriptors inside the event
 * loop, overruns and suspends recovered and counted. Knows nothing of D-Bus or clients: every
 * period read is handed to on_period. */

#include <alsa/asoundlib.h>
#include <systemd/sd-event.h>

#include "macro.h"
#include "time-util.h"

typedef struct Capture Capture;

typedef struct CaptureCallbacks {
        /* A period of interleaved S16 frames; timestamp is CLOCK_MONOTONIC of its first frame;
         * discontinuity is set for the first period after a gap in the capture. */
        void (*on_period)(Capture *c, const int16_t *samples, size_t frames, usec_t timestamp,
                          bool discontinuity, void *userdata);
        /* The PCM failed in a way this object cannot recover from (r < 0): the device went away
         * (-ENODEV), kept failing, or stalled (-ETIME: started, but no period for
         * capture_stall_usec()). The capture has stopped listening when this is called; the
         * owner frees it (not from inside this callback). */
        void (*on_failure)(Capture *c, int r, void *userdata);
        /* Xrun counter changed. */
        void (*on_xrun)(Capture *c, void *userdata);
} CaptureCallbacks;

typedef struct CaptureParams {
        const char *device;
        unsigned rate;
        unsigned channels;
        unsigned period_usec;
        unsigned buffer_usec;
} CaptureParams;

int capture_open(sd_event *event, const CaptureParams *params, const CaptureCallbacks *cb,
                 void *userdata, Capture **ret);
Capture *capture_free(Capture *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(Capture *, capture_free);

unsigned capture_rate(const Capture *c);
unsigned capture_channels(const Capture *c);
unsigned capture_period_frames(const Capture *c);
/* How long the PCM may go without a period before it counts as stalled. */
usec_t capture_stall_usec(const Capture *c);
/* ALSA card index behind the PCM, or -1 for a PCM that is not backed by a kernel card. */
int capture_card(const Capture *c);

/* The PCM name as opened (hw:… is opened through plug so alsa-lib converts the format). */
const char *capture_pcm_name(const Capture *c);
