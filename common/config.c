/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fileio.h"
#include "macro.h"
#include "message.h"

#define CONFIG_FILE_MAX (1024 * 1024)

const char *config_type_to_string(ConfigType t) {
        static const char *const table[] = {
                [CONFIG_STRING] = "string",
                [CONFIG_BOOL] = "boolean",
                [CONFIG_INT] = "integer",
                [CONFIG_UINT] = "unsigned integer",
                [CONFIG_DOUBLE] = "number",
                [CONFIG_OBJECT] = "object",
                [CONFIG_CUSTOM] = "value",
        };
        return (size_t) t < ELEMENTSOF(table) ? table[t] : "value";
}

static const char *json_type_name(struct json_object *v) {
        return v ? json_type_to_name(json_object_get_type(v)) : "null";
}

static int check_range(const ConfigField *f, double d, char **ret_problem) {
        if (f->min == 0 && f->max == 0)
                return 0;
        if (d < f->min || d > f->max) {
                *ret_problem = message_new("value %g out of range, expected %g…%g", d, f->min, f->max);
                return -ERANGE;
        }
        return 0;
}

static int parse_string(const ConfigField *f, struct json_object *v, void *dest, char **ret_problem) {
        const char *s;
        char *copy;

        if (!json_object_is_type(v, json_type_string)) {
                *ret_problem = message_new("expected string, got %s", json_type_name(v));
                return -EINVAL;
        }
        s = json_object_get_string(v);
        if ((size_t) json_object_get_string_len(v) != strlen(s)) {
                *ret_problem = message_new("string contains a NUL byte");
                return -EINVAL;
        }
        if (f->choices) {
                bool found = false;

                for (const char *const *c = f->choices; *c; c++)
                        if (streq(*c, s))
                                found = true;
                if (!found) {
                        _cleanup_free_ char *list = NULL;
                        size_t n = 0;
                        FILE *m = open_memstream(&list, &n);

                        if (m) {
                                for (const char *const *c = f->choices; *c; c++)
                                        fprintf(m, "%s'%s'", c == f->choices ? "" : ", ", *c);
                                fclose(m);
                        }
                        *ret_problem = message_new("invalid value '%s', expected one of %s", s, list ?: "?");
                        return -EINVAL;
                }
        }
        if (f->validate) {
                int r = f->validate(s, ret_problem);

                if (r < 0)
                        return r;
        }
        copy = strdup(s);
        if (!copy)
                return -ENOMEM;
        free(*(char **) dest);
        *(char **) dest = copy;
        return 0;
}

static int parse_number(const ConfigField *f, struct json_object *v, void *dest, char **ret_problem) {
        double d;
        int64_t i;
        int r;

        if (f->type == CONFIG_DOUBLE) {
                if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int)) {
                        *ret_problem = message_new("expected number, got %s", json_type_name(v));
                        return -EINVAL;
                }
                d = json_object_get_double(v);
                if (!isfinite(d)) {
                        *ret_problem = message_new("number is not finite");
                        return -EINVAL;
                }
                r = check_range(f, d, ret_problem);
                if (r < 0)
                        return r;
                *(double *) dest = d;
                return 0;
        }

        if (!json_object_is_type(v, json_type_int)) {
                *ret_problem = message_new("expected %s, got %s", config_type_to_string(f->type), json_type_name(v));
                return -EINVAL;
        }
        errno = 0;
        i = json_object_get_int64(v);
        if (errno == EINVAL || (f->type == CONFIG_UINT && (i < 0 || i > (int64_t) UINT32_MAX)) ||
            (f->type == CONFIG_INT && (i < INT32_MIN || i > INT32_MAX))) {
                *ret_problem = message_new("value %" PRIi64 " out of range for %s", i, config_type_to_string(f->type));
                return -ERANGE;
        }
        r = check_range(f, (double) i, ret_problem);
        if (r < 0)
                return r;
        if (f->type == CONFIG_UINT)
                *(unsigned *) dest = (unsigned) i;
        else
                *(int *) dest = (int) i;
        return 0;
}

static int parse_object(const char *file, const char *prefix, struct json_object *obj,
                        const ConfigField *fields, void *base, char **ret_error);

