/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The state file: the last requested state, so a restart (or a reboot) brings the unit back to
 * it — an IR unit cannot be asked what it is doing. A small JSON object, written atomically. */

#include <stdbool.h>

#include "state.h"

int hvac_state_to_json(const HvacState *s, char **ret);

/* 0 and *ret filled; -ENOENT when there is no file; -EBADMSG when the file is not a valid state
 * under these limits (*ret_problem says why); another -errno when it cannot be read. */
int hvac_state_load(const char *path, const HvacLimits *l, HvacState *ret, char **ret_problem);

int hvac_state_save(const char *path, const HvacState *s);

/* The same, with "pending": the state was asked for but the unit has not confirmed it yet (a
 * backend that can tell, such as http), so a restart sends it instead of adopting the unit's. */
int hvac_state_load_pending(const char *path, const HvacLimits *l, HvacState *ret, bool *ret_pending,
                            char **ret_problem);
int hvac_state_save_pending(const char *path, const HvacState *s, bool pending);
