/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* watchdogd --supervise with the real audiod, hvacd and wakeword on a private bus, audio from the
 * vhtest ALSA plugin:
 *  - the live interface matches dbus-interfaces/org.voicehvac.Watchdog1.xml;
 *  - kill -9 of each daemon: back on the bus and healthy within 2 s, hvacd's state and audiod's
 *    mute intact;
 *  - SIGSTOP: missed pings, then a restart;
 *  - SIGTERM to watchdogd: every child stopped, each exiting 0 (no leak under ASan);
 *  - a service that exits at once every time: the restart budget runs out, it is "failed", no
 *    loop, watchdogd quiet;
 *  - watchdogd SIGKILLed: no child survives it (its private dbus-daemon included). */

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>

#include "bus-contract.h"
#include "bus-util.h"
#include "fileio.h"
#include "harness.h"


typedef struct Health {
        char state[32];
        char reason[256];
        uint32_t pid;
        uint32_t restarts;
        uint32_t missed;
} Health;

static void closedirp_(DIR **d) {
        if (*d)
                closedir(*d);
}

static unsigned restarted_signals;
static char last_restarted[256];

static int on_service_restarted(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        const char *service, *reason;

        if (sd_bus_message_read(m, "ss", &service, &reason) >= 0) {
                test_log("ServiceRestarted(%s, %s)", service, reason);
                restarted_signals++;
                (void) snprintf(last_restarted, sizeof last_restarted, "%s: %s", service, reason);
        }
        return 0;
}

static int get_health(sd_bus *bus, const char *service, Health *ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_bus_error_ sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *name, *key, *s;
        bool found = false;
        int r;

        *ret = (Health) {};
        r = sd_bus_call_method(bus, VH_WATCHDOG_BUS_NAME, VH_WATCHDOG_OBJECT_PATH, VH_WATCHDOG_INTERFACE, "GetHealth",
                               &error, &reply, NULL);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "{sa{sv}}");
        if (r < 0)
                return r;
        while (sd_bus_message_enter_container(reply, 'e', "sa{sv}") > 0) {
                bool mine;

                sd_bus_message_read(reply, "s", &name);
                mine = streq(name, service);
                found = found || mine;
                sd_bus_message_enter_container(reply, 'a', "{sv}");
                while (sd_bus_message_enter_container(reply, 'e', "sv") > 0) {
                        sd_bus_message_read(reply, "s", &key);
                        if (mine && streq(key, "State") && sd_bus_message_read(reply, "v", "s", &s) > 0)
                                snprintf(ret->state, sizeof ret->state, "%s", s);
                        else if (mine && streq(key, "Reason") && sd_bus_message_read(reply, "v", "s", &s) > 0)
                                snprintf(ret->reason, sizeof ret->reason, "%s", s);
                        else if (mine && streq(key, "Pid"))
                                sd_bus_message_read(reply, "v", "u", &ret->pid);
                        else if (mine && streq(key, "Restarts"))
                                sd_bus_message_read(reply, "v", "u", &ret->restarts);
                        else if (mine && streq(key, "MissedPings"))
                                sd_bus_message_read(reply, "v", "u", &ret->missed);
                        else
                                sd_bus_message_skip(reply, "v");
                        sd_bus_message_exit_container(reply);
                }
                sd_bus_message_exit_container(reply);
                sd_bus_message_exit_container(reply);
        }
        return found ? 0 : -ENOENT;
}

static void pump(sd_bus *bus, usec_t usec) {
        usec_t end = now_usec(CLOCK_MONOTONIC) + usec;

        while (now_usec(CLOCK_MONOTONIC) < end) {
                while (sd_bus_process(bus, NULL) > 0)
                        ;
                (void) sd_bus_wait(bus, 10 * USEC_PER_MSEC);
        }
}

/* Waits until the service is in "state" (and, when old_pid is set, runs as another pid). */
static bool wait_health(sd_bus *bus, const char *service, const char *state, uint32_t old_pid, usec_t timeout,
                        Health *ret) {
        usec_t end = now_usec(CLOCK_MONOTONIC) + timeout;

        do {
                if (get_health(bus, service, ret) >= 0 && streq(ret->state, state) && (!old_pid || ret->pid != old_pid))
                        return true;
                pump(bus, 20 * USEC_PER_MSEC);
        } while (now_usec(CLOCK_MONOTONIC) < end);
        return false;
}

