/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdio.h>

#include "macro.h"
#include "rules.h"

void rule_config_init(RuleConfig *c) {
        *c = (RuleConfig) {
                .ping_interval_ms = 2000,
                .ping_timeout_ms = 1000,
                .missed_pings = 3,
                .start_timeout_ms = 30000,
                .stop_timeout_ms = 5000,
                .xruns_per_minute = 30,
                .memory_percent = 90,
                .restart_burst = 5,
                .restart_interval_sec = 60,
                .restart_delay_ms = 100,
                .restart_delay_max_ms = 10000,
        };
}

const char *rule_config_problem(const RuleConfig *c) {
        if (c->ping_timeout_ms >= c->ping_interval_ms)
                return "ping_timeout_ms must be shorter than ping_interval_ms";
        if (c->restart_delay_ms > c->restart_delay_max_ms)
                return "restart_delay_ms must not exceed restart_delay_max_ms";
        if (c->restart_burst > RESTART_BURST_MAX)
                return "restart_burst is too large";
        return NULL;
}

static const char *const health_state_table[_HEALTH_MAX] = {
        [HEALTH_STOPPED] = "stopped",
        [HEALTH_STARTING] = "starting",
        [HEALTH_OK] = "ok",
        [HEALTH_DEGRADED] = "degraded",
        [HEALTH_RESTARTING] = "restarting",
        [HEALTH_DOWN] = "down",
        [HEALTH_FAILED] = "failed",
};

const char *health_state_to_string(HealthState s) {
        return s >= 0 && s < _HEALTH_MAX ? health_state_table[s] : NULL;
}

static void restart_budget_expire(RestartBudget *b, const RuleConfig *c, usec_t now) {
        usec_t window = (usec_t) c->restart_interval_sec * USEC_PER_SEC;
        unsigned keep = 0;

        for (unsigned i = 0; i < b->n; i++)
                if (b->times[i] + window > now)
                        b->times[keep++] = b->times[i];
        b->n = keep;
}

unsigned restart_budget_recent(const RestartBudget *b, const RuleConfig *c, usec_t now) {
        RestartBudget copy = *b;

        restart_budget_expire(&copy, c, now);
        return copy.n;
}

bool restart_budget_take(RestartBudget *b, const RuleConfig *c, usec_t now, usec_t *ret_delay) {
        usec_t delay;

        restart_budget_expire(b, c, now);
        if (b->n >= c->restart_burst || b->n >= RESTART_BURST_MAX)
                return false;

        /* Back-off: each restart within the window waits twice as long as the one before. */
        delay = (usec_t) c->restart_delay_ms * USEC_PER_MSEC;
        for (unsigned i = 0; i < b->n && delay < (usec_t) c->restart_delay_max_ms * USEC_PER_MSEC; i++)
                delay *= 2;
        delay = MIN(delay, (usec_t) c->restart_delay_max_ms * USEC_PER_MSEC);

        b->times[b->n++] = now;
        if (ret_delay)
                *ret_delay = delay;
        return true;
}

bool rule_ping_result(const RuleConfig *c, unsigned *missed, bool answered) {
        if (answered) {
                *missed = 0;
                return false;
        }
        (*missed)++;
        return *missed >= c->missed_pings;
}

double rule_xrun_rate(usec_t *base_time, uint64_t *base_count, usec_t now, uint64_t count) {
        double rate;

        if (*base_time == 0 || count < *base_count || now < *base_time) {
                *base_time = now;
                *base_count = count;
                return -1;
        }
        if (now - *base_time < 60 * USEC_PER_SEC)
                return -1;

        rate = (double) (count - *base_count) * 60.0 * USEC_PER_SEC / (double) (now - *base_time);
        *base_time = now;
        *base_count = count;
        return rate;
}

bool rule_memory_exceeded(const RuleConfig *c, uint64_t current, uint64_t limit) {
        if (c->memory_percent == 0 || limit == 0 || limit == UINT64_MAX)
                return false;
        return (long double) current * 100 > (long double) limit * c->memory_percent;
}

bool rule_pressure_held_up(const PressureFigures *f, double limit, char *reason, size_t size) {
        if (f->hub_cpu >= limit) {
                (void) snprintf(reason, size, "the hub's tasks waited for a CPU %.1f%% of the time", f->hub_cpu);
                return true;
        }
        if (f->hub_memory >= limit) {
                (void) snprintf(reason, size, "the hub's tasks stalled on memory %.1f%% of the time", f->hub_memory);
                return true;
        }
        if (f->hub_cpu < 0 && f->hub_memory < 0 && f->system_memory_full >= limit) {
                (void) snprintf(reason, size, "every task stalled on memory %.1f%% of the time", f->system_memory_full);
                return true;
        }
        return false;
}
