/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What an enrolment clip must be before its words are even looked at: long enough to hold a
 * phrase, short enough to be one sentence, not clipped, and with speech clearly above its noise
 * floor. */

#include <stddef.h>
#include <stdint.h>

#define CLIP_MIN_SEC 0.8
#define CLIP_MAX_SEC 30.0

/* NULL when the clip (16 kHz mono) will do; else why not, a static string. */
const char *clip_problem(const int16_t *samples, size_t n);
