/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A cheap energy gate in front of the decoder, so that silence and steady background noise cost
 * nothing. It follows the noise floor (falls fast, rises slowly), opens when a block is clearly
 * above it, stays open for a hang-over, and keeps a pre-roll of the audio just before opening so
 * the first phone of the wake phrase is not clipped. Works on blocks of VAD_BLOCK samples. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ring.h"

#define VAD_BLOCK 320                   /* 20 ms at 16 kHz */
#define VAD_PREROLL_BLOCKS 25           /* 500 ms */

typedef enum VadResult {
        VAD_SILENT,                     /* gate closed: drop the block */
        VAD_OPENED,                     /* gate just opened: feed the pre-roll, then the block */
        VAD_ACTIVE,                     /* gate open: feed the block */
        VAD_CLOSED,                     /* gate just closed: the block is silence, the burst is over */
} VadResult;

typedef struct Vad {
        double floor_db;
        double open_above_db;           /* how far above the floor a block must be */
        unsigned hangover_blocks;
        unsigned hang;                  /* blocks left before closing */
        bool open;
        int16_t preroll_data[VAD_PREROLL_BLOCKS * VAD_BLOCK];
        Ring preroll;                   /* in preroll_data */
} Vad;

void vad_init(Vad *v, double open_above_db, unsigned hangover_msec);
void vad_reset(Vad *v);
VadResult vad_process(Vad *v, const int16_t block[static VAD_BLOCK]);
/* Copies the pre-roll (oldest first) into buf (room for VAD_PREROLL_BLOCKS*VAD_BLOCK); returns the
 * sample count. Valid after VAD_OPENED, before the next vad_process(). */
size_t vad_take_preroll(Vad *v, int16_t *buf);
double vad_block_db(const int16_t block[static VAD_BLOCK]);
/* The loudest VAD_BLOCK-sized stretch of samples, in dB like vad_block_db(). */
double vad_peak_db(const int16_t *samples, size_t n);
/* The level a block must exceed to open the gate now (the lowest level there is while the gate
 * has no floor yet). */
double vad_open_db(const Vad *v);
