/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* hvacd on a private bus, driven the way a client drives it: every method and property, every
 * kind of bad input, coalescing observed at the sim backend's transmit log, voice intents as
 * CommandRecognized signals, persistence across restarts, a corrupt state file, and a failing
 * lirc backend that degrades, backs off and recovers, and one that follows the unit's remote
 * through a receiver. */

#include <dirent.h>
#include <fcntl.h>
#include <linux/lirc.h>
#include <math.h>
#include <sys/stat.h>

#include "bus-util.h"
#include "errors.h"
#include "fileio.h"
#include "harness.h"
#include "hvac-client.h"
#include "string-util.h"


static sd_bus *bus = NULL;
static char *changed_names = NULL;     /* PropertiesChanged seen, "Name " each */
static char *state_dir = NULL, *tx_log = NULL;

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *iface, *name;
        size_t len = changed_names ? strlen(changed_names) : 0;

        if (sd_bus_message_read(m, "s", &iface) < 0 || sd_bus_message_enter_container(m, 'a', "{sv}") < 0)
                return 0;
        while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
                if (sd_bus_message_read(m, "s", &name) < 0)
                        return 0;
                changed_names = realloc(changed_names, len + strlen(name) + 2);
                len += (size_t) sprintf(changed_names + len, "%s ", name);
                (void) sd_bus_message_skip(m, "v");
                (void) sd_bus_message_exit_container(m);
        }
        return 0;
}

/* Lets queued signals reach on_properties_changed(). */
static void pump(usec_t usec) {
        usec_t end = now_usec(CLOCK_MONOTONIC) + usec;

        while (now_usec(CLOCK_MONOTONIC) < end) {
                if (sd_bus_process(bus, NULL) > 0)
                        continue;
                (void) sd_bus_wait(bus, end - now_usec(CLOCK_MONOTONIC));
        }
}

static void changed_reset(void) {
        pump(20 * USEC_PER_MSEC);
        free(changed_names);
        changed_names = NULL;
}

static bool changed_has(const char *name) {
        _cleanup_free_ char *needle = NULL;

        if (!changed_names || asprintf(&needle, "%s ", name) < 0)
                return false;
        return strstr(changed_names, needle) != NULL;
}

/* The whole state, for "unchanged" checks. */
static char *state_snapshot(void) {
        _cleanup_free_ char *mode = hvac_string("Mode"), *fan = hvac_string("FanSpeed");
        char *s;

        if (asprintf(&s, "%d %s %g %s", hvac_bool("Power"), mode, hvac_double("TargetTemperature"), fan) < 0)
                abort();
        return s;
}

static int call(const char *method, sd_bus_error *error, const char *types, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        va_list ap;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, method);
        if (r < 0)
                return r;
        va_start(ap, types);
        r = sd_bus_message_appendv(m, types, ap);
        va_end(ap);
        if (r < 0)
                return r;
        return sd_bus_call(bus, m, 5 * USEC_PER_SEC, error, &reply);
}

/* A call that must fail with InvalidArgument naming "needle", leaving the state as it was. */
static void expect_invalid(const char *what, const char *needle, const char *method, const char *types, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *before = state_snapshot(), *after = NULL;
        va_list ap;
        int r;

        require(sd_bus_message_new_method_call(bus, &m, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE,
                                               method) >= 0, "new call");
        va_start(ap, types);
        r = sd_bus_message_appendv(m, types, ap);
        va_end(ap);
        require(r >= 0, "append for %s", what);
        r = sd_bus_call(bus, m, 5 * USEC_PER_SEC, &e, &reply);
        check(r < 0 && sd_bus_error_has_name(&e, VH_ERROR_INVALID_ARGUMENT), "%s: error %s", what, e.name);
        check(e.message && strstr(e.message, needle), "%s: message '%s' names '%s'", what, e.message, needle);
        after = state_snapshot();
        check(streq(before, after), "%s: state unchanged (%s → %s)", what, before, after);
}

