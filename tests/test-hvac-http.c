/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* hvacd's http backend against an emulated Daikin adapter (tests/daikin-emulator.py, whose
 * docstring lists the API and the quirks it reproduces) on 127.0.0.1, on a private bus: the state
 * read back at start and every poll, sets that carry every field, one kept connection, and the
 * unit misbehaving — slow answers, ret=PARAM NG, garbage, a reset mid-answer, connection refused
 * — each ending with hvacd alive, LastError saying what happened and the accepted state kept;
 * the circuit breaker; state set while the unit was away applied when it is back, also across
 * an hvacd restart. */

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "bus-util.h"
#include "errors.h"
#include "fileio.h"
#include "harness.h"
#include "hvac-client.h"


#define POLL_MS 200

static sd_bus *bus = NULL;
static char *state_dir = NULL, *config = NULL, *emu_log = NULL, *emu_state = NULL, *port_file = NULL;
static char *url = NULL;
static unsigned port = 0;
static pid_t emulator = 0, hvacd = 0;
static int fds_at_start = -1;

/* ---- the emulator ------------------------------------------------------------------------- */

/* One HTTP/1.0 GET to the emulator; the body, or NULL when it cannot be reached. */
static char *emu_get(const char *path) {
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        _cleanup_close_ int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        _cleanup_free_ char *request = NULL;
        char *buf = NULL, *body;
        size_t size = 0;
        ssize_t n;

        struct timeval tv = { .tv_sec = 5 };

        /* A hung emulator fails the check instead of hanging the test. */
        if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
            connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return NULL;
        if (asprintf(&request, "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path) < 0 ||
            write(fd, request, strlen(request)) != (ssize_t) strlen(request))
                return NULL;
        for (;;) {
                char *p = realloc(buf, size + 4096 + 1);
                if (!p) {
                        free(buf);
                        return NULL;
                }
                buf = p;
                n = read(fd, buf + size, 4096);
                if (n <= 0)
                        break;
                size += (size_t) n;
        }
        buf[size] = '\0';
        body = strstr(buf, "\r\n\r\n");
        body = body ? strdup(body + 4) : NULL;
        free(buf);
        return body;
}

/* The value of "key" in the unit's get_control_info (plus htemp), as a string. */
static char *unit_value(const char *key) {
        _cleanup_free_ char *state = emu_get("/emulator/state"), *needle = NULL;
        const char *p;

        if (!state || asprintf(&needle, ",%s=", key) < 0 || !(p = strstr(state, needle)))
                return NULL;
        p += strlen(needle);
        return strndup(p, strcspn(p, ","));
}

static bool unit_is(const char *key, const char *value) {
        _cleanup_free_ char *v = unit_value(key);
        return streq_ptr(v, value);
}

/* How many connections the API requests logged so far came on. */
static unsigned emu_connections(void) {
        _cleanup_free_ char *text = NULL;
        unsigned n = 0, last = 0;

        if (read_full_file(emu_log, 16 << 20, &text, NULL) < 0)
                return 0;
        for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
                unsigned long long usec;
                unsigned id;

                /* Connection ids only grow, so a change is a new connection. */
                if (sscanf(line, "%llu %u", &usec, &id) == 2 && id != last) {
                        n++;
                        last = id;
                }
        }
        return n;
}

static unsigned emu_requests(const char *needle, char **ret_last);

/* A poll reads get_control_info, then get_sensor_info: once three more sensor readings were
 * asked for, hvacd has taken in at least two whole polls since the call. */
static bool three_more_polls(void) {
        unsigned n = emu_requests("get_sensor_info", NULL);

        return WAIT_FOR(emu_requests("get_sensor_info", NULL) >= n + 3, 20 * POLL_MS * USEC_PER_MSEC);
}

static void emu_fault(const char *kind, unsigned count, unsigned delay_ms) {
        _cleanup_free_ char *path = NULL, *answer = NULL;

        require(asprintf(&path, "/emulator/fault?kind=%s&count=%u&delay_ms=%u", kind, count, delay_ms) > 0, "path");
        answer = emu_get(path);
        require(streq_ptr(answer, "ok"), "emulator takes fault %s", kind);
}

static void emu_remote(const char *query) {
        _cleanup_free_ char *path = NULL, *answer = NULL;

        require(asprintf(&path, "/emulator/remote?%s", query) > 0, "path");
        answer = emu_get(path);
        require(streq_ptr(answer, "ok"), "emulator takes remote %s", query);
}