static int parse_field(const char *file, const char *keypath, const ConfigField *f,
                       struct json_object *v, void *base, char **ret_error) {
        _cleanup_free_ char *problem = NULL;
        void *dest = (char *) base + f->offset;
        int r;

        switch (f->type) {
        case CONFIG_STRING:
                r = parse_string(f, v, dest, &problem);
                break;
        case CONFIG_BOOL:
                if (!json_object_is_type(v, json_type_boolean)) {
                        problem = message_new("expected boolean, got %s", json_type_name(v));
                        r = -EINVAL;
                } else {
                        *(bool *) dest = json_object_get_boolean(v);
                        r = 0;
                }
                break;
        case CONFIG_INT:
        case CONFIG_UINT:
        case CONFIG_DOUBLE:
                r = parse_number(f, v, dest, &problem);
                break;
        case CONFIG_OBJECT:
                if (!json_object_is_type(v, json_type_object)) {
                        problem = message_new("expected object, got %s", json_type_name(v));
                        r = -EINVAL;
                        break;
                }
                return parse_object(file, keypath, v, f->fields, base, ret_error);
        case CONFIG_CUSTOM:
                r = f->parse(v, dest, base, &problem);
                break;
        default:
                assert(false);
                r = -EINVAL;
        }

        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                if (asprintf(ret_error, "%s: key '%s': %s", file, keypath, problem ?: "invalid value") < 0)
                        return -ENOMEM;
                return r;
        }
        return 0;
}

static int parse_object(const char *file, const char *prefix, struct json_object *obj,
                        const ConfigField *fields, void *base, char **ret_error) {
        int r;

        json_object_object_foreach(obj, key, v) {
                _cleanup_free_ char *keypath = NULL;
                const ConfigField *f = NULL;

                if (asprintf(&keypath, "%s%s%s", prefix ?: "", prefix ? "." : "", key) < 0)
                        return -ENOMEM;

                for (const ConfigField *i = fields; i->key; i++)
                        if (streq(i->key, key)) {
                                f = i;
                                break;
                        }
                if (!f) {
                        if (asprintf(ret_error, "%s: unknown key '%s'", file, keypath) < 0)
                                return -ENOMEM;
                        return -EINVAL;
                }

                r = parse_field(file, keypath, f, v, base, ret_error);
                if (r < 0)
                        return r;
        }
        return 0;
}

static unsigned line_of_offset(const char *text, size_t offset) {
        unsigned line = 1;

        for (size_t i = 0; i < offset && text[i]; i++)
                if (text[i] == '\n')
                        line++;
        return line;
}

/* json-c keeps the last of two equal keys without a word, so a stray second "device" would win
 * silently. The text has already been accepted as strict JSON: this walks it once more, without
 * checking its grammar again, and collects the keys of each object as json-c decodes them. */
#define KEY_SCAN_DEPTH 64

typedef struct KeyScope {
        struct json_object *seen;       /* NULL for an array */
        char *key;                      /* the member being read */
} KeyScope;

static int key_decode(const char *raw, size_t size, char **ret) {
        struct json_tokener *tok = json_tokener_new();
        struct json_object *o;
        int r = -EBADMSG;

        if (!tok)
                return -ENOMEM;
        o = json_tokener_parse_ex(tok, raw, (int) size);
        if (o && json_object_is_type(o, json_type_string)) {
                *ret = strdup(json_object_get_string(o));
                r = *ret ? 0 : -ENOMEM;
        }
        json_object_put(o);
        json_tokener_free(tok);
        return r;
}

static int key_path(const KeyScope *scope, int depth, const char *key, char **ret) {
        _cleanup_free_ char *path = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&path, &n);

        if (!f)
                return -ENOMEM;
        for (int d = 0; d < depth; d++)
                if (scope[d].seen && scope[d].key)
                        fprintf(f, "%s.", scope[d].key);
        fputs(key, f);
        if (fclose(f) != 0)
                return -ENOMEM;
        *ret = TAKE_PTR(path);
        return 0;
}

static int find_duplicate_key(const char *text, size_t size, char **ret_keypath) {
        KeyScope scope[KEY_SCAN_DEPTH] = {};
        bool expect_key = false;
        int depth = -1, r = 0;

        *ret_keypath = NULL;
        for (size_t i = 0; i < size && r == 0; i++) {
                char c = text[i];
                size_t end;

                if (c == '{' || c == '[') {
                        if (depth + 1 >= KEY_SCAN_DEPTH)
                                break;
                        depth++;
                        scope[depth].seen = c == '{' ? json_object_new_object() : NULL;
                        if (c == '{' && !scope[depth].seen)
                                r = -ENOMEM;
                        expect_key = c == '{';
                } else if ((c == '}' || c == ']') && depth >= 0) {
                        json_object_put(scope[depth].seen);
                        free(scope[depth].key);
                        scope[depth--] = (KeyScope) {};
                } else if (c == ',' && depth >= 0)
                        expect_key = scope[depth].seen;
                else if (c == '\'') {
                        /* json-c takes a single-quoted name even when strict; JSON does not. */
                        r = -EBADMSG;
                } else if (c == '"') {
                        for (end = i + 1; end < size && text[end] != '"'; end++)
                                if (text[end] == '\\')
                                        end++;
                        if (expect_key && depth >= 0 && scope[depth].seen) {
                                char *k = NULL;

                                r = key_decode(text + i, end + 1 - i, &k);
                                if (r >= 0 && json_object_object_get_ex(scope[depth].seen, k, NULL)) {
                                        r = key_path(scope, depth, k, ret_keypath);
                                        if (r >= 0)
                                                r = 1;
                                } else if (r >= 0 && json_object_object_add(scope[depth].seen, k, NULL) < 0)
                                        r = -ENOMEM;
                                free(scope[depth].key);
                                scope[depth].key = k;
                                expect_key = false;
                        }
                        i = end;
                }
        }
        for (; depth >= 0; depth--) {
                json_object_put(scope[depth].seen);
                free(scope[depth].key);
        }
        return r;
}