static unsigned tx_lines(char **ret_last) {
        _cleanup_free_ char *text = NULL;
        unsigned n = 0;
        char *last = NULL;

        if (read_full_file(tx_log, 1024 * 1024, &text, NULL) < 0)
                return 0;
        for (char *p = text; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
                n++;
                last = p;
        }
        if (ret_last)
                *ret_last = last ? strndup(last, strcspn(last, "\n")) : NULL;
        return n;
}

static void test_properties(void) {
        check(hvac_bool("Power") == 0, "Power off");
        check(hvac_string_is("Mode", "cool"), "Mode cool");
        check(hvac_double("TargetTemperature") == 24, "TargetTemperature 24");
        check(hvac_string_is("FanSpeed", "auto"), "FanSpeed auto");
        check(hvac_double("CurrentTemperature") == 27, "CurrentTemperature at ambient");
        check(hvac_double("MinTemperature") == 16 && hvac_double("MaxTemperature") == 30 &&
              hvac_double("TemperatureStep") == 0.5, "limits");
        check(hvac_string_is("Backend", "sim") && hvac_bool("Assumed") == 0, "sim, not assumed");
        check(hvac_string_is("LastError", "") && hvac_bool("Degraded") == 0, "healthy");
        check(hvac_u64("Transmissions") == 0, "nothing sent yet");
}

static void test_methods(void) {
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        uint64_t tx;

        changed_reset();
        check(call("SetPower", &e, "b", 1) >= 0 && hvac_bool("Power") == 1, "SetPower");
        check(call("SetMode", &e, "s", "heat") >= 0 && hvac_string_is("Mode", "heat"), "SetMode");
        check(call("SetTargetTemperature", &e, "d", 22.5) >= 0 && hvac_double("TargetTemperature") == 22.5,
              "SetTargetTemperature");
        check(call("SetFanSpeed", &e, "s", "medium") >= 0 && hvac_string_is("FanSpeed", "medium"), "SetFanSpeed");
        pump(50 * USEC_PER_MSEC);
        check(changed_has("Power") && changed_has("Mode") && changed_has("TargetTemperature") &&
              changed_has("FanSpeed"), "PropertiesChanged for each: %s", changed_names);

        check(call("Apply", &e, "a{sv}", 4, "power", "b", 0, "mode", "s", "fan_only", "target_temperature", "d",
                   19.0, "fan_speed", "s", "high") >= 0, "Apply all four: %s", e.message);
        check(hvac_bool("Power") == 0 && hvac_string_is("Mode", "fan_only") && hvac_double("TargetTemperature") == 19 &&
              hvac_string_is("FanSpeed", "high"), "Apply took all four");
        check(call("Apply", &e, "a{sv}", 0) >= 0, "empty Apply");

        /* No-op shortcut: the same state again announces nothing and sends nothing. */
        pump(500 * USEC_PER_MSEC);       /* let the coalescing window of the changes above pass */
        tx = hvac_u64("Transmissions");
        changed_reset();
        check(call("SetMode", &e, "s", "fan_only") >= 0 && call("SetPower", &e, "b", 0) >= 0 &&
              call("Apply", &e, "a{sv}", 1, "fan_speed", "s", "high") >= 0, "same values accepted");
        pump(500 * USEC_PER_MSEC);
        check(!changed_has("Mode") && !changed_has("Power") && !changed_has("FanSpeed"),
              "no PropertiesChanged for a no-op: %s", changed_names ?: "");
        check(hvac_u64("Transmissions") == tx, "no transmission for a no-op");
}