static void emu_start(void) {
        _cleanup_free_ char *script = test_src_path("tests/daikin-emulator.py"), *text = NULL, *port_arg = NULL;
        char *argv[] = { (char *) "python3", script, (char *) "--port-file", port_file, (char *) "--log", emu_log,
                         (char *) "--state", emu_state, (char *) "--port", NULL, NULL };

        require(asprintf(&port_arg, "%u", port) > 0, "port");
        argv[9] = port_arg;
        (void) unlink(port_file);
        emulator = test_spawn("daikin-emulator", argv);
        require(emulator > 0, "spawn the emulator");
        require(WAIT_FOR(access(port_file, F_OK) == 0, 10 * USEC_PER_SEC), "emulator listens");
        require(read_full_file(port_file, 64, &text, NULL) == 0, "read %s", port_file);
        port = (unsigned) strtoul(text, NULL, 10);
        require(port > 0, "port %s", text);
}

static void emu_stop(void) {
        (void) test_stop(emulator, 5 * USEC_PER_SEC);
        emulator = 0;
}

/* Lines of the emulator's request log that contain "needle". */
static unsigned emu_requests(const char *needle, char **ret_last) {
        _cleanup_free_ char *text = NULL;
        unsigned n = 0;

        if (ret_last)
                *ret_last = NULL;
        if (read_full_file(emu_log, 16 << 20, &text, NULL) < 0)
                return 0;
        for (char *line = text, *end; *line; line = *end ? end + 1 : end) {
                end = line + strcspn(line, "\n");
                if (memmem(line, (size_t) (end - line), needle, strlen(needle))) {
                        n++;
                        if (ret_last) {
                                free(*ret_last);
                                *ret_last = strndup(line, (size_t) (end - line));
                        }
                }
        }
        return n;
}

/* ---- hvacd -------------------------------------------------------------------------------- */

static bool last_error_has(const char *needle) {
        _cleanup_free_ char *s = hvac_string("LastError");
        return s && strstr(s, needle);
}

static int call_d(const char *method, double d) {
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        int r = sd_bus_call_method(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, method, &e, NULL,
                                   "d", d);
        if (r < 0)
                test_log("%s(%g): %s", method, d, e.message);
        return r;
}

static int call_b(const char *method, int b) {
        return sd_bus_call_method(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, method, NULL, NULL,
                                  "b", b);
}

static int call_s(const char *method, const char *s) {
        return sd_bus_call_method(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, method, NULL, NULL,
                                  "s", s);
}

static void hvacd_start(const char *log_name) {
        const char *const options[] = { "--backend", "http", "--http-url", url, NULL };

        hvacd = hvac_start(log_name, state_dir, config, options);
}

static void hvacd_stop(const char *what) {
        hvac_stop(hvacd, what);
        hvacd = 0;
}

static bool hvacd_alive(void) {
        return hvacd > 0 && kill(hvacd, 0) == 0 && hvac_bool("Power") >= 0;
}

static bool healthy(void) {
        return hvac_bool("Degraded") == 0 && hvac_string_is("LastError", "");
}

/* ---- the checks --------------------------------------------------------------------------- */

static void test_read_back_at_start(void) {
        check(hvac_string_is("Backend", "http") && hvac_bool("Assumed") == 0, "http, not assumed");
        /* The emulated unit starts off, cooling at 25 °C, fan auto, in a 27 °C room. */
        check(WAIT_FOR(hvac_double("TargetTemperature") == 25 && hvac_double("CurrentTemperature") == 27,
                       3 * USEC_PER_SEC), "state read back at start: %g, room %g",
              hvac_double("TargetTemperature"), hvac_double("CurrentTemperature"));
        check(hvac_bool("Power") == 0 && hvac_string_is("Mode", "cool") && hvac_string_is("FanSpeed", "auto"),
              "unit's state");
        check(healthy(), "healthy");
        fds_at_start = test_count_fds(hvacd);
}

