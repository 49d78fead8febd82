/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A polkit agent for one call that polkit may answer with a question (an action whose policy is
 * auth_admin): pkttyagent on the terminal, as systemctl starts it, so a password typed there can
 * answer polkitd instead of the call being refused for want of anyone to ask. */

#include <sys/types.h>

#ifndef PKTTYAGENT_PATH
#define PKTTYAGENT_PATH "/usr/bin/pkttyagent"
#endif

/* Starts "pkttyagent --notify-fd N --fallback" when standard input is a terminal, and waits until
 * it has registered (or given up: it closes N either way). Returns its pid, or 0 when no agent was
 * started (no terminal, no pkttyagent); a negative errno when it could not be started. */
pid_t polkit_agent_open(void);

/* Stops the agent polkit_agent_open() started (SIGTERM) and reaps it; nothing for pid 0. */
void polkit_agent_close(pid_t pid);

static inline void polkit_agent_closep(pid_t *pid) {
        if (*pid > 0)
                polkit_agent_close(*pid);
}
