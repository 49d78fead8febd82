/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* org.voicehvac.Watchdog1: the vtable, its getters and handlers, and the signals. */

#include <errno.h>

#include "errors.h"
#include "log.h"
#include "manager.h"

static int append_entry(sd_bus_message *reply, const char *key, const char *type, ...) {
        va_list ap;
        int r;

        r = sd_bus_message_open_container(reply, 'e', "sv");
        if (r < 0)
                return r;
        r = sd_bus_message_append(reply, "s", key);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'v', type);
        if (r < 0)
                return r;
        va_start(ap, type);
        r = sd_bus_message_appendv(reply, type, ap);
        va_end(ap);
        if (r < 0)
                return r;
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(reply);
}

static int append_service(sd_bus_message *reply, const Service *s) {
        int r;

        r = sd_bus_message_open_container(reply, 'e', "sa{sv}");
        if (r < 0)
                return r;
        r = sd_bus_message_append(reply, "s", s->info->name);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;
        if ((r = append_entry(reply, "State", "s", health_state_to_string(s->state))) < 0 ||
            (r = append_entry(reply, "Reason", "s", strempty(s->reason))) < 0 ||
            (r = append_entry(reply, "Pid", "u", (uint32_t) MAX(s->pid, 0))) < 0 ||
            (r = append_entry(reply, "Restarts", "u", s->restarts)) < 0 ||
            (r = append_entry(reply, "MissedPings", "u", s->missed_pings)) < 0 ||
            (r = append_entry(reply, "MemoryBytes", "t", s->memory_bytes)) < 0 ||
            (r = append_entry(reply, "MemoryLimitBytes", "t", s->memory_limit)) < 0 ||
            (r = append_entry(reply, "Cgroup", "s", strempty(s->cgroup_path))) < 0 ||
            (r = append_entry(reply, "Unit", "s", strempty(s->config->unit))) < 0 ||
            (r = append_entry(reply, "StateUnsaved", "b", (int) s->state_unsaved)) < 0)
                return r;
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(reply);
}

static int append_system(sd_bus_message *reply, const Manager *m) {
        int r;

        r = sd_bus_message_open_container(reply, 'e', "sa{sv}");
        if (r < 0)
                return r;
        r = sd_bus_message_append(reply, "s", "system");
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;
        if ((r = append_entry(reply, "State", "s", m->pressure ? "degraded" : "ok")) < 0 ||
            (r = append_entry(reply, "Reason", "s", strempty(m->pressure_reason))) < 0 ||
            (r = append_entry(reply, "CpuPressureAvg10", "d", m->pressure_cpu)) < 0 ||
            (r = append_entry(reply, "MemoryPressureAvg10", "d", m->pressure_memory)) < 0 ||
            (r = append_entry(reply, "Cgroups", "s", m->cgroups ? "v2" : strempty(m->cgroup_problem))) < 0)
                return r;
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(reply);
}

static int build_health(sd_bus_message *message, Manager *m, sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_message_new_method_return(message, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "{sa{sv}}");
        if (r < 0)
                return r;
        for (unsigned i = 0; i < _SERVICE_MAX; i++) {
                if (!m->config.services[i].enabled)
                        continue;
                r = append_service(reply, &m->services[i]);
                if (r < 0)
                        return r;
        }
        r = append_system(reply, m);
        if (r < 0)
                return r;
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(reply);
        return 0;
}

static int method_get_health(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = build_health(message, userdata, &reply);
        if (r < 0)
                return vh_bus_error_set_errnof(error, r, "Failed to build the health report: %s", strerror(-r));
        return sd_bus_send(NULL, reply, NULL);
}

static int property_get_mode(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        return sd_bus_message_append(reply, "s", run_mode_to_string(m->mode));
}

static const sd_bus_vtable watchdog_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Mode", "s", property_get_mode, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_METHOD_WITH_ARGS("GetHealth", SD_BUS_NO_ARGS, SD_BUS_RESULT("a{sa{sv}}", health),
                                method_get_health, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_ARGS("HealthChanged", SD_BUS_ARGS("s", service, "s", state, "s", reason), 0),
        SD_BUS_SIGNAL_WITH_ARGS("ServiceRestarted", SD_BUS_ARGS("s", service, "s", reason), 0),
        SD_BUS_VTABLE_END
};

int manager_bus_setup(Manager *m) {
        int r;

        r = sd_bus_add_object_vtable(m->bus, NULL, VH_WATCHDOG_OBJECT_PATH, VH_WATCHDOG_INTERFACE, watchdog_vtable, m);
        if (r < 0)
                return log_error_errno(r, "Failed to add the Watchdog1 object: %m");
        return 0;
}

void manager_bus_emit_health_changed(Manager *m, const char *service, const char *state, const char *reason) {
        int r;

        if (!m->bus)
                return;
        r = sd_bus_emit_signal(m->bus, VH_WATCHDOG_OBJECT_PATH, VH_WATCHDOG_INTERFACE, "HealthChanged", "sss", service,
                               state, reason);
        if (r < 0)
                log_warning_errno(r, "Failed to emit HealthChanged for %s: %m", service);
}

void manager_bus_emit_service_restarted(Manager *m, const char *service, const char *reason) {
        int r;

        if (!m->bus)
                return;
        r = sd_bus_emit_signal(m->bus, VH_WATCHDOG_OBJECT_PATH, VH_WATCHDOG_INTERFACE, "ServiceRestarted", "ss",
                               service,
                               reason);
        if (r < 0)
                log_warning_errno(r, "Failed to emit ServiceRestarted for %s: %m", service);
}