static void test_set(void) {
        _cleanup_free_ char *last = NULL;

        check(call_b("SetPower", 1) >= 0 && call_d("SetTargetTemperature", 23) >= 0 &&
              call_s("SetFanSpeed", "medium") >= 0, "calls succeed");
        check(WAIT_FOR(unit_is("pow", "1") && unit_is("stemp", "23.0") && unit_is("f_rate", "5"), 3 * USEC_PER_SEC),
              "the unit took power on, 23 °C, fan level 3");
        emu_requests("set_control_info", &last);
        /* Every field, and what hvacd does not model (f_dir, shum) as the unit had it. */
        check(last && strstr(last, "pow=1") && strstr(last, "mode=3") && strstr(last, "stemp=23.0") &&
              strstr(last, "shum=0") && strstr(last, "f_rate=5") && strstr(last, "f_dir=0"), "set: %s", last);

        /* Dry mode: the unit's own target "M" goes back, TargetTemperature stays. */
        emu_remote("f_dir=3");
        check(call_s("SetMode", "dry") >= 0, "SetMode dry");
        check(WAIT_FOR(unit_is("mode", "2") && unit_is("stemp", "M"), 3 * USEC_PER_SEC), "the unit dries");
        check(unit_is("f_dir", "3"), "swing set on the unit's remote is kept");
        check(three_more_polls(), "three more polls");
        check(hvac_double("TargetTemperature") == 23 && hvac_string_is("Mode", "dry"), "target kept in dry mode");
        check(call_s("SetMode", "cool") >= 0 && WAIT_FOR(unit_is("mode", "3") && unit_is("stemp", "23.0"),
                                                         3 * USEC_PER_SEC), "back to cooling at 23");
        check(healthy(), "healthy after sets");
}

static void test_remote_change(void) {
        usec_t t0, t1;

        WAIT_FOR(unit_is("mode", "3"), USEC_PER_SEC);
        t0 = now_usec(CLOCK_MONOTONIC);
        emu_remote("stemp=21.0&f_rate=7&htemp=22.5");
        check(WAIT_FOR(hvac_double("TargetTemperature") == 21 && hvac_string_is("FanSpeed", "high") &&
                       hvac_double("CurrentTemperature") == 22.5, 2 * POLL_MS * USEC_PER_MSEC + 300 * USEC_PER_MSEC),
              "the remote's change is on the bus within a poll: %g °C, room %g", hvac_double("TargetTemperature"),
              hvac_double("CurrentTemperature"));
        t1 = now_usec(CLOCK_MONOTONIC);
        test_log("remote change seen after %.0f ms (poll interval %u ms)", (t1 - t0) / 1000.0, POLL_MS);

        /* A unit whose sensor has no reading says "-" or "--": no room temperature, not an error. */
        emu_remote("htemp=--");
        check(WAIT_FOR(isnan(hvac_double("CurrentTemperature")), 3 * USEC_PER_SEC), "htemp -- is NaN");
        emu_remote("htemp=-");
        check(three_more_polls(), "three more polls");
        check(isnan(hvac_double("CurrentTemperature")) && healthy(), "htemp - is NaN, healthy");
        emu_remote("htemp=22.5");
        check(WAIT_FOR(hvac_double("CurrentTemperature") == 22.5, 3 * USEC_PER_SEC), "a reading again");

        /* The remote switches to heating: the unit brings its stored heating target (dt4) back. */
        emu_remote("mode=4");
        check(WAIT_FOR(hvac_string_is("Mode", "heat") && hvac_double("TargetTemperature") == 22, 3 * USEC_PER_SEC),
              "heat at the unit's stored 22 °C: %g", hvac_double("TargetTemperature"));
        emu_remote("mode=3");
        check(WAIT_FOR(hvac_string_is("Mode", "cool") && hvac_double("TargetTemperature") == 21, 3 * USEC_PER_SEC),
              "cooling again at its stored 21 °C");
}

static void test_one_connection(void) {
        unsigned polls = emu_requests("get_sensor_info", NULL);

        check(polls >= 5, "%u polls so far", polls);
        check(emu_connections() == 1, "one connection kept for %u requests: %u connections",
              emu_requests("/aircon/", NULL), emu_connections());
}

static void test_param_ng(void) {
        /* 16 °C is within hvacd's limits, but the unit cools at 18…32 only. */
        check(call_d("SetTargetTemperature", 16) >= 0, "hvacd takes 16");
        check(WAIT_FOR(last_error_has("PARAM NG"), 3 * USEC_PER_SEC), "LastError says PARAM NG");
        check(hvacd_alive() && unit_is("stemp", "21.0"), "the unit keeps 21 °C");
        check(hvac_double("TargetTemperature") == 16, "the bus keeps what was asked");
        check(call_d("SetTargetTemperature", 24) >= 0 &&
              WAIT_FOR(unit_is("stemp", "24.0") && healthy(), 3 * USEC_PER_SEC), "the next good state goes through");
}

