/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* watchdogd's health rules (rules.c), without a bus: the restart budget and its back-off, the
 * ping, overrun and memory rules, and the pressure rule on figures measured under load. */

#include <stdio.h>

#include "harness.h"
#include "rules.h"

#define SEC USEC_PER_SEC

static void test_budget(void) {
        RuleConfig c;
        RestartBudget b = {};
        usec_t delay, t = 1000 * SEC, last = 0;

        rule_config_init(&c);
        c.restart_burst = 4;
        c.restart_interval_sec = 60;
        c.restart_delay_ms = 100;
        c.restart_delay_max_ms = 500;

        for (unsigned i = 0; i < 4; i++) {
                check(restart_budget_take(&b, &c, t + i * SEC, &delay), "restart %u allowed", i);
                check(delay >= last, "back-off grows: %llu after %llu", (unsigned long long) delay,
                      (unsigned long long) last);
                check(delay <= 500 * USEC_PER_MSEC, "back-off capped: %llu", (unsigned long long) delay);
                last = delay;
        }
        check(last == 500 * USEC_PER_MSEC, "fourth restart waits the cap (100, 200, 400 → 500 ms): %llu",
              (unsigned long long) last);
        check(!restart_budget_take(&b, &c, t + 5 * SEC, &delay), "fifth within 60 s refused");
        check(restart_budget_recent(&b, &c, t + 5 * SEC) == 4, "4 recent");
        /* Once the first falls out of the window, one more is allowed. */
        check(restart_budget_take(&b, &c, t + 60 * SEC + 1, &delay), "allowed again after the window");
        check(restart_budget_recent(&b, &c, t + 200 * SEC) == 0, "all expired later");
        check(restart_budget_take(&b, &c, t + 200 * SEC, &delay) && delay == 100 * USEC_PER_MSEC,
              "back-off starts over after a quiet window: %llu", (unsigned long long) delay);
}

static void test_ping(void) {
        RuleConfig c;
        unsigned missed = 0;

        rule_config_init(&c);
        c.missed_pings = 3;
        check(!rule_ping_result(&c, &missed, false) && missed == 1, "one missed");
        check(!rule_ping_result(&c, &missed, false) && missed == 2, "two missed");
        check(!rule_ping_result(&c, &missed, true) && missed == 0, "an answer resets");
        rule_ping_result(&c, &missed, false);
        rule_ping_result(&c, &missed, false);
        check(rule_ping_result(&c, &missed, false), "three in a row → restart");
}

static void test_xruns(void) {
        usec_t base = 0;
        uint64_t count = 0;
        double rate;

        check(rule_xrun_rate(&base, &count, 10 * SEC, 5) < 0, "first sample starts the window");
        check(rule_xrun_rate(&base, &count, 40 * SEC, 20) < 0, "half a minute: still filling");
        rate = rule_xrun_rate(&base, &count, 130 * SEC, 65);
        check(rate > 29.9 && rate < 30.1, "60 overruns in 2 minutes = 30/min: %f", rate);
        check(rule_xrun_rate(&base, &count, 200 * SEC, 3) < 0, "a counter that went back (restart) starts over");
        rate = rule_xrun_rate(&base, &count, 260 * SEC, 3);
        check(rate == 0, "no overruns: 0/min: %f", rate);
}

static void test_memory(void) {
        RuleConfig c;

        rule_config_init(&c);
        c.memory_percent = 90;
        check(!rule_memory_exceeded(&c, 89 << 20, 100 << 20), "89 %% of the limit is fine");
        check(rule_memory_exceeded(&c, 91 << 20, 100 << 20), "91 %% is not");
        check(!rule_memory_exceeded(&c, 1ULL << 40, UINT64_MAX), "no limit, no rule");
        c.memory_percent = 0;
        check(!rule_memory_exceeded(&c, 99 << 20, 100 << 20), "rule off");
}

/* The figures measured on a two-core board (see watchdogd/manager.c): load outside the hub's
 * cgroup is no reason to warn however busy the machine is, its own tasks outnumbering the CPUs
 * is; without the hub's cgroup only memory stalls of every task count. */
static void test_pressure_rule(void) {
        static const struct { double hub_cpu, hub_memory, memory_full; bool held_up; const char *what; } cases[] = {
                { 1.0, 0, 0, false, "the hub alone" },
                { 17.1, 0, 0, false, "4 busy outside the hub, quiet machine" },
                { 64.6, 0, 0, false, "4 busy outside the hub, busy machine" },
                { 52.9, 0, 0, false, "8 busy outside the hub, busy machine" },
                { 64.5, 0, 0, false, "1 busy inside the hub on 2 CPUs: its work still fits" },
                { 83.0, 0, 0, true, "16 busy inside the hub, busy machine" },
                { 87.0, 0, 0, true, "4 busy inside the hub, quiet machine" },
                { 89.3, 0, 0, true, "8 busy inside the hub, busy machine" },
                { 5.0, 85.0, 0, true, "the hub stalled on memory" },
                { 5.0, 5.0, 90.0, false, "every task stalled on memory, the hub's own figures low" },
                { -1, -1, 90.0, true, "every task stalled on memory, no hub cgroup" },
                { -1, -1, 30.0, false, "some memory stalls, no hub cgroup" },
                { -1, -1, -1, false, "no PSI at all" },
        };
        char reason[128];

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                PressureFigures f = { cases[i].hub_cpu, cases[i].hub_memory, cases[i].memory_full };
                bool r;

                reason[0] = '\0';
                r = rule_pressure_held_up(&f, 75, reason, sizeof reason);
                check(r == cases[i].held_up, "%s: %s (%s)", cases[i].what, r ? "held up" : "not held up", reason);
                check(!r || strstr(reason, "%"), "%s: the reason gives the figure: %s", cases[i].what, reason);
        }
        /* Half the limit ends the warning: 45% is still held up then, 30% is not. */
        check(rule_pressure_held_up(&(PressureFigures) { 45, 0, 0 }, 40, reason, sizeof reason), "45%% ≥ 40%%");
        check(!rule_pressure_held_up(&(PressureFigures) { 30, 0, 0 }, 40, reason, sizeof reason), "30%% < 40%%");
}

int main(void) {
        test_budget();
        test_ping();
        test_xruns();
        test_memory();
        test_pressure_rule();
        return test_result();
}
