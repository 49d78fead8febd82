/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The decoder's cepstral mean, kept in the state directory ("wakeword-cmn"), so a restarted
 * daemon starts adapted to its microphone and room instead of relearning them on the first
 * utterances (which it would then likely miss). */

#include "recognizer.h"
#include "state-file.h"

/* Through the common state file rule (state-file.h): 0 with ret->status LOADED (the recogniser has
 * the mean), MISSING, or CORRUPT (not 13 plausible numbers, a symbolic link, a directory…; moved
 * aside); < 0 when the file is there but cannot be read. */
int cmn_state_load(Recognizer *r, const char *path, StateFileLoad *ret);
int cmn_state_save(Recognizer *r, const char *path);

/* Parses "v1 v2 … v13"; exported for the tests. */
int cmn_state_parse(const char *text, float ret[static RECOGNIZER_CMN_SIZE]);
