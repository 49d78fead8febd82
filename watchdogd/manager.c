/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include "bus-util.h"
#include "fileio.h"
#include "log.h"
#include "manager.h"
#include "private-bus.h"
#include "psi.h"

/* Xruns is not a property that signals its changes; read it every this many ticks. */
#define XRUN_READ_TICKS 5U
#define PRESSURE_HOLD_USEC (10 * USEC_PER_SEC)

static const char *const run_mode_table[_RUN_MODE_MAX] = {
        [RUN_WATCH] = "watch",
        [RUN_SUPERVISE] = "supervise",
        [RUN_SYSTEMD] = "systemd",
};

const char *run_mode_to_string(RunMode mode) {
        return mode >= 0 && mode < _RUN_MODE_MAX ? run_mode_table[mode] : NULL;
}

int manager_new(Manager **ret) {
        _cleanup_(manager_freep) Manager *m = NULL;
        int r;

        m = calloc(1, sizeof *m);
        if (!m)
                return -ENOMEM;
        child_init(&m->bus_daemon, "dbus-daemon", NULL, NULL);
        r = watchdog_config_init(&m->config);
        if (r < 0)
                return r;
        budget_table_init(&m->budget);
        for (unsigned i = 0; i < _SERVICE_MAX; i++)
                service_init(&m->services[i], m, i);
        m->pressure_cpu = m->pressure_memory = -1;

        r = event_new_with_defaults(&m->event);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(m);
        return 0;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;

        manager_stop_services(m);
        for (unsigned i = 0; i < _SERVICE_MAX; i++)
                service_done(&m->services[i]);
        m->tick = sd_event_source_disable_unref(m->tick);
        for (unsigned i = 0; i < ELEMENTSOF(m->psi_sources); i++)
                m->psi_sources[i] = sd_event_source_disable_unref(m->psi_sources[i]);
        /* Our bus connection goes before the bus it is connected to. */
        m->bus = sd_bus_flush_close_unref(m->bus);
        if (child_running(&m->bus_daemon))
                (void) child_stop_wait(&m->bus_daemon, 5 * USEC_PER_SEC);
        child_done(&m->bus_daemon);
        m->event = sd_event_unref(m->event);

        watchdog_config_done(&m->config);
        free(m->cgroup_problem);
        free(m->pressure_reason);
        free(m->hub_cgroup);
        free(m->private_bus_dir);
        free(m);
        return NULL;
}

int manager_load_config(Manager *m, const char *path, bool must_exist, const char *cgroup_root) {
        _cleanup_free_ char *error = NULL;
        int r;

        r = watchdog_config_load(&m->config, path, must_exist, &error);
        if (r < 0)
                return log_error_errno(r, "%s", error ?: "Failed to load the configuration: %m");
        if (cgroup_root) {
                free(m->config.cgroup_root);
                m->config.cgroup_root = strdup(cgroup_root);
                if (!m->config.cgroup_root)
                        return log_oom();
        }

        r = budget_table_load(&m->budget, m->config.budget_file, &error);
        if (r == -ENOENT) {
                log_notice("No budget file %s, using built-in cgroup limits.", m->config.budget_file);
                return 0;
        }
        if (r < 0)
                return log_error_errno(r, "%s", error ?: "Failed to load the budget: %m");
        return 0;
}

/* ---- private dbus-daemon ------------------------------------------------------------------- */

static void on_bus_daemon_exit(Child *c, int status, void *userdata) {
        Manager *m = userdata;

        log_error("The private dbus-daemon exited (status %d); stopping.", status);
        (void) sd_event_exit(m->event, 1);
}

