/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A child process the event loop watches through its pidfd: the daemon runs the enrolment's
 * checks and the adaptation as "wakeword --enrol-check/--enrol-from" processes, so neither the
 * decoder thread nor the loop waits for them and the daemon's own memory stays small. */

#include <sys/types.h>
#include <systemd/sd-event.h>

#include "macro.h"

typedef struct Child Child;

/* status: the exit code, or 128 + the signal that ended it. */
typedef void (*child_exited_t)(Child *c, int status, void *userdata);

/* Runs argv[0] with argv, in dir, with TMPDIR=dir, stdin from /dev/null and stdout and stderr
 * into output (created). exited is called once from the loop when it has ended (and is reaped). */
int child_spawn(sd_event *event, char *const argv[], const char *dir, const char *output,
                child_exited_t exited, void *userdata, Child **ret);

/* Asks it to stop (SIGTERM), waits for it and reaps it; exited is not called. NULL-safe. */
Child *child_free(Child *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(Child *, child_free);
