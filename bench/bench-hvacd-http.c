/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* hvacd's http backend against the emulated Daikin adapter (tests/daikin-emulator.py) on
 * 127.0.0.1, on a private bus:
 *   - latency from a SetTargetTemperature call to its set_control_info request arriving at the
 *     adapter (the emulator stamps each request with CLOCK_MONOTONIC on arrival), with the
 *     coalescing window at 0 so what is left is hvacd's own path: the bus call, the event loop,
 *     the get_control_info a set starts with, and curl;
 *   - hvacd's wakeups per second while it polls the unit, at the shipped 10 s poll interval and
 *     at 1 s. */

#include <inttypes.h>
#include <sys/stat.h>

#include "fileio.h"
#include "harness.h"

#define NAME "org.voicehvac.Hvac1"
#define PATH "/org/voicehvac/Hvac1"
#define IFACE "org.voicehvac.Hvac1"

#define LATENCY_ROUNDS 50
#define IDLE_SECONDS 10

static char *emu_log = NULL;

/* The arrival time of the last set_control_info that carried stemp=<t> and of the get_control_info
 * before it, and how many sets. */
static unsigned last_set(double t, uint64_t *ret_usec, uint64_t *ret_control_usec) {
        _cleanup_free_ char *text = NULL, *needle = NULL;
        unsigned long long control = 0;
        unsigned n = 0;
        char *line, *next;

        *ret_usec = *ret_control_usec = 0;
        if (asprintf(&needle, "stemp=%.1f&", t) < 0 || read_full_file(emu_log, 64 << 20, &text, NULL) < 0)
                return 0;
        for (line = text; *line; line = next) {
                unsigned long long usec;

                next = line + strcspn(line, "\n");
                if (*next)
                        *next++ = '\0';
                if (sscanf(line, "%llu", &usec) != 1)
                        continue;
                if (strstr(line, "get_control_info"))
                        control = usec;
                if (!strstr(line, "set_control_info"))
                        continue;
                n++;
                if (strstr(line, needle)) {
                        *ret_usec = usec;
                        *ret_control_usec = control;
                }
        }
        return n;
}

static int compare_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

static void bench_latency(sd_bus *bus) {
        double ms[LATENCY_ROUNDS], first[LATENCY_ROUNDS];
        unsigned n = 0;

        for (unsigned i = 0; i < LATENCY_ROUNDS; i++) {
                double t = i % 2 ? 22 : 23;
                uint64_t before, arrived = 0, control = 0;
                unsigned sets0 = last_set(t, &arrived, &control);
                usec_t start, end;

                before = now_usec(CLOCK_MONOTONIC);
                if (sd_bus_call_method(bus, NAME, PATH, IFACE, "SetTargetTemperature", NULL, NULL, "d", t) < 0)
                        continue;
                end = before + 5 * USEC_PER_SEC;
                while (now_usec(CLOCK_MONOTONIC) < end && (last_set(t, &arrived, &control) == sets0 || arrived < before))
                        usleep(1000);
                if (arrived >= before && control >= before) {
                        first[n] = (double) (control - before) / 1000.0;
                        ms[n++] = (double) (arrived - before) / 1000.0;
                }
                /* Let the answer come back before the next round, so no two sets coalesce. */
                start = now_usec(CLOCK_MONOTONIC);
                while (now_usec(CLOCK_MONOTONIC) - start < 50 * USEC_PER_MSEC)
                        usleep(5000);
        }
        if (n == 0) {
                printf("hvacd http: SetTargetTemperature→adapter latency: no set arrived\n");
                return;
        }
        qsort(ms, n, sizeof(double), compare_double);
        qsort(first, n, sizeof(double), compare_double);
        printf("hvacd http: SetTargetTemperature→set_control_info at the adapter p50 %.2f ms, p95 %.2f ms, "
               "max %.2f ms over %u sets (coalesce_ms 0, loopback)\n", ms[n / 2], ms[(n * 95) / 100], ms[n - 1], n);
        printf("hvacd http: of which SetTargetTemperature→the get_control_info a set starts with p50 %.2f ms, "
               "p95 %.2f ms\n", first[n / 2], first[(n * 95) / 100]);
}

static unsigned long long context_switches(pid_t pid) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        unsigned long long total = 0, v;
        const char *p;

        if (asprintf(&path, "/proc/%i/status", (int) pid) < 0 || read_full_file(path, 1 << 16, &text, NULL) < 0)
                return 0;
        for (p = text; (p = strstr(p, "ctxt_switches:")); p++)
                if (sscanf(p, "ctxt_switches: %llu", &v) == 1)
                        total += v;
        return total;
}

