/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The adaptation kept in the state directory, as the daemon and "wakeword --decode" use it. */

#include <stdbool.h>

#include "recognizer.h"

/* Creates the recogniser; with use, adapted by the state directory's adaptation when there is
 * one (logged). A file that is not an adaptation of the configured model is moved aside with a
 * warning, one that cannot be read is warned about, and the stock model is used. Errors as
 * recognizer_new(). */
int recognizer_new_from_state(const RecognizerConfig *c, bool use, Recognizer **ret, char **ret_error);