/* A 16 MiB mode is refused with a message of a line, not 16 MiB echoed back. */
static void test_huge_input(void) {
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *huge = malloc(16 << 20);

        require(huge, "malloc");
        memset(huge, 'x', (16 << 20) - 1);
        huge[(16 << 20) - 1] = 0;
        check(call("SetMode", &e, "s", huge) < 0 && sd_bus_error_has_name(&e, VH_ERROR_INVALID_ARGUMENT),
              "16 MiB mode: %s", e.name);
        check(e.message && strlen(e.message) < 256 && strstr(e.message, "Invalid mode 'xxxx"),
              "the message is cut: %zu bytes", e.message ? strlen(e.message) : 0);
        sd_bus_error_free(&e);
        check(call("Apply", &e, "a{sv}", 1, huge, "b", 1) < 0 && sd_bus_error_has_name(&e, VH_ERROR_INVALID_ARGUMENT),
              "16 MiB key: %s", e.name);
        check(e.message && strlen(e.message) < 256, "the key is cut: %zu bytes", e.message ? strlen(e.message) : 0);
}

static void test_bad_input(void) {
        expect_invalid("unknown mode", "'warm'", "SetMode", "s", "warm");
        expect_invalid("empty mode", "Invalid mode", "SetMode", "s", "");
        expect_invalid("unknown fan", "'turbo'", "SetFanSpeed", "s", "turbo");
        expect_invalid("NaN", "not a finite number", "SetTargetTemperature", "d", NAN);
        expect_invalid("infinity", "not a finite number", "SetTargetTemperature", "d", INFINITY);
        expect_invalid("too hot", "target_temperature 35", "SetTargetTemperature", "d", 35.0);
        expect_invalid("too cold", "out of range", "SetTargetTemperature", "d", 15.5);
        expect_invalid("between steps", "step grid", "SetTargetTemperature", "d", 24.3);
        expect_invalid("unknown key", "'swing'", "Apply", "a{sv}", 1, "swing", "b", 1);
        expect_invalid("wrong type", "'target_temperature'", "Apply", "a{sv}", 1, "target_temperature", "i", 24);
        expect_invalid("wrong type power", "'power'", "Apply", "a{sv}", 1, "power", "s", "on");
        expect_invalid("duplicate key", "'mode' given twice", "Apply", "a{sv}", 2, "mode", "s", "cool",
                       "mode", "s", "heat");
        /* All or nothing: the valid fields of a bad call are not applied either. */
        expect_invalid("one bad field", "target_temperature 99", "Apply", "a{sv}", 3, "power", "b", 1,
                       "mode", "s", "cool", "target_temperature", "d", 99.0);
        expect_invalid("bad mode in Apply", "'arctic'", "Apply", "a{sv}", 2, "power", "b", 1,
                       "mode", "s", "arctic");
        expect_invalid("bad fan in Apply", "'max'", "Apply", "a{sv}", 2, "target_temperature", "d", 20.0,
                       "fan_speed", "s", "max");
        /* Nothing is rounded into range or onto the grid, and the message shows the value as sent. */
        expect_invalid("a hair above the maximum", "target_temperature 30.0000001: out of range",
                       "SetTargetTemperature", "d", 30.0000001);
        expect_invalid("a hair below the minimum", "15.99999999", "SetTargetTemperature", "d", 15.99999999);
        expect_invalid("a hair off the grid", "target_temperature 22.000001: not on", "SetTargetTemperature", "d",
                       22.000001);
        expect_invalid("a tenth of a nanodegree off", "22.0000000001", "SetTargetTemperature", "d", 22.0000000001);
        test_huge_input();
}

static void test_coalescing(void) {
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *last = NULL;
        unsigned before, after;
        uint64_t tx;
        usec_t start;

        pump(500 * USEC_PER_MSEC);
        before = tx_lines(NULL);
        tx = hvac_u64("Transmissions");
        check(tx == before, "Transmissions %llu matches the transmit log's %u lines", (unsigned long long) tx, before);

        /* Ten changes, back to back, all inside the 300 ms window: a premise of what follows. */
        start = now_usec(CLOCK_MONOTONIC);
        for (int i = 0; i < 10; i++)
                check(call("SetTargetTemperature", &e, "d", 17.0 + i * 0.5) >= 0, "change %d", i);
        check(now_usec(CLOCK_MONOTONIC) - start < 250 * USEC_PER_MSEC, "ten changes inside the window (%llu ms)",
              (unsigned long long) ((now_usec(CLOCK_MONOTONIC) - start) / USEC_PER_MSEC));
        check(hvac_double("TargetTemperature") == 21.5, "the property shows the last at once");
        check(tx_lines(NULL) == before, "nothing sent within the window");

        check(WAIT_FOR(tx_lines(NULL) > before, 2 * USEC_PER_SEC), "sent after the window");
        pump(400 * USEC_PER_MSEC);
        after = tx_lines(&last);
        check(after == before + 1, "one transmission for ten changes (%u)", after - before);
        check(last && strstr(last, "\"target_temperature\":21.5"), "carrying the last state: %s", last);
        check(hvac_u64("Transmissions") == tx + 1, "Transmissions counts it");
}

