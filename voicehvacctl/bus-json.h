/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* D-Bus values as JSON: the one conversion behind every --json output, and behind the text
 * output too, which reads the same objects. */

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put);

/* Reads one complete value at the message's position: basic types as JSON scalars (a double
 * that is not finite as null), a{…} as an object (keys as strings), other arrays and structs as
 * arrays, variants as what they hold, fds as null. */
int bus_message_read_json(sd_bus_message *m, json_object **ret);

/* Field getters for the objects made above: the fallback when the key is absent or of
 * another type. */
const char *json_get_string(json_object *o, const char *key, const char *fallback);
bool json_get_bool(json_object *o, const char *key, bool fallback);
double json_get_double(json_object *o, const char *key, double fallback);
uint64_t json_get_u64(json_object *o, const char *key, uint64_t fallback);

/* Prints o as one line of JSON on stdout and flushes. */
void json_print_line(json_object *o);
