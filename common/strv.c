/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"

char **strv_free(char **l) {
        for (char **p = l; p && *p; p++)
                free(*p);
        free(l);
        return NULL;
}

bool strv_contains(char *const *l, const char *s) {
        for (char *const *p = l; p && *p; p++)
                if (streq(*p, s))
                        return true;
        return false;
}

int strv_split_words(const char *s, char ***ret) {
        _cleanup_(strv_freep) char **l = NULL;
        size_t n = 0;

        l = calloc(strlen(s) / 2 + 2, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (const char *p = s + strspn(s, " \t"); *p; p += strspn(p, " \t")) {
                size_t len = strcspn(p, " \t");

                l[n] = strndup(p, len);
                if (!l[n++])
                        return -ENOMEM;
                p += len;
        }
        *ret = TAKE_PTR(l);
        return 0;
}