static void test_garbage(void) {
        emu_fault("garbage", 6, 0);
        check(WAIT_FOR(last_error_has("not ret=") || last_error_has("not text"), 5 * USEC_PER_SEC),
              "LastError says the answer is not the API's");
        check(WAIT_FOR(hvac_bool("Degraded") == 1, 5 * USEC_PER_SEC), "degraded after 5 failures");
        check(hvacd_alive() && hvac_double("TargetTemperature") == 24, "alive, 24 °C kept");
        check(WAIT_FOR(healthy(), 5 * USEC_PER_SEC), "recovers once the unit talks sense");
}

static void test_slow(void) {
        usec_t t0, worst = 0;

        /* Slower than the 1 s timeout. Meanwhile the bus answers at once: nothing blocks. */
        emu_fault("slow", 1, 1500);
        t0 = now_usec(CLOCK_MONOTONIC);
        while (now_usec(CLOCK_MONOTONIC) - t0 < 1200 * USEC_PER_MSEC) {
                usec_t a = now_usec(CLOCK_MONOTONIC);
                (void) hvac_double("TargetTemperature");
                worst = MAX(worst, now_usec(CLOCK_MONOTONIC) - a);
                usleep(20000);
        }
        /* A blocking request would hold the bus for the whole 1 s timeout. */
        check(worst < 500 * USEC_PER_MSEC, "the bus answered within %.1f ms during a slow request", worst / 1000.0);
        check(WAIT_FOR(last_error_has("timed out"), 3 * USEC_PER_SEC), "LastError says timed out");
        check(hvacd_alive() && hvac_double("TargetTemperature") == 24, "alive, 24 °C kept");
        check(WAIT_FOR(healthy(), 5 * USEC_PER_SEC), "recovers");

        /* Slow but within the timeout: just slow. */
        emu_fault("slow", 1, 400);
        check(call_d("SetTargetTemperature", 25) >= 0 && WAIT_FOR(unit_is("stemp", "25.0"), 5 * USEC_PER_SEC),
              "a set behind a slow answer arrives");
        check(healthy(), "a slow answer within the timeout is no failure");
}

static void test_reset(void) {
        emu_fault("reset", 2, 0);
        check(WAIT_FOR(last_error_has("reset") || last_error_has("Connection reset"), 3 * USEC_PER_SEC),
              "LastError says the connection was reset");
        check(hvacd_alive() && hvac_double("TargetTemperature") == 25 && unit_is("stemp", "25.0"),
              "alive, 25 °C kept");
        check(WAIT_FOR(healthy(), 5 * USEC_PER_SEC), "recovers");
}

static unsigned log_count(const char *log_name, const char *needle) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        unsigned n = 0;

        if (asprintf(&path, "%s/test-logs/%s.log", test_build_dir(), log_name) < 0 ||
            read_full_file(path, 16 << 20, &text, NULL) < 0)
                return 0;
        for (char *p = text; (p = strstr(p, needle)); p++)
                n++;
        return n;
}

static void test_refused_and_breaker(void) {
        unsigned a, b;

        emu_stop();
        check(WAIT_FOR(hvac_bool("Degraded") == 1, 5 * USEC_PER_SEC), "degraded with the unit gone");
        check(last_error_has("Connection refused"), "LastError says refused");

        /* Open circuit: probes back off to retry_max_ms (1 s) instead of a request every 200 ms. */
        usleep(1500 * 1000);
        a = log_count("hvacd-http", "Reading back from");
        usleep(2000 * 1000);
        b = log_count("hvacd-http", "Reading back from");
        check(b - a <= 4, "%u probes in 2 s with the circuit open (polls would be 10)", b - a);

        /* State set meanwhile: accepted, kept, and sent when the unit is back; last write wins. */
        check(call_d("SetTargetTemperature", 26) >= 0 && call_d("SetTargetTemperature", 27) >= 0, "calls succeed");
        check(hvacd_alive() && hvac_double("TargetTemperature") == 27, "alive, 27 °C on the bus");
        emu_start();
        check(WAIT_FOR(unit_is("stemp", "27.0"), 5 * USEC_PER_SEC), "the unit got 27 when it came back");
        check(WAIT_FOR(healthy(), 3 * USEC_PER_SEC), "healthy again");
        check(emu_requests("stemp=26.0", NULL) == 0, "26 never went out");
        /* Timeouts, resets and refusals behind it, one kept connection again. */
        check(test_count_fds(hvacd) == fds_at_start, "no fd leaked: %d fds, %d at start",
              test_count_fds(hvacd), fds_at_start);
}

