/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* hvacd as the integration tests drive it on the test's bus: its properties read the way a
 * client reads them (a property that cannot be read gives a value no property has: -999, -1,
 * UINT64_MAX or NULL, so a check on it fails), and the daemon started and stopped. The bus is
 * the one given to hvac_client_init(). */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

void hvac_client_init(sd_bus *bus);

double hvac_double(const char *property);
int hvac_bool(const char *property);
uint64_t hvac_u64(const char *property);
char *hvac_string(const char *property);
bool hvac_string_is(const char *property, const char *value);

/* hvacd --config CONFIG and the NULL-terminated options (may be NULL), with STATE_DIRECTORY set
 * to state_dir and its output in the log log_name; returns once it owns its bus name. */
pid_t hvac_start(const char *log_name, const char *state_dir, const char *config, const char *const *options);
/* SIGTERM; hvacd must exit 0 and release its name. */
void hvac_stop(pid_t pid, const char *what);
