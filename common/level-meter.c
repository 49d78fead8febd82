/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <math.h>
#include <string.h>

#include "level-meter.h"
#include "macro.h"

#define FULL_SCALE 32768.0
#define BAR_FLOOR_DBFS (-60.0)

void level_meter_init(LevelMeter *lm, uint64_t span_frames) {
        *lm = (LevelMeter) { .span_frames = MAX(span_frames, (uint64_t) 1) };
}

void level_meter_reset(LevelMeter *lm) {
        level_meter_init(lm, lm->span_frames);
}

double level_dbfs(double amplitude) {
        double db;

        if (amplitude <= 0)
                return LEVEL_FLOOR_DBFS;
        db = 20.0 * log10(amplitude / FULL_SCALE);
        return MAX(db, LEVEL_FLOOR_DBFS);
}

bool level_meter_add(LevelMeter *lm, const int16_t *samples, size_t frames, unsigned channels,
                     LevelReading *ret) {
        bool complete = false;

        channels = MAX(channels, 1u);
        for (size_t f = 0; f < frames; f++) {
                for (unsigned c = 0; c < channels; c++) {
                        int32_t s = samples[f * channels + c];

                        lm->sum_squares += (double) s * s;
                        lm->peak = MAX(lm->peak, s < 0 ? -s : s);
                }
                lm->samples += channels;
                if (++lm->frames < lm->span_frames)
                        continue;
                /* The latest complete span wins if one call completes several. */
                *ret = (LevelReading) {
                        .rms_dbfs = level_dbfs(sqrt(lm->sum_squares / (double) lm->samples)),
                        .peak_dbfs = level_dbfs(lm->peak),
                        .frames = lm->frames,
                };
                complete = true;
                level_meter_reset(lm);
        }
        return complete;
}

void level_bar(double dbfs, char *buf, size_t width) {
        double fill = (dbfs - BAR_FLOOR_DBFS) / -BAR_FLOOR_DBFS;
        size_t n = (size_t) lround(CLAMP(fill, 0.0, 1.0) * (double) width);

        memset(buf, '#', n);
        memset(buf + n, '-', width - n);
        buf[width] = '\0';
}