static void emit_intent(const char *text, const char *action, const char *value_type, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        va_list ap;

        require(sd_bus_message_new_signal(bus, &m, VH_WAKEWORD_OBJECT_PATH, VH_WAKEWORD_INTERFACE,
                                          "CommandRecognized") >= 0, "signal");
        require(sd_bus_message_append(m, "s", text) >= 0 && sd_bus_message_open_container(m, 'a', "{sv}") >= 0,
                "append");
        if (action)
                require(sd_bus_message_append(m, "{sv}", "action", "s", action) >= 0, "action");
        if (value_type) {
                require(sd_bus_message_open_container(m, 'e', "sv") >= 0 &&
                        sd_bus_message_append(m, "s", "value") >= 0 &&
                        sd_bus_message_open_container(m, 'v', value_type) >= 0, "value");
                va_start(ap, value_type);
                require(sd_bus_message_appendv(m, value_type, ap) >= 0, "value");
                va_end(ap);
                require(sd_bus_message_close_container(m) >= 0 && sd_bus_message_close_container(m) >= 0, "close");
        }
        require(sd_bus_message_append(m, "{sv}", "confidence", "d", 0.9) >= 0, "extra key");
        require(sd_bus_message_close_container(m) >= 0 && sd_bus_message_append(m, "t", (uint64_t) 4310000) >= 0,
                "close");
        require(sd_bus_send(bus, m, NULL) >= 0, "send");
}

static void test_intents(void) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *odd = NULL;

        emit_intent("set the temperature to twenty six degrees", "set_temperature", "d", 26.0);
        check(WAIT_FOR(hvac_double("TargetTemperature") == 26, 2 * USEC_PER_SEC), "set_temperature d");
        emit_intent("set the temperature to twenty", "set_temperature", "i", 20);
        check(WAIT_FOR(hvac_double("TargetTemperature") == 20, 2 * USEC_PER_SEC), "set_temperature i");
        emit_intent("warmer", "adjust_temperature", "i", 1);
        check(WAIT_FOR(hvac_double("TargetTemperature") == 20.5, 2 * USEC_PER_SEC), "warmer by one step");
        emit_intent("cooler", "adjust_temperature", "d", -1.0);
        check(WAIT_FOR(hvac_double("TargetTemperature") == 20, 2 * USEC_PER_SEC), "cooler by one step");
        emit_intent("switch to cooling mode", "set_mode", "s", "cool");
        check(WAIT_FOR(hvac_string_is("Mode", "cool"), 2 * USEC_PER_SEC), "set_mode");
        emit_intent("turn on the air conditioner", "set_power", "b", 1);
        check(WAIT_FOR(hvac_bool("Power") == 1, 2 * USEC_PER_SEC), "set_power");
        emit_intent("fan speed low", "set_fan", "s", "low");
        check(WAIT_FOR(hvac_string_is("FanSpeed", "low"), 2 * USEC_PER_SEC), "set_fan");

        /* Invalid intents are dropped, and hvacd carries on. */
        emit_intent("set the temperature to ninety", "set_temperature", "d", 90.0);
        emit_intent("open the window", "open_window", "b", 1);
        emit_intent("turn on", "set_power", "s", "on");
        emit_intent("mode", "set_mode", "s", "arctic");
        emit_intent("nothing", NULL, NULL);
        emit_intent("warmer by half", "adjust_temperature", "d", 0.5);
        emit_intent("weird value", "set_temperature", "as", 1, "x");
        require(sd_bus_message_new_signal(bus, &odd, VH_WAKEWORD_OBJECT_PATH, VH_WAKEWORD_INTERFACE,
                                          "CommandRecognized") >= 0 && sd_bus_message_append(odd, "su", "x", 7) >= 0,
                "odd signal");
        require(sd_bus_send(bus, odd, NULL) >= 0, "send");
        /* A signal from elsewhere is not an intent. */
        {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *other = NULL;
                require(sd_bus_message_new_signal(bus, &other, "/org/example/Other", VH_WAKEWORD_INTERFACE,
                                                  "CommandRecognized") >= 0, "other");
                require(sd_bus_message_append(other, "sa{sv}t", "x", 2, "action", "s", "set_power", "value", "b", 0,
                                              (uint64_t) 1) >= 0 && sd_bus_send(bus, other, NULL) >= 0, "send other");
        }
        /* Followed by a good one, to know the bad ones were processed. */
        emit_intent("fan speed high", "set_fan", "s", "high");
        check(WAIT_FOR(hvac_string_is("FanSpeed", "high"), 2 * USEC_PER_SEC), "still listening");
        check(hvac_bool("Power") == 1 && hvac_string_is("Mode", "cool") && hvac_double("TargetTemperature") == 20,
              "bad intents changed nothing");
}

