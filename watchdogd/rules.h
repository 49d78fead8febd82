/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The health rules, shared by every way of acting on them (supervising the children ourselves
 * or asking systemd to restart a unit): what counts as unhealthy, when that calls for a restart,
 * and the restart budget — at most N restarts in M seconds, each later than the one before —
 * after which the service is reported failed instead of being restarted in a loop. Pure logic on
 * numbers and times: no bus, no files, so it is tested on its own. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "time-util.h"

#define RESTART_BURST_MAX 32U

typedef struct RuleConfig {
        unsigned ping_interval_ms;      /* Peer.Ping every this often */
        unsigned ping_timeout_ms;       /* a ping not answered within this is missed */
        unsigned missed_pings;          /* this many missed in a row → restart */
        unsigned start_timeout_ms;      /* a started service must own its bus name within this */
        unsigned stop_timeout_ms;       /* SIGTERM, then SIGKILL after this */
        unsigned xruns_per_minute;      /* audiod: more overruns than this per minute → degraded; 0 = off */
        unsigned memory_percent;        /* memory use above this % of its limit → restart; 0 = off */
        unsigned restart_burst;         /* at most this many restarts … */
        unsigned restart_interval_sec;  /* … within this many seconds, else failed */
        unsigned restart_delay_ms;      /* first restart after this, doubling for each recent one */
        unsigned restart_delay_max_ms;  /* … up to this */
} RuleConfig;

void rule_config_init(RuleConfig *c);
/* Cross-field checks the per-key ranges cannot express; returns a static message or NULL. */
const char *rule_config_problem(const RuleConfig *c);

typedef enum HealthState {
        HEALTH_STOPPED,         /* not started (yet), or stopped on purpose */
        HEALTH_STARTING,        /* running, not on the bus yet */
        HEALTH_OK,
        HEALTH_DEGRADED,        /* answering, but something it or the kernel reports is wrong */
        HEALTH_RESTARTING,      /* being stopped or waiting for its restart */
        HEALTH_DOWN,            /* gone and not ours to restart (systemd or nobody restarts it) */
        HEALTH_FAILED,          /* restart budget exhausted: left alone until asked */
        _HEALTH_MAX,
} HealthState;

const char *health_state_to_string(HealthState s);

/* Restart budget: the start times of recent restarts. */
typedef struct RestartBudget {
        usec_t times[RESTART_BURST_MAX];
        unsigned n;
} RestartBudget;

/* Asks for one restart at "now". Returns true and the back-off delay to wait before starting
 * again when the budget allows it (and records it), false when the budget is exhausted. */
bool restart_budget_take(RestartBudget *b, const RuleConfig *c, usec_t now, usec_t *ret_delay);
/* Restarts counted within the interval ending at "now". */
unsigned restart_budget_recent(const RestartBudget *b, const RuleConfig *c, usec_t now);

/* One ping's outcome; returns true when the missed count calls for a restart. */
bool rule_ping_result(const RuleConfig *c, unsigned *missed, bool answered);

/* Overrun rate: the counter sampled at "now" against the window started at *base_time with
 * *base_count. Returns the rate per minute once the window is at least a minute long (and
 * starts a new window), or -1 while the window is still filling. A counter that went back (a
 * restarted audiod) restarts the window. */
double rule_xrun_rate(usec_t *base_time, uint64_t *base_count, usec_t now, uint64_t count);

/* True when "current" bytes is above the configured share of "limit" (0 limit = unlimited). */
bool rule_memory_exceeded(const RuleConfig *c, uint64_t current, uint64_t limit);

/* Pressure: shares of time in per cent (PSI "some"/"full" averages), < 0 where not known.
 *
 * Only the hub's own stalls count. The whole machine's CPU "some" share says that some task
 * somewhere waited for a CPU, which on a busy two-core board is nearly always true and says
 * nothing about the hub; its own cgroup's figures say whether its tasks waited. */
typedef struct PressureFigures {
        double hub_cpu;                 /* the hub's cgroup, cpu.pressure "some" */
        double hub_memory;              /* the hub's cgroup, memory.pressure "some" */
        double system_memory_full;      /* /proc/pressure/memory "full": every task stalled */
} PressureFigures;

/* True when the hub's own work is held up: its tasks waited for a CPU or for memory at least
 * "limit" per cent of the time, or (where the hub's cgroup is not known) every task of the
 * machine stalled on memory that long. Writes the figure that says so to reason. */
bool rule_pressure_held_up(const PressureFigures *f, double limit, char *reason, size_t size);
