/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Keeps trying to write a daemon's state until it is on disk, so that a full (or read-only, or
 * failing) state file system loses nothing the daemon holds in memory, and nothing spins.
 *
 * state_saver_save() writes at once, through the daemon's own write function. When that fails
 * the state is "unsaved" until a write succeeds, and it is tried again:
 *  - on a timer, 1 s after the failure, then doubling up to 10 s;
 *  - at once (at most every 200 ms) when something else in the state directory is deleted,
 *    moved, or written and closed, or another daemon's state file lands there: that is where
 *    space comes back or writes succeed again. For ENOSPC/EDQUOT only when the file system has
 *    more room than right after the failure, so a directory that keeps changing without freeing
 *    anything does not cause attempts. Our own file's events, and anyone's temporary files
 *    ("*.tmp-*", attempts rather than successes), never trigger one.
 * The daemon is told when the outcome is news (the first failure, a different error, the first
 * success after failures), so it logs once, not at every attempt, and shows "unsaved" on the bus.
 *
 * Library code: it does not log. */

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "macro.h"
#include "time-util.h"

#define STATE_SAVER_RETRY_MIN_USEC (1 * USEC_PER_SEC)
#define STATE_SAVER_RETRY_MAX_USEC (10 * USEC_PER_SEC)
#define STATE_SAVER_EVENT_GAP_USEC (200 * USEC_PER_MSEC)

typedef struct StateSaver StateSaver;

/* Writes the current state to the file; 0 once it is there, -errno otherwise. */
typedef int (*state_saver_write_t)(void *userdata);
/* error 0: saved after failures; < 0: a save failed, for the first time or differently. */
typedef void (*state_saver_notify_t)(StateSaver *s, int error, void *userdata);

/* "path" is the state file; its directory is watched while something is unsaved. */
int state_saver_new(sd_event *event, const char *path, state_saver_write_t write, state_saver_notify_t notify,
                    void *userdata, StateSaver **ret);
StateSaver *state_saver_free(StateSaver *s);

/* The state changed: writes it now. Returns what the write returned. */
int state_saver_save(StateSaver *s);

bool state_saver_unsaved(const StateSaver *s);
/* The last attempt's error while unsaved, 0 when saved. */
int state_saver_error(const StateSaver *s);
/* Failed attempts since the last success. */
unsigned state_saver_failures(const StateSaver *s);
const char *state_saver_path(const StateSaver *s);
