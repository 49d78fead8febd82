/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The command line's values, checked before anything is sent: the vocabulary is fixed by the
 * bus contract (dbus-interfaces/org.voicehvac.Hvac1.xml); the temperature limits are not, they
 * are hvacd's configuration, so a well-formed number goes to hvacd, whose refusal names them. */

#include <stdbool.h>

#include "bus-contract.h"         /* the mode and fan words */

/* A finite decimal number of °C ("24", "24.5"; "24C" and "24°C" too). -EINVAL otherwise. */
int parse_temperature(const char *s, double *ret);
/* Returns the canonical mode ("fan-only" is taken for "fan_only"), or NULL. */
const char *parse_mode(const char *s);
const char *parse_fan_speed(const char *s);
/* on/off, yes/no, true/false, 1/0. Returns 1, 0, or -EINVAL. */
int parse_on_off(const char *s);
