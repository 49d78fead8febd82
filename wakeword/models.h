/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The acoustic models a recogniser scores audio with. The stock model always: it spots the wake
 * phrase in the continuous audio. With a speaker and room adaptation loaded, a second decoder of
 * the adapted model beside it, which hears only what the stock one found: it takes a second look
 * at each wake candidate, and runs the command stage after a wake it verified. The adaptation
 * moves only the sounds the enrolment used, so the phrase no longer fits the adapted model for
 * a voice that did not enrol: verifying with both models keeps the stock model's voices. */

#include <pocketsphinx.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmn.h"
#include "recognizer.h"
#include "score.h"

typedef struct Model {
        ps_decoder_t *ps;
        /* The search in use. Kept here because pocketsphinx 0.8's ps_get_search() leaks a hash
         * table iterator on every call. */
        const char *search;
        bool in_utterance;
        /* It has heard audio. Its front end keeps state from one utterance to the next
         * (ps_start_stream() alone starts it over), and that state changes how it reads what
         * follows. */
        bool heard;
} Model;

int model_utterance_start(Model *m, const char *search);
int model_utterance_end(Model *m);

/* Runs "search" over audio the stream already gave the stock decoder (a wake's window, a
 * command), as one utterance of its own, with the cepstral mean "mean" (NULL: the decoder's
 * running one); the running mean is left as it was. */
int model_second_look(Model *m, const char *search, const int16_t *samples, size_t n, const mfcc_t *mean);

/* Starts "search" over, as a new utterance that goes on with the audio that follows, on audio the
 * stream already gave this decoder: the running mean, which counted it then, does not count it
 * again. */
int model_hear_again(Model *m, const char *search, const int16_t *samples, size_t n);

/* The verification search over a wake's window: whether the phrase beat the window read as common
 * words, and the best path the choice between models and the enrolled-only gate use. A decoder
 * that has heard nothing yet reads the window once to no purpose first: the adapted one hears
 * nothing but these windows and the commands after them, and from a front end that had heard
 * nothing, the first wake after the decoders were made (a start, a new adaptation) fitted the
 * adapted model far better than the stock one whoever spoke (by 22 per frame in the enrolment
 * bench's pink noise, against 6 to 9 for the same voice later). The stock decoder has always
 * heard the stream by then. */
int model_verify(Model *m, const char *keyphrase, const int16_t *samples, size_t n, const mfcc_t *mean,
                 WakeVerdict *ret);

typedef struct Models {
        Model stock;
        Model adapted;                  /* .ps NULL: no adaptation loaded */
} Models;

/* c->adaptation set: both decoders, the adapted one without keyword spotting. Errors as
 * decoder_new(). */
int models_init(Models *m, const RecognizerConfig *c, const char *keyphrase, char *const *fillers, bool verify,
                int dict_fd, char **ret_error);
void models_done(Models *m);

static inline bool models_adapted(const Models *m) {
        return m->adapted.ps;
}

static inline Model *models_get(Models *m, WakeModel which) {
        return which == WAKE_MODEL_ADAPTED && m->adapted.ps ? &m->adapted : &m->stock;
}

/* Each model's verification of a wake's window (model_verify()), the two at once on two threads
 * when an adaptation is loaded; *ret_adapted is left empty without one. */
int models_verify(Models *m, const char *keyphrase, const int16_t *samples, size_t n, const mfcc_t *mean,
                  WakeVerdict *ret_stock, WakeVerdict *ret_adapted);

/* The command stage runs on one decoder while the other waits: the running cepstral mean goes
 * with it, so that the stream's mean is one whichever decoder heard the audio. */
void model_cmn_hand_over(Model *from, Model *to);
