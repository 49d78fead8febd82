/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Supervise mode: each service is our child process (supervisor.c forks and watches it). Starting
 * it in its cgroup, its start timeout, its exit, and the restart strategy that stops it and starts
 * it again after the rules' back-off. */

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>

#include "log.h"
#include "manager.h"

static int on_start_timeout(sd_event_source *es, usec_t usec, void *userdata) {
        Service *s = userdata;
        char reason[96];

        s->start_timer = sd_event_source_disable_unref(s->start_timer);
        if (s->has_owner || !child_running(&s->child))
                return 0;
        (void) snprintf(reason, sizeof reason, "not on the bus %u ms after start",
                        s->manager->config.rules.start_timeout_ms);
        service_escalate(s, reason);
        return 0;
}

static void service_place_in_cgroup(Service *s) {
        Manager *m = s->manager;
        const CgroupBudget *b = budget_table_find(&m->budget, s->info->name);
        int r;

        if (!m->cgroups || !b)
                return;
        if (!s->cgroup_path) {
                r = cgroup_service_create(m->config.cgroup_root, s->info->name, b, &s->cgroup_path);
                if (r < 0) {
                        log_warning_errno(r, "%s: cannot create its cgroup under %s, running without quotas: %m",
                                          s->info->name, m->config.cgroup_root);
                        return;
                }
        }
        r = cgroup_attach(s->cgroup_path, s->child.pid);
        if (r < 0)
                log_warning_errno(r, "%s: cannot move pid %d into %s: %m", s->info->name, (int) s->child.pid,
                                  s->cgroup_path);
}

int service_start(Service *s) {
        Manager *m = s->manager;
        int r;

        r = child_start(&s->child, m->event, s->config->exec);
        if (r < 0) {
                char reason[256];

                log_error_errno(r, "%s: failed to start %s: %m", s->info->name, s->config->exec[0]);
                (void) snprintf(reason, sizeof reason, "cannot start %s: %s", s->config->exec[0], strerror(-r));
                service_escalate(s, reason);
                return r;
        }
        s->pid = s->child.pid;
        service_place_in_cgroup(s);
        log_info("%s: started as pid %d.", s->info->name, (int) s->child.pid);

        s->missed_pings = 0;
        s->start_timer = sd_event_source_disable_unref(s->start_timer);
        r = sd_event_add_time_relative(m->event, &s->start_timer, CLOCK_MONOTONIC,
                                       (usec_t) m->config.rules.start_timeout_ms * USEC_PER_MSEC, 0,
                                       on_start_timeout, s);
        if (r < 0)
                log_warning_errno(r, "%s: cannot arm its start timeout: %m", s->info->name);

        service_set_state(s, HEALTH_STARTING, NULL);
        return 0;
}

static int on_restart_timer(sd_event_source *es, usec_t usec, void *userdata) {
        Service *s = userdata;
        _cleanup_free_ char *reason = TAKE_PTR(s->restart_reason);

        s->restart_timer = sd_event_source_disable_unref(s->restart_timer);
        s->restart_pending = false;
        if (s->manager->stopping || service_start(s) < 0)
                return 0;
        s->restarts++;
        manager_bus_emit_service_restarted(s->manager, s->info->name, strempty(reason));
        return 0;
}

static int service_schedule_start(Service *s, usec_t delay) {
        s->restart_timer = sd_event_source_disable_unref(s->restart_timer);
        return sd_event_add_time_relative(s->manager->event, &s->restart_timer, CLOCK_MONOTONIC, delay, 0,
                                          on_restart_timer, s);
}

void service_child_exited(Child *c, int status, void *userdata) {
        Service *s = userdata;
        char reason[96];

        s->pid = 0;
        s->start_timer = sd_event_source_disable_unref(s->start_timer);
        if (s->manager->stopping)
                return;

        if (s->restart_pending) {
                log_info("%s: stopped (status %d), starting again in %" PRIu64 " ms.", s->info->name, status,
                         (uint64_t) (s->restart_delay / USEC_PER_MSEC));
                if (service_schedule_start(s, s->restart_delay) < 0)
                        service_set_state(s, HEALTH_FAILED, "cannot schedule its restart");
                return;
        }
        if (s->state == HEALTH_FAILED)
                return;

        if (status > 128)
                (void) snprintf(reason, sizeof reason, "killed by signal %s", strsignal(status - 128) ?: "?");
        else
                (void) snprintf(reason, sizeof reason, "exited with status %d", status);
        service_escalate(s, reason);
}

static int supervisor_restart(Service *s, usec_t delay, const char *reason) {
        free(s->restart_reason);
        s->restart_reason = strdup(reason);
        s->restart_pending = true;
        s->restart_delay = delay;

        if (child_running(&s->child))
                return child_kill(&s->child, (usec_t) s->manager->config.rules.stop_timeout_ms * USEC_PER_MSEC);
        return service_schedule_start(s, delay);
}

const RestartStrategy restart_by_supervisor = {
        .name = "supervisor",
        .restart = supervisor_restart,
};
