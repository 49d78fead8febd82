/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The bus side of watching a service, as any client would see it: who owns its name and the
 * health properties it publishes (audiod State and Xruns, hvacd Degraded, StateUnsaved of both),
 * through the common bus watcher, and whether it answers org.freedesktop.DBus.Peer.Ping in time.
 * All calls are asynchronous: a hung service must never hang us. */

#include <errno.h>

#include "bus-util.h"
#include "log.h"
#include "manager.h"

static void xruns_apply(Service *s, uint64_t t) {
        double rate = rule_xrun_rate(&s->xrun_window_start, &s->xrun_window_base, now_usec(CLOCK_MONOTONIC), t);

        s->xruns = t;
        if (rate >= 0)
                s->xrun_rate = rate;
}

/* One health property, of the type the service's table gives. */
static int read_health_property(sd_bus_message *m, const char *name, void *userdata) {
        Service *s = userdata;
        const char *str;
        uint64_t t;
        int b, r;

        if (streq(name, "State")) {
                r = sd_bus_message_read(m, "s", &str);
                if (r < 0)
                        return r;
                free(s->audio_state);
                s->audio_state = strdup(str);
        } else if (streq(name, "Xruns")) {
                r = sd_bus_message_read(m, "t", &t);
                if (r < 0)
                        return r;
                xruns_apply(s, t);
        } else if (streq(name, "StateUnsaved")) {
                r = sd_bus_message_read(m, "b", &b);
                if (r < 0)
                        return r;
                s->state_unsaved = b;
        } else if (streq(name, "Degraded")) {
                r = sd_bus_message_read(m, "b", &b);
                if (r < 0)
                        return r;
                s->hvac_degraded = b;
        }
        return 0;
}

static void on_properties_read(int r, void *userdata) {
        Service *s = userdata;

        if (r < 0)
                log_debug_errno(r, "%s: cannot read its properties: %m", s->info->name);
        service_evaluate(s);
}

static void on_property_mistyped(const char *name, const char *got, void *userdata) {
        Service *s = userdata;

        log_warning("%s: property %s has type '%s', not the one expected; ignoring it.", s->info->name, name, got);
}

static int on_xruns(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Service *s = userdata;
        uint64_t t;

        s->props_slot = sd_bus_slot_unref(s->props_slot);
        if (sd_bus_message_is_method_error(m, NULL))
                return 0;
        if (sd_bus_message_read(m, "v", "t", &t) >= 0)
                xruns_apply(s, t);
        service_evaluate(s);
        return 0;
}

static int on_pid(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Service *s = userdata;
        uint32_t pid;

        s->pid_slot = sd_bus_slot_unref(s->pid_slot);
        if (sd_bus_message_is_method_error(m, NULL) || sd_bus_message_read(m, "u", &pid) < 0)
                return 0;
        if (!child_running(&s->child))
                s->pid = (pid_t) pid;
        return 0;
}

static int on_ping_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Service *s = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(m);
        char reason[64];
        bool restart;

        s->ping_slot = sd_bus_slot_unref(s->ping_slot);
        if (!s->has_owner)
                return 0;
        if (e)
                log_debug("%s: ping failed: %s", s->info->name, e->message ?: e->name);
        restart = rule_ping_result(&s->manager->config.rules, &s->missed_pings, !e);
        if (restart) {
                (void) snprintf(reason, sizeof reason, "missed %u pings in a row", s->missed_pings);
                service_escalate(s, reason);
                return 0;
        }
        service_evaluate(s);
        return 0;
}

static int call_async(Service *s, sd_bus_slot **slot, const char *destination, const char *path,
                      const char *interface, const char *member, sd_bus_message_handler_t callback,
                      usec_t timeout, const char *signature, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        va_list ap;
        int r;

        r = sd_bus_message_new_method_call(s->manager->bus, &m, destination, path, interface, member);
        if (r < 0)
                return r;
        /* Never ask the bus to activate anything: we want to know what is there. */
        r = sd_bus_message_set_auto_start(m, false);
        if (r < 0)
                return r;
        if (signature) {
                va_start(ap, signature);
                r = sd_bus_message_appendv(m, signature, ap);
                va_end(ap);
                if (r < 0)
                        return r;
        }
        *slot = sd_bus_slot_unref(*slot);
        return sd_bus_call_async(s->manager->bus, slot, m, callback, s, timeout);
}

void service_bus_ping(Service *s) {
        int r;

        if (!s->has_owner || s->ping_slot)
                return;
        r = call_async(s, &s->ping_slot, s->info->bus_name, "/", "org.freedesktop.DBus.Peer", "Ping", on_ping_reply,
                       (usec_t) s->manager->config.rules.ping_timeout_ms * USEC_PER_MSEC, NULL);
        if (r < 0)
                log_warning_errno(r, "%s: cannot send a ping: %m", s->info->name);
}

void service_bus_read_xruns(Service *s) {
        if (!s->has_owner || s->props_slot)
                return;
        (void) call_async(s, &s->props_slot, s->info->bus_name, s->info->object_path, "org.freedesktop.DBus.Properties",
                          "Get", on_xruns, 0, "ss", s->info->interface, "Xruns");
}

static void on_owner_changed(const char *owner, void *userdata) {
        Service *s = userdata;

        if (!owner) {
                service_owner_changed(s, false);
                return;
        }
        service_owner_changed(s, true);
        (void) call_async(s, &s->pid_slot, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                          "GetConnectionUnixProcessID", on_pid, 0, "s", s->info->bus_name);
}

static int service_bus_watch(Service *s) {
        static const BusWatchCallbacks callbacks = {
                .owner_changed = on_owner_changed,
                .property = read_health_property,
                .properties_read = on_properties_read,
                .property_mistyped = on_property_mistyped,
        };
        int r;

        r = bus_watch_new(s->manager->bus, s->info->bus_name, s->info->object_path, s->info->interface,
                          s->info->properties, &callbacks, s, &s->watch);
        if (r < 0)
                return r;
        return bus_watch_start(s->watch);
}

int service_bus_start(Manager *m) {
        int r;

        for (unsigned i = 0; i < _SERVICE_MAX; i++) {
                if (!m->config.services[i].enabled)
                        continue;
                r = service_bus_watch(&m->services[i]);
                if (r < 0)
                        return log_error_errno(r, "Failed to watch %s on the bus: %m", m->services[i].info->name);
        }
        return 0;
}

void service_bus_stop(Service *s) {
        s->ping_slot = sd_bus_slot_unref(s->ping_slot);
        s->props_slot = sd_bus_slot_unref(s->props_slot);
        s->pid_slot = sd_bus_slot_unref(s->pid_slot);
}