int config_load_string(const char *name, const char *text, size_t size,
                       const ConfigField *fields, void *base, char **ret_error) {
        _cleanup_free_ char *duplicate = NULL;
        struct json_tokener *tok;
        struct json_object *root;
        enum json_tokener_error jerr;
        size_t consumed;
        int r;

        assert(name);
        assert(text);
        assert(ret_error);

        *ret_error = NULL;

        if (strlen(text) != size) {
                if (asprintf(ret_error, "%s: file contains a NUL byte", name) < 0)
                        return -ENOMEM;
                return -EINVAL;
        }

        tok = json_tokener_new();
        if (!tok)
                return -ENOMEM;
        /* Plain JSON: no trailing commas or other leniencies that hide typos. */
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
        root = json_tokener_parse_ex(tok, text, (int) size);
        jerr = json_tokener_get_error(tok);
        consumed = (size_t) json_tokener_get_parse_end(tok);
        json_tokener_free(tok);

        if (!root || jerr != json_tokener_success) {
                json_object_put(root);
                if (asprintf(ret_error, "%s:%u: not valid JSON: %s", name, line_of_offset(text, consumed),
                             jerr == json_tokener_continue ? "unexpected end of file"
                                                           : json_tokener_error_desc(jerr)) < 0)
                        return -ENOMEM;
                return -EINVAL;
        }

        /* Trailing garbage after the object is a broken file, not something to ignore. */
        for (size_t i = consumed; i < size; i++)
                if (!strchr(" \t\r\n", text[i])) {
                        json_object_put(root);
                        if (asprintf(ret_error, "%s:%u: trailing data after the JSON object", name,
                                     line_of_offset(text, i)) < 0)
                                return -ENOMEM;
                        return -EINVAL;
                }

        if (!json_object_is_type(root, json_type_object)) {
                json_object_put(root);
                if (asprintf(ret_error, "%s: expected a JSON object at the top level", name) < 0)
                        return -ENOMEM;
                return -EINVAL;
        }

        r = find_duplicate_key(text, size, &duplicate);
        if (r == -EBADMSG) {
                json_object_put(root);
                if (asprintf(ret_error, "%s: not valid JSON: a name or string in single quotes", name) < 0)
                        return -ENOMEM;
                return -EINVAL;
        }
        if (r < 0) {
                json_object_put(root);
                return r;
        }
        if (r > 0) {
                json_object_put(root);
                if (asprintf(ret_error, "%s: key '%s' appears more than once", name, duplicate) < 0)
                        return -ENOMEM;
                return -EINVAL;
        }

        r = parse_object(name, NULL, root, fields, base, ret_error);
        json_object_put(root);
        return r;
}

int config_load_file(const char *path, const ConfigField *fields, void *base, bool must_exist, char **ret_error) {
        _cleanup_free_ char *text = NULL;
        size_t size;
        int r;

        assert(path);
        assert(ret_error);

        *ret_error = NULL;

        r = read_full_file(path, CONFIG_FILE_MAX, &text, &size);
        if (r == -ENOENT && !must_exist)
                return 0;
        if (r < 0) {
                if (asprintf(ret_error, "%s: cannot read: %s", path, strerror(-r)) < 0)
                        return -ENOMEM;
                return r;
        }

        return config_load_string(path, text, size, fields, base, ret_error);
}

void config_free_strings(const ConfigField *fields, void *base) {
        for (const ConfigField *f = fields; f && f->key; f++) {
                if (f->type == CONFIG_STRING) {
                        char **p = (char **) ((char *) base + f->offset);
                        free(*p);
                        *p = NULL;
                } else if (f->type == CONFIG_OBJECT)
                        config_free_strings(f->fields, base);
        }
}
