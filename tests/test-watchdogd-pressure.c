/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* watchdogd's pressure rule under a real load, read from the kernel's own figures: a stand-in
 * for the hub (one process waking every 20 ms for 2 ms of work) in a cgroup v2 of its own, and
 * busy loops: twice as many as there are CPUs outside that cgroup, then eight times as many
 * inside it. Load outside must not make the rule warn — although the whole machine's CPU
 * pressure is as high as it gets — and load inside must. Shares are taken from the "total" counters over 4 s, so the
 * test needs no ten-second averages to settle. Needs root and a writable cgroup v2 hierarchy. */

#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "psi.h"
#include "rules.h"
#include "watchdog-config.h"

#define PERIOD_NSEC (20 * 1000 * 1000L)
#define WORK_NSEC (2 * 1000 * 1000L)
#define BUSY_MAX 64U

static char *top, *hub, *other;
static pid_t hub_pid, busy[BUSY_MAX];
static unsigned n_busy;

static char *cgroup2_mount(void) {
        FILE *f = setmntent("/proc/self/mounts", "re");
        struct mntent *e;
        char *path = NULL;

        if (!f)
                return NULL;
        while (!path && (e = getmntent(f)))
                if (streq(e->mnt_type, "cgroup2") && access(e->mnt_dir, W_OK) == 0)
                        path = strdup(e->mnt_dir);
        endmntent(f);
        return path;
}

static int64_t now_nsec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static _noreturn_ void run_hub(void) {
        struct timespec next;

        clock_gettime(CLOCK_MONOTONIC, &next);
        for (;;) {
                int64_t end = now_nsec() + WORK_NSEC;

                while (now_nsec() < end)
                        ;
                next.tv_nsec += PERIOD_NSEC;
                if (next.tv_nsec >= 1000000000) {
                        next.tv_sec++;
                        next.tv_nsec -= 1000000000;
                }
                (void) clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
        }
}

/* A child in cgroup dir: the hub's stand-in or a busy loop. */
static pid_t spawn_in(const char *dir, bool is_hub) {
        pid_t pid = fork();

        if (pid != 0)
                return pid;
        {
                char procs[4096];
                int fd;

                (void) snprintf(procs, sizeof procs, "%s/cgroup.procs", dir);
                fd = open(procs, O_WRONLY | O_CLOEXEC);
                if (fd < 0 || write(fd, "0", 1) != 1)
                        _exit(EXIT_FAILURE);
                close(fd);
        }
        if (is_hub)
                run_hub();
        for (;;)
                ;
}

static void stop_busy(void) {
        for (unsigned i = 0; i < n_busy; i++) {
                (void) kill(busy[i], SIGKILL);
                (void) waitpid(busy[i], NULL, 0);
        }
        n_busy = 0;
}

static void cleanup(void) {
        stop_busy();
        if (hub_pid > 0) {
                (void) kill(hub_pid, SIGKILL);
                (void) waitpid(hub_pid, NULL, 0);
                hub_pid = 0;
        }
        if (hub)
                (void) rmdir(hub);
        if (other)
                (void) rmdir(other);
        if (top)
                (void) rmdir(top);
}

static uint64_t stalled_usec(const char *path) {
        PsiLine l;

        require(psi_read(path, "some", &l) == 0, "reading %s", path);
        return l.total_usec;
}

/* The share of the next 4 s in which the hub's tasks, and any task of the machine, waited for
 * a CPU, in per cent. */
static void measure(const char *hub_cpu, double *ret_hub, double *ret_system) {
        uint64_t h0, s0, h1, s1;
        usec_t t0, t1;

        h0 = stalled_usec(hub_cpu);
        s0 = stalled_usec("/proc/pressure/cpu");
        t0 = now_usec(CLOCK_MONOTONIC);
        (void) usleep(4 * USEC_PER_SEC);
        h1 = stalled_usec(hub_cpu);
        s1 = stalled_usec("/proc/pressure/cpu");
        t1 = now_usec(CLOCK_MONOTONIC);
        *ret_hub = 100.0 * (double) (h1 - h0) / (double) (t1 - t0);
        *ret_system = 100.0 * (double) (s1 - s0) / (double) (t1 - t0);
}

static void load(const char *where, const char *dir, unsigned n, double limit, bool expect_held_up) {
        _cleanup_free_ char *hub_cpu = NULL;
        double hub_share, system_share;
        PressureFigures f;
        char reason[128] = "";
        bool held_up;

        for (n_busy = 0; n_busy < n; n_busy++)
                require((busy[n_busy] = spawn_in(dir, false)) > 0, "fork");
        require(asprintf(&hub_cpu, "%s/cpu.pressure", hub) > 0, "asprintf");
        (void) usleep(500 * USEC_PER_MSEC);
        measure(hub_cpu, &hub_share, &system_share);
        stop_busy();

        printf("%u busy %s the hub: machine cpu some %.1f%%, hub cpu some %.1f%%\n", n, where,
               system_share, hub_share);
        f = (PressureFigures) { .hub_cpu = hub_share, .hub_memory = 0, .system_memory_full = 0 };
        held_up = rule_pressure_held_up(&f, limit, reason, sizeof reason);
        if (!expect_held_up)
                check(system_share >= 50, "load %s the hub keeps the machine's CPU pressure above the old 50%% limit: %.1f%%",
                      where, system_share);
        check(held_up == expect_held_up, "load %s the hub: the rule says %s (%s), hub %.1f%%, limit %.0f%%", where,
              held_up ? "held up" : "not held up", reason, hub_share, limit);
}

int main(void) {
        _cleanup_free_ char *mount = cgroup2_mount();
        WatchdogConfig c;
        cpu_set_t cpus;
        unsigned n_cpus;
        double limit;

        setvbuf(stdout, NULL, _IOLBF, 0);
        if (geteuid() != 0)
                test_skip("needs root to make cgroups");
        if (!mount)
                test_skip("no writable cgroup v2 hierarchy");
        if (access("/proc/pressure/cpu", R_OK) < 0)
                test_skip("the kernel has no PSI");

        require(watchdog_config_init(&c) == 0, "config");
        limit = 100.0 * c.psi_stall_ms / c.psi_window_ms;
        watchdog_config_done(&c);
        require(sched_getaffinity(0, sizeof cpus, &cpus) == 0, "sched_getaffinity");
        n_cpus = (unsigned) CPU_COUNT(&cpus);

        atexit(cleanup);
        require(asprintf(&top, "%s/voicehvac-pressure-test.%d", mount, (int) getpid()) > 0, "asprintf");
        require(mkdir(top, 0755) == 0, "mkdir %s: %m", top);
        require(asprintf(&hub, "%s/hub", top) > 0 && mkdir(hub, 0755) == 0, "mkdir hub: %m");
        require(asprintf(&other, "%s/other", top) > 0 && mkdir(other, 0755) == 0, "mkdir other: %m");
        require((hub_pid = spawn_in(hub, true)) > 0, "fork");

        load("outside", other, MIN(2 * n_cpus, BUSY_MAX), limit, false);
        load("inside", hub, MIN(8 * n_cpus, BUSY_MAX), limit, true);

        cleanup();
        return test_result();
}
