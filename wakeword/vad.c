/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <math.h>

#include "macro.h"
#include "vad.h"

#define VAD_FLOOR_MIN_DB     -90.0
#define VAD_FLOOR_RISE_DB    0.02       /* per block: 1 dB/s, so speech does not become "floor" */
#define VAD_ABSOLUTE_MIN_DB  -65.0      /* quieter than this is never speech */

void vad_init(Vad *v, double open_above_db, unsigned hangover_msec) {
        *v = (Vad) {
                .open_above_db = open_above_db,
                .hangover_blocks = MAX(1u, hangover_msec / 20),
        };
        ring_init(&v->preroll, v->preroll_data, ELEMENTSOF(v->preroll_data));
        vad_reset(v);
}

void vad_reset(Vad *v) {
        v->floor_db = NAN;              /* the first block with sound in it sets it */
        v->open = false;
        v->hang = 0;
        ring_clear(&v->preroll);
}

static double level_db(const int16_t *samples, size_t n) {
        double sum = 0, mean = 0;

        /* Remove DC first: some capture paths have an offset that would look like loudness. */
        for (size_t i = 0; i < n; i++)
                mean += samples[i];
        mean /= n;
        for (size_t i = 0; i < n; i++) {
                double s = samples[i] - mean;
                sum += s * s;
        }
        sum /= n * 32768.0 * 32768.0;
        return sum > 0 ? MAX(10.0 * log10(sum), VAD_FLOOR_MIN_DB) : VAD_FLOOR_MIN_DB;
}

double vad_block_db(const int16_t block[static VAD_BLOCK]) {
        return level_db(block, VAD_BLOCK);
}

double vad_peak_db(const int16_t *samples, size_t n) {
        double peak = VAD_FLOOR_MIN_DB;

        for (size_t i = 0; i < n; i += VAD_BLOCK)
                peak = MAX(peak, level_db(samples + i, MIN((size_t) VAD_BLOCK, n - i)));
        return peak;
}

double vad_open_db(const Vad *v) {
        if (isnan(v->floor_db))
                return VAD_FLOOR_MIN_DB;
        return MAX(v->floor_db + v->open_above_db, VAD_ABSOLUTE_MIN_DB);
}

VadResult vad_process(Vad *v, const int16_t block[static VAD_BLOCK]) {
        double db = vad_block_db(block);
        bool loud;
        VadResult result;

        /* Exact digital silence (a card that has just started, an input switched off) says
         * nothing about the room: taken for the floor, it would make the first real noise look
         * like speech until the floor had crept up to it at 1 dB/s. */
        if (db <= VAD_FLOOR_MIN_DB)
                loud = false;
        else if (isnan(v->floor_db)) {
                /* The first sound: it may be the floor or already speech. Until there is a floor
                 * to compare with, let it through. */
                v->floor_db = db;
                loud = db > VAD_ABSOLUTE_MIN_DB;
        } else {
                loud = db > vad_open_db(v);
                if (db < v->floor_db)
                        v->floor_db = 0.7 * v->floor_db + 0.3 * db;
                else
                        v->floor_db += VAD_FLOOR_RISE_DB;
        }

        if (loud) {
                result = v->open ? VAD_ACTIVE : VAD_OPENED;
                v->open = true;
                v->hang = v->hangover_blocks;
        } else if (v->open && v->hang > 0) {
                v->hang--;
                result = VAD_ACTIVE;
        } else if (v->open) {
                v->open = false;
                result = VAD_CLOSED;
        } else
                result = VAD_SILENT;

        if (result != VAD_OPENED)
                ring_push(&v->preroll, block, VAD_BLOCK);
        return result;
}

size_t vad_take_preroll(Vad *v, int16_t *buf) {
        size_t n = ring_copy_last(&v->preroll, v->preroll.size, buf);

        ring_clear(&v->preroll);
        return n;
}
