/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"

extern char **environ;

struct Child {
        pid_t pid;
        int pidfd;
        sd_event_source *source;
        child_exited_t exited;
        void *userdata;
};

static int status_of(int wstatus) {
        if (WIFEXITED(wstatus))
                return WEXITSTATUS(wstatus);
        return 128 + (WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0);
}

static int on_pidfd(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Child *c = userdata;
        int wstatus;

        if (waitpid(c->pid, &wstatus, WNOHANG) <= 0)
                return 0;
        c->pid = 0;
        c->source = sd_event_source_disable_unref(c->source);
        c->exited(c, status_of(wstatus), c->userdata);  /* may free c */
        return 0;
}

/* The environment with TMPDIR=dir in place of any TMPDIR it had. */
static char **environment_with_tmpdir(const char *dir) {
        size_t n = 0, j = 0;
        char **env;

        while (environ[n])
                n++;
        env = calloc(n + 2, sizeof(char *));
        if (!env)
                return NULL;
        for (size_t i = 0; i < n; i++)
                if (strncmp(environ[i], "TMPDIR=", 7) != 0)
                        env[j++] = environ[i];
        if (asprintf(&env[j], "TMPDIR=%s", dir) < 0) {
                free(env);
                return NULL;
        }
        return env;
}

int child_spawn(sd_event *event, char *const argv[], const char *dir, const char *output,
                child_exited_t exited, void *userdata, Child **ret) {
        _cleanup_(child_freep) Child *c = NULL;
        posix_spawn_file_actions_t actions;
        posix_spawnattr_t attr;
        sigset_t none, stop;
        char **env;
        size_t n = 0;
        int k;

        c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        c->pidfd = -EBADF;
        c->exited = exited;
        c->userdata = userdata;
        env = environment_with_tmpdir(dir);
        if (!env)
                return -ENOMEM;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
        posix_spawn_file_actions_addchdir_np(&actions, dir);
        /* The loop blocks SIGTERM and SIGINT to read them from a signalfd; a child that inherited
         * that would never hear child_free() asking it to stop. */
        sigemptyset(&none);
        sigemptyset(&stop);
        sigaddset(&stop, SIGTERM);
        sigaddset(&stop, SIGINT);
        posix_spawnattr_init(&attr);
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawnattr_setsigdefault(&attr, &stop);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
        k = posix_spawn(&c->pid, argv[0], &actions, &attr, argv, env);
        posix_spawnattr_destroy(&attr);
        posix_spawn_file_actions_destroy(&actions);
        while (env[n])
                n++;
        free(env[n - 1]);       /* the TMPDIR we made; the rest is environ's */
        free(env);
        if (k != 0) {
                c->pid = 0;
                return -k;
        }
        c->pidfd = (int) syscall(SYS_pidfd_open, c->pid, 0);
        if (c->pidfd < 0)
                return negative_errno();
        k = sd_event_add_io(event, &c->source, c->pidfd, EPOLLIN, on_pidfd, c);
        if (k < 0)
                return k;
        *ret = TAKE_PTR(c);
        return 0;
}

Child *child_free(Child *c) {
        if (!c)
                return NULL;
        c->source = sd_event_source_disable_unref(c->source);
        if (c->pid > 0) {
                (void) kill(c->pid, SIGTERM);
                while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
        safe_close(c->pidfd);
        free(c);
        return NULL;
}
