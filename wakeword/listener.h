/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The energy gate and the recogniser together, fed with timestamped audio of any packet size:
 * what both the daemon's worker and "wakeword --decode" run. No bus, no threads. */

#include <stdint.h>

#include "recognizer.h"
#include "vad.h"

typedef void (*listener_event_t)(const RecognizerEvent *event, void *userdata);

typedef struct Listener {
        Recognizer *recognizer;
        Vad vad;
        int16_t block[VAD_BLOCK];       /* samples waiting for a whole block */
        size_t block_fill;
        uint64_t block_start_usec;      /* time of block[0] */
        uint64_t samples_decoded;       /* fed to the decoder (for the benchmark) */
} Listener;

void listener_init(Listener *l, Recognizer *recognizer, double vad_threshold_db, unsigned vad_hangover_msec);

/* Feeds n samples at 16 kHz, the first captured at first_usec. Events are passed to cb as they
 * happen; their audio_usec is the time just after the last sample heard for them. */
int listener_feed(Listener *l, const int16_t *samples, size_t n, uint64_t first_usec,
                  listener_event_t cb, void *userdata);

/* End of the audio: decides a command in progress. */
int listener_flush(Listener *l, uint64_t end_usec, listener_event_t cb, void *userdata);

/* The stream had a gap or was muted: drops partial state and any command in progress. */
int listener_reset(Listener *l);
