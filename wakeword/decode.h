/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "wakeword-config.h"

/* "wakeword --decode FILE.wav…": the daemon's own recogniser over recordings, no bus; one JSON
 * object per line on stdout. verbose adds "rejected" lines (commands that did not pass), which is
 * what one looks at when tuning. adaptation: use the state directory's adaptation when there is one,
 * as the daemon does. Returns 0, or < 0 after printing why a file was refused. */
int wakeword_decode_files(const WakewordConfig *config, char *const *files, unsigned n, bool verbose, bool adaptation);
