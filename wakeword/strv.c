/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdlib.h>

#include "strv.h"

void strv_free(char **l) {
        for (char **p = l; p && *p; p++)
                free(*p);
        free(l);
}

bool strv_contains(char *const *l, const char *s) {
        for (char *const *p = l; p && *p; p++)
                if (streq(*p, s))
                        return true;
        return false;
}
