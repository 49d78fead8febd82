/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdlib.h>

#include "clip.h"
#include "macro.h"
#include "vad.h"

#define CLIP_RATE 16000
#define FULL_SCALE 32767
/* More samples than this at full scale: the recording clipped (a few single ones are the
 * loudest peaks of a recording made at a sensible level). */
#define CLIPPED_SHARE 0.001
/* The loudest 20 ms against the quietest tenth of the clip: speech stands well above the floor. */
#define SPEECH_ABOVE_FLOOR_DB 12.0
#define SPEECH_MIN_DB -55.0

static int compare_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;

        return (x > y) - (x < y);
}

const char *clip_problem(const int16_t *samples, size_t n) {
        _cleanup_free_ double *levels = NULL;
        size_t clipped = 0, blocks = n / VAD_BLOCK;
        double peak, floor_db;

        if (n < (size_t) (CLIP_MIN_SEC * CLIP_RATE))
                return "too short (under 0.8 s)";
        if (n > (size_t) (CLIP_MAX_SEC * CLIP_RATE))
                return "too long (over 30 s): one sentence a clip";
        for (size_t i = 0; i < n; i++)
                if (samples[i] >= FULL_SCALE || samples[i] <= -FULL_SCALE)
                        clipped++;
        if ((double) clipped > CLIPPED_SHARE * (double) n)
                return "clipped: the recording level is too high";

        levels = malloc(blocks * sizeof(double));
        if (!levels)
                return "out of memory";
        for (size_t b = 0; b < blocks; b++)
                levels[b] = vad_block_db(samples + b * VAD_BLOCK);
        qsort(levels, blocks, sizeof(double), compare_double);
        peak = levels[blocks - 1];
        floor_db = levels[blocks / 10];
        if (peak < SPEECH_MIN_DB || peak - floor_db < SPEECH_ABOVE_FLOOR_DB)
                return "silent: no speech above the noise floor";
        return NULL;
}
