/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vhtest-options.h"

static int option_get_long(snd_config_t *n, const VhOption *o) {
        const char *s;
        char *end;
        long v;

        if (snd_config_get_integer(n, &v) < 0) {
                if (snd_config_get_string(n, &s) < 0)
                        goto invalid;
                errno = 0;
                v = strtol(s, &end, 10);
                if (errno != 0 || end == s || *end != '\0')
                        goto invalid;
        }
        if (v < o->min || v > o->max) {
                SNDERR("vhtest: %s must be within %ld..%ld, not %ld", o->id, o->min, o->max, v);
                return -EINVAL;
        }
        *(long *) o->dest = v;
        return 0;

invalid:
        SNDERR("vhtest: %s must be an integer", o->id);
        return -EINVAL;
}

static int option_get_string(snd_config_t *n, const VhOption *o) {
        char **dest = o->dest;
        const char *s;

        if (snd_config_get_string(n, &s) < 0 || !*s) {
                SNDERR("vhtest: %s must be a non-empty string", o->id);
                return -EINVAL;
        }
        free(*dest);
        *dest = strdup(s);
        return *dest ? 0 : -ENOMEM;
}

static int option_get_choice(snd_config_t *n, const VhOption *o) {
        char list[256] = "";
        const char *s;

        if (snd_config_get_string(n, &s) < 0)
                s = "";
        for (int i = 0; o->choices[i]; i++) {
                if (strcmp(s, o->choices[i]) == 0) {
                        *(int *) o->dest = i;
                        return 0;
                }
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s\"%s\"", i > 0 ? ", " : "",
                         o->choices[i]);
        }
        SNDERR("vhtest: %s must be one of %s", o->id, list);
        return -EINVAL;
}

int vh_options_parse(snd_config_t *conf, const VhOption *options) {
        snd_config_iterator_t i, next;

        snd_config_for_each(i, next, conf) {
                snd_config_t *n = snd_config_iterator_entry(i);
                const VhOption *o = NULL;
                const char *id;
                int r;

                if (snd_config_get_id(n, &id) < 0)
                        continue;
                if (strcmp(id, "comment") == 0 || strcmp(id, "type") == 0 || strcmp(id, "hint") == 0)
                        continue;

                for (const VhOption *p = options; p->id; p++)
                        if (strcmp(p->id, id) == 0) {
                                o = p;
                                break;
                        }
                if (!o) {
                        SNDERR("vhtest: unknown key %s", id);
                        return -EINVAL;
                }
                switch (o->type) {
                case VH_OPTION_STRING:
                        r = option_get_string(n, o);
                        break;
                case VH_OPTION_LONG:
                        r = option_get_long(n, o);
                        break;
                case VH_OPTION_CHOICE:
                        r = option_get_choice(n, o);
                        break;
                default:
                        r = -EINVAL;
                }
                if (r < 0)
                        return r;
        }
        return 0;
}
