/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* "voicehvacctl enrol": guides a person through wakeword's live enrolment on a terminal — the
 * prompt to say, a level meter, each take's verdict, the progress and the result. With reset:
 * removes the adaptation (ResetAdaptation). Returns an exit code. */
int enrol_run(bool reset);
