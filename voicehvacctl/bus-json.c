/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bus-json.h"
#include "string-util.h"

static json_object *json_new_number_or_null(double d) {
        char shown[DOUBLE_STR_MAX + 2];

        if (!isfinite(d))
                return NULL;
        /* json-c writes %.17g, which shows 27.9 as 27.899999999999999: write the shortest form,
         * with ".0" on a whole number so that a D-Bus double stays a JSON number with a point. */
        format_double(shown, d);
        if (!strpbrk(shown, ".e"))
                strcat(shown, ".0");
        return json_object_new_double_s(d, shown);
}

static int read_basic(sd_bus_message *m, char type, json_object **ret) {
        union {
                uint8_t y;
                int b;
                int16_t n;
                uint16_t q;
                int32_t i;
                uint32_t u;
                int64_t x;
                uint64_t t;
                double d;
                const char *s;
        } v;
        int r;

        r = sd_bus_message_read_basic(m, type, &v);
        if (r < 0)
                return r;
        switch (type) {
        case 'y': *ret = json_object_new_int(v.y); break;
        case 'b': *ret = json_object_new_boolean(v.b); break;
        case 'n': *ret = json_object_new_int(v.n); break;
        case 'q': *ret = json_object_new_int(v.q); break;
        case 'i': *ret = json_object_new_int(v.i); break;
        case 'u': *ret = json_object_new_int64(v.u); break;
        case 'x': *ret = json_object_new_int64(v.x); break;
        case 't': *ret = json_object_new_uint64(v.t); break;
        case 'd': *ret = json_new_number_or_null(v.d); return 0;
        case 'h': *ret = NULL; return 0;
        case 's': case 'o': case 'g': *ret = json_object_new_string(v.s); break;
        default: return -EBADMSG;
        }
        return *ret ? 0 : -ENOMEM;
}

/* The entries of an a{…}: each key (any basic type) as a string. */
static int read_dict(sd_bus_message *m, const char *contents, json_object **ret) {
        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        char entry[256];
        int r;

        if (!o)
                return -ENOMEM;
        /* contents is "{kv}": the entry signature is what lies between the braces. */
        if (strlen(contents) < 3 || strlen(contents) - 2 >= sizeof entry)
                return -EBADMSG;
        memcpy(entry, contents + 1, strlen(contents) - 2);
        entry[strlen(contents) - 2] = '\0';

        while ((r = sd_bus_message_enter_container(m, 'e', entry)) > 0) {
                _cleanup_(json_object_putp) json_object *key = NULL;
                json_object *value = NULL;

                r = bus_message_read_json(m, &key);
                if (r < 0)
                        return r;
                r = bus_message_read_json(m, &value);
                if (r < 0)
                        return r;
                json_object_object_add(o, key ? json_object_get_string(key) : "", value);
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        *ret = TAKE_PTR(o);
        return 0;
}

static int read_list(sd_bus_message *m, json_object **ret) {
        _cleanup_(json_object_putp) json_object *a = json_object_new_array();
        int r;

        if (!a)
                return -ENOMEM;
        while ((r = sd_bus_message_at_end(m, false)) == 0) {
                json_object *item = NULL;

                r = bus_message_read_json(m, &item);
                if (r < 0)
                        return r;
                json_object_array_add(a, item);
        }
        if (r < 0)
                return r;
        *ret = TAKE_PTR(a);
        return 0;
}

int bus_message_read_json(sd_bus_message *m, json_object **ret) {
        const char *contents;
        char type;
        int r;

        *ret = NULL;
        r = sd_bus_message_peek_type(m, &type, &contents);
        if (r < 0)
                return r;
        if (r == 0)
                return -EBADMSG;
        if (!strchr("avr", type))
                return read_basic(m, type, ret);

        r = sd_bus_message_enter_container(m, type, contents);
        if (r < 0)
                return r;
        if (type == 'v')
                r = bus_message_read_json(m, ret);
        else if (type == 'a' && contents[0] == '{')
                r = read_dict(m, contents, ret);
        else
                r = read_list(m, ret);
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

const char *json_get_string(json_object *o, const char *key, const char *fallback) {
        json_object *v;

        if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return fallback;
        return json_object_get_string(v);
}

bool json_get_bool(json_object *o, const char *key, bool fallback) {
        json_object *v;

        if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_boolean))
                return fallback;
        return json_object_get_boolean(v);
}

double json_get_double(json_object *o, const char *key, double fallback) {
        json_object *v;

        if (!o || !json_object_object_get_ex(o, key, &v) ||
            !(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
                return fallback;
        return json_object_get_double(v);
}

uint64_t json_get_u64(json_object *o, const char *key, uint64_t fallback) {
        json_object *v;

        if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
                return fallback;
        return json_object_get_uint64(v);
}

void json_print_line(json_object *o) {
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        fflush(stdout);
}