static int manager_start_private_bus(Manager *m, const char *dir) {
        _cleanup_free_ char *conf = NULL, *sock = NULL, *text = NULL, *address = NULL, *conf_arg = NULL;
        char *argv[] = { m->config.dbus_daemon, (char *) "--nofork", (char *) "--nopidfile", (char *) "--nosyslog",
                         NULL, NULL };
        int r;

        r = mkdir_p(dir, 0755);
        if (r < 0)
                return log_error_errno(r, "Failed to create %s: %m", dir);
        if (asprintf(&conf, "%s/bus.conf", dir) < 0 || asprintf(&sock, "%s/bus", dir) < 0 ||
            asprintf(&address, "unix:path=%s", sock) < 0 || asprintf(&conf_arg, "--config-file=%s", conf) < 0)
                return log_oom();
        if (private_bus_config(sock, &text) < 0)
                return log_oom();
        r = write_file_atomic(conf, text, strlen(text), 0644);
        if (r < 0)
                return log_error_errno(r, "Failed to write %s: %m", conf);
        (void) unlink(sock);

        argv[4] = conf_arg;
        child_init(&m->bus_daemon, "dbus-daemon", on_bus_daemon_exit, m);
        r = child_start(&m->bus_daemon, m->event, argv);
        if (r < 0)
                return log_error_errno(r, "Failed to start %s: %m", m->config.dbus_daemon);

        /* It listens before it forks nothing (--nofork): wait for the socket. */
        for (usec_t end = now_usec(CLOCK_MONOTONIC) + 10 * USEC_PER_SEC; access(sock, F_OK) < 0;) {
                if (now_usec(CLOCK_MONOTONIC) > end)
                        return log_error_errno(-ETIMEDOUT, "The private dbus-daemon did not create %s.", sock);
                (void) usleep(10000);
        }
        if (setenv("DBUS_SYSTEM_BUS_ADDRESS", address, 1) < 0)
                return log_oom();
        log_info("Private bus at %s.", address);

        m->private_bus_dir = strdup(dir);
        return m->private_bus_dir ? 0 : log_oom();
}

/* ---- pressure ------------------------------------------------------------------------------ */

/* What was measured on a two-core board (6.18 kernel, shares of 4–6 s of wall time from the
 * "total" counters) with a stand-in for the hub — one process waking every 20 ms for 2 ms of
 * work — in a cgroup of its own, and busy loops inside or outside that cgroup:
 *
 *                          quiet machine            machine already busy
 *                          system cpu  hub cpu      system cpu  hub cpu
 *   the hub alone              5.3%      1.0%           95.1%     13.2%
 *   2 busy outside            33.0%     10.1%           98.1%     36.6%
 *   4 busy outside            86.8%     17.1%     95.6–100.0%  36.2–64.6%
 *   8 busy outside                -         -          100.0%     52.9%
 *   1 busy inside             16.3%     18.2%           99.3%     64.5%
 *   2 busy inside             46.3%     58.5%           99.6%     78.3%
 *   4 busy inside             87.2%     87.0%          100.0%     96.0%
 *   8 busy inside                 -         -     98.7–100.0%  89.3–99.1%
 *  16 busy inside                 -         -     94.0–94.9%   83.0–88.3%
 *
 * The machine's own "some" share passes the old 50% limit whenever anything else is busy, so it
 * says nothing about the hub. The hub's cgroup stays below 65% under any load from outside (here
 * without a cpu controller, so with no CPUWeight= to favour the hub: the worst case): its work
 * still fits its period, only later. With busy tasks of its own twice as many as the CPUs or
 * more it is at 83% and above: 75% (1500 ms per 2000 ms, watchdogd.json) is where the hub is
 * held up. Where the hub's
 * cgroup is unknown, CPU pressure cannot be told apart and is not judged; memory is, with its
 * "full" share (every task stalled). */

static char *pressure_path(const char *dir, const char *file) {
        char *path;

        return asprintf(&path, "%s/%s", dir, file) < 0 ? NULL : path;
}

static double pressure_avg10(const char *dir, const char *file, const char *kind) {
        _cleanup_free_ char *path = pressure_path(dir, file);
        PsiLine l;

        return path && psi_read(path, kind, &l) >= 0 ? l.avg10 : -1;
}

/* The hub's cgroup: ours when we place the services, else the systemd slice we run in, looked
 * for under the cgroup root and, on a hybrid layout, under its "unified" v2 mount. */
static void manager_find_hub_cgroup(Manager *m) {
        _cleanup_free_ char *text = NULL, *slice = NULL;
        const char *roots[] = { "", "/unified" };

        if (m->cgroups) {
                m->hub_cgroup = pressure_path(m->config.cgroup_root, "voicehvac");
                return;
        }
        if (read_full_file("/proc/self/cgroup", 65536, &text, NULL) < 0 || psi_hub_cgroup(text, &slice) < 0)
                return;
        for (unsigned i = 0; i < ELEMENTSOF(roots) && !m->hub_cgroup; i++) {
                _cleanup_free_ char *dir = NULL;

                if (asprintf(&dir, "%s%s%s", m->config.cgroup_root, roots[i], slice) < 0)
                        return;
                if (pressure_avg10(dir, "cpu.pressure", "some") >= 0)
                        m->hub_cgroup = TAKE_PTR(dir);
        }
}

