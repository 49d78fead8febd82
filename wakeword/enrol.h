/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* "wakeword --enrol-from LIST": adapts the acoustic model to the voices, microphone and room of a
 * set of recordings. LIST has one clip a line, "WAV<TAB>TRANSCRIPT" (16 kHz mono; a relative path
 * is taken from LIST's directory; blank lines and '#' comments are skipped). Each clip is checked
 * (readable, long enough, not clipped, not silent, words in the dictionary, audio that matches
 * its transcript); sphinxtrain's bw and map_adapt then re-estimate the model's means and variances
 * (MAP) from the clips that passed, run as child processes in a private scratch directory that is
 * removed afterwards. The adaptation is written atomically into the state directory, where the daemon and
 * "wakeword --decode" load it. What was done is printed on stdout: each clip's verdict, how many
 * were used and refused, and their average acoustic score with the stock and the adapted model.
 * Without enough usable clips, or when the tools fail, an existing adaptation is left as it is. */

#include "wakeword-config.h"

#define ENROL_CLIPS_MIN 3

int wakeword_enrol(const WakewordConfig *config, const char *list);

/* "wakeword --enrol-check WAV TRANSCRIPT": the checks of --enrol-from on one clip, as the daemon's
 * live enrolment runs them on each take. Prints "ok <confidence>" or "refused <reason>" on stdout;
 * returns 0 (ok), 1 (refused) or < 0 when the check itself could not run. */
int wakeword_enrol_check(const WakewordConfig *config, const char *wav, const char *transcript);
