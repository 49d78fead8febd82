/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "polkit-agent.h"

#define AGENT_REGISTER_TIMEOUT_MSEC 10000

pid_t polkit_agent_open(void) {
        _cleanup_close_ int notify_read = -EBADF, notify_write = -EBADF;
        int fds[2];
        char fd_arg[16];
        pid_t pid;

        /* Nobody to ask without a terminal; the call goes out and polkit refuses what needs a question. */
        if (!isatty(STDIN_FILENO) || access(PKTTYAGENT_PATH, X_OK) < 0)
                return 0;

        /* Only the agent's end of the pipe survives its exec. */
        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        notify_read = fds[0];
        notify_write = fds[1];
        (void) snprintf(fd_arg, sizeof(fd_arg), "%d", notify_write);

        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                if (fcntl(notify_write, F_SETFD, 0) < 0)
                        _exit(EXIT_FAILURE);
                execl(PKTTYAGENT_PATH, PKTTYAGENT_PATH, "--notify-fd", fd_arg, "--fallback", (char *) NULL);
                _exit(EXIT_FAILURE);
        }
        notify_write = safe_close(notify_write);

        /* pkttyagent closes the fd once registered with polkitd, and so does its exit when it cannot
         * register: either way the read sees end of file, and the call may go out.
         * An agent that neither registers nor exits is waited for no longer than a call would be. */
        for (;;) {
                struct pollfd p = { .fd = notify_read, .events = POLLIN };
                ssize_t n;
                char c;

                n = poll(&p, 1, AGENT_REGISTER_TIMEOUT_MSEC);
                if (n == 0 || (n < 0 && errno != EINTR))
                        break;
                if (n < 0)
                        continue;
                n = read(notify_read, &c, 1);
                if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
                        break;
        }
        return pid;
}

void polkit_agent_close(pid_t pid) {
        if (pid <= 0)
                return;
        (void) kill(pid, SIGTERM);
        (void) kill(pid, SIGCONT);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
}
