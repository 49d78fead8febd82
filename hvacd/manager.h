/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The one object that owns everything hvacd has: configuration, the state, the backend, the
 * coalescing and retry timers, the state file, the bus and the event loop. */

#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "backend.h"
#include "bus-contract.h"
#include "bus-polkit.h"
#include "bus-util.h"
#include "state-saver.h"
#include "state.h"

#define HVACD_CONFIG_DEFAULT "/etc/voicehvac/hvacd.json"

typedef struct HvacConfig {
        char *backend;
        double min_temperature;
        double max_temperature;
        double temperature_step;
        unsigned coalesce_ms;
        char *state_file;
        char *control_group;            /* who besides root (and polkit) may change the state */
        unsigned degraded_after_failures;
        unsigned retry_initial_ms;
        unsigned retry_max_ms;
        SimConfig sim;
        LircConfig lirc;
        HttpConfig http;
} HvacConfig;

/* What the command line sets over the file. */
typedef struct HvacConfigOverrides {
        const char *backend;
        const char *http_url;
} HvacConfigOverrides;

typedef struct Manager {
        sd_event *event;
        sd_bus *bus;
        sd_bus_slot *intent_slot;
        gid_t control_gid;
        PolkitRegistry *polkit;         /* changes asked of polkit, for callers outside the group */

        HvacConfig config;
        HvacLimits limits;
        char *state_path;

        HvacState state;                /* what was asked for; the properties show it at once */
        HvacState saved;                /* what the state file holds */
        bool saved_valid;
        StateSaver *saver;              /* retries a state that could not be written */
        bool saved_pending;
        HvacState delivered;            /* what the unit last confirmed (or reported) */
        bool delivered_valid;

        HvacBackend *backend;
        const char *backend_target;     /* what the backend talks to, for messages */
        HvacState sending;              /* the state of the transmission in flight */
        bool in_flight;
        bool dirty;                     /* state has changes the backend has not had yet */
        sd_event_source *coalesce_timer;
        sd_event_source *retry_timer;
        uint64_t retry_delay_usec;

        double current_temperature;
        bool assumed_announced;         /* Assumed has turned false and was announced */
        uint64_t transmissions;
        unsigned failures;              /* consecutive */
        int last_failure;               /* -errno of the last one */
        bool degraded;
        char *last_error;
} Manager;

int hvac_config_init(HvacConfig *c);
void hvac_config_done(HvacConfig *c);
/* Loads and cross-checks the configuration; *ret_error names the file and the key. */
int hvac_config_load(HvacConfig *c, const char *path, bool must_exist, char **ret_error);
/* Applies the command line's settings over what was loaded from "path", and checks again. */
int hvac_config_override(HvacConfig *c, const char *path, const HvacConfigOverrides *o, char **ret_error);

/* Takes over the configuration (*config is left empty). */
int manager_new(Manager **ret);
Manager *manager_free(Manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manager *, manager_free);

/* Event loop, backend, state, bus objects, intent subscription, then the name. */
/* The file at "path" (a missing one is an error only when explicit_path), then the command
 * line's overrides. */
int manager_load_config(Manager *m, const char *path, bool explicit_path, const HvacConfigOverrides *overrides);
int manager_start(Manager *m);
int manager_run(Manager *m);

/* The one way the state changes: the properties update (and are announced) at once, the backend
 * gets the final state after the coalescing window. A change to the same state does nothing.
 * On error the state is untouched and *ret_problem names the bad field and value. */
int manager_apply_change(Manager *m, const HvacChange *c, char **ret_problem);

/* In hvac-bus.c: the object, the intent subscription, and PropertiesChanged. */
int manager_bus_setup(Manager *m);
void manager_bus_emit_state_changed(Manager *m, const HvacState *old);
void manager_bus_emit_changed_strv(Manager *m, char **names);
#define manager_bus_emit_changed(m, ...) manager_bus_emit_changed_strv((m), BUS_PROPERTY_NAMES(__VA_ARGS__))
