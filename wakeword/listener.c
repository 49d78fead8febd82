/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <string.h>

#include "listener.h"
#include "macro.h"

#define RATE 16000

void listener_init(Listener *l, Recognizer *recognizer, double vad_threshold_db, unsigned vad_hangover_msec) {
        *l = (Listener) { .recognizer = recognizer };
        vad_init(&l->vad, vad_threshold_db, vad_hangover_msec);
}

int listener_reset(Listener *l) {
        l->block_fill = 0;
        vad_reset(&l->vad);
        return recognizer_reset(l->recognizer);
}

static int decode(Listener *l, const int16_t *samples, size_t n, uint64_t end_usec, listener_event_t cb, void *userdata) {
        RecognizerEvent event;
        int r;

        l->samples_decoded += n;
        r = recognizer_process(l->recognizer, samples, n, end_usec, &event);
        if (r > 0 && cb)
                cb(&event, userdata);
        return r < 0 ? r : 0;
}

static int block_process(Listener *l, listener_event_t cb, void *userdata) {
        uint64_t end_usec = l->block_start_usec + VAD_BLOCK * USEC_PER_SEC / RATE;
        VadResult v = vad_process(&l->vad, l->block);

        /* After the phrase every block goes to the decoder: the silence after a command is what
         * ends it. */
        if (recognizer_in_command(l->recognizer))
                return decode(l, l->block, VAD_BLOCK, end_usec, cb, userdata);

        switch (v) {
        case VAD_SILENT:
                return 0;
        case VAD_CLOSED:
                return recognizer_pause(l->recognizer);
        case VAD_OPENED: {
                int16_t preroll[VAD_PREROLL_BLOCKS * VAD_BLOCK];
                size_t n = vad_take_preroll(&l->vad, preroll);
                uint64_t preroll_end = l->block_start_usec;
                int r;

                if (n > 0) {
                        r = decode(l, preroll, n, preroll_end, cb, userdata);
                        if (r < 0)
                                return r;
                }
                return decode(l, l->block, VAD_BLOCK, end_usec, cb, userdata);
        }
        case VAD_ACTIVE:
                return decode(l, l->block, VAD_BLOCK, end_usec, cb, userdata);
        }
        return 0;
}

int listener_feed(Listener *l, const int16_t *samples, size_t n, uint64_t first_usec,
                  listener_event_t cb, void *userdata) {
        for (size_t i = 0; i < n; ) {
                size_t k = MIN(n - i, (size_t) VAD_BLOCK - l->block_fill);
                int r;

                if (l->block_fill == 0)
                        l->block_start_usec = first_usec + i * USEC_PER_SEC / RATE;
                memcpy(l->block + l->block_fill, samples + i, k * sizeof(int16_t));
                l->block_fill += k;
                i += k;
                if (l->block_fill < VAD_BLOCK)
                        break;
                l->block_fill = 0;
                r = block_process(l, cb, userdata);
                if (r < 0)
                        return r;
        }
        return 0;
}

int listener_flush(Listener *l, uint64_t end_usec, listener_event_t cb, void *userdata) {
        RecognizerEvent event;
        int r;

        r = recognizer_flush(l->recognizer, end_usec, &event);
        if (r > 0 && cb)
                cb(&event, userdata);
        return r < 0 ? r : 0;
}
