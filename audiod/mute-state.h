/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Mute persisted across restarts (and crashes) as a state record (common/state-file.h) whose
 * payload is {"muted": true}: rewritten in place, so a full disk still takes a mute, and
 * checksummed, so a torn write reads as corrupt. Whatever is not a valid record — missing aside —
 * means "muted" to the caller. */

#include <stdbool.h>

#include "state-file.h"

/* 0 with ret->status; *ret_muted is set when LOADED. < 0 when the file is there but unreadable
 * (the caller starts muted) or on -ENOMEM. */
int mute_state_load(const char *path, bool *ret_muted, StateFileLoad *ret);
int mute_state_save(const char *path, bool muted);
