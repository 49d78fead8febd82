/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The decoder's cepstral mean in memory: reading and setting its running mean, a snapshot of it
 * (CmnState) kept aside across a second look at audio, and the mean of a window of audio alone.
 * Keeping the mean in a file across restarts is cmn-state.c's. */

#include <pocketsphinx.h>
#include <sphinxbase/cmn.h>
#include <sphinxbase/fe.h>

#include "recognizer.h"

/* The cepstral mean of ordinary speech at a moderate level: where a new decoder starts. */
extern const float cmn_typical[RECOGNIZER_CMN_SIZE];

/* The decoder's running cepstral mean, or NULL when the model's front end keeps none of the size
 * we know. */
cmn_t *cmn_of_decoder(ps_decoder_t *ps);

/* All of the running mean's state: a snapshot taken before a second look, put back after it. */
typedef struct CmnState {
        mfcc_t mean[RECOGNIZER_CMN_SIZE], sum[RECOGNIZER_CMN_SIZE];
        int32 nframe;
} CmnState;

void cmn_save(const cmn_t *cmn, CmnState *s);
void cmn_restore(cmn_t *cmn, const CmnState *s);

/* Sets the running mean to "mean", worth "weight_frames" frames of speech against what follows
 * (cmn_live_set() always counts it as 5 s). */
void cmn_set(cmn_t *cmn, const mfcc_t mean[static RECOGNIZER_CMN_SIZE], int32 weight_frames);

/* The decoder's front end once more, to compute the cepstral mean of a window of audio alone. */
typedef struct CmnWindow CmnWindow;

int cmn_window_new(ps_decoder_t *ps, CmnWindow **ret);
CmnWindow *cmn_window_free(CmnWindow *w);
DEFINE_TRIVIAL_CLEANUP_FUNC(CmnWindow *, cmn_window_free);

/* The cepstral mean of "samples" alone, as the decoder's front end computes the cepstra; -ENODATA
 * when the window is too short to have one. */
int cmn_window_mean(CmnWindow *w, const int16_t *samples, size_t n, mfcc_t ret[static RECOGNIZER_CMN_SIZE]);

/* The mean the verification reads its window with (see cmn.c); NULL: use the stream's. */
const mfcc_t *cmn_verify_mean(CmnWindow *w, cmn_t *cmn, const int16_t *samples, size_t n,
                              mfcc_t buf[static RECOGNIZER_CMN_SIZE]);
