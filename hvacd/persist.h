/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The state file: the last requested state, so a restart (or a reboot) brings the unit back to
 * it — an IR unit cannot be asked what it is doing. A small JSON object, written atomically. */

#include <stdbool.h>

#include "state-file.h"
#include "state.h"

#define HVAC_STATE_FILE_MAX (64 * 1024)

int hvac_state_to_json(const HvacState *s, char **ret);

/* 0 and *ret filled; -EBADMSG when the text is not a valid state under these limits (*ret_problem
 * says why, naming "name"). */
int hvac_state_parse(const char *name, const char *text, size_t size, const HvacLimits *l, HvacState *ret,
                     bool *ret_pending, char **ret_problem);

/* Reads and parses, moving nothing: 0 and *ret filled; -ENOENT when there is no file; -EBADMSG when
 * it is not a regular file or not a valid state (*ret_problem says why); another -errno when it
 * cannot be read. */
int hvac_state_load(const char *path, const HvacLimits *l, HvacState *ret, char **ret_problem);

/* The daemon's way: the common state file rule (state-file.h) with this parser; what is corrupt
 * is moved aside. *ret is filled when ret_load->status is LOADED. */
int hvac_state_restore(const char *path, const HvacLimits *l, HvacState *ret, bool *ret_pending,
                       StateFileLoad *ret_load);

int hvac_state_save(const char *path, const HvacState *s);

/* The same, with "pending": the state was asked for but the unit has not confirmed it yet (a
 * backend that can tell, such as http), so a restart sends it instead of adopting the unit's. */
int hvac_state_load_pending(const char *path, const HvacLimits *l, HvacState *ret, bool *ret_pending,
                            char **ret_problem);
int hvac_state_save_pending(const char *path, const HvacState *s, bool pending);