/* The room's temperature goes in steps of the sim's resolution; a value such as
 * 27.900000000000002 on the bus is float noise that every client would show. */
static bool room_noisy;
static char room_noisy_example[DOUBLE_STR_MAX] = "none";

static bool room_reached(double t) {
        double v = hvac_double("CurrentTemperature");
        char shown[DOUBLE_STR_MAX];
        const char *dot = strchr(format_double(shown, v), '.');

        if (dot && strlen(dot) > 2) {
                room_noisy = true;
                memcpy(room_noisy_example, shown, sizeof shown);
        }
        return v == t;
}

static void test_sim_room(void) {
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;

        /* Cooling to 24 from an ambient 27 at 600 °C/min: 0.3 s after the window. */
        check(call("Apply", &e, "a{sv}", 3, "power", "b", 1, "mode", "s", "cool", "target_temperature", "d",
                   24.0) >= 0, "cool to 24");
        check(WAIT_FOR(hvac_double("CurrentTemperature") < 27, 3 * USEC_PER_SEC), "the room starts cooling");
        check(WAIT_FOR(room_reached(24), 5 * USEC_PER_SEC), "and reaches 24: %g", hvac_double("CurrentTemperature"));
        check(!room_noisy, "every room temperature on the way is a plain decimal, e.g. 25.9 (saw %s)",
              room_noisy_example);
        changed_reset();
        pump(300 * USEC_PER_MSEC);
        check(!changed_has("CurrentTemperature"), "settled: no more updates (%s)", changed_names ?: "");
}

static void test_persistence(pid_t *pid, const char *config) {
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *state_file = NULL, *text = NULL, *last = NULL;
        unsigned lines;

        check(call("Apply", &e, "a{sv}", 4, "power", "b", 1, "mode", "s", "dry", "target_temperature", "d", 25.5,
                   "fan_speed", "s", "medium") >= 0, "set a state");
        pump(500 * USEC_PER_MSEC);
        /* A change still inside the coalescing window when SIGTERM comes is not lost. */
        lines = tx_lines(NULL);
        check(call("SetTargetTemperature", &e, "d", 27.0) >= 0, "last change");
        hvac_stop(*pid, "persistence");

        require(asprintf(&state_file, "%s/hvacd-state.json", state_dir) > 0, "path");
        check(read_full_file(state_file, 4096, &text, NULL) == 0 && strstr(text, "\"target_temperature\":27") &&
              strstr(text, "\"mode\":\"dry\""), "state file holds the final state: %s", text);
        check(tx_lines(&last) == lines + 1 && last && strstr(last, "\"target_temperature\":27"),
              "the final state was sent before exit: %s", last);

        *pid = hvac_start("hvacd-bus-2", state_dir, config, NULL);
        check(hvac_bool("Power") == 1 && hvac_string_is("Mode", "dry") && hvac_double("TargetTemperature") == 27 &&
              hvac_string_is("FanSpeed", "medium"), "restored after restart");
}

