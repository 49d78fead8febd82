/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The speaker and room adaptation of the acoustic model: an MLLR transform of its means, as
 * sphinxtrain's mllr_solve writes it, kept in the state directory beside the cepstral mean. It is
 * applied to the decoder's acoustic model, which every search shares: the keyword spotter, the
 * verification, the command grammar and the phone loop all score audio with the adapted model. */

#include <pocketsphinx.h>
#include <stdbool.h>
#include <stddef.h>

#define ADAPTATION_STATE_FILE "wakeword-adaptation"
#define ADAPTATION_SIZE_MAX (1u << 20)

/* Checks the text of a transform against the model's feature streams (n_streams of the lengths
 * in stream_len): the class and stream counts, then for each class and stream its length and
 * exactly the numbers of its matrix, offset and variance scale, all finite and of plausible size,
 * and nothing after them. 0, or -EBADMSG. */
int adaptation_check(const char *text, unsigned n_streams, const int *stream_len);

/* Reads the transform at path, checks it against the decoder's model and applies it.
 * -ENOENT: no file; -EBADMSG: the file is not a transform for this model. */
int adaptation_apply(ps_decoder_t *ps, const char *path);
