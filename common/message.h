/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/* A malloc'd formatted message (NULL on OOM), for the error texts handed to callers. */
char *message_new(const char *format, ...) _printf_(1, 2);
