/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Supervise mode: the child processes of the supervisor (a service's start, exit and restart
 * through them are in supervisor.c too, declared in service.h and manager.h). Each is forked with PR_SET_PDEATHSIG(SIGKILL), in a process
 * group of its own (a Ctrl-C on the terminal reaches the supervisor, which stops the children in
 * order, not the children directly), with a clean signal mask and no inherited fds. Its exit is
 * watched through a pidfd in the event loop, so there is no SIGCHLD handler and no race with pid
 * reuse. The child process code uses no bus. */

#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "time-util.h"

typedef struct Child Child;

/* status: the exit code (0…255), or 128 + the signal that killed it. */
typedef void (*child_exit_t)(Child *c, int status, void *userdata);

struct Child {
        const char *name;               /* for messages; not owned */
        pid_t pid;                      /* 0 when not running */
        int pidfd;
        usec_t started_usec;
        bool stopping;                  /* SIGTERM sent by us */
        sd_event_source *exit_source;
        sd_event_source *kill_timer;
        child_exit_t on_exit;
        void *userdata;
};

void child_init(Child *c, const char *name, child_exit_t on_exit, void *userdata);

/* Forks and execs argv[0] (a path). Fails with the child's exec errno when exec fails, so a
 * wrong path is reported at once rather than as an exit status. */
int child_start(Child *c, sd_event *event, char *const argv[]);

/* Asynchronous stop: SIGTERM and SIGCONT (a stopped process must be able to act on it), SIGKILL
 * once timeout passes. on_exit runs when it is gone. */
int child_kill(Child *c, usec_t timeout);

/* Synchronous stop for shutdown: the same signals, waiting in place. Returns the status. */
int child_stop_wait(Child *c, usec_t timeout);

bool child_running(const Child *c);
void child_done(Child *c);

/* Makes the process immune to inherited signal dispositions the children must not get. */
int supervisor_setup(void);