static pid_t start_hvacd(sd_bus *bus, const char *name, unsigned coalesce_ms, unsigned poll_ms, const char *url) {
        _cleanup_free_ char *binary = test_build_path("hvacd/hvacd"), *config = NULL, *text = NULL;
        char *argv[] = { binary, (char *) "--config", NULL, (char *) "--http-url", (char *) url, NULL };
        pid_t pid;

        config = test_tmp_path(name);
        if (asprintf(&text, "{ \"backend\": \"http\", \"coalesce_ms\": %u, \"http\": { \"url\": \"%s\","
                     " \"poll_interval_ms\": %u } }", coalesce_ms, url, poll_ms) < 0 ||
            test_write_file(config, text) < 0)
                return -1;
        argv[2] = config;
        pid = test_spawn("bench-hvacd-http", argv);
        if (pid <= 0 || test_wait_for_name(bus, NAME, 10 * USEC_PER_SEC) < 0)
                return -1;
        return pid;
}

static void bench_polling(sd_bus *bus, const char *url, unsigned poll_ms) {
        unsigned long long a, b;
        pid_t pid;

        pid = start_hvacd(bus, "hvacd-poll.json", 300, poll_ms, url);
        if (pid < 0) {
                printf("hvacd http: did not start (see %s/test-logs/bench-hvacd-http.log)\n", test_build_dir());
                return;
        }
        usleep(1000 * 1000);    /* past the read-back at start */
        a = context_switches(pid);
        sleep(IDLE_SECONDS);
        b = context_switches(pid);
        printf("hvacd http: %.2f wakeups/s while polling every %u ms (%u s, the unit idle); peak RSS %ld KiB\n",
               (double) (b - a) / IDLE_SECONDS, poll_ms, IDLE_SECONDS, test_peak_rss_kib(pid));
        (void) test_stop(pid, 10 * USEC_PER_SEC);
        usleep(100 * 1000);
}

int main(void) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *script = test_src_path("tests/daikin-emulator.py"), *port_file = NULL,
                            *text = NULL, *url = NULL, *state = NULL;
        char *emu_argv[] = { (char *) "python3", script, (char *) "--port-file", NULL, (char *) "--log", NULL, NULL };
        pid_t emulator, pid;
        int r;

        if (test_bus_start() < 0 || test_bus_connect(&bus) < 0) {
                printf("hvacd http: no private bus (dbus-daemon missing?), nothing measured\n");
                return 1;
        }
        state = test_tmp_path("state");
        (void) mkdir(state, 0755);
        setenv("STATE_DIRECTORY", state, 1);

        port_file = test_tmp_path("port");
        emu_log = test_tmp_path("requests.log");
        emu_argv[3] = port_file;
        emu_argv[5] = emu_log;
        emulator = test_spawn("bench-daikin-emulator", emu_argv);
        for (usec_t end = now_usec(CLOCK_MONOTONIC) + 10 * USEC_PER_SEC;
             access(port_file, F_OK) < 0 && now_usec(CLOCK_MONOTONIC) < end;)
                usleep(10000);
        if (emulator <= 0 || read_full_file(port_file, 64, &text, NULL) < 0 ||
            asprintf(&url, "http://127.0.0.1:%u", (unsigned) strtoul(text, NULL, 10)) < 0) {
                printf("hvacd http: the emulated adapter did not start (python3 missing?), nothing measured\n");
                return 1;
        }

        pid = start_hvacd(bus, "hvacd-latency.json", 0, 10000, url);
        if (pid < 0) {
                printf("hvacd http: did not start (see %s/test-logs/bench-hvacd-http.log)\n", test_build_dir());
                return 1;
        }
        /* Switched on, so every set is a full one. */
        (void) sd_bus_call_method(bus, NAME, PATH, IFACE, "SetPower", NULL, NULL, "b", 1);
        usleep(200 * 1000);
        bench_latency(bus);
        r = test_stop(pid, 10 * USEC_PER_SEC);
        if (r != 0)
                printf("hvacd http: exited %d on SIGTERM\n", r);

        bench_polling(bus, url, 10000);
        bench_polling(bus, url, 1000);

        (void) test_stop(emulator, 5 * USEC_PER_SEC);
        free(emu_log);
        return r == 0 ? 0 : 1;
}
