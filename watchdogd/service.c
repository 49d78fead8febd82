/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* One watched service: its health state, the rules applied to what is known about it, and a
 * restart through systemd (supervisor.c restarts our own child processes). */

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>

#include "fileio.h"
#include "log.h"
#include "manager.h"
#include "proc-asound.h"

static const BusWatchProperty audiod_health[] = {
        { "State", "s" },
        { "Xruns", "t" },
        { "StateUnsaved", "b" },
        {}
};

static const BusWatchProperty hvacd_health[] = {
        { "Degraded", "b" },
        { "StateUnsaved", "b" },
        {}
};

/* wakeword publishes no health property: its pings and its process tell. */
static const ServiceInfo service_infos[_SERVICE_MAX] = {
        [SERVICE_AUDIOD]   = { "audiod", VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE, audiod_health },
        [SERVICE_HVACD]    = { "hvacd", VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, hvacd_health },
        [SERVICE_WAKEWORD] = { "wakeword", VH_WAKEWORD_BUS_NAME, VH_WAKEWORD_OBJECT_PATH, VH_WAKEWORD_INTERFACE, NULL },
        [SERVICE_MQTTD]    = { "mqttd", VH_MQTT_BUS_NAME, VH_MQTT_OBJECT_PATH, VH_MQTT_INTERFACE, NULL },
};

void service_init(Service *s, Manager *m, ServiceId id) {
        *s = (Service) {
                .manager = m,
                .info = &service_infos[id],
                .config = &m->config.services[id],
                .state = HEALTH_STOPPED,
                .xrun_rate = -1,
        };
        child_init(&s->child, s->info->name, service_child_exited, s);
}

void service_done(Service *s) {
        service_bus_stop(s);
        s->watch = bus_watch_free(s->watch);
        s->restart_timer = sd_event_source_disable_unref(s->restart_timer);
        s->start_timer = sd_event_source_disable_unref(s->start_timer);
        child_done(&s->child);
        free(s->reason);
        free(s->restart_reason);
        free(s->cgroup_path);
        free(s->audio_state);
        free(s->asound_problem);
}

void service_set_state(Service *s, HealthState state, const char *reason) {
        Manager *m = s->manager;

        if (s->state == state && streq_ptr(s->reason, reason))
                return;
        s->state = state;
        free(s->reason);
        s->reason = reason ? strdup(reason) : NULL;

        log_full(state == HEALTH_OK || state == HEALTH_STARTING || state == HEALTH_STOPPED ? LOG_INFO : LOG_WARNING,
                 "%s: %s%s%s", s->info->name, health_state_to_string(state), reason ? " — " : "", strempty(reason));
        if (!m->stopping)
                manager_bus_emit_health_changed(m, s->info->name, health_state_to_string(state), strempty(reason));
}

/* ---- systemd mode: the unit is systemd's ------------------------------------------------ */

static int on_restart_unit_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Service *s = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        _cleanup_free_ char *reason = TAKE_PTR(s->restart_reason);

        s->restart_pending = false;
        if (e) {
                log_error("%s: RestartUnit(%s) failed: %s", s->info->name, s->config->unit, e->message ?: e->name);
                service_set_state(s, HEALTH_DEGRADED, "systemd refused to restart the unit");
                return 0;
        }
        s->restarts++;
        manager_bus_emit_service_restarted(s->manager, s->info->name, strempty(reason));
        return 0;
}

static int systemd_restart(Service *s, usec_t delay, const char *reason) {
        Manager *m = s->manager;

        free(s->restart_reason);
        s->restart_reason = strdup(reason);
        s->restart_pending = true;
        /* systemd applies its own RestartSec=; our back-off only spaces out our requests, which
         * the budget already does, so the call goes out at once. */
        return sd_bus_call_method_async(m->bus, NULL, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                        "org.freedesktop.systemd1.Manager", "RestartUnit", on_restart_unit_reply,
                                        s, "ss", s->config->unit, "replace");
}

const RestartStrategy restart_by_systemd = {
        .name = "systemd",
        .restart = systemd_restart,
};

/* ---- the rules ---------------------------------------------------------------------------- */

void service_escalate(Service *s, const char *reason) {
        Manager *m = s->manager;
        usec_t delay;
        char text[320];
        int r;

        if (s->restart_pending || s->state == HEALTH_FAILED || m->stopping)
                return;

        if (!m->strategy) {
                (void) snprintf(text, sizeof text, "%s (no supervisor to restart it)", reason);
                service_set_state(s, s->has_owner ? HEALTH_DEGRADED : HEALTH_DOWN, text);
                return;
        }

        if (!restart_budget_take(&s->budget, &m->config.rules, now_usec(CLOCK_MONOTONIC), &delay)) {
                (void) snprintf(text, sizeof text, "%s; %u restarts within %u s, giving up", reason,
                                m->config.rules.restart_burst, m->config.rules.restart_interval_sec);
                service_set_state(s, HEALTH_FAILED, text);
                /* A failed service is left stopped, not half-alive. */
                if (m->mode == RUN_SUPERVISE)
                        (void) child_kill(&s->child, (usec_t) m->config.rules.stop_timeout_ms * USEC_PER_MSEC);
                return;
        }

        service_set_state(s, HEALTH_RESTARTING, reason);
        r = m->strategy->restart(s, delay, reason);
        if (r < 0) {
                log_error_errno(r, "%s: cannot restart through %s: %m", s->info->name, m->strategy->name);
                service_set_state(s, HEALTH_FAILED, "cannot restart");
        }
}

