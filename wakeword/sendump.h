/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* sphinxtrain's bw wants the acoustic model's mixture weights as an s3 "mixture_weights" file;
 * the en-us model ships them only quantised, as PocketSphinx's "sendump". This expands one into
 * the other (what sphinxtrain's sendump.py does), at enrolment time, into a scratch directory. */

/* On failure *ret_error (malloc'd, may be NULL on OOM) says what was wrong with the input. */
int sendump_to_mixture_weights(const char *sendump, const char *mixture_weights, char **ret_error);
