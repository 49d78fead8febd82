/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Reads the kernel's view of the capture substreams, /proc/asound/card*\/pcm*c/sub*\/status,
 * which says whether each is open, its state and the pid that opened it — without opening any
 * device. The root is configurable, so tests give it a directory tree of their own. */

#include <sys/types.h>

#define ASOUND_STATUS_MAX 32

typedef struct AsoundSubstream {
        char id[64];            /* "card0/pcm0c/sub0" */
        char state[24];         /* "RUNNING", "XRUN", "SETUP", … */
        pid_t owner_pid;        /* 0 when the kernel did not say */
} AsoundSubstream;

/* Fills out[] with the capture substreams that are open (not "closed"); returns how many. */
int asound_capture_scan(const char *root, AsoundSubstream out[], unsigned max);

/* Parses one status file's text. Returns 1 when open, 0 when closed, < 0 when not understood. */
int asound_status_parse(const char *text, AsoundSubstream *ret);
