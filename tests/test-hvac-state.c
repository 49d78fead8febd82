/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* hvacd's state rules, state file and configuration, without a bus. */

#include <math.h>
#include <sys/stat.h>

#include "fileio.h"
#include "harness.h"
#include "manager.h"
#include "persist.h"
#include "state.h"

static const HvacLimits limits = { 16, 30, 0.5 };

static void test_strings(void) {
        for (int i = 0; i < _HVAC_MODE_MAX; i++)
                check(hvac_mode_from_string(hvac_mode_to_string(i)) == (HvacMode) i, "mode %i round trip", i);
        for (int i = 0; i < _HVAC_FAN_MAX; i++)
                check(hvac_fan_from_string(hvac_fan_to_string(i)) == (HvacFan) i, "fan %i round trip", i);
        check(hvac_mode_from_string("fan_only") == HVAC_MODE_FAN_ONLY, "fan_only");
        check(hvac_mode_from_string("Cool") < 0, "case matters");
        check(hvac_mode_from_string("") < 0 && hvac_mode_from_string(NULL) < 0, "empty mode");
        check(hvac_fan_from_string("turbo") < 0, "unknown fan");
        check(hvac_mode_to_string(_HVAC_MODE_MAX) == NULL && hvac_fan_to_string(-1) == NULL, "out of table");
}

static void expect_temperature(double t, int expected, const char *needle) {
        _cleanup_free_ char *problem = NULL;
        int r = hvac_temperature_check(&limits, "target_temperature", t, &problem);

        check(r == expected, "temperature %g: %d, expected %d", t, r, expected);
        if (needle)
                check(problem && strstr(problem, needle), "message for %g is '%s', expected '%s'", t, problem, needle);
}

static void test_temperature(void) {
        expect_temperature(16, 0, NULL);
        expect_temperature(30, 0, NULL);
        expect_temperature(24.5, 0, NULL);
        expect_temperature(0.1 + 0.2 + 23.7, 0, NULL);
        expect_temperature(15.5, -ERANGE, "target_temperature 15.5: out of range");
        expect_temperature(30.5, -ERANGE, "16…30");
        expect_temperature(24.3, -EINVAL, "not on the 0.5 °C step grid");
        expect_temperature(NAN, -EINVAL, "not a finite number");
        expect_temperature(INFINITY, -EINVAL, "target_temperature");
        expect_temperature(-INFINITY, -EINVAL, "not a finite number");

        /* Refused, not rounded to a neighbour; the message shows the value as sent. */
        expect_temperature(30.0000001, -ERANGE, "target_temperature 30.0000001: out of range");
        expect_temperature(15.99999999, -ERANGE, "target_temperature 15.99999999: out of range");
        expect_temperature(22.0000000001, -EINVAL, "target_temperature 22.0000000001: not on the");
        expect_temperature(22.000001, -EINVAL, "target_temperature 22.000001: not on the");
        /* Within a client's floating-point noise of a grid point: taken. */
        expect_temperature(30 + 2e-15, 0, NULL);
        expect_temperature(16 - 2e-15, 0, NULL);
}

static void test_snap(void) {
        char buf[64];

        /* 279 × 0.1 is 27.900000000000002 in binary arithmetic; the snap gives the double of 27.9. */
        check(hvac_temperature_snap(279 * 0.1, 0, 0.1) == 27.9, "27.9 snapped: %.17g",
              hvac_temperature_snap(279 * 0.1, 0, 0.1));
        check(hvac_temperature_snap(24.26, 0, 0.1) == 24.3, "24.26 to 0.1: %.17g", hvac_temperature_snap(24.26, 0, 0.1));
        check(hvac_temperature_snap(23.74, 16, 0.5) == 23.5, "23.74 to 0.5 from 16");
        (void) snprintf(buf, sizeof buf, "%.17g", hvac_temperature_snap(0.1 + 0.2, 0, 0.1));
        check(streq(buf, "0.29999999999999999"), "0.1 + 0.2 snaps to the double of 0.3: %s", buf);
}

