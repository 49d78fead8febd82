/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Pressure stall information: the averages of /proc/pressure/<resource> (or a cgroup's
 * <resource>.pressure), and kernel triggers — a file descriptor that polls POLLPRI when tasks
 * stalled for more than "stall" within "window" — so pressure is noticed when it happens, not
 * on a ticker. No bus in here. */

#include <stdint.h>

typedef struct PsiLine {
        double avg10, avg60, avg300;
        uint64_t total_usec;
} PsiLine;

/* Parses the "some" (or "full") line of a pressure file's text. */
int psi_parse(const char *text, const char *kind, PsiLine *ret);
int psi_read(const char *path, const char *kind, PsiLine *ret);

/* Opens path and arms a trigger "<kind> <stall_usec> <window_usec>"; returns the fd to poll for
 * EPOLLPRI. -EOPNOTSUPP (or similar) where the kernel has no triggers. */
int psi_trigger_open(const char *path, const char *kind, uint64_t stall_usec, uint64_t window_usec);

/* The hub's cgroup under systemd, from the text of /proc/self/cgroup: the cgroup v2 ("0::")
 * path cut after its "voicehvac.slice" component, e.g. "/voicehvac.slice". -ENOENT when this
 * process does not run in the hub's slice. */
int psi_hub_cgroup(const char *proc_self_cgroup, char **ret);