static bool file_has(const char *path, const char *needle) {
        _cleanup_free_ char *text = NULL;

        return read_full_file(path, 4096, &text, NULL) == 0 && strstr(text, needle);
}

static void test_restart_pending(void) {
        _cleanup_free_ char *path = NULL, *text = NULL;

        /* Set while the unit is away, then hvacd restarts: the state file has it as pending. */
        emu_stop();
        check(call_d("SetTargetTemperature", 28) >= 0, "set 28 while away");
        require(asprintf(&path, "%s/http-state.json", state_dir) > 0, "path");
        check(WAIT_FOR(file_has(path, "\"target_temperature\":28") && file_has(path, "\"pending\":true"),
                       2 * USEC_PER_SEC), "28 is in the state file, pending");
        hvacd_stop("pending");
        check(read_full_file(path, 4096, &text, NULL) == 0 && strstr(text, "\"target_temperature\":28") &&
              strstr(text, "\"pending\":true"), "state file: %s", text);

        /* Someone uses the remote meanwhile; ours is the later write. */
        emu_start();
        emu_remote("stemp=20.0");
        hvacd_start("hvacd-http-2");
        check(WAIT_FOR(unit_is("stemp", "28.0"), 5 * USEC_PER_SEC), "the pending 28 reached the unit after the restart");
        check(hvac_double("TargetTemperature") == 28 && WAIT_FOR(healthy(), 3 * USEC_PER_SEC), "bus at 28, healthy");
        /* The unit's answer has to reach hvacd too before the state counts as confirmed. */
        check(WAIT_FOR(hvac_u64("Transmissions") == 1, 3 * USEC_PER_SEC), "hvacd heard the unit take it");

        /* Nothing pending: a restart takes the unit's state as it finds it. */
        hvacd_stop("delivered");
        free(text);
        text = NULL;
        check(read_full_file(path, 4096, &text, NULL) == 0 && !strstr(text, "pending"), "not pending: %s", text);
        emu_remote("stemp=19.0&pow=0");
        hvacd_start("hvacd-http-3");
        check(WAIT_FOR(hvac_double("TargetTemperature") == 19 && hvac_bool("Power") == 0, 3 * USEC_PER_SEC),
              "the unit's state after a clean restart: %g", hvac_double("TargetTemperature"));
        check(unit_is("stemp", "19.0"), "and hvacd did not overwrite it");
}

int main(void) {
        _cleanup_free_ char *text = NULL;

        if (access("/usr/bin/dbus-daemon", X_OK) < 0)
                test_skip("dbus-daemon is not installed");
        if (access("/usr/bin/python3", X_OK) < 0)
                test_skip("python3 is not installed");
        require(test_bus_start() == 0, "private bus");
        require(test_bus_connect(&bus) >= 0, "connect");
        hvac_client_init(bus);
        require(vh_errors_register() >= 0, "errors");

        state_dir = test_tmp_path("state");
        config = test_tmp_path("hvacd.json");
        emu_log = test_tmp_path("requests.log");
        emu_state = test_tmp_path("unit.json");
        port_file = test_tmp_path("port");
        require(mkdir(state_dir, 0755) == 0, "state dir");

        emu_start();
        require(asprintf(&url, "http://127.0.0.1:%u", port) > 0, "url");
        /* The file names another unit: the command line wins. */
        require(asprintf(&text, "{ \"backend\": \"sim\", \"coalesce_ms\": 10, \"retry_initial_ms\": 50,"
                         "  \"retry_max_ms\": 1000, \"degraded_after_failures\": 5,"
                         "  \"state_file\": \"http-state.json\","
                         "  \"http\": { \"url\": \"http://192.0.2.1\", \"connect_timeout_ms\": 500,"
                         "              \"timeout_ms\": 1000, \"poll_interval_ms\": %u } }", POLL_MS) > 0, "config");
        require(test_write_file(config, text) == 0, "write config");

        hvacd_start("hvacd-http");
        test_read_back_at_start();
        test_set();
        test_remote_change();
        test_one_connection();
        test_param_ng();
        test_garbage();
        test_slow();
        test_reset();
        test_refused_and_breaker();
        test_restart_pending();

        check(hvacd_alive(), "hvacd alive at the end");
        hvacd_stop("end");
        emu_stop();
        return test_result();
}