static void test_limits(void) {
        _cleanup_free_ char *p1 = NULL, *p2 = NULL, *p3 = NULL;

        check(hvac_limits_check(&limits, NULL) == 0, "default limits");
        check(hvac_limits_check(&(HvacLimits) { 30, 16, 1 }, &p1) < 0 && p1 && strstr(p1, "min_temperature 30"),
              "min above max: %s", p1);
        check(hvac_limits_check(&(HvacLimits) { 16, 30, 0 }, &p2) < 0 && p2 && strstr(p2, "temperature_step"),
              "zero step: %s", p2);
        check(hvac_limits_check(&(HvacLimits) { 16, 30, 0.3 }, &p3) < 0 && p3 && strstr(p3, "max_temperature"),
              "max off grid: %s", p3);
        check(hvac_limits_check(&(HvacLimits) { 17, 30, 1 }, NULL) == 0, "coolix limits");
}

static void test_change(void) {
        HvacState s, n;
        _cleanup_free_ char *problem = NULL;
        int r;

        hvac_state_init_default(&s, &limits);
        check(!s.power && s.mode == HVAC_MODE_COOL && s.target_temperature == 24 && s.fan == HVAC_FAN_AUTO,
              "defaults");

        r = hvac_change_apply(&s, &(HvacChange) { .has_power = true, .power = true, .has_mode = true,
                                                  .mode = HVAC_MODE_HEAT, .has_target = true,
                                                  .target_temperature = 21.5, .has_fan = true,
                                                  .fan = HVAC_FAN_HIGH }, &limits, &n, NULL);
        check(r == 0 && n.power && n.mode == HVAC_MODE_HEAT && n.target_temperature == 21.5 &&
              n.fan == HVAC_FAN_HIGH, "all fields");
        check(!hvac_state_equal(&s, &n), "changed");

        /* All or nothing: a bad temperature leaves the other fields unapplied. */
        n = s;
        r = hvac_change_apply(&s, &(HvacChange) { .has_power = true, .power = true, .has_target = true,
                                                  .target_temperature = 99 }, &limits, &n, &problem);
        check(r == -ERANGE && hvac_state_equal(&n, &s), "rejected change leaves the result untouched");
        check(problem && strstr(problem, "target_temperature 99"), "names the field: %s", problem);

        r = hvac_change_apply(&s, &(HvacChange) { .has_mode = true, .mode = 17 }, &limits, &n, NULL);
        check(r == -EINVAL, "bad mode value");

        /* Adjusting steps and stops at the limits. */
        r = hvac_change_apply(&s, &(HvacChange) { .adjust_steps = 1 }, &limits, &n, NULL);
        check(r == 0 && n.target_temperature == 24.5, "warmer: %g", n.target_temperature);
        r = hvac_change_apply(&s, &(HvacChange) { .adjust_steps = -3 }, &limits, &n, NULL);
        check(r == 0 && n.target_temperature == 22.5, "three steps cooler: %g", n.target_temperature);
        s.target_temperature = 30;
        r = hvac_change_apply(&s, &(HvacChange) { .adjust_steps = 1 }, &limits, &n, NULL);
        check(r == 0 && n.target_temperature == 30, "warmer at the top stays at the top");
        s.target_temperature = 16;
        r = hvac_change_apply(&s, &(HvacChange) { .adjust_steps = -1 }, &limits, &n, NULL);
        check(r == 0 && n.target_temperature == 16, "cooler at the bottom stays at the bottom");
}

static int intent(const char *action, HvacValue v, HvacChange *c, char **problem) {
        return hvac_intent_to_change(action, &v, c, problem);
}