void service_evaluate(Service *s) {
        const RuleConfig *c = &s->manager->config.rules;
        char reason[256] = "";
        size_t l = 0;

        if (!s->has_owner || s->restart_pending || s->state == HEALTH_FAILED)
                return;

#define ADD(...) l += (size_t) snprintf(reason + l, sizeof reason - MIN(l, sizeof reason), "%s", l ? "; " : ""), \
                 l += (size_t) snprintf(reason + MIN(l, sizeof reason), sizeof reason - MIN(l, sizeof reason), __VA_ARGS__)
        if (s->missed_pings > 0)
                ADD("missed %u ping%s", s->missed_pings, s->missed_pings == 1 ? "" : "s");
        if (s->audio_state && !streq(s->audio_state, "running"))
                ADD("State is %s", s->audio_state);
        if (s->hvac_degraded)
                ADD("backend degraded");
        if (s->state_unsaved)
                ADD("%s not saved to disk", s == &s->manager->services[SERVICE_AUDIOD] ? "mute state" : "state");
        if (c->xruns_per_minute > 0 && s->xrun_rate > c->xruns_per_minute)
                ADD("%.0f overruns per minute", s->xrun_rate);
        if (s->asound_problem)
                ADD("%s", s->asound_problem);
#undef ADD
        service_set_state(s, l > 0 ? HEALTH_DEGRADED : HEALTH_OK, l > 0 ? reason : NULL);
}

void service_owner_changed(Service *s, bool has_owner) {
        if (s->has_owner == has_owner)
                return;
        s->has_owner = has_owner;
        s->missed_pings = 0;

        if (has_owner) {
                s->start_timer = sd_event_source_disable_unref(s->start_timer);
                log_info("%s: on the bus as %s.", s->info->name, s->info->bus_name);
                service_set_state(s, HEALTH_OK, NULL);
                service_bus_ping(s);
                return;
        }

        service_bus_stop(s);
        s->audio_state = mfree(s->audio_state);
        s->hvac_degraded = false;
        s->state_unsaved = false;
        s->xrun_window_start = 0;
        s->xrun_rate = -1;
        if (s->restart_pending || s->state == HEALTH_FAILED || s->manager->stopping)
                return;
        /* Supervised: the exit follows and is handled there; otherwise it is down. */
        if (s->manager->mode != RUN_SUPERVISE || !child_running(&s->child))
                service_set_state(s, HEALTH_DOWN, "left the bus");
}

/* ---- periodic samples: memory, the capture device's owner ------------------------------- */

static int proc_rss_bytes(pid_t pid, uint64_t *ret) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        const char *p;
        int r;

        if (asprintf(&path, "/proc/%d/status", (int) pid) < 0)
                return -ENOMEM;
        r = read_full_file(path, 65536, &text, NULL);
        if (r < 0)
                return r;
        p = strstr(text, "\nVmRSS:");
        if (!p)
                return -ENOENT;
        *ret = strtoull(p + strlen("\nVmRSS:"), NULL, 10) * 1024;
        return 0;
}

static void service_sample_memory(Service *s) {
        Manager *m = s->manager;
        const CgroupBudget *b = budget_table_find(&m->budget, s->info->name);
        uint64_t oom = 0;
        char reason[128];

        if (s->cgroup_path && cgroup_read_memory(s->cgroup_path, &s->memory_bytes, &s->memory_limit) >= 0) {
                if (cgroup_read_counter(s->cgroup_path, "memory.events", "oom_kill", &oom) >= 0 && oom > s->oom_kills) {
                        log_warning("%s: the kernel's OOM killer struck in its cgroup (%" PRIu64 " times).",
                                    s->info->name, oom);
                        s->oom_kills = oom;
                }
        } else if (s->pid > 0 && proc_rss_bytes(s->pid, &s->memory_bytes) >= 0)
                s->memory_limit = b ? (uint64_t) b->memory_max_mib << 20 : 0;
        else
                return;

        if (rule_memory_exceeded(&m->config.rules, s->memory_bytes, s->memory_limit)) {
                (void) snprintf(reason, sizeof reason, "memory %" PRIu64 " KiB is above %u %% of its %" PRIu64 " KiB limit",
                                s->memory_bytes >> 10, m->config.rules.memory_percent, s->memory_limit >> 10);
                service_escalate(s, reason);
        }
}

/* The capture PCM must be audiod's alone: another owner is how the incident this project
 * answers began. Read from /proc, never by opening the device. */
static void service_sample_asound(Service *s) {
        AsoundSubstream subs[ASOUND_STATUS_MAX];
        char problem[160] = "";
        int n;

        n = asound_capture_scan(s->manager->config.asound_root, subs, ELEMENTSOF(subs));
        for (int i = 0; i < n; i++) {
                if (subs[i].owner_pid > 0 && s->pid > 0 && subs[i].owner_pid != s->pid) {
                        (void) snprintf(problem, sizeof problem, "capture %.60s is held by pid %d, not audiod",
                                        subs[i].id, (int) subs[i].owner_pid);
                        break;
                }
                if (streq(subs[i].state, "XRUN"))
                        (void) snprintf(problem, sizeof problem, "capture %.60s is in XRUN", subs[i].id);
        }
        if (problem[0] == '\0')
                s->asound_problem = mfree(s->asound_problem);
        else if (!s->asound_problem || !streq(s->asound_problem, problem)) {
                free(s->asound_problem);
                s->asound_problem = strdup(problem);
        }
}

void service_sample(Service *s) {
        if (s->pid <= 0 && !s->cgroup_path)
                return;
        if (s == &s->manager->services[SERVICE_AUDIOD])
                service_sample_asound(s);
        service_sample_memory(s);
}
