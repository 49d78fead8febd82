/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The bus fuzzer (tests/busfuzz/) against the real daemons on a private bus, for a bounded number
 * of calls: every method and property of every contract in dbus-interfaces/, with wrong types,
 * boundary and random values. busfuzz itself checks each daemon after each batch (same process,
 * Ping, a property read), every property's type at the end, fds before/after, and that every
 * error is a named one; this test adds that no daemon keeps an fd of 200 clients that connected,
 * called and went away, and that each still exits cleanly (no leak under ASan).
 * The seed is printed, and VH_BUSFUZZ_SEED reruns the same calls. */

#include <stdio.h>
#include <stdlib.h>

#include "harness.h"
#include "stack.h"

#define CONNECTION_CYCLES 200

/* Many clients connecting, calling and going away: no daemon may keep anything of them. */
static void check_connection_cycles(const char *name, const char *path, pid_t pid) {
        usec_t end;
        int before, after;

        if (pid <= 0)
                return;
        before = test_count_fds(pid);
        for (unsigned i = 0; i < CONNECTION_CYCLES; i++) {
                _cleanup_(sd_bus_flush_close_unrefp) sd_bus *b = NULL;

                if (test_bus_connect(&b) < 0 ||
                    sd_bus_call_method(b, name, path, "org.freedesktop.DBus.Peer", "Ping", NULL, NULL, NULL) < 0) {
                        check(false, "%s: connection %u answered", name, i);
                        return;
                }
                /* Half of them leave with a match installed, so the daemon's bus has to forget it. */
                if (i % 2 == 0)
                        (void) sd_bus_match_signal(b, NULL, name, path, NULL, NULL, NULL, NULL);
        }
        end = now_usec(CLOCK_MONOTONIC) + 3 * USEC_PER_SEC;
        while ((after = test_count_fds(pid)) != before && now_usec(CLOCK_MONOTONIC) < end)
                usleep(50 * 1000);
        check(before > 0 && after == before, "%s: no fd leaked over %u client connections (%d → %d)", name,
              CONNECTION_CYCLES, before, after);
}

int main(void) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *busfuzz = test_build_path("tests/busfuzz/busfuzz"), *xml = test_src_path("dbus-interfaces");
        _cleanup_free_ char *stats = NULL, *out = NULL;
        const char *seed = getenv("VH_BUSFUZZ_SEED");
        Stack s = {};
        int r;

        stack_require_audio();
        test_require_built("tests/busfuzz/busfuzz");

        stack_audio_setup(&s, 4, "root");
        require(test_bus_start() == 0, "private dbus-daemon");
        require(test_bus_connect(&bus) >= 0, "connect");
        stack_start_audiod(&s, bus);
        stack_start_hvacd(&s, bus, 100);
        stack_start_wakeword(&s, bus);
        stack_start_watchdogd(&s, bus);
        stack_start_mqttd(&s, bus);

        require(asprintf(&stats, "%s/reliability-stats", test_build_dir()) > 0, "asprintf");
        {
                char *argv[] = { busfuzz, (char *) "--xml-dir", xml, (char *) "--calls",
                                 (char *) (getenv("VH_BUSFUZZ_CALLS") ?: stack_is_asan() ? "300" : "600"), (char *) "--seconds", (char *) "60",
                                 (char *) "--stats", stats, NULL, NULL, NULL, NULL };
                size_t n = 9;

                if (getenv("VH_BUSFUZZ_VERBOSE"))
                        argv[n++] = (char *) "--verbose";
                if (seed) {
                        argv[n++] = (char *) "--seed";
                        argv[n++] = (char *) seed;
                }
                r = test_run(argv, &out);
        }
        fputs(out ?: "", stderr);
        check(r == 0, "busfuzz found nothing (exit %d; each FINDING line above names the call)", r);
        check(out && strstr(out, "(0 skipped)"), "every service in dbus-interfaces/ was fuzzed");

        check_connection_cycles(VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, s.audiod);
        check_connection_cycles(VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, s.hvacd);
        check_connection_cycles(VH_WAKEWORD_BUS_NAME, VH_WAKEWORD_OBJECT_PATH, s.wakeword);
        check_connection_cycles(VH_WATCHDOG_BUS_NAME, VH_WATCHDOG_OBJECT_PATH, s.watchdogd);
        check_connection_cycles(VH_MQTT_BUS_NAME, VH_MQTT_OBJECT_PATH, s.mqttd);

        stack_stop(&s);
        return test_result();
}