static void test_intents(void) {
        _cleanup_free_ char *p1 = NULL, *p2 = NULL, *p3 = NULL, *p4 = NULL, *p5 = NULL;
        HvacChange c;

        check(intent("set_temperature", (HvacValue) { .type = HVAC_VALUE_DOUBLE, .d = 22 }, &c, NULL) == 0 &&
              c.has_target && c.target_temperature == 22, "set_temperature d");
        check(intent("set_temperature", (HvacValue) { .type = HVAC_VALUE_INT, .i = 23 }, &c, NULL) == 0 &&
              c.has_target && c.target_temperature == 23, "set_temperature i");
        check(intent("adjust_temperature", (HvacValue) { .type = HVAC_VALUE_INT, .i = -1 }, &c, NULL) == 0 &&
              c.adjust_steps == -1 && !c.has_target, "adjust i");
        check(intent("adjust_temperature", (HvacValue) { .type = HVAC_VALUE_DOUBLE, .d = 1 }, &c, NULL) == 0 &&
              c.adjust_steps == 1, "adjust d");
        check(intent("adjust_temperature", (HvacValue) { .type = HVAC_VALUE_DOUBLE, .d = 0.5 }, &c, &p1) < 0 &&
              p1 && strstr(p1, "0.5"), "adjust by half a step: %s", p1);
        check(intent("set_mode", (HvacValue) { .type = HVAC_VALUE_STRING, .s = "dry" }, &c, NULL) == 0 &&
              c.has_mode && c.mode == HVAC_MODE_DRY, "set_mode");
        check(intent("set_mode", (HvacValue) { .type = HVAC_VALUE_STRING, .s = "warm" }, &c, &p2) < 0 &&
              p2 && strstr(p2, "'warm'"), "bad mode: %s", p2);
        check(intent("set_power", (HvacValue) { .type = HVAC_VALUE_BOOL, .b = true }, &c, NULL) == 0 &&
              c.has_power && c.power, "set_power");
        check(intent("set_power", (HvacValue) { .type = HVAC_VALUE_STRING, .s = "on", .signature = "s" },
                     &c, &p3) < 0 && p3 && strstr(p3, "wrong type 's'"), "set_power with a string: %s", p3);
        check(intent("set_fan", (HvacValue) { .type = HVAC_VALUE_STRING, .s = "medium" }, &c, NULL) == 0 &&
              c.has_fan && c.fan == HVAC_FAN_MEDIUM, "set_fan");
        check(intent("open_window", (HvacValue) { .type = HVAC_VALUE_BOOL }, &c, &p4) < 0 &&
              p4 && strstr(p4, "open_window"), "unknown action: %s", p4);
        check(intent("set_mode", (HvacValue) {}, &c, &p5) < 0, "no value");
        check(hvac_intent_to_change(NULL, NULL, &c, NULL) < 0, "nothing at all");
}

