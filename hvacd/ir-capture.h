/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Captures of real remotes, labelled with what the remote was set to, and the checks the tests
 * and the compatibility benchmark run on them: does the frame decode to its label, and does the
 * encoder, given the state and options the frame carries, send the same data bits: every frame the
 * capture holds (a copy, a second frame the decoder does not need), each bit as a decoder reads it.
 *
 * A capture file holds "# label off" or "# label MODE FAN [MORE…] TEMPERATURE" lines, each
 * followed by the capture as `ir-ctl -r` prints it ("+N -N …"); other '#' lines are comments. */

#include <stdio.h>

#include "ir.h"

#define IR_CAPTURE_SAMPLES_MAX 4096

typedef struct IrCapture {
        char label[96];
        unsigned line;                  /* of the label */
        bool off;
        bool in_model;                  /* the label says only what the climate model can */
        HvacMode mode;
        HvacFan fan;
        double temperature;             /* NAN: none in the label */
        size_t n;
        uint32_t samples[IR_CAPTURE_SAMPLES_MAX];
} IrCapture;

/* 1: one capture read; 0: end of file; < 0: bad file (-EINVAL, *line says where). */
int ir_capture_read(FILE *f, IrCapture *c, unsigned *line);

typedef struct IrCaptureResult {
        int decode;                     /* 0, or what ir_decode() failed with */
        IrDecoded decoded;
        bool matches_label;
        bool reproduced;                /* with the options the capture carries */
        bool reproduced_defaults;       /* with the remote's default options */
        char why[320];                  /* what disagreed, when something did */
} IrCaptureResult;

/* Decodes with "p" (NULL: any protocol) and fan table "t" of "p" (NULL: its own), and compares. */
void ir_capture_check(const IrProtocol *p, const IrFanTable *t, const IrCapture *c, IrCaptureResult *ret);
