/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "string-util.h"

char *format_double(char buf[static DOUBLE_STR_MAX], double d) {
        int precision = 1;

        /* Start with every digit before the point, so 40 is "40", not "4e+01". */
        if (isfinite(d) && fabs(d) >= 1 && fabs(d) < 1e17)
                precision = (int) floor(log10(fabs(d))) + 1;
        for (; precision <= 17; precision++) {
                (void) snprintf(buf, DOUBLE_STR_MAX, "%.*g", precision, d);
                if (strtod(buf, NULL) == d)
                        break;
        }
        return buf;
}

const char *str_echo(char buf[static ECHO_STR_MAX], const char *s) {
        size_t n = strnlen(s, ECHO_MAX + 1);

        if (n <= ECHO_MAX) {
                memcpy(buf, s, n + 1);
                return buf;
        }
        n = ECHO_MAX;
        /* Back up over continuation bytes, so a multi-byte character is not cut in half. */
        while (n > 0 && ((unsigned char) s[n] & 0xC0) == 0x80)
                n--;
        memcpy(buf, s, n);
        memcpy(buf + n, "…", sizeof("…"));
        return buf;
}