static void test_persist(void) {
        _cleanup_free_ char *path = test_tmp_path("state.json");
        _cleanup_free_ char *problem = NULL;
        HvacState s = { true, HVAC_MODE_FAN_ONLY, 26.5, HVAC_FAN_LOW }, back = {};
        struct stat st;
        static const char *const corrupt[] = {
                "garbage \x01\x02",
                "",
                "[true]",
                "{\"power\":\"yes\",\"mode\":\"cool\",\"target_temperature\":24,\"fan_speed\":\"auto\"}",
                "{\"power\":true,\"mode\":\"warm\",\"target_temperature\":24,\"fan_speed\":\"auto\"}",
                "{\"power\":true,\"mode\":\"cool\",\"target_temperature\":99,\"fan_speed\":\"auto\"}",
                "{\"power\":true,\"mode\":\"cool\",\"target_temperature\":24.2,\"fan_speed\":\"auto\"}",
                "{\"power\":true,\"mode\":\"cool\",\"target_temperature\":\"24\",\"fan_speed\":\"auto\"}",
                "{\"power\":true,\"mode\":\"cool\",\"fan_speed\":\"auto\"}",
                "{\"power\":true,\"mode\":\"cool\",\"target_temperature\":24,\"fan_speed\":\"auto\",\"x\":1}",
                "{\"power\":true,\"mode\":\"cool\",\"target_temperature\":24,\"fan_speed\":\"auto\",\"pending\":1}",
        };

        check(hvac_state_load(path, &limits, &back, &problem) == -ENOENT, "missing file");
        check(hvac_state_save(path, &s) == 0, "save");
        check(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644, "mode 0644");
        check(hvac_state_load(path, &limits, &back, &problem) == 0 && hvac_state_equal(&s, &back),
              "round trip: %s", problem);
        {
                bool pending = true;

                check(hvac_state_load_pending(path, &limits, &back, &pending, &problem) == 0 && !pending,
                      "no pending key: delivered");
                check(hvac_state_save_pending(path, &s, true) == 0 &&
                      hvac_state_load_pending(path, &limits, &back, &pending, &problem) == 0 && pending &&
                      hvac_state_equal(&s, &back), "pending round trip: %s", problem);
                check(hvac_state_load(path, &limits, &back, &problem) == 0, "a pending state loads plainly too");
        }

        for (size_t i = 0; i < ELEMENTSOF(corrupt); i++) {
                _cleanup_free_ char *p = NULL;
                HvacState untouched = s;

                require(test_write_file(path, corrupt[i]) == 0, "write");
                check(hvac_state_load(path, &limits, &untouched, &p) == -EBADMSG, "corrupt %zu is rejected", i);
                check(p && strstr(p, path), "corrupt %zu: message names the file: %s", i, p);
                check(hvac_state_equal(&untouched, &s), "corrupt %zu: state untouched", i);
        }

        /* A value that was fine under wider limits is out of range under these. */
        require(test_write_file(path, "{\"power\":false,\"mode\":\"heat\",\"target_temperature\":31,"
                                      "\"fan_speed\":\"high\"}") == 0, "write");
        check(hvac_state_load(path, &(HvacLimits) { 10, 32, 1 }, &back, &problem) == 0 && back.target_temperature == 31,
              "wider limits accept 31");
        check(hvac_state_load(path, &limits, &back, &problem) == -EBADMSG, "these limits do not");
}

static void expect_config(const char *text, const char *needle) {
        _cleanup_(hvac_config_done) HvacConfig c = {};
        _cleanup_free_ char *path = test_tmp_path("hvacd.json"), *error = NULL;
        int r;

        require(hvac_config_init(&c) == 0, "init");
        require(test_write_file(path, text) == 0, "write");
        r = hvac_config_load(&c, path, true, &error);
        if (!needle) {
                check(r == 0, "'%s' loads: %s", text, error);
                return;
        }
        check(r < 0, "'%s' must fail", text);
        check(error && strstr(error, needle) && strstr(error, path), "error for '%s' is '%s', expected '%s'",
              text, error, needle);
}

