/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The microphone level meter: RMS and peak of S16 samples over a span of audio, in dBFS
 * (relative to full scale 32768: a full-scale square wave reads 0 dB RMS, a full-scale sine
 * −3 dB). Counts audio frames, not wall-clock time, so a span is exactly so much audio. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LEVEL_FLOOR_DBFS (-100.0)       /* what silence reads */

typedef struct LevelMeter {
        uint64_t span_frames;           /* frames per reading */
        uint64_t frames;
        double sum_squares;             /* over all channels' samples */
        uint64_t samples;
        int32_t peak;                   /* largest |sample| */
} LevelMeter;

typedef struct LevelReading {
        double rms_dbfs;
        double peak_dbfs;
        uint64_t frames;
} LevelReading;

void level_meter_init(LevelMeter *lm, uint64_t span_frames);

/* Adds interleaved frames. Returns true when a span is complete: then *ret holds its reading
 * and the meter starts over (frames beyond the span count towards the next one). */
bool level_meter_add(LevelMeter *lm, const int16_t *samples, size_t frames, unsigned channels,
                     LevelReading *ret);

/* Forgets a partial span (after a gap in the audio: mute, a reconnect). */
void level_meter_reset(LevelMeter *lm);

double level_dbfs(double amplitude);

/* A bar of width characters for dBFS from -60 to 0: "#####-----". buf holds width + 1. */
void level_bar(double dbfs, char *buf, size_t width);
