/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Mute persisted across restarts (and crashes): {"muted": true} written atomically. */

#include <stdbool.h>

typedef enum MuteStateLoad {
        MUTE_STATE_LOADED,
        MUTE_STATE_MISSING,
        MUTE_STATE_CORRUPT,     /* moved aside; the caller falls back to muted */
} MuteStateLoad;

/* Returns < 0 only for errors other than a missing or unusable file. On MUTE_STATE_CORRUPT,
 * *ret_aside holds where the file went (may be NULL if it could not be moved). */
int mute_state_load(const char *path, bool *ret_muted, MuteStateLoad *ret_how, char **ret_aside);
int mute_state_save(const char *path, bool muted);