static unsigned count_corrupt_files(void) {
        DIR *d = opendir(state_dir);
        struct dirent *de;
        unsigned n = 0;

        while (d && (de = readdir(d)))
                if (strstr(de->d_name, "hvacd-state.json.corrupt-"))
                        n++;
        if (d)
                closedir(d);
        return n;
}

static void test_corrupt_state(pid_t *pid, const char *config) {
        static const char *const corrupt[] = {
                "\x7f" "ELF garbage",
                "{\"power\":1,\"mode\":\"cool\",\"target_temperature\":24,\"fan_speed\":\"auto\"}",
                "{\"power\":true,\"mode\":\"cool\",\"target_temperature\":45,\"fan_speed\":\"auto\"}",
        };
        _cleanup_free_ char *state_file = NULL;

        require(asprintf(&state_file, "%s/hvacd-state.json", state_dir) > 0, "path");
        time_t moved = 0;

        for (size_t i = 0; i < ELEMENTSOF(corrupt); i++) {
                unsigned n = count_corrupt_files();

                hvac_stop(*pid, "before corrupting");
                /* The name carries the second: two moves within one would collide. */
                require(WAIT_FOR(time(NULL) > moved, 2 * USEC_PER_SEC), "a new second");
                require(test_write_file(state_file, corrupt[i]) == 0, "corrupt the state file");
                *pid = hvac_start("hvacd-bus-corrupt", state_dir, config, NULL);
                moved = time(NULL);
                check(hvac_bool("Power") == 0 && hvac_string_is("Mode", "cool") &&
                      hvac_double("TargetTemperature") == 24, "corrupt file %zu: defaults", i);
                check(count_corrupt_files() == n + 1, "corrupt file %zu moved aside", i);
                check(access(state_file, F_OK) < 0, "and not left in place");
        }
}

static void test_lirc_failure(const char *dir) {
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *config = NULL, *devdir = NULL, *dev = NULL, *err = NULL, *data = NULL;
        uint64_t failures_seen;
        size_t size = 0;
        pid_t pid;

        require(asprintf(&devdir, "%s/devdir", dir) > 0 && asprintf(&dev, "%s/lirc0", devdir) > 0, "paths");
        config = test_tmp_path("hvacd-lirc.json");
        {
                _cleanup_free_ char *text = NULL;
                require(asprintf(&text, "{ \"backend\": \"lirc\", \"min_temperature\": 17, \"temperature_step\": 1,"
                                 "  \"coalesce_ms\": 10, \"retry_initial_ms\": 20, \"retry_max_ms\": 160,"
                                 "  \"degraded_after_failures\": 3, \"state_file\": \"lirc-state.json\","
                                 "  \"lirc\": { \"device\": \"%s\", \"protocol\": \"coolix\" } }", dev) > 0, "config");
                require(test_write_file(config, text) == 0, "write config");
        }

        pid = hvac_start("hvacd-bus-lirc", state_dir, config, NULL);
        check(hvac_string_is("Backend", "lirc") && hvac_bool("Assumed") == 1, "lirc, assumed");
        check(isnan(hvac_double("CurrentTemperature")), "no sensor: NaN");

        check(call("SetPower", &e, "b", 1) >= 0, "SetPower succeeds at once");
        check(WAIT_FOR(hvac_bool("Degraded") == 1, 5 * USEC_PER_SEC), "degraded after repeated failures");
        err = hvac_string("LastError");
        check(err && strstr(err, dev) && strstr(err, "No such file or directory"), "LastError says why: %s", err);
        check(hvac_u64("Transmissions") == 0, "nothing got through");

        /* Back-off: at most 160 ms between attempts means a handful per second, not a busy loop. */
        failures_seen = 0;
        {
                _cleanup_free_ char *logpath = test_build_path("test-logs/hvacd-bus-lirc.log"), *log = NULL;
                unsigned a = 0, b = 0;

                if (read_full_file(logpath, 4 << 20, &log, NULL) == 0)
                        for (char *p = log; (p = strstr(p, "in a row to")); p++)
                                a++;
                usleep(1000 * 1000);
                free(log);
                log = NULL;
                if (read_full_file(logpath, 4 << 20, &log, NULL) == 0)
                        for (char *p = log; (p = strstr(p, "in a row to")); p++)
                                b++;
                failures_seen = b - a;
                check(b > a && b - a <= 12, "%u retries in one second with a 160 ms cap", b - a);
        }
        check(failures_seen > 0, "still retrying");

        /* The transmitter comes back: the next retry gets through and the state is healthy. */
        require(mkdir(devdir, 0755) == 0 && test_write_file(dev, "") == 0, "device appears");
        check(WAIT_FOR(hvac_bool("Degraded") == 0 && hvac_u64("Transmissions") == 1, 3 * USEC_PER_SEC), "recovered");
        check(hvac_string_is("LastError", ""), "LastError cleared");
        check(read_full_file(dev, 65536, &data, &size) == 0 && size == 199 * sizeof(uint32_t),
              "one Coolix frame of 199 samples reached the device: %zu bytes", size);

        check(test_stop(pid, 10 * USEC_PER_SEC) == 0, "lirc hvacd exits 0");
}

