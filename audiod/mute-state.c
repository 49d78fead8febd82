/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <json-c/json.h>
#include <stdio.h>

#include "fileio.h"
#include "macro.h"
#include "mute-state.h"

static int mute_state_parse(const char *text, size_t size, bool *ret) {
        struct json_object *root, *v;
        struct json_tokener *tok;
        size_t end;
        int r = -EBADMSG;

        if (strlen(text) != size)
                return -EBADMSG;

        /* Strict JSON, one object and nothing after it but white space. */
        tok = json_tokener_new();
        if (!tok)
                return -ENOMEM;
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
        root = json_tokener_parse_ex(tok, text, (int) size);
        end = (size_t) json_tokener_get_parse_end(tok);
        if (json_tokener_get_error(tok) != json_tokener_success)
                end = 0;
        json_tokener_free(tok);
        if (!root)
                return -EBADMSG;
        if (end == 0 || text[end + strspn(text + end, " \t\r\n")] != '\0') {
                json_object_put(root);
                return -EBADMSG;
        }
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
        size_t size = 0;
        int r;

        *ret_aside = NULL;

        r = read_full_file(path, 4096, &text, &size);
        if (r == -ENOENT) {
                *ret_how = MUTE_STATE_MISSING;
                return 0;
        }
        if (r >= 0)
                r = mute_state_parse(text, size, ret_muted);
        if (r >= 0) {
                *ret_how = MUTE_STATE_LOADED;
                return 0;
        }
        if (r == -ENOMEM)
                return r;

        /* Unreadable or garbage: keep it for whoever wants to look, start from a safe value. */
        (void) move_aside(path, ret_aside);
        *ret_how = MUTE_STATE_CORRUPT;
        return 0;
}

int mute_state_save(const char *path, bool muted) {
        const char *text = muted ? "{\"muted\": true}\n" : "{\"muted\": false}\n";

        return write_file_atomic(path, text, strlen(text), 0644);
}
