/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Supervise mode, where there is no systemd: the services are our child processes. First the
 * processes themselves (fork, pidfd, stop), which the private dbus-daemon uses too; then a
 * service's start in its cgroup, its start timeout, its exit, and the restart strategy that stops
 * it and starts it again after the rules' back-off. */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "log.h"
#include "macro.h"
#include "manager.h"
#include "supervisor.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static int pidfd_open_fd(pid_t pid) {
        return RET_NERRNO((int) syscall(SYS_pidfd_open, pid, 0));
}

void child_init(Child *c, const char *name, child_exit_t on_exit, void *userdata) {
        *c = (Child) {
                .name = name,
                .pidfd = -EBADF,
                .on_exit = on_exit,
                .userdata = userdata,
        };
}

bool child_running(const Child *c) {
        return c->pid > 0;
}

static int status_from_siginfo(const siginfo_t *si) {
        return si->si_code == CLD_EXITED ? si->si_status : 128 + si->si_status;
}

/* Reaps the child (it has exited: the pidfd is readable) and forgets it. */
static int child_reap(Child *c) {
        siginfo_t si = {};

        if (waitid((idtype_t) P_PIDFD, (id_t) c->pidfd, &si, WEXITED) < 0)
                return negative_errno();

        c->exit_source = sd_event_source_disable_unref(c->exit_source);
        c->kill_timer = sd_event_source_disable_unref(c->kill_timer);
        c->pidfd = safe_close(c->pidfd);
        c->pid = 0;
        c->stopping = false;
        return status_from_siginfo(&si);
}

static int on_pidfd(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Child *c = userdata;
        int status = child_reap(c);

        if (status < 0)
                return 0;       /* not gone after all (spurious wakeup) */
        if (c->on_exit)
                c->on_exit(c, status, c->userdata);
        return 0;
}

_noreturn_ static void child_exec(int error_fd, pid_t parent, char *const argv[]) {
        sigset_t none;
        int e;

        /* Die with the supervisor, even when it is SIGKILLed; it may already be gone. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                _exit(127);
        (void) setpgid(0, 0);

        sigemptyset(&none);
        (void) sigprocmask(SIG_SETMASK, &none, NULL);
        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void) signal(sig, SIG_DFL);

        /* Every fd but stdio and the exec-error pipe (which is O_CLOEXEC) goes. */
        for (int fd = 3; fd < 1024; fd++)
                if (fd != error_fd)
                        (void) close(fd);

        execv(argv[0], argv);
        e = errno;
        (void) !write(error_fd, &e, sizeof e);
        _exit(127);
}

int child_start(Child *c, sd_event *event, char *const argv[]) {
        _cleanup_close_ int pidfd = -EBADF;
        int pipefd[2], exec_errno = 0, r;
        pid_t parent = getpid(), pid;
        ssize_t n;

        assert(c);
        assert(!child_running(c));
        assert(argv && argv[0]);

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return negative_errno();

        pid = fork();
        if (pid < 0) {
                r = negative_errno();
                safe_close(pipefd[0]);
                safe_close(pipefd[1]);
                return r;
        }
        if (pid == 0) {
                safe_close(pipefd[0]);
                child_exec(pipefd[1], parent, argv);
        }

        safe_close(pipefd[1]);
        /* The write end closes on exec; a message before that is exec's errno. */
        do
                n = read(pipefd[0], &exec_errno, sizeof exec_errno);
        while (n < 0 && errno == EINTR);
        safe_close(pipefd[0]);

        pidfd = pidfd_open_fd(pid);
        if (pidfd < 0) {
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                return pidfd;
        }
        if (n == sizeof exec_errno) {
                siginfo_t si;
                (void) waitid((idtype_t) P_PIDFD, (id_t) pidfd, &si, WEXITED);
                return -exec_errno;
        }

        r = sd_event_add_io(event, &c->exit_source, pidfd, EPOLLIN, on_pidfd, c);
        if (r < 0) {
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                return r;
        }
        (void) sd_event_source_set_description(c->exit_source, c->name);
        /* Reap before anything else looks at the service, so its state is never stale. */
        (void) sd_event_source_set_priority(c->exit_source, SD_EVENT_PRIORITY_IMPORTANT);

        c->pid = pid;
        c->pidfd = TAKE_FD(pidfd);
        c->started_usec = now_usec(CLOCK_MONOTONIC);
        c->stopping = false;
        return 0;
}

static int on_kill_timer(sd_event_source *s, usec_t usec, void *userdata) {
        Child *c = userdata;

        if (child_running(c))
                (void) kill(c->pid, SIGKILL);
        return 0;
}

static void child_signal_term(Child *c) {
        (void) kill(c->pid, SIGTERM);
        (void) kill(c->pid, SIGCONT);
        c->stopping = true;
}

int child_kill(Child *c, usec_t timeout) {
        sd_event *event;
        int r;

        if (!child_running(c))
                return 0;
        if (c->stopping)
                return 0;

        child_signal_term(c);
        event = sd_event_source_get_event(c->exit_source);
        c->kill_timer = sd_event_source_disable_unref(c->kill_timer);
        r = sd_event_add_time_relative(event, &c->kill_timer, CLOCK_MONOTONIC, timeout, 0, on_kill_timer, c);
        if (r < 0) {
                (void) kill(c->pid, SIGKILL);
                return r;
        }
        return 0;
}

static bool pidfd_wait(int fd, usec_t timeout) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        usec_t end = now_usec(CLOCK_MONOTONIC) + timeout;

        for (;;) {
                usec_t n = now_usec(CLOCK_MONOTONIC);
                int r;

                if (n >= end)
                        return false;
                r = poll(&p, 1, (int) ((end - n + 999) / 1000));
                if (r > 0)
                        return true;
                if (r < 0 && errno != EINTR)
                        return false;
        }
}

int child_stop_wait(Child *c, usec_t timeout) {
        if (!child_running(c))
                return 0;

        if (!c->stopping)
                child_signal_term(c);
        if (!pidfd_wait(c->pidfd, timeout)) {
                (void) kill(c->pid, SIGKILL);
                (void) pidfd_wait(c->pidfd, 5 * USEC_PER_SEC);
        }
        return child_reap(c);
}

void child_done(Child *c) {
        if (child_running(c)) {
                (void) kill(c->pid, SIGKILL);
                (void) child_reap(c);
        }
        c->exit_source = sd_event_source_disable_unref(c->exit_source);
        c->kill_timer = sd_event_source_disable_unref(c->kill_timer);
        c->pidfd = safe_close(c->pidfd);
}

int supervisor_setup(void) {
        /* An inherited SIG_IGN for SIGCHLD would make the kernel reap our children for us. */
        if (signal(SIGCHLD, SIG_DFL) == SIG_ERR)
                return negative_errno();
        return 0;
}

/* ---- a service as our child process ------------------------------------------------------ */

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
