/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The one object that owns everything watchdogd has: configuration and budget, the event loop,
 * the bus, the watched services (and, in supervise mode, their processes and cgroups), the
 * private dbus-daemon when asked for one, and the pressure triggers. */

#include <stdbool.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "bus-contract.h"
#include "cgroup.h"
#include "rules.h"
#include "service.h"
#include "string-util.h"
#include "supervisor.h"
#include "watchdog-config.h"

#define WATCHDOG_CONFIG_FILE "/etc/voicehvac/watchdogd.json"

typedef enum RunMode {
        RUN_WATCH,              /* report only: nobody to restart through */
        RUN_SUPERVISE,          /* we start and restart the services ourselves */
        RUN_SYSTEMD,            /* systemd runs them; we ask it to restart units */
        _RUN_MODE_MAX,
} RunMode;

const char *run_mode_to_string(RunMode m);

/* How a restart the rules asked for is carried out. Both share the rules and the budget. */
typedef struct RestartStrategy {
        const char *name;
        int (*restart)(Service *s, usec_t delay, const char *reason);
} RestartStrategy;

extern const RestartStrategy restart_by_supervisor;
extern const RestartStrategy restart_by_systemd;

struct Manager {
        sd_event *event;
        sd_bus *bus;

        WatchdogConfig config;
        BudgetTable budget;
        RunMode mode;
        const RestartStrategy *strategy;
        bool cgroups;
        char *cgroup_problem;

        Service services[_SERVICE_MAX];

        char *private_bus_dir;
        Child bus_daemon;

        sd_event_source *tick;
        unsigned ticks;

        char *hub_cgroup;               /* the hub's cgroup v2 directory, for its own pressure */
        sd_event_source *psi_sources[2];
        bool pressure;
        usec_t pressure_usec;           /* when a trigger last fired */
        char *pressure_reason;
        double pressure_cpu, pressure_memory;   /* the whole machine's, for the health report */

        bool stopping;
};

int manager_new(Manager **ret);
Manager *manager_free(Manager *m);
static inline void manager_freep(Manager **m) {
        if (*m)
                manager_free(*m);
}

int manager_load_config(Manager *m, const char *path, bool must_exist, const char *cgroup_root);
int manager_start(Manager *m, RunMode mode, const char *private_bus_dir);
int manager_run(Manager *m);
void manager_stop_services(Manager *m);

/* watchdog-bus.c */
int manager_bus_setup(Manager *m);
void manager_bus_emit_health_changed(Manager *m, const char *service, const char *state, const char *reason);
void manager_bus_emit_service_restarted(Manager *m, const char *service, const char *reason);