/* The capture labelled "label" in a file of tests/ir-captures, as mode2 words ending in a
 * receiver's timeout. */
static size_t capture_mode2(const char *file, const char *label, uint32_t *words, size_t max) {
        _cleanup_free_ char *path = NULL, *text = NULL, *needle = NULL;
        size_t n = 0;
        char *p, *end;

        path = test_src_path(file);
        require(path && read_full_file(path, 16 << 20, &text, NULL) == 0, "read %s", file);
        require(asprintf(&needle, "# label %s\n", label) > 0, "asprintf");
        p = strstr(text, needle);
        require(p, "%s has \"%s\"", file, label);
        p += strlen(needle);
        while (*p && *p != '\n' && n + 1 < max) {
                bool pulse = *p == '+';
                unsigned long v = strtoul(p + 1, &end, 10);

                require(end != p + 1, "capture text");
                words[n++] = pulse ? LIRC_PULSE(v) : LIRC_SPACE(v);
                p = end + (*end == ' ');
        }
        words[n++] = LIRC_TIMEOUT(125000);
        return n;
}

/* A receiver follows the unit's own remote: the state becomes what the remote set, known, and
 * is not sent back. The remote is a real one: a Gree YAP1F2 capture. */
static void test_lirc_receiver(const char *dir) {
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *config = NULL, *dev = NULL, *rx = NULL, *text = NULL, *data = NULL;
        _cleanup_free_ uint32_t *words = calloc(4096, sizeof(uint32_t));
        _cleanup_close_ int fd = -EBADF;
        size_t n, size = 0;
        pid_t pid;

        require(words, "alloc");
        require(asprintf(&dev, "%s/lirc-tx", dir) > 0 && asprintf(&rx, "%s/lirc-rx", dir) > 0, "paths");
        require(test_write_file(dev, "") == 0 && mkfifo(rx, 0600) == 0, "device stand-ins");
        config = test_tmp_path("hvacd-receiver.json");
        require(asprintf(&text, "{ \"backend\": \"lirc\", \"temperature_step\": 1, \"coalesce_ms\": 10,"
                         "  \"state_file\": \"receiver-state.json\","
                         "  \"lirc\": { \"device\": \"%s\", \"protocol\": \"gree\", \"receiver\": \"%s\","
                         "             \"options\": { \"frames\": 2 } } }", dev, rx) > 0, "config");
        require(test_write_file(config, text) == 0, "write config");

        pid = hvac_start("hvacd-bus-receiver", state_dir, config, NULL);
        check(hvac_bool("Assumed") == 1 && hvac_bool("Power") == 0, "assumed, off");

        fd = open(rx, O_WRONLY | O_CLOEXEC);
        require(fd >= 0, "open the receiver FIFO");
        changed_reset();
        n = capture_mode2("tests/ir-captures/1185.ir", "cool high 26", words, 4096);
        require(write(fd, words, n * sizeof(uint32_t)) == (ssize_t) (n * sizeof(uint32_t)), "press");
        check(WAIT_FOR(hvac_bool("Power") == 1 && hvac_string_is("Mode", "cool") &&
                       hvac_double("TargetTemperature") == 26 && hvac_string_is("FanSpeed", "high"), 5 * USEC_PER_SEC),
              "the remote's state: cool, 26 °C, high");
        check(hvac_bool("Assumed") == 0, "known now");
        pump(50 * USEC_PER_MSEC);
        check(changed_has("Assumed") && changed_has("Power") && changed_has("TargetTemperature"),
              "PropertiesChanged for Assumed, Power, TargetTemperature: %s", changed_names ?: "");
        check(hvac_u64("Transmissions") == 0 && read_full_file(dev, 65536, &data, &size) == 0 && size == 0,
              "not sent back (%zu bytes)", size);

        /* Off on the remote. */
        n = capture_mode2("tests/ir-captures/1185.ir", "off", words, 4096);
        require(write(fd, words, n * sizeof(uint32_t)) == (ssize_t) (n * sizeof(uint32_t)), "press");
        check(WAIT_FOR(hvac_bool("Power") == 0, 5 * USEC_PER_SEC), "the remote turned it off");

        /* hvacd's own changes still go out. */
        check(call("SetPower", &e, "b", 1) >= 0, "SetPower");
        check(WAIT_FOR(hvac_u64("Transmissions") == 1, 5 * USEC_PER_SEC), "sent");
        free(data);
        data = NULL;
        /* lirc.options reach the encoder: two Gree frames, 279 samples. */
        check(read_full_file(dev, 65536, &data, &size) == 0 && size == 279 * sizeof(uint32_t),
              "the two-frame Gree frame reached the device: %zu bytes", size);

        check(test_stop(pid, 10 * USEC_PER_SEC) == 0, "receiver hvacd exits 0");
}