static void test_config(void) {
        _cleanup_(hvac_config_done) HvacConfig c = {};
        _cleanup_free_ char *shipped = test_src_path("hvacd/hvacd.json");
        _cleanup_free_ char *e1 = NULL, *e2 = NULL, *e3 = NULL;

        require(hvac_config_init(&c) == 0, "init");
        check(hvac_config_load(&c, "/nonexistent/hvacd.json", false, &e1) == 0, "missing default file");
        check(streq(c.backend, "sim") && c.coalesce_ms == 300 && c.temperature_step == 0.5, "defaults");
        check(hvac_config_load(&c, "/nonexistent/hvacd.json", true, &e2) < 0 && e2, "missing --config file");
        check(hvac_config_load(&c, shipped, true, &e3) == 0, "the shipped hvacd.json loads: %s", e3);

        expect_config("{ \"backend\": \"lirc\", \"min_temperature\": 17, \"temperature_step\": 1 }", NULL);
        expect_config("{ \"backend\": \"lirc\", \"lirc\": { \"protocol\": \"gree\" }, \"temperature_step\": 1 }", NULL);
        expect_config("{ \"backend\": \"lirc\", \"lirc\": { \"protocol\": \"samsung\", \"fan_table\": \"upper\" }, "
                      "\"temperature_step\": 1 }", NULL);
        expect_config("{ \"lirc\": { \"protocol\": \"daikin\", \"fan_table\": \"fast\" } }",
                      "key 'lirc.fan_table': protocol 'daikin' has no fan table 'fast' (it has: standard, middle, five_named)");
        expect_config("{ \"backend\": \"carrier-pigeon\" }", "key 'backend'");
        expect_config("{ \"min_temperature\": 30, \"max_temperature\": 20 }", "min_temperature 30");
        expect_config("{ \"temperature_step\": 0 }", "key 'temperature_step'");
        expect_config("{ \"temperature_step\": 0.3 }", "max_temperature 30 is not a whole number of steps");
        expect_config("{ \"coalesce_ms\": -1 }", "key 'coalesce_ms'");
        expect_config("{ \"sim\": { \"ambeint\": 20 } }", "unknown key 'sim.ambeint'");
        expect_config("{ \"lirc\": { \"protocol\": \"nec\" } }", "key 'lirc.protocol'");
        expect_config("{ \"state_file\": \"../etc/passwd\" }", "key 'state_file'");
        expect_config("{ \"retry_initial_ms\": 5000, \"retry_max_ms\": 100 }", "key 'retry_initial_ms'");
        expect_config("{ \"degraded_after_failures\": 0 }", "key 'degraded_after_failures'");
        expect_config("{ \"backend\": \"http\", \"http\": { \"url\": \"http://192.0.2.1:8080/\" } }", NULL);
        expect_config("{ \"backend\": \"http\" }", "key 'http.url': empty");
        expect_config("{ \"backend\": \"http\", \"http\": { \"url\": \"https://192.0.2.1\" } }",
                      "key 'http.url': 'https://192.0.2.1' does not start with http://");
        expect_config("{ \"backend\": \"http\", \"http\": { \"url\": \"http://192.0.2.1/aircon\" } }",
                      "without a path");
        expect_config("{ \"backend\": \"http\", \"http\": { \"url\": \"http://\" } }", "names no host");
        expect_config("{ \"backend\": \"http\", \"http\": { \"url\": \"http://[fe80::1]:80\" } }", NULL);
        expect_config("{ \"backend\": \"http\", \"http\": { \"url\": \"http://h:0\" } }", "invalid port");
        expect_config("{ \"backend\": \"http\", \"http\": { \"url\": \"http://h:80x\" } }", "invalid port");
        expect_config("{ \"backend\": \"http\", \"http\": { \"url\": \"http://h:65536/\" } }", "invalid port");
        expect_config("{ \"http\": { \"url\": 5 } }", "key 'http.url'");
        expect_config("{ \"http\": { \"poll_interval_ms\": 5 } }", "key 'http.poll_interval_ms'");
        expect_config("{ \"http\": { \"timeout_ms\": 0 } }", "key 'http.timeout_ms'");
        expect_config("{ \"http\": { \"pol_interval_ms\": 500 } }", "unknown key 'http.pol_interval_ms'");
        expect_config("{ \"backend\": \"http\", \"http\": { \"url\": \"http://h\", \"connect_timeout_ms\": 5000,"
                      " \"timeout_ms\": 1000 } }", "key 'http.connect_timeout_ms'");
        expect_config("{ \"backend\": \"lirc\" }", "protocol 'coolix' sends whole degrees");
        expect_config("{ \"backend\": \"lirc\", \"temperature_step\": 1 }", "key 'min_temperature': 16 is below");
        expect_config("{ \"backend\": \"lirc\", \"min_temperature\": 17, \"max_temperature\": 32, "
                      "\"temperature_step\": 1 }", "key 'max_temperature': 32 is above");
}

int main(void) {
        test_strings();
        test_temperature();
        test_snap();
        test_limits();
        test_change();
        test_intents();
        test_persist();
        test_config();
        return test_result();
}
