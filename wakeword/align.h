/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* An enrolment clip read against its transcript: the decoder is forced through the transcript's
 * words (with optional silence between them), and the same audio is read by the free phone loop.
 * The forced path's acoustic score per frame says how well the model fits the speaker; its lead
 * over the phone loop says whether the audio is the transcript at all. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "macro.h"
#include "recognizer.h"

typedef struct Aligner Aligner;

typedef struct Alignment {
        double ascr_per_frame;          /* the forced path's acoustic score per frame */
        double confidence;              /* its lead over the phone loop, per frame */
        int frames;
} Alignment;

/* Loads the acoustic model (adapted by c->adaptation when set) with the whole pronunciation
 * dictionary. */
int aligner_new(const RecognizerConfig *c, Aligner **ret, char **ret_error);
Aligner *aligner_free(Aligner *a);
DEFINE_TRIVIAL_CLEANUP_FUNC(Aligner *, aligner_free);

/* The first word of "words" (lower case) the dictionary has no pronunciation for, or NULL. */
const char *aligner_unknown_word(Aligner *a, char *const *words);

/* Writes the dictionary entries of "words" (every pronunciation) to f, as bw reads them. */
int aligner_write_dictionary(Aligner *a, char *const *words, FILE *f);

/* Forced alignment of 16 kHz samples against words. -ENOMSG when no path through the words
 * reaches the end of the audio. */
int aligner_align(Aligner *a, const int16_t *samples, size_t n, char *const *words, Alignment *ret);

