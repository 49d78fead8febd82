/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <json-c/json.h>
#include <stdio.h>

#include "fileio.h"
#include "macro.h"
#include "mute-state.h"

static int mute_state_parse(const char *text, bool *ret) {
        struct json_object *root, *v;
        int r = -EBADMSG;

        root = json_tokener_parse(text);
        if (!root)
                return -EBADMSG;
        if (json_object_is_type(root, json_type_object) &&
            json_object_object_length(root) == 1 &&
            json_object_object_get_ex(root, "muted", &v) &&
            json_object_is_type(v, json_type_boolean)) {
                *ret = json_object_get_boolean(v);
                r = 0;
        }
        json_object_put(root);
        return r;
}

int mute_state_load(const char *path, bool *ret_muted, MuteStateLoad *ret_how, char **ret_aside) {
        _cleanup_free_ char *text = NULL;
        int r;

        *ret_aside = NULL;

        r = read_full_file(path, 4096, &text, NULL);
        if (r == -ENOENT) {
                *ret_how = MUTE_STATE_MISSING;
                return 0;
        }
        if (r >= 0)
                r = mute_state_parse(text, ret_muted);
        if (r >= 0) {
                *ret_how = MUTE_STATE_LOADED;
                return 0;
        }

        /* Unreadable or garbage: keep it for whoever wants to look, start from a safe value. */
        (void) move_aside(path, ret_aside);
        *ret_how = MUTE_STATE_CORRUPT;
        return 0;
}

int mute_state_save(const char *path, bool muted) {
        const char *text = muted ? "{\"muted\": true}\n" : "{\"muted\": false}\n";

        return write_file_atomic(path, text, strlen(text), 0644);
}
