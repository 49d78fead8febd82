/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Prints bus events until SIGINT/SIGTERM. Returns < 0 on failure. */
int monitor_run(void);
