/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctl-args.h"
#include "macro.h"

int parse_temperature(const char *s, double *ret) {
        char *end;
        double d;

        if (isempty(s) || strchr(" \t\n", s[0]))
                return -EINVAL;
        errno = 0;
        d = strtod(s, &end);
        if (errno != 0 || end == s || !isfinite(d))
                return -EINVAL;
        /* Only decimal notation: strtod also takes "0x18", "nan" and "inf". */
        if (strpbrk(s, "xXnN"))
                return -EINVAL;
        if (!isempty(end) && !streq(end, "C") && !streq(end, "°C") && !streq(end, "°"))
                return -EINVAL;
        *ret = d;
        return 0;
}

static const char *lookup(const char *s, const char *const *words) {
        for (; *words; words++)
                if (streq(s, *words))
                        return *words;
        return NULL;
}

const char *parse_mode(const char *s) {
        static const char *const modes[] = { VH_HVAC_MODE_WORDS, NULL };

        if (streq(s, "fan-only"))
                return VH_HVAC_MODE_FAN_ONLY;
        return lookup(s, modes);
}

const char *parse_fan_speed(const char *s) {
        static const char *const speeds[] = { VH_HVAC_FAN_WORDS, NULL };

        return lookup(s, speeds);
}

int parse_on_off(const char *s) {
        static const char *const yes[] = { "on", "yes", "true", "1", NULL };
        static const char *const no[] = { "off", "no", "false", "0", NULL };

        if (lookup(s, yes))
                return 1;
        if (lookup(s, no))
                return 0;
        return -EINVAL;
}