static bool process_alive(pid_t pid) {
        char path[64];
        struct stat st;

        (void) snprintf(path, sizeof path, "/proc/%d", (int) pid);
        if (stat(path, &st) < 0)
                return false;
        /* A zombie is dead for our purpose, but must have a parent that reaps it. */
        {
                _cleanup_free_ char *text = NULL;
                (void) snprintf(path, sizeof path, "/proc/%d/stat", (int) pid);
                if (read_full_file(path, 4096, &text, NULL) >= 0) {
                        const char *p = strrchr(text, ')');
                        if (p && p[2] == 'Z')
                                return false;
                }
        }
        return true;
}

static bool wait_gone(pid_t pid, usec_t timeout) {
        for (usec_t end = now_usec(CLOCK_MONOTONIC) + timeout; now_usec(CLOCK_MONOTONIC) < end; usleep(10000))
                if (!process_alive(pid))
                        return true;
        return !process_alive(pid);
}

/* The children of pid, from /proc/<n>/stat's ppid field. */
static unsigned children_of(pid_t parent, pid_t out[], unsigned max) {
        _cleanup_(closedirp_) DIR *d = opendir("/proc");
        struct dirent *de;
        unsigned n = 0;

        while (d && (de = readdir(d)) && n < max) {
                _cleanup_free_ char *text = NULL;
                char path[300];
                const char *p;
                int ppid;

                if (de->d_name[0] < '0' || de->d_name[0] > '9')
                        continue;
                (void) snprintf(path, sizeof path, "/proc/%s/stat", de->d_name);
                if (read_full_file(path, 4096, &text, NULL) < 0)
                        continue;
                p = strrchr(text, ')');
                if (p && sscanf(p + 2, "%*c %d", &ppid) == 1 && ppid == parent && p[2] != 'Z')
                        out[n++] = atoi(de->d_name);
        }
        return n;
}

static long cpu_ticks(pid_t pid) {
        _cleanup_free_ char *text = NULL;
        char path[64];
        unsigned long utime, stime;
        const char *p;

        (void) snprintf(path, sizeof path, "/proc/%d/stat", (int) pid);
        if (read_full_file(path, 4096, &text, NULL) < 0 || !(p = strrchr(text, ')')))
                return -1;
        if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
                return -1;
        return (long) (utime + stime);
}

static double hvac_target(sd_bus *bus) {
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        double d = -1;

        if (sd_bus_get_property(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE,
                                "TargetTemperature", &e, &reply, "d") >= 0)
                (void) sd_bus_message_read(reply, "d", &d);
        return d;
}

static int audio_muted(sd_bus *bus) {
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int b = -1;

        if (sd_bus_get_property(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE, "Muted",
                                &e, &reply, "b") >= 0)
                (void) sd_bus_message_read(reply, "b", &b);
        return b;
}

static int sh(const char *cmd) {
        char *argv[] = { (char *) "/bin/sh", (char *) "-c", (char *) cmd, NULL };
        return test_run(argv, NULL);
}

static char *write_config(const char *name, const char *text) {
        char *path = test_tmp_path(name);
        require(test_write_file(path, text) == 0, "write %s", name);
        return path;
}

/* Audio for the vhtest plugin: a second of quiet noise as raw S16 (it loops). */
static void setup_audio(void) {
        _cleanup_free_ char *raw = test_tmp_path("noise.raw"), *sw = test_tmp_path("switch"),
                            *conf = test_tmp_path("asound.conf"), *plugins = test_build_path("tests/alsa"),
                            *script = test_src_path("tests/alsa/make-conf.sh"), *text = NULL, *env = NULL;
        int16_t samples[16000];

        for (size_t i = 0; i < ELEMENTSOF(samples); i++)
                samples[i] = (int16_t) ((rand() % 200) - 100);
        {
                FILE *f = fopen(raw, "we");
                require(f && fwrite(samples, sizeof samples, 1, f) == 1, "write %s", raw);
                fclose(f);
        }
        {
                char *argv[] = { script, plugins, raw, sw, (char *) "eof \"loop\"", NULL };
                require(test_run(argv, &text) == 0 && text, "make-conf.sh");
        }
        require(test_write_file(conf, text) == 0, "write alsa conf");
        require(asprintf(&env, "/usr/share/alsa/alsa.conf:%s", conf) > 0, "asprintf");
        setenv("ALSA_CONFIG_PATH", env, 1);
        setenv("HOME", test_tmpdir(), 1);
        setenv("XDG_CONFIG_HOME", test_tmpdir(), 1);
        setenv("STATE_DIRECTORY", test_tmpdir(), 1);
}

