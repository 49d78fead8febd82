/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A PocketSphinx decoder the recogniser runs (models.h), built with its searches: keyword spotting
 * for the wake phrase, the verification of a wake, the command grammar, and the phone loop the
 * command gates compare with. All of them score audio with the decoder's acoustic model. */

#include <pocketsphinx.h>
#include <stdbool.h>

#include "recognizer.h"

#define SEARCH_WAKE "wake"
#define SEARCH_COMMAND "command"
#define SEARCH_PHONES "phones"
#define SEARCH_VERIFY "verify"

/* A decoder of the configured model (adapted by c->adaptation when set) and the dictionary at
 * path "dictionary", without searches. -EBADMSG: c->adaptation is not an adaptation of the model. */
int decoder_init(const RecognizerConfig *c, const char *dictionary, ps_decoder_t **ret, char **ret_error);

/* dict_fd: the dictionary of the words needed (dictionary_extract()); fillers: the filler words
 * (may be NULL); spot: whether to set up keyword spotting (a decoder that only takes second looks
 * needs none); verify: whether to set up the verification search. The decoder starts on
 * SEARCH_WAKE, or SEARCH_COMMAND without spotting. On failure *ret_error (malloc'd, may be NULL on
 * OOM) says why. */
int decoder_new(const RecognizerConfig *c, const char *keyphrase, char *const *fillers, bool spot, bool verify,
                int dict_fd, ps_decoder_t **ret, char **ret_error);
