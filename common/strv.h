/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* NULL-terminated malloc'd arrays of malloc'd strings. */

#include <stdbool.h>

#include "macro.h"

/* Frees l and its strings; returns NULL, so that "l = strv_free(l);" leaves nothing dangling. */
char **strv_free(char **l);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free);
bool strv_contains(char *const *l, const char *s);
/* Splits at blanks. */
int strv_split_words(const char *s, char ***ret);