static pid_t watchdogd_start(const char *log, const char *config, const char *private_bus) {
        _cleanup_free_ char *bin = test_build_path("watchdogd/watchdogd");
        char *argv[] = { bin, (char *) "--supervise", (char *) "--config", (char *) config,
                         private_bus ? (char *) "--private-bus" : NULL, (char *) private_bus, NULL };

        return test_spawn(log, argv);
}

static void check_introspection(void) {
        check(test_introspection_matches(VH_WATCHDOG_BUS_NAME, VH_WATCHDOG_OBJECT_PATH, VH_WATCHDOG_INTERFACE) == 0,
              "live interface matches the contract (see the log for the differences)");
}

/* GetHealth takes nothing, so nothing in a call can be wrong but its signature, which sd-bus
 * refuses before the handler runs, with the bus's own InvalidArgs (common/errors.h). */
static void check_bad_call(sd_bus *bus) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_call_method(bus, VH_WATCHDOG_BUS_NAME, VH_WATCHDOG_OBJECT_PATH, VH_WATCHDOG_INTERFACE, "GetHealth",
                               &error, &reply, "s", "audiod");
        check(r < 0 && sd_bus_error_has_name(&error, SD_BUS_ERROR_INVALID_ARGS),
              "GetHealth(s) → %s (%s)", SD_BUS_ERROR_INVALID_ARGS, error.name);
}

static void test_kill_each(sd_bus *bus) {
        static const char *const services[] = { "audiod", "hvacd", "wakeword" };
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;

        require(sd_bus_call_method(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE,
                                   "SetTargetTemperature", &e, NULL, "d", 22.0) >= 0, "SetTargetTemperature(22)");
        require(sd_bus_call_method(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE,
                                   "SetMute", &e, NULL, "b", true) >= 0, "SetMute(true)");
        pump(bus, 500 * USEC_PER_MSEC);         /* past hvacd's coalescing, so the state is saved */

        for (size_t i = 0; i < ELEMENTSOF(services); i++) {
                Health before, after;
                usec_t t0, took;

                require(get_health(bus, services[i], &before) >= 0 && before.pid > 0, "%s has a pid", services[i]);
                t0 = now_usec(CLOCK_MONOTONIC);
                require(kill((pid_t) before.pid, SIGKILL) == 0, "kill -9 %s", services[i]);
                check(wait_health(bus, services[i], "ok", before.pid, test_scaled_usec(2 * USEC_PER_SEC), &after),
                      "%s back and ok within %llu s (state %s, %s)", services[i],
                      (unsigned long long) (test_scaled_usec(2 * USEC_PER_SEC) / USEC_PER_SEC), after.state, after.reason);
                took = now_usec(CLOCK_MONOTONIC) - t0;
                test_log("%s: kill -9 → healthy again in %llu ms", services[i], (unsigned long long) (took / 1000));
                check(after.restarts == before.restarts + 1, "%s restart counted (%u → %u)", services[i],
                      before.restarts, after.restarts);
                check(hvac_target(bus) == 22.0, "hvacd's TargetTemperature intact after %s (%g)", services[i],
                      hvac_target(bus));
                check(audio_muted(bus) == 1, "audiod still muted after %s", services[i]);
        }
        check(restarted_signals >= ELEMENTSOF(services), "a ServiceRestarted signal for each (%u)", restarted_signals);
        check(sd_bus_call_method(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE,
                                 "SetMute", &e, NULL, "b", false) >= 0, "SetMute(false)");
}

