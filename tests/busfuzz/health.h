/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Whether a service came through: the same process still owns its name, answers Peer.Ping and a
 * property read; at the end, every property reads back with the contract's type and the process
 * holds no more fds than before. */

#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "contract.h"

typedef struct Service {
        const char *name;
        const char *path;
        const char *interface;
        const char *probe;              /* a property read after each batch of calls */
        const char *probe_type;
        pid_t pid;
        unsigned long long start_time;  /* /proc/PID/stat field 22: tells a restarted process apart */
        int fds_before, fds_after;
} Service;

int service_attach(sd_bus *bus, const Contract *c, Service *ret);
/* < 0 with *ret_problem (malloc'd) saying what is wrong. */
int service_check_alive(sd_bus *bus, Service *s, char **ret_problem);
int service_check_final(sd_bus *bus, const Contract *c, Service *s, char **ret_problem);
void service_done(Service *s);

int process_count_fds(pid_t pid);
