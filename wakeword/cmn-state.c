/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmn-state.h"
#include "fileio.h"
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

int cmn_state_load(Recognizer *r, const char *path) {
        _cleanup_free_ char *text = NULL;
        float v[RECOGNIZER_CMN_SIZE];
        int k;

        k = read_full_file(path, CMN_TEXT_MAX, &text, NULL);
        if (k < 0)
                return k;
        k = cmn_state_parse(text, v);
        if (k < 0)
                return k;
        return recognizer_set_cmn(r, v, RECOGNIZER_CMN_KEPT_FRAMES);
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
