/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "macro.h"
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
