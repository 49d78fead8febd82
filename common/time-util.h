/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <time.h>

typedef uint64_t usec_t;

static inline usec_t timespec_load(const struct timespec *ts) {
        return (usec_t) ts->tv_sec * 1000000ULL + (usec_t) ts->tv_nsec / 1000ULL;
}

static inline usec_t now_usec(clockid_t clock) {
        struct timespec ts;

        (void) clock_gettime(clock, &ts);
        return timespec_load(&ts);
}
