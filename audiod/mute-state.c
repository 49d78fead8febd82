/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdio.h>

#include "config.h"
#include "macro.h"
#include "mute-state.h"

static int parse_muted(struct json_object *v, void *dest, void *base, char **ret_problem) {
        if (!json_object_is_type(v, json_type_boolean)) {
                *ret_problem = strdup("expected boolean");
                return -EINVAL;
        }
        *(int *) dest = json_object_get_boolean(v);
        return 0;
}

static const ConfigField mute_fields[] = {
        { "muted", CONFIG_CUSTOM, 0, .parse = parse_muted },
        {}
};

/* The same strict JSON as the configuration: one key, a boolean, nothing else. */
static int mute_state_parse(const char *text, size_t size, void *userdata, char **ret_problem) {
        int muted = -1, r;

        r = config_load_string("mute state", text, size, mute_fields, &muted, ret_problem);
        if (r == -ENOMEM)
                return r;
        if (r >= 0 && muted < 0 && !(*ret_problem = strdup("key 'muted' is missing")))
                return -ENOMEM;
        if (r < 0 || muted < 0)
                return -EBADMSG;
        *(bool *) userdata = muted;
        return 0;
}

int mute_state_load(const char *path, bool *ret_muted, StateFileLoad *ret) {
        return state_record_load(path, mute_state_parse, ret_muted, ret);
}

int mute_state_save(const char *path, bool muted) {
        const char *text = muted ? "{\"muted\": true}\n" : "{\"muted\": false}\n";

        return state_record_save(path, text, strlen(text));
}