static void test_sigstop(sd_bus *bus) {
        Health before, after;
        unsigned signals = restarted_signals;

        require(get_health(bus, "hvacd", &before) >= 0 && before.pid > 0, "hvacd pid");
        require(kill((pid_t) before.pid, SIGSTOP) == 0, "SIGSTOP hvacd");
        check(wait_health(bus, "hvacd", "ok", before.pid, 15 * USEC_PER_SEC, &after),
              "stopped hvacd replaced by a running one (state %s, %s)", after.state, after.reason);
        pump(bus, 100 * USEC_PER_MSEC);
        check(restarted_signals > signals && strstr(last_restarted, "hvacd: missed"),
              "restarted for missed pings: '%s'", last_restarted);
        check(wait_gone((pid_t) before.pid, 5 * USEC_PER_SEC), "the stopped process is gone");
        check(hvac_target(bus) == 22.0, "state intact");
}

static void test_full_stack(const char *audiod_conf) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *audiod = test_build_path("audiod/audiod"), *hvacd = test_build_path("hvacd/hvacd"),
                            *wakeword = test_build_path("wakeword/wakeword"), *budget = test_src_path("cgroups/budget.json"),
                            *text = NULL, *config = NULL, *log = NULL;
        const char *services[] = { "audiod", "hvacd", "wakeword" };
        pid_t wd, kids[8];
        unsigned n;
        Health h;

        require(asprintf(&text,
                         "{ \"ping_interval_ms\": 500, \"ping_timeout_ms\": 250, \"missed_pings\": 3,\n"
                         "  \"budget_file\": \"%s\", \"cgroup_root\": \"%s\",\n"
                         "  \"audiod\": { \"exec\": [ \"%s\", \"--config\", \"%s\" ] },\n"
                         "  \"hvacd\": { \"exec\": [ \"%s\" ] },\n"
                         "  \"wakeword\": { \"exec\": [ \"%s\" ] } }\n",
                         budget, test_tmpdir(), audiod, audiod_conf, hvacd, wakeword) > 0, "asprintf");
        config = write_config("watchdogd.json", text);

        require(test_bus_connect(&bus) >= 0, "connect");
        require(sd_bus_match_signal(bus, NULL, NULL, VH_WATCHDOG_OBJECT_PATH, VH_WATCHDOG_BUS_NAME, "ServiceRestarted",
                                    on_service_restarted, NULL) >= 0,
                "match");
        wd = watchdogd_start("watchdogd", config, NULL);
        require(wd > 0 && test_wait_for_name(bus, VH_WATCHDOG_BUS_NAME, 10 * USEC_PER_SEC) == 0,
                "watchdogd on the bus");
        for (size_t i = 0; i < ELEMENTSOF(services); i++)
                require(wait_health(bus, services[i], "ok", 0, 30 * USEC_PER_SEC, &h), "%s ok (%s, %s)", services[i],
                        h.state, h.reason);

        check_introspection();
        check_bad_call(bus);
        test_kill_each(bus);
        test_sigstop(bus);

        n = children_of(wd, kids, ELEMENTSOF(kids));
        check(n == 3, "three children (%u)", n);
        check(test_stop(wd, 30 * USEC_PER_SEC) == 0, "watchdogd exits 0 on SIGTERM");
        for (unsigned i = 0; i < n; i++)
                check(wait_gone(kids[i], USEC_PER_SEC), "child %d gone after watchdogd stopped", (int) kids[i]);
        require(asprintf(&log, "grep -q 'did not exit cleanly' '%s/test-logs/watchdogd.log'", test_build_dir()) > 0, "asprintf");
        check(sh(log) != 0, "every daemon exited 0 when stopped (no leak, no crash)");
}

