/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* watchdogd's bus-free parts: the restart budget and its back-off, the ping, overrun and memory
 * rules, the /proc/asound status and PSI parsers, and configuration errors. */

#include <stdio.h>

#include "harness.h"
#include "proc-asound.h"
#include "psi.h"
#include "rules.h"
#include "watchdog-config.h"

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

static void test_asound(void) {
        AsoundSubstream s = {}, subs[4];
        char *dir = test_tmp_path("asound"), *p;
        int n;

        check(asound_status_parse("closed\n", &s) == 0, "closed");
        check(asound_status_parse("state: RUNNING\nowner_pid   : 4242\ntrigger_time: 1.0\n", &s) == 1 &&
              streq(s.state, "RUNNING") && s.owner_pid == 4242, "running, owner %d, state %s", s.owner_pid, s.state);
        check(asound_status_parse("garbage", &s) < 0, "not understood");

        require(asprintf(&p, "mkdir -p %s/card0/pcm0c/sub0 %s/card0/pcm0p/sub0 %s/card1/pcm0c/sub0 "
                         "&& echo closed >%s/card1/pcm0c/sub0/status "
                         "&& printf 'state: XRUN\\nowner_pid   : 77\\n' >%s/card0/pcm0c/sub0/status "
                         "&& printf 'state: RUNNING\\nowner_pid   : 78\\n' >%s/card0/pcm0p/sub0/status",
                         dir, dir, dir, dir, dir, dir) > 0, "asprintf");
        {
                char *argv[] = { (char *) "/bin/sh", (char *) "-c", p, NULL };
                require(test_run(argv, NULL) == 0, "fake /proc/asound");
        }
        n = asound_capture_scan(dir, subs, ELEMENTSOF(subs));
        check(n == 1, "one open capture substream (playback and closed ones ignored): %d", n);
        check(n < 1 || (streq(subs[0].id, "card0/pcm0c/sub0") && subs[0].owner_pid == 77 && streq(subs[0].state, "XRUN")),
              "id %s owner %d state %s", subs[0].id, subs[0].owner_pid, subs[0].state);
        check(asound_capture_scan("/nonexistent", subs, 4) == 0, "no cards: none");
        free(p);
        free(dir);
}

static void test_psi(void) {
        PsiLine l;

        check(psi_parse("some avg10=6.94 avg60=2.86 avg300=1.30 total=18599381\n"
                        "full avg10=0.50 avg60=0.00 avg300=0.00 total=12\n", "full", &l) == 0 &&
              l.avg10 == 0.5 && l.total_usec == 12, "full line: %f %llu", l.avg10, (unsigned long long) l.total_usec);
        check(psi_parse("some avg10=6.94 avg60=2.86 avg300=1.30 total=18599381\n", "some", &l) == 0 && l.avg10 == 6.94,
              "some line");
        check(psi_parse("some avg10=x\n", "some", &l) < 0, "malformed");
        check(psi_parse("", "some", &l) == -ENOENT, "missing");
}

static void test_config(void) {
        static const struct { const char *text, *needle; } bad[] = {
                { "{ \"ping_interval_ms\": 1000, \"ping_timeout_ms\": 2000 }", "ping_timeout_ms must be shorter" },
                { "{ \"missed_pings\": 0 }", "missed_pings" },
                { "{ \"hvacd\": { \"exec\": [] } }", "hvacd.exec" },
                { "{ \"hvacd\": { \"exec\": [ \"hvacd\" ] } }", "not an absolute path" },
                { "{ \"audiod\": { \"exec\": [ \"/bin/true\", 3 ] } }", "element 1" },
                { "{ \"bogus\": 1 }", "bogus" },
        };
        char *path = test_tmp_path("watchdogd.json");

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                WatchdogConfig c;
                char *error = NULL;

                require(watchdog_config_init(&c) == 0, "init");
                require(test_write_file(path, bad[i].text) == 0, "write");
                check(watchdog_config_load(&c, path, true, &error) < 0 && error && strstr(error, bad[i].needle),
                      "'%s' refused naming '%s': %s", bad[i].text, bad[i].needle, error ?: "(accepted)");
                free(error);
                watchdog_config_done(&c);
        }

        {
                WatchdogConfig c;
                char *error = NULL, *shipped = test_src_path("watchdogd/watchdogd.json");

                require(watchdog_config_init(&c) == 0, "init");
                check(watchdog_config_load(&c, shipped, true, &error) == 0, "the shipped config loads: %s", error ?: "");
                check(c.rules.restart_burst >= 1 && c.services[SERVICE_HVACD].exec && c.services[SERVICE_HVACD].exec[0][0] == '/',
                      "shipped config is complete");
                free(error);
                free(shipped);
                watchdog_config_done(&c);
        }
        free(path);
}

int main(void) {
        test_budget();
        test_ping();
        test_xruns();
        test_memory();
        test_asound();
        test_psi();
        test_config();
        return test_result();
}
