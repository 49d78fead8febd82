/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmn-state.h"
#include "fileio.h"
#include <string.h>
#include "macro.h"

#define CMN_TEXT_MAX 1024
#define CMN_VALUE_MAX 200.0     /* cepstra of 16 bit audio stay far below this */

int cmn_state_parse(const char *text, float ret[static RECOGNIZER_CMN_SIZE]) {
        const char *p = text;

        for (size_t i = 0; i < RECOGNIZER_CMN_SIZE; i++) {
                char *end;
                double v;

                errno = 0;
                v = strtod(p, &end);
                if (end == p || errno != 0 || !isfinite(v) || fabs(v) > CMN_VALUE_MAX)
                        return -EINVAL;
                ret[i] = (float) v;
                p = end;
        }
        while (*p == ' ' || *p == '\n')
                p++;
        return *p == '\0' ? 0 : -EINVAL;
}

static int cmn_state_parse_file(const char *text, size_t size, void *userdata, char **ret_problem) {
        float v[RECOGNIZER_CMN_SIZE];

        if (strlen(text) != size || cmn_state_parse(text, v) < 0) {
                *ret_problem = strdup("not 13 plausible numbers");
                return *ret_problem ? -EBADMSG : -ENOMEM;
        }
        return recognizer_set_cmn(userdata, v, RECOGNIZER_CMN_KEPT_FRAMES);
}

int cmn_state_load(Recognizer *r, const char *path, StateFileLoad *ret) {
        return state_file_load(path, CMN_TEXT_MAX, cmn_state_parse_file, r, ret);
}

int cmn_state_save(Recognizer *r, const char *path) {
        char text[CMN_TEXT_MAX];
        float v[RECOGNIZER_CMN_SIZE];
        size_t n = 0;
        int k;

        k = recognizer_get_cmn(r, v);
        if (k < 0)
                return k;
        for (size_t i = 0; i < RECOGNIZER_CMN_SIZE; i++)
                n += (size_t) snprintf(text + n, sizeof text - n, "%s%.3f", i > 0 ? " " : "", (double) v[i]);
        n += (size_t) snprintf(text + n, sizeof text - n, "\n");
        return write_file_atomic(path, text, n, 0644);
}
