/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* A string that may be NULL, for a format or a bus reply: "" or "n/a" in its place. */
static inline const char *strempty(const char *s) {
        return s ?: "";
}

static inline const char *strna(const char *s) {
        return s ?: "n/a";
}

/* Long enough for any double in its shortest form that reads back the same ("-2.2250738585072014e-308"). */
#define DOUBLE_STR_MAX 32

/* Writes the shortest decimal form of d that strtod() turns back into exactly d, so a value is
 * shown as it was sent (22.000001, not 22) and one that is 27.9 is not shown as 27.899999999999999. */
char *format_double(char buf[static DOUBLE_STR_MAX], double d);

/* Input echoed in an error message or a log line is cut to this many bytes. */
#define ECHO_MAX 64
#define ECHO_STR_MAX (ECHO_MAX + sizeof("…"))

/* A copy of s for an error message: at most ECHO_MAX bytes, cut on a UTF-8 character boundary
 * and marked with "…" when cut, so a client that sends 16 MiB does not get 16 MiB back. */
const char *str_echo(char buf[static ECHO_STR_MAX], const char *s);
