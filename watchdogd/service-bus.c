/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The bus side of watching a service, as any client would see it: who owns its name
 * (NameOwnerChanged), whether it answers org.freedesktop.DBus.Peer.Ping in time, and the health
 * properties it publishes (audiod State and Xruns, hvacd Degraded, StateUnsaved of both). All calls are asynchronous:
 * a hung service must never hang us. */

#include <errno.h>

#include "bus-util.h"
#include "log.h"
#include "manager.h"

static int read_health_property(sd_bus_message *m, const char *name, void *userdata) {
        Service *s = userdata;
        const char *str;
        uint64_t t;
        int b;

        if (streq(name, "State") && s == &s->manager->services[SERVICE_AUDIOD]) {
                if (sd_bus_message_read(m, "v", "s", &str) >= 0) {
                        free(s->audio_state);
                        s->audio_state = strdup(str);
                        return 0;
                }
        } else if (streq(name, "Xruns") && s == &s->manager->services[SERVICE_AUDIOD]) {
                if (sd_bus_message_read(m, "v", "t", &t) >= 0) {
                        double rate = rule_xrun_rate(&s->xrun_window_start, &s->xrun_window_base,
                                                     now_usec(CLOCK_MONOTONIC), t);
                        s->xruns = t;
                        if (rate >= 0)
                                s->xrun_rate = rate;
                        return 0;
                }
        } else if (streq(name, "StateUnsaved")) {
                if (sd_bus_message_read(m, "v", "b", &b) >= 0) {
                        s->state_unsaved = b;
                        return 0;
                }
        } else if (streq(name, "Degraded") && s == &s->manager->services[SERVICE_HVACD]) {
                if (sd_bus_message_read(m, "v", "b", &b) >= 0) {
                        s->hvac_degraded = b;
                        return 0;
                }
        }
        return sd_bus_message_skip(m, "v");
}

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Service *s = userdata;
        const char *iface;

        if (sd_bus_message_read(m, "s", &iface) < 0 || !streq(iface, s->info->interface))
                return 0;
        if (bus_read_property_dict(m, read_health_property, s) < 0)
                log_debug("%s: ignoring a PropertiesChanged I cannot parse.", s->info->name);
        service_evaluate(s);
        return 0;
}

static int on_get_all(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Service *s = userdata;

        s->props_slot = sd_bus_slot_unref(s->props_slot);
        if (sd_bus_message_is_method_error(m, NULL))
                return 0;       /* the pings will tell whether it is alive */
        (void) bus_read_property_dict(m, read_health_property, s);
        service_evaluate(s);
        return 0;
}

static int on_xruns(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Service *s = userdata;

        s->props_slot = sd_bus_slot_unref(s->props_slot);
        if (sd_bus_message_is_method_error(m, NULL))
                return 0;
        (void) read_health_property(m, "Xruns", s);
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

void bus_watch_ping(Service *s) {
        int r;

        if (!s->has_owner || s->ping_slot)
                return;
        r = call_async(s, &s->ping_slot, s->info->bus_name, "/", "org.freedesktop.DBus.Peer", "Ping", on_ping_reply,
                       (usec_t) s->manager->config.rules.ping_timeout_ms * USEC_PER_MSEC, NULL);
        if (r < 0)
                log_warning_errno(r, "%s: cannot send a ping: %m", s->info->name);
}

void bus_watch_read_xruns(Service *s) {
        if (!s->has_owner || s->props_slot)
                return;
        (void) call_async(s, &s->props_slot, s->info->bus_name, s->info->object_path, "org.freedesktop.DBus.Properties",
                          "Get", on_xruns, 0, "ss", s->info->interface, "Xruns");
}

static void bus_watch_owner_appeared(Service *s) {
        service_owner_changed(s, true);
        (void) call_async(s, &s->pid_slot, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                          "GetConnectionUnixProcessID", on_pid, 0, "s", s->info->bus_name);
        if (s != &s->manager->services[SERVICE_WAKEWORD])
                (void) call_async(s, &s->props_slot, s->info->bus_name, s->info->object_path,
                                  "org.freedesktop.DBus.Properties", "GetAll", on_get_all, 0, "s", s->info->interface);
}

static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Service *s = userdata;
        const char *name, *old_owner, *new_owner;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0 || !streq(name, s->info->bus_name))
                return 0;
        if (!isempty(old_owner) && s->has_owner)
                service_owner_changed(s, false);
        if (!isempty(new_owner))
                bus_watch_owner_appeared(s);
        return 0;
}

static int on_get_name_owner(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Service *s = userdata;

        s->ping_slot = sd_bus_slot_unref(s->ping_slot);
        if (!sd_bus_message_is_method_error(m, NULL) && !s->has_owner)
                bus_watch_owner_appeared(s);
        return 0;
}

static int bus_watch_service(Service *s) {
        sd_bus *bus = s->manager->bus;
        _cleanup_free_ char *match = NULL;
        int r;

        if (asprintf(&match, "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
                     "interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='%s'", s->info->bus_name) < 0)
                return -ENOMEM;
        r = sd_bus_add_match_async(bus, &s->owner_slot, match, on_name_owner_changed, NULL, s);
        if (r < 0)
                return r;

        if (s != &s->manager->services[SERVICE_WAKEWORD]) {
                free(match);
                if (asprintf(&match, "type='signal',sender='%s',path='%s',interface='org.freedesktop.DBus.Properties',"
                             "member='PropertiesChanged',arg0='%s'", s->info->bus_name, s->info->object_path,
                             s->info->interface) < 0)
                        return -ENOMEM;
                r = sd_bus_add_match_async(bus, &s->changed_slot, match, on_properties_changed, NULL, s);
                if (r < 0)
                        return r;
        }

        /* Already there (watch or systemd mode, or a restart of ours)? */
        return call_async(s, &s->ping_slot, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                          "GetNameOwner", on_get_name_owner, 0, "s", s->info->bus_name);
}

int bus_watch_start(Manager *m) {
        int r;

        for (unsigned i = 0; i < _SERVICE_MAX; i++) {
                if (!m->config.services[i].enabled)
                        continue;
                r = bus_watch_service(&m->services[i]);
                if (r < 0)
                        return log_error_errno(r, "Failed to watch %s on the bus: %m", m->services[i].info->name);
        }
        return 0;
}

void bus_watch_stop(Service *s) {
        s->ping_slot = sd_bus_slot_unref(s->ping_slot);
        s->props_slot = sd_bus_slot_unref(s->props_slot);
        s->pid_slot = sd_bus_slot_unref(s->pid_slot);
}
