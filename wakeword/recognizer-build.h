/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Builds a recogniser on a thread of its own (loading a model takes a while), so that the event
 * loop answers and the worker goes on listening with the old one meanwhile. The loop watches
 * recognizer_build_fd() and collects the result with recognizer_build_finish(). */

#include <stdbool.h>

#include "macro.h"
#include "recognizer.h"

typedef struct RecognizerBuild RecognizerBuild;

/* c must stay valid until recognizer_build_finish(). use: with the state directory's adaptation. */
int recognizer_build_start(const RecognizerConfig *c, bool use, RecognizerBuild **ret);
/* Readable once the build is over. */
int recognizer_build_fd(RecognizerBuild *b);
/* Joins the thread; the recogniser, or < 0 with *ret_error (malloc'd, may be NULL). Frees b. */
int recognizer_build_finish(RecognizerBuild *b, Recognizer **ret, char **ret_error);
