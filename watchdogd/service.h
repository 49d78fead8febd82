/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* One watched service: what is known of it, its health state and the rules applied to it. Its
 * bus side is service-bus.c, its process in supervise mode supervisor.c. */

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "bus-watch.h"
#include "rules.h"
#include "supervisor.h"
#include "time-util.h"
#include "watchdog-config.h"

typedef struct Manager Manager;
typedef struct Service Service;

typedef struct ServiceInfo {
        const char *name;
        const char *bus_name;
        const char *object_path;
        const char *interface;
        const BusWatchProperty *properties;     /* the health properties read, or NULL */
} ServiceInfo;

struct Service {
        Manager *manager;
        const ServiceInfo *info;
        const ServiceConfig *config;

        HealthState state;
        char *reason;

        /* supervise mode */
        Child child;
        RestartBudget budget;
        unsigned restarts;
        bool restart_pending;
        usec_t restart_delay;
        char *restart_reason;
        sd_event_source *restart_timer;
        sd_event_source *start_timer;
        char *cgroup_path;

        /* what the bus says */
        bool has_owner;
        pid_t pid;
        unsigned missed_pings;
        BusWatch *watch;
        sd_bus_slot *ping_slot, *props_slot, *pid_slot;

        /* health inputs */
        char *audio_state;              /* audiod State */
        bool hvac_degraded;             /* hvacd Degraded */
        bool state_unsaved;             /* audiod or hvacd StateUnsaved */
        uint64_t xruns;
        usec_t xrun_window_start;
        uint64_t xrun_window_base;
        double xrun_rate;               /* last full-window rate, -1 unknown */
        char *asound_problem;
        uint64_t memory_bytes, memory_limit;
        uint64_t oom_kills;
};

/* service.c: state, rules and samples */
void service_init(Service *s, Manager *m, ServiceId id);
void service_done(Service *s);
void service_set_state(Service *s, HealthState state, const char *reason);
/* Recomputes ok/degraded from the health inputs for a service on the bus. */
void service_evaluate(Service *s);
/* The rules ask for a restart: take it from the budget, or mark the service failed. */
void service_escalate(Service *s, const char *reason);
void service_owner_changed(Service *s, bool has_owner);
void service_sample(Service *s);

/* service-bus.c: the bus side of watching (owners, properties, pings). */
int service_bus_start(Manager *m);
void service_bus_ping(Service *s);
void service_bus_read_xruns(Service *s);
void service_bus_stop(Service *s);

/* supervisor.c: supervise mode, the service is our child process. */
int service_start(Service *s);
void service_child_exited(Child *c, int status, void *userdata);
