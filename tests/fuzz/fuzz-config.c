/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* config_load_string() on arbitrary text, through a table that has every field type (strings
 * with and without choices, booleans, signed, unsigned and floating numbers with and without a
 * range, a nested object, a custom parser). What must hold: it returns, it never leaks, success
 * and an error message are exclusive, an error names the file, and every value it stored obeys
 * its field's rules. The text is loaded twice into the same struct, so replacing a string that
 * is already set is exercised too. */

#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>

#include "bus-contract.h"
#include "config.h"
#include "fuzz-util.h"

typedef struct FuzzConfig {
        char *name, *mode;
        bool enabled;
        int offset;
        unsigned count, limit;
        double ratio, any;
        struct {
                char *device;
                unsigned carrier;
                double level;
        } inner;
        int custom;
} FuzzConfig;

static const char *const mode_choices[] = { VH_HVAC_MODE_WORDS, NULL };

static int parse_even(struct json_object *v, void *dest, void *base, char **ret_problem) {
        if (!json_object_is_type(v, json_type_int) || json_object_get_int(v) % 2 != 0) {
                *ret_problem = strdup("expected an even integer");
                return -EINVAL;
        }
        *(int *) dest = json_object_get_int(v);
        return 0;
}

static const ConfigField inner_fields[] = {
        { "device", CONFIG_STRING, offsetof(FuzzConfig, inner.device) },
        { "carrier", CONFIG_UINT, offsetof(FuzzConfig, inner.carrier), 0, 500000 },
        { "level", CONFIG_DOUBLE, offsetof(FuzzConfig, inner.level), -1, 1 },
        {}
};

static const ConfigField fields[] = {
        { "name", CONFIG_STRING, offsetof(FuzzConfig, name) },
        { "mode", CONFIG_STRING, offsetof(FuzzConfig, mode), .choices = mode_choices },
        { "enabled", CONFIG_BOOL, offsetof(FuzzConfig, enabled) },
        { "offset", CONFIG_INT, offsetof(FuzzConfig, offset), -100, 100 },
        { "count", CONFIG_UINT, offsetof(FuzzConfig, count) },
        { "limit", CONFIG_UINT, offsetof(FuzzConfig, limit), 1, 1000 },
        { "ratio", CONFIG_DOUBLE, offsetof(FuzzConfig, ratio), 0.01, 10 },
        { "any", CONFIG_DOUBLE, offsetof(FuzzConfig, any) },
        { "inner", CONFIG_OBJECT, .fields = inner_fields },
        { "custom", CONFIG_CUSTOM, offsetof(FuzzConfig, custom), .parse = parse_even },
        {}
};

static bool is_choice(const char *s) {
        for (const char *const *c = mode_choices; *c; c++)
                if (strcmp(*c, s) == 0)
                        return true;
        return false;
}

static void check_values(const FuzzConfig *c) {
        fuzz_assert(!c->mode || is_choice(c->mode), "mode '%s' is not a choice", c->mode);
        fuzz_assert(c->offset >= -100 && c->offset <= 100, "offset %d", c->offset);
        fuzz_assert(c->limit == 7 || (c->limit >= 1 && c->limit <= 1000), "limit %u", c->limit);
        fuzz_assert(c->ratio == 0.5 || (c->ratio >= 0.01 && c->ratio <= 10), "ratio %g", c->ratio);
        fuzz_assert(isfinite(c->any), "any %g", c->any);
        fuzz_assert(c->inner.carrier <= 500000, "carrier %u", c->inner.carrier);
        fuzz_assert(c->inner.level >= -1 && c->inner.level <= 1, "level %g", c->inner.level);
        fuzz_assert(c->custom % 2 == 0, "custom %d", c->custom);
        fuzz_assert(!c->name || strlen(c->name) < 1024 * 1024, "name");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        FuzzConfig c = { .limit = 7, .ratio = 0.5 };
        char *text = fuzz_strndup(data, size);

        for (int pass = 0; pass < 2; pass++) {
                char *error = NULL;
                int r = config_load_string("fuzz.json", text, size, fields, &c, &error);

                if (r >= 0)
                        fuzz_assert(!error, "success with a message: %s", error);
                else {
                        fuzz_assert(r != -ENOMEM, "out of memory on %zu bytes", size);
                        fuzz_assert(error && strncmp(error, "fuzz.json", 9) == 0,
                                    "the error names the file: %s", error ?: "(none)");
                }
                check_values(&c);
                free(error);
        }

        config_free_strings(fields, &c);
        fuzz_assert(!c.name && !c.mode && !c.inner.device, "strings freed and reset");
        free(text);
        return 0;
}