int main(void) {
        _cleanup_free_ char *config = NULL, *text = NULL;
        const char *dir;
        pid_t pid;

        if (access("/usr/bin/dbus-daemon", X_OK) < 0)
                test_skip("dbus-daemon is not installed");
        require(test_bus_start() == 0, "private bus");
        require(test_bus_connect(&bus) >= 0, "connect");
        hvac_client_init(bus);
        require(vh_errors_register() >= 0, "errors");
        require(sd_bus_match_signal(bus, NULL, NULL, VH_HVAC_OBJECT_PATH, "org.freedesktop.DBus.Properties",
                                    "PropertiesChanged",
                                    on_properties_changed, NULL) >= 0, "match");

        dir = test_tmpdir();
        state_dir = test_tmp_path("state");
        tx_log = test_tmp_path("tx.log");
        config = test_tmp_path("hvacd.json");
        require(asprintf(&text, "{ \"sim\": { \"ambient\": 27, \"rate_per_minute\": 600, \"drift_per_minute\": 600,"
                         "  \"transmit_log\": \"%s\" } }", tx_log) > 0, "config");
        require(test_write_file(config, text) == 0, "write config");

        pid = hvac_start("hvacd-bus", state_dir, config, NULL);
        test_properties();
        test_methods();
        test_bad_input();
        test_coalescing();
        test_intents();
        test_sim_room();
        test_persistence(&pid, config);
        test_corrupt_state(&pid, config);
        hvac_stop(pid, "sim");
        test_lirc_failure(dir);
        test_lirc_receiver(dir);

        free(changed_names);
        free(state_dir);
        free(tx_log);
        sd_bus_flush_close_unref(bus);
        return test_result();
}
