/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Full-state infrared frames for air conditioners, as the pulse/space microsecond lists that
 * /dev/lircN takes in LIRC_MODE_PULSE. An A/C remote sends everything (power, mode, temperature,
 * fan) in every frame, so one frame carries the whole HvacState. */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "state.h"

/* What one write() to a LIRC device may carry (the kernel's LIRCBUF_SIZE). */
#define IR_FRAME_SAMPLES_MAX 1024

typedef struct IrFrame {
        unsigned carrier;                       /* Hz */
        unsigned duty_cycle;                    /* percent */
        size_t n;                               /* odd: starts and ends with a pulse */
        uint32_t samples[IR_FRAME_SAMPLES_MAX]; /* µs: pulse, space, pulse, … */
} IrFrame;

typedef struct IrProtocol {
        const char *name;
        unsigned carrier;
        int min_temperature, max_temperature;   /* whole °C the protocol can carry */
        int (*encode)(const HvacState *s, IrFrame *ret);
} IrProtocol;

#define IR_PROTOCOLS_LIST "coolix, gree"

const IrProtocol *ir_protocol_find(const char *name);

void ir_frame_init(IrFrame *f, unsigned carrier, unsigned duty_cycle);
/* Appends a pulse or a space; one of the same kind as the last one is merged into it. */
int ir_frame_add(IrFrame *f, bool pulse, uint32_t usec);
/* Appends nbits of data, each as a mark and a one- or zero-space. */
int ir_frame_add_bits(IrFrame *f, uint64_t data, unsigned nbits, bool msb_first,
                      uint32_t mark, uint32_t one_space, uint32_t zero_space);
/* Drops a trailing space: a transmission must end with a pulse. */
void ir_frame_finish(IrFrame *f);
/* Total duration in µs. */
uint64_t ir_frame_duration(const IrFrame *f);

/* Prints the frame in the text format `ir-ctl --send FILE` reads ("carrier N", then one
 * "pulse N"/"space N" line each); "comment" becomes a leading '#' line when set. */
int ir_frame_write_text(const IrFrame *f, const char *comment, FILE *out);

/* Whether the protocol can carry "t" (a whole number of °C in its range). */
int ir_protocol_check_temperature(const IrProtocol *p, double t);

/* Coolix (Midea and its rebrands): a 24-bit code, each byte followed by its inverse, MSB first,
 * the frame sent twice. Power off is a code of its own. */
#define IR_COOLIX_OFF UINT32_C(0xB27BE0)
int ir_coolix_code(const HvacState *s, uint32_t *ret);
int ir_coolix_encode(const HvacState *s, IrFrame *ret);

/* Gree (YAW1F remotes and compatibles): 8 bytes LSB first in two blocks of four, with a 4-bit
 * checksum in the top of the last byte. */
#define IR_GREE_STATE_BYTES 8
int ir_gree_state(const HvacState *s, uint8_t ret[IR_GREE_STATE_BYTES]);
uint8_t ir_gree_checksum(const uint8_t state[IR_GREE_STATE_BYTES]);
int ir_gree_encode(const HvacState *s, IrFrame *ret);