static void manager_read_pressure(Manager *m, PressureFigures *ret) {
        m->pressure_cpu = pressure_avg10(m->config.pressure_root, "cpu", "some");
        m->pressure_memory = pressure_avg10(m->config.pressure_root, "memory", "some");
        *ret = (PressureFigures) {
                .hub_cpu = m->hub_cgroup ? pressure_avg10(m->hub_cgroup, "cpu.pressure", "some") : -1,
                .hub_memory = m->hub_cgroup ? pressure_avg10(m->hub_cgroup, "memory.pressure", "some") : -1,
                .system_memory_full = pressure_avg10(m->config.pressure_root, "memory", "full"),
        };
}

static double pressure_limit(const Manager *m) {
        return 100.0 * m->config.psi_stall_ms / m->config.psi_window_ms;
}

static void manager_set_pressure(Manager *m, bool pressure, const char *reason) {
        if (m->pressure == pressure)
                return;
        m->pressure = pressure;
        free(m->pressure_reason);
        m->pressure_reason = reason ? strdup(reason) : NULL;
        if (pressure)
                log_warning("The hub is held up: %s", reason);
        else
                log_info("The hub is no longer held up.");
        manager_bus_emit_health_changed(m, "system", pressure ? "degraded" : "ok", strempty(reason));
}

static int on_psi_trigger(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Manager *m = userdata;
        const char *what = s == m->psi_sources[0] ? "cpu" : "memory";
        PressureFigures f;
        char reason[160];

        if (revents & EPOLLERR) {
                log_warning("PSI trigger on %s went away.", what);
                return sd_event_source_set_enabled(s, SD_EVENT_OFF);
        }
        m->pressure_usec = now_usec(CLOCK_MONOTONIC);
        manager_read_pressure(m, &f);
        (void) snprintf(reason, sizeof reason, "%s%s stalls above %u ms per %u ms (avg10 of the hub: cpu %.1f%%, memory %.1f%%)",
                        m->hub_cgroup ? "the hub's " : "", what, m->config.psi_stall_ms, m->config.psi_window_ms,
                        f.hub_cpu, f.hub_memory);
        manager_set_pressure(m, true, reason);
        return 0;
}

/* Triggers on the hub's own cpu and memory pressure; without the hub's cgroup, on the whole
 * machine's memory "full" only (see above). */
static void manager_setup_psi(Manager *m) {
        const char *paths[2] = {};
        _cleanup_free_ char *cpu = NULL, *memory = NULL;

        if (m->config.psi_stall_ms == 0)
                return;
        manager_find_hub_cgroup(m);
        if (m->hub_cgroup) {
                log_info("Pressure is judged on the hub's cgroup %s.", m->hub_cgroup);
                paths[0] = cpu = pressure_path(m->hub_cgroup, "cpu.pressure");
                paths[1] = memory = pressure_path(m->hub_cgroup, "memory.pressure");
        } else {
                log_info("The hub's cgroup is not known: only the machine's memory pressure is judged.");
                paths[1] = memory = pressure_path(m->config.pressure_root, "memory");
        }

        for (unsigned i = 0; i < ELEMENTSOF(paths); i++) {
                int fd, r;

                if (!paths[i])
                        continue;
                fd = psi_trigger_open(paths[i], m->hub_cgroup ? "some" : "full",
                                      (uint64_t) m->config.psi_stall_ms * USEC_PER_MSEC,
                                      (uint64_t) m->config.psi_window_ms * USEC_PER_MSEC);
                if (fd < 0) {
                        log_notice_errno(fd, "No PSI trigger on %s, pressure is read with the health checks: %m", paths[i]);
                        continue;
                }
                r = sd_event_add_io(m->event, &m->psi_sources[i], fd, EPOLLPRI, on_psi_trigger, m);
                if (r < 0) {
                        safe_close(fd);
                        continue;
                }
                (void) sd_event_source_set_io_fd_own(m->psi_sources[i], true);
        }
}

/* The triggers say when pressure starts; quiet triggers and averages below half the limit say
 * when it is over, so a short burst does not make the state flap. Where a trigger is missing, the
 * averages say when it starts too. */
static void manager_check_pressure(Manager *m) {
        PressureFigures f;
        char reason[128];

        manager_read_pressure(m, &f);
        if (m->config.psi_stall_ms == 0)
                return;
        if (m->pressure && now_usec(CLOCK_MONOTONIC) > m->pressure_usec + PRESSURE_HOLD_USEC &&
            !rule_pressure_held_up(&f, pressure_limit(m) / 2, reason, sizeof reason))
                manager_set_pressure(m, false, NULL);
        else if (!m->pressure && !(m->psi_sources[0] && m->psi_sources[1]) &&
                 rule_pressure_held_up(&f, pressure_limit(m), reason, sizeof reason)) {
                m->pressure_usec = now_usec(CLOCK_MONOTONIC);
                manager_set_pressure(m, true, reason);
        }
}

