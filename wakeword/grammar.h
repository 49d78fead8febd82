/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The command search: the JSGF command grammar, and beside it a loop of common English words that
 * speech which is not a command can take instead of being forced into the nearest command. The
 * loop's words carry FILLER_PREFIX ("~the"), so a hypothesis through it is recognisable, and a
 * penalty per word that sets how much better a command must fit than ordinary English. */

#include <pocketsphinx.h>
#include <sphinxbase/jsgf.h>
#include <stdbool.h>

#include "macro.h"

#define FILLER_PREFIX "~"

/* Reads the words of a filler list (one a line, '#' comments), lower-cased, at most max of them.
 * NULL-terminated malloc'd array. */
int filler_words_read(const char *path, unsigned max, char ***ret, char **ret_error);

/* Builds the command FSG for "ps" (its logmath and language weight). filler_logprob is the
 * natural-log prior of each filler word; fillers may be NULL (no loop). */
int command_fsg_new(ps_decoder_t *ps, const char *grammar, char *const *fillers, double filler_logprob,
                    fsg_model_t **ret, char **ret_error);

/* The second look at a wake candidate: the last seconds of audio read either as any run of
 * filler words, then the phrase, then at most one filler word, or as filler words alone. The
 * detection comes a little after the phrase ends, so the window may hold the start of the next
 * word: the one filler after the phrase takes it. The loop has each word of the phrase as a
 * filler word of its own ("~hey", "~climate"; the dictionary has them), so a near miss that
 * shares a word with the phrase is read as what it is. Only the first max_fillers filler words
 * (the most frequent) are used: the cost of this look, which the wake waits for, grows with them.
 * lmath and lw: the decoder's logmath and language weight. */
int verify_fsg_new(logmath_t *lmath, float32 lw, const char *keyphrase, char *const *fillers, unsigned max_fillers,
                   double filler_logprob, fsg_model_t **ret);

/* True when the verification accepted the phrase: the hypothesis ends with it, or with it and
 * one filler word. */
bool hypothesis_verifies(const char *hyp, const char *phrase);

/* True when the hypothesis went through the filler loop. */
bool hypothesis_is_filler(const char *hyp);
/* The words of a hypothesis without the filler loop's marks ("~the ~cat" → "the cat"), for
 * people to read; truncated to size. */
void hypothesis_plain_words(const char *text, char *buf, size_t size);
