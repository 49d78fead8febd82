/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "state-file.h"

static int max_level = LOG_INFO;
static const char *log_ident = NULL;
static int use_prefix = -1;

void log_setup(const char *ident) {
        const char *e;

        log_ident = ident;
        e = getenv("VOICEHVAC_LOG_LEVEL");
        if (e) {
                if (streq(e, "debug"))
                        max_level = LOG_DEBUG;
                else if (streq(e, "info"))
                        max_level = LOG_INFO;
                else if (streq(e, "notice"))
                        max_level = LOG_NOTICE;
                else if (streq(e, "warning"))
                        max_level = LOG_WARNING;
                else if (streq(e, "err") || streq(e, "error"))
                        max_level = LOG_ERR;
        }
}

int log_get_max_level(void) {
        return max_level;
}

int log_internal(int level, int error, const char *format, ...) {
        char buf[2048];
        va_list ap;

        if (use_prefix < 0)
                use_prefix = !isatty(STDERR_FILENO) || getenv("JOURNAL_STREAM");

        errno = abs(error);
        va_start(ap, format);
        (void) vsnprintf(buf, sizeof(buf), format, ap);
        va_end(ap);

        if (use_prefix)
                fprintf(stderr, "<%i>%s%s%s\n", level, log_ident ?: "", log_ident ? ": " : "", buf);
        else
                fprintf(stderr, "%s%s%s\n", log_ident ?: "", log_ident ? ": " : "", buf);

        return -abs(error);
}

void log_state_file_unusable(const char *what, const char *path, const StateFileLoad *l, const char *instead) {
        if (l->aside)
                log_warning("%s %s is unusable (%s); moved it to %s, %s.", what, path, l->problem ?: "?", l->aside,
                            instead);
        else
                log_warning_errno(l->aside_error, "%s %s is unusable (%s) and could not be moved aside (%m); %s.",
                                  what, path, l->problem ?: "?", instead);
}
