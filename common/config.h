/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Strict JSON configuration, table-driven. Every key in a file must be known, given once, of
 * the right type and in range; otherwise loading fails and *ret_error says which file, which key and what was
 * wrong, so the daemon can refuse to start half-configured. Library code: it does not log. */

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum ConfigType {
        CONFIG_STRING,          /* char * owned by the struct (old value is free()d) */
        CONFIG_BOOL,            /* bool */
        CONFIG_INT,             /* int */
        CONFIG_UINT,            /* unsigned */
        CONFIG_DOUBLE,          /* double, finite */
        CONFIG_OBJECT,          /* nested table in .fields, same base pointer */
        CONFIG_CUSTOM,          /* .parse does the work */
} ConfigType;

typedef struct ConfigField ConfigField;

/* Returns < 0 and sets *ret_problem (malloc'd, e.g. "expected 'cool' or 'heat'") on bad input. */
typedef int (*config_parse_t)(struct json_object *value, void *dest, void *base, char **ret_problem);

/* CONFIG_STRING: returns < 0 and sets *ret_problem (malloc'd, or NULL for "invalid value") when
 * the string, already known to be one without a NUL byte, is not a valid value. */
typedef int (*config_validate_t)(const char *value, char **ret_problem);

struct ConfigField {
        const char *key;
        ConfigType type;
        size_t offset;
        double min, max;                /* numbers: inclusive range, unchecked when min == max == 0 */
        const char * const *choices;    /* strings: NULL-terminated allowed values, or NULL */
        config_validate_t validate;     /* strings: checks the value, or NULL */
        const ConfigField *fields;      /* CONFIG_OBJECT: NULL-key-terminated */
        config_parse_t parse;           /* CONFIG_CUSTOM */
};

/* Loads "path" into "base" through "fields" (NULL-key-terminated). A missing file is not an error
 * unless must_exist is set (an explicit --config). */
int config_load_file(const char *path, const ConfigField *fields, void *base, bool must_exist, char **ret_error);

/* The same, on text in memory; "name" is what messages call it. */
int config_load_string(const char *name, const char *text, size_t size,
                       const ConfigField *fields, void *base, char **ret_error);

/* Frees every CONFIG_STRING of the table in "base" (recursing into objects). */
void config_free_strings(const ConfigField *fields, void *base);

const char *config_type_to_string(ConfigType t);
