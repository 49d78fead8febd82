/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The adaptation kept in the state directory, as the daemon and "wakeword --decode" load it. */

#include "recognizer.h"

/* Applies the state directory's adaptation when there is one. A file that is not an adaptation
 * of this model is moved aside with a warning and the stock model is used. Returns 1 when
 * adapted, 0 when not (no file, or one set aside or unreadable: logged), < 0 on OOM. */
int adaptation_state_load(Recognizer *r);

/* Moves a state file that cannot be used out of the way ("<path>.corrupt-<time>") and says so. */
void state_file_set_aside(const char *path, const char *what);
