/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The latest samples of a stream, in storage the owner provides: the energy gate's pre-roll and
 * the wake stage's history are both one. */

#include <stddef.h>
#include <stdint.h>

typedef struct Ring {
        int16_t *data;
        size_t size;
        size_t head;                    /* next write position */
        size_t fill;
} Ring;

void ring_init(Ring *r, int16_t *data, size_t size);
void ring_push(Ring *r, const int16_t *samples, size_t n);
/* Copies the last min(max, fill) samples, oldest first, into buf; returns how many. */
size_t ring_copy_last(const Ring *r, size_t max, int16_t *buf);
void ring_clear(Ring *r);