static void test_crash_loop(void) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *config = NULL;
        pid_t wd, kids[4];
        long t0, t1;
        Health h, later;

        config = write_config("crash.json",
                              "{ \"ping_interval_ms\": 500, \"ping_timeout_ms\": 250,\n"
                              "  \"restart_burst\": 3, \"restart_interval_sec\": 60,\n"
                              "  \"restart_delay_ms\": 100, \"restart_delay_max_ms\": 400,\n"
                              "  \"audiod\": { \"enabled\": false }, \"wakeword\": { \"enabled\": false },\n"
                              "  \"hvacd\": { \"exec\": [ \"/bin/sh\", \"-c\", \"exit 3\" ] } }\n");
        require(test_bus_connect(&bus) >= 0, "connect");
        wd = watchdogd_start("watchdogd-crash", config, NULL);
        require(wd > 0 && test_wait_for_name(bus, VH_WATCHDOG_BUS_NAME, 10 * USEC_PER_SEC) == 0,
                "watchdogd on the bus");

        check(wait_health(bus, "hvacd", "failed", 0, 10 * USEC_PER_SEC, &h), "hvacd failed (%s: %s)", h.state, h.reason);
        check(h.restarts == 3, "restarted exactly the budget's 3 times (%u)", h.restarts);
        check(strstr(h.reason, "exited with status 3") != NULL, "reason names the exit: %s", h.reason);

        t0 = cpu_ticks(wd);
        pump(bus, 3 * USEC_PER_SEC);
        t1 = cpu_ticks(wd);
        check(get_health(bus, "hvacd", &later) >= 0 && streq(later.state, "failed") && later.restarts == 3,
              "no more restarts (%s, %u)", later.state, later.restarts);
        check(children_of(wd, kids, ELEMENTSOF(kids)) == 0, "no child running");
        check(t0 >= 0 && t1 - t0 <= 5, "watchdogd quiet: %ld CPU ticks in 3 s", t1 - t0);
        check(test_stop(wd, 10 * USEC_PER_SEC) == 0, "watchdogd exits 0");
}

/* A child of watchdogd has exec()ed: it set its parent-death signal before that. */
static bool has_exec(pid_t pid) {
        _cleanup_free_ char *path = NULL, *comm = NULL;

        if (asprintf(&path, "/proc/%d/comm", (int) pid) < 0)
                return false;
        return read_full_file(path, 64, &comm, NULL) == 0 && strncmp(comm, "watchdogd", 9) != 0;
}

static void test_sigkill(void) {
        _cleanup_free_ char *hvacd = test_build_path("hvacd/hvacd"), *text = NULL, *config = NULL,
                            *dir = test_tmp_path("private-bus");
        pid_t wd, kids[8];
        unsigned n = 0;

        require(asprintf(&text, "{ \"audiod\": { \"enabled\": false }, \"wakeword\": { \"enabled\": false },\n"
                         "  \"hvacd\": { \"exec\": [ \"%s\" ] } }\n", hvacd) > 0, "asprintf");
        config = write_config("sigkill.json", text);
        wd = watchdogd_start("watchdogd-sigkill", config, dir);
        require(wd > 0, "start");
        for (usec_t end = now_usec(CLOCK_MONOTONIC) + 10 * USEC_PER_SEC; n < 2 && now_usec(CLOCK_MONOTONIC) < end;) {
                usleep(50000);
                n = children_of(wd, kids, ELEMENTSOF(kids));
        }
        require(n == 2, "dbus-daemon and hvacd running under watchdogd (%u)", n);
        require(WAIT_FOR(has_exec(kids[0]) && has_exec(kids[1]), 5 * USEC_PER_SEC), "both children have exec()ed");
        require(kill(wd, SIGKILL) == 0, "kill -9 watchdogd");
        (void) test_wait_exit(wd, 5 * USEC_PER_SEC);
        for (unsigned i = 0; i < n; i++)
                check(wait_gone(kids[i], 2 * USEC_PER_SEC), "child %d died with watchdogd", (int) kids[i]);
}

int main(void) {
        _cleanup_free_ char *plugin = test_build_path("tests/alsa/libasound_module_pcm_vhtest.so"),
                            *bin = test_build_path("watchdogd/watchdogd"), *audiod_conf = NULL;

        if (access("/usr/share/pocketsphinx/model/en-us/en-us", F_OK) < 0)
                test_skip("pocketsphinx-en-us (the acoustic model wakeword needs) is not installed");
        test_require_built("watchdogd/watchdogd");
        test_require_built("tests/alsa/libasound_module_pcm_vhtest.so");

        setup_audio();
        audiod_conf = write_config("audiod.json", "{ \"device\": \"vhtest\", \"mixer_device\": \"vhtest\", "
                                                  "\"unmute_group\": \"root\" }\n");
        require(test_bus_start() == 0, "private dbus-daemon");

        test_full_stack(audiod_conf);
        test_crash_loop();
        test_sigkill();
        return test_result();
}
