/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

/* How the microphone level is shown. */
typedef struct MonitorOptions {
        /* One level line per this much audio; 0 = no level meter. UINT64_MAX = the default: a meter
         * redrawn in place every 100 ms on a terminal, one line every 10 s anywhere else. */
        uint64_t level_interval_usec;
} MonitorOptions;

/* Prints bus events, and the microphone's level while it is unmuted, until SIGINT/SIGTERM.
 * Returns an exit code. */
int monitor_run(const MonitorOptions *options);
