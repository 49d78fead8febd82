/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Logging for the daemons (never for library code in common/, which returns -errno instead).
 * Lines go to stderr with a "<N>" syslog priority prefix, which journald strips and turns into the
 * priority, unless stderr is a terminal. "%m" expands to the errno passed to the *_errno variants. */

#include <syslog.h>

#include "macro.h"

void log_setup(const char *ident);
int log_get_max_level(void);

int log_internal(int level, int error, const char *format, ...) _printf_(3, 4);

#define log_full_errno(level, error, ...)                                               \
        ({                                                                              \
                int _l_ = (level), _e_ = (error);                                       \
                _l_ <= log_get_max_level() ? log_internal(_l_, _e_, __VA_ARGS__)        \
                                           : -abs(_e_);                                 \
        })
#define log_full(level, ...) (void) log_full_errno((level), 0, __VA_ARGS__)

#define log_debug(...)   log_full(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)    log_full(LOG_INFO, __VA_ARGS__)
#define log_notice(...)  log_full(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, __VA_ARGS__)
#define log_error(...)   log_full(LOG_ERR, __VA_ARGS__)

#define log_debug_errno(e, ...)   log_full_errno(LOG_DEBUG, (e), __VA_ARGS__)
#define log_info_errno(e, ...)    log_full_errno(LOG_INFO, (e), __VA_ARGS__)
#define log_notice_errno(e, ...)  log_full_errno(LOG_NOTICE, (e), __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_WARNING, (e), __VA_ARGS__)
#define log_error_errno(e, ...)   log_full_errno(LOG_ERR, (e), __VA_ARGS__)

#define log_oom() log_error_errno(-ENOMEM, "Out of memory.")

/* The warning for a state file that state_file_load() found unusable (state-file.h): what it is,
 * what was wrong, where it went, and what the daemon starts from instead ("starting muted"). */
typedef struct StateFileLoad StateFileLoad;
void log_state_file_unusable(const char *what, const char *path, const StateFileLoad *l, const char *instead);
