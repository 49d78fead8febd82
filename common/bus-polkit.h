/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Who may change something: root, a member of the daemon's control group, or whoever polkit
 * authorizes for the action (org.voicehvac.policy). polkit is asked over the bus
 * (org.freedesktop.PolicyKit1.Authority.CheckAuthorization, the caller's unique name as the
 * subject) without ever blocking the event loop:
 *
 *   1. A method handler calls bus_verify_control_async() after validating its arguments.
 *   2. Root or a group member: 1 at once. Otherwise a query goes to polkit and it returns 0; the
 *      handler returns 1 straight away (sd-bus: handled, no reply yet).
 *   3. When polkit answers, the original message is queued to be dispatched again: the handler
 *      runs a second time, reads and validates again, and this time bus_verify_control_async()
 *      returns polkit's answer from the registry: 1, or -EACCES with NotAuthorized set.
 *
 * Where polkitd is absent (its name neither owned nor activatable) the group rule alone decides.
 * The registry belongs to the daemon's owner object and outlives every handler. */

#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "macro.h"

typedef struct PolkitRegistry PolkitRegistry;

int polkit_registry_new(PolkitRegistry **ret);
PolkitRegistry *polkit_registry_free(PolkitRegistry *registry);
DEFINE_TRIVIAL_CLEANUP_FUNC(PolkitRegistry *, polkit_registry_free);

/* Returns 1 when the caller may, 0 when a polkit query is under way (return 1 from the handler
 * and nothing else), -EACCES with "error" set to NotAuthorized (saying "what", e.g. "Unmuting")
 * when it may not, another negative errno with "error" set on failure. */
int bus_verify_control_async(sd_bus_message *message, gid_t group, const char *group_name, const char *action,
                             const char *what, PolkitRegistry *registry, sd_bus_error *error);