/* ---- the health tick ----------------------------------------------------------------------- */

static int on_tick(sd_event_source *s, usec_t usec, void *userdata) {
        Manager *m = userdata;

        m->ticks++;
        for (unsigned i = 0; i < _SERVICE_MAX; i++) {
                Service *svc = &m->services[i];

                if (!svc->config->enabled)
                        continue;
                service_bus_ping(svc);
                if (i == SERVICE_AUDIOD && m->ticks % XRUN_READ_TICKS == 0)
                        service_bus_read_xruns(svc);
                service_sample(svc);
        }

        manager_check_pressure(m);

        return sd_event_source_set_time_relative(s, (usec_t) m->config.rules.ping_interval_ms * USEC_PER_MSEC);
}

/* ---- start and stop ------------------------------------------------------------------------ */

static void manager_setup_cgroups(Manager *m) {
        int r;

        r = cgroup_v2_usable(m->config.cgroup_root, &m->cgroup_problem);
        if (r < 0) {
                /* Said once: every start after this runs without quotas. */
                log_notice("No cgroup v2 placement: %s. Running the services without CPU/memory quotas.",
                           m->cgroup_problem ?: "unknown reason");
                return;
        }
        m->cgroups = true;
        log_info("Placing the services under %s/voicehvac.", m->config.cgroup_root);
}

int manager_start(Manager *m, RunMode mode, const char *private_bus_dir) {
        int r;

        m->mode = mode;
        m->strategy = mode == RUN_SUPERVISE ? &restart_by_supervisor :
                      mode == RUN_SYSTEMD ? &restart_by_systemd : NULL;

        if (mode == RUN_SUPERVISE) {
                r = supervisor_setup();
                if (r < 0)
                        return log_error_errno(r, "Failed to set up supervision: %m");
                manager_setup_cgroups(m);
        }
        if (private_bus_dir) {
                r = manager_start_private_bus(m, private_bus_dir);
                if (r < 0)
                        return r;
        }

        r = bus_open_service(m->event, &m->bus);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus: %m");
        r = manager_bus_setup(m);
        if (r < 0)
                return r;
        r = service_bus_start(m);
        if (r < 0)
                return r;

        manager_setup_psi(m);
        r = sd_event_add_time_relative(m->event, &m->tick, CLOCK_MONOTONIC,
                                       (usec_t) m->config.rules.ping_interval_ms * USEC_PER_MSEC,
                                       /* accuracy: let the kernel batch us with other wakeups */
                                       100 * USEC_PER_MSEC, on_tick, m);
        if (r < 0)
                return log_error_errno(r, "Failed to arm the health tick: %m");
        (void) sd_event_source_set_enabled(m->tick, SD_EVENT_ON);

        r = bus_request_name_and_notify(m->bus, VH_WATCHDOG_BUS_NAME);
        if (r < 0)
                return log_error_errno(r, "Failed to own %s: %m", VH_WATCHDOG_BUS_NAME);
        log_info("Watching in %s mode.", strna(run_mode_to_string(mode)));

        if (mode == RUN_SUPERVISE)
                for (unsigned i = 0; i < _SERVICE_MAX; i++)
                        if (m->config.services[i].enabled)
                                (void) service_start(&m->services[i]);
        return 0;
}

int manager_run(Manager *m) {
        return sd_event_loop(m->event);
}

/* In the reverse of the start order, each one gone before the next is asked. */
void manager_stop_services(Manager *m) {
        usec_t timeout = (usec_t) m->config.rules.stop_timeout_ms * USEC_PER_MSEC;

        m->stopping = true;
        for (unsigned i = _SERVICE_MAX; i-- > 0;) {
                Service *s = &m->services[i];
                int status;

                s->restart_timer = sd_event_source_disable_unref(s->restart_timer);
                if (!child_running(&s->child))
                        continue;
                log_info("Stopping %s (pid %d).", s->info->name, (int) s->child.pid);
                status = child_stop_wait(&s->child, timeout);
                if (status != 0)
                        log_warning("%s did not exit cleanly on stop: status %d.", s->info->name, status);
                s->pid = 0;
        }
}
