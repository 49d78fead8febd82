/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <math.h>
#include <sys/stat.h>

#include "audio-packet.h"
#include "bus-contract.h"
#include "bus-util.h"
#include "config.h"
#include "errors.h"
#include "fileio.h"
#include "harness.h"
#include "message.h"
#include "string-util.h"

typedef struct TestConfig {
        char *device;
        char *mode;
        char *label;
        bool flag;
        int offset;
        unsigned period;
        double target;
        unsigned nested_count;
        double nested_ratio;
} TestConfig;

static const char *const modes[] = { "cool", "heat", NULL };

/* A label is lower-case letters; "oom" stands for a check that ran out of memory, "vague" for
 * one that gives no reason. */
static int validate_label(const char *s, char **ret_problem) {
        if (streq(s, "oom"))
                return -ENOMEM;
        if (streq(s, "vague"))
                return -EINVAL;
        if (isempty(s) || strspn(s, "abcdefghijklmnopqrstuvwxyz") != strlen(s)) {
                *ret_problem = message_new("'%s' is not lower-case letters", s);
                return -EINVAL;
        }
        return 0;
}

static const ConfigField nested_fields[] = {
        { "count", CONFIG_UINT, offsetof(TestConfig, nested_count), 1, 10 },
        { "ratio", CONFIG_DOUBLE, offsetof(TestConfig, nested_ratio) },
        {}
};

static const ConfigField fields[] = {
        { "device", CONFIG_STRING, offsetof(TestConfig, device) },
        { "mode", CONFIG_STRING, offsetof(TestConfig, mode), .choices = modes },
        { "label", CONFIG_STRING, offsetof(TestConfig, label), .validate = validate_label },
        { "flag", CONFIG_BOOL, offsetof(TestConfig, flag) },
        { "offset", CONFIG_INT, offsetof(TestConfig, offset), -5, 5 },
        { "period", CONFIG_UINT, offsetof(TestConfig, period) },
        { "target", CONFIG_DOUBLE, offsetof(TestConfig, target), 16, 30 },
        { "nested", CONFIG_OBJECT, .fields = nested_fields },
        {}
};

static int load(const char *text, TestConfig *c, char **err) {
        return config_load_string("test.json", text, strlen(text), fields, c, err);
}

static void expect_error(const char *text, const char *needle) {
        TestConfig c = {};
        _cleanup_free_ char *err = NULL;
        int r;

        r = load(text, &c, &err);
        check(r < 0, "'%s' should fail", text);
        check(err && strstr(err, needle), "error for '%s' is '%s', expected to contain '%s'", text, err, needle);
        check(err && strstr(err, "test.json"), "error '%s' names the file", err);
        config_free_strings(fields, &c);
}

static void test_config(void) {
        TestConfig c = { .period = 7 };
        _cleanup_free_ char *err = NULL;
        int r;

        r = load("{ \"device\": \"hw:1\", \"mode\": \"heat\", \"flag\": true, \"offset\": -3,"
                 "  \"target\": 24.5, \"nested\": { \"count\": 3, \"ratio\": 2 } }\n", &c, &err);
        check(r == 0, "valid config loads: %s", err);
        check(streq_ptr(c.device, "hw:1"), "device");
        check(streq_ptr(c.mode, "heat"), "mode");
        check(c.flag && c.offset == -3 && c.period == 7, "flag/offset/untouched default");
        check(fabs(c.target - 24.5) < 1e-9 && c.nested_count == 3 && c.nested_ratio == 2.0, "numbers");
        config_free_strings(fields, &c);

        expect_error("{ \"devcie\": \"x\" }", "unknown key 'devcie'");
        expect_error("{ \"nested\": { \"cuont\": 1 } }", "unknown key 'nested.cuont'");
        expect_error("{ \"flag\": \"yes\" }", "key 'flag': expected boolean, got string");
        expect_error("{ \"period\": -1 }", "key 'period'");
        expect_error("{ \"period\": 1.5 }", "expected unsigned integer, got double");
        expect_error("{ \"offset\": 6 }", "out of range");
        expect_error("{ \"target\": 31 }", "key 'target': value 31 out of range");
        expect_error("{ \"mode\": \"warm\" }", "invalid value 'warm', expected one of 'cool', 'heat'");
        expect_error("{ \"nested\": { \"count\": 0 } }", "key 'nested.count'");
        expect_error("{ \"nested\": 3 }", "expected object");
        expect_error("{ \"device\": \"x\"", "unexpected end of file");
        expect_error("{ \"device\": \"x\" } x", "not valid JSON");
        expect_error("{ \"device\": \"x\", }", "not valid JSON");
        expect_error("[1, 2]", "expected a JSON object");
        expect_error("", "not valid JSON");
        expect_error("\n\n{ \"device\": ,}", "test.json:3");

        /* json-c would keep the second silently. */
        expect_error("{\"device\":\"a\",\"device\":\"b\"}", "key 'device' appears more than once");
        expect_error("{ \"nested\": { \"count\": 1, \"ratio\": 2, \"count\": 3 } }",
                     "key 'nested.count' appears more than once");
        expect_error("{ \"dev\\u0069ce\": \"a\", \"device\": \"b\" }", "key 'device' appears more than once");
        r = load("{ \"device\": \"{\\\"device\\\": 1, \\\"device\\\"\", \"nested\": { \"count\": 1 }, "
                 "\"mode\": \"cool\" }", &c, &err);
        check(r == 0, "the same key in a string, or in two objects, is not a duplicate: %s", err);
        config_free_strings(fields, &c);

        /* What json-c lets through even when strict, and JSON does not (a fuzzer's find: a
         * single-quoted name hid a double-quoted one, and the load failed with ENOMEM). */
        expect_error("{ 'device': \"a\" }", "not valid JSON: a name or string in single quotes");
        expect_error("{'\375\n{\"cool\"\n\204:tru\"mode':\"\377,dry\"}", "not valid JSON");
        expect_error("{ \"device\": \"\377\" }", "not valid JSON");
        r = load("{ \"device\": \"it's\", \"mode\": \"cool\" }", &c, &err);
        check(r == 0, "a single quote inside a string is text: %s", err);
        config_free_strings(fields, &c);
}

static void test_config_validate(void) {
        TestConfig c = {};
        _cleanup_free_ char *err = NULL;
        int r;

        r = load("{ \"label\": \"kitchen\" }", &c, &err);
        check(r == 0 && streq_ptr(c.label, "kitchen"), "a valid label loads: %s", err);

        /* The check's reason, under the file and the key; the value already there stays. */
        r = load("{ \"label\": \"Kitchen\" }", &c, &err);
        check(r == -EINVAL, "an invalid label fails: %d", r);
        check(streq_ptr(err, "test.json: key 'label': 'Kitchen' is not lower-case letters"), "error is '%s'", err);
        check(streq_ptr(c.label, "kitchen"), "a refused label leaves the old one: '%s'", c.label);
        err = mfree(err);

        /* Not a string, or a string with a NUL: refused before the check sees it. */
        expect_error("{ \"label\": 3 }", "key 'label': expected string, got int");
        expect_error("{ \"label\": \"ab\\u0000c\" }", "key 'label': string contains a NUL byte");
        expect_error("{ \"label\": \"vague\" }", "key 'label': invalid value");

        r = load("{ \"label\": \"oom\" }", &c, &err);
        check(r == -ENOMEM && !err, "a check out of memory fails the load with ENOMEM: %d '%s'", r, err);
        config_free_strings(fields, &c);
}

static void test_config_file(void) {
        _cleanup_free_ char *p = test_tmp_path("c.json");
        _cleanup_free_ char *err = NULL;
        TestConfig c = {};

        check(config_load_file(p, fields, &c, false, &err) == 0, "missing optional file is fine");
        check(config_load_file(p, fields, &c, true, &err) == -ENOENT, "missing required file fails");
        check(err && strstr(err, p), "error names the file: %s", err);
}

static void test_atomic_write(void) {
        _cleanup_free_ char *p = test_tmp_path("state.json");
        _cleanup_free_ char *data = NULL, *aside = NULL;
        struct stat st;
        size_t size;

        check(write_file_atomic(p, "hello", 5, 0640) == 0, "write");
        check(write_file_atomic(p, "world!", 6, 0640) == 0, "overwrite");
        check(read_full_file(p, 1024, &data, &size) == 0 && size == 6 && streq(data, "world!"), "read back");
        check(stat(p, &st) == 0 && (st.st_mode & 0777) == 0640, "mode");
        check(read_full_file(p, 3, &aside, &size) == -EFBIG, "limit");
        check(move_aside(p, &aside) == 0 && aside && strstr(aside, ".corrupt-"), "move aside");
        check(access(p, F_OK) < 0 && aside && access(aside, F_OK) == 0, "moved");
        check(write_file_atomic("/nonexistent-dir/x", "a", 1, 0644) == -ENOENT, "bad dir fails cleanly");
}

static void test_state_dir(void) {
        _cleanup_free_ char *d = test_tmp_path("st/a");
        _cleanup_free_ char *got = NULL, *file = NULL;
        _cleanup_free_ char *env = NULL;

        check(asprintf(&env, "%s:/other", d) > 0, "asprintf");
        setenv("STATE_DIRECTORY", env, 1);
        check(state_directory(&got) == 0 && streq(got, d), "first entry of $STATE_DIRECTORY: %s", got);
        check(access(d, F_OK) == 0, "created");
        check(state_file_path("mute", &file) == 0 && strstr(file, "/st/a/mute"), "file path");
        unsetenv("STATE_DIRECTORY");
}

static void test_packet(void) {
        union {
                AudioPacketHeader h;
                uint8_t bytes[sizeof(AudioPacketHeader) + 8 * sizeof(int16_t)];
        } p;
        const AudioPacketHeader *h;
        const int16_t *s;

        audio_packet_header_init(&p.h, 5, 123, 8, 1, 16000, AUDIO_PACKET_DISCONTINUITY);
        for (int i = 0; i < 8; i++)
                ((int16_t *) (p.bytes + sizeof(AudioPacketHeader)))[i] = (int16_t) (i * 100);
        check(audio_packet_parse(p.bytes, sizeof(p.bytes), &h, &s) == 0, "parse");
        check(h->sequence == 5 && h->timestamp_usec == 123 && h->frames == 8 && s[7] == 700, "fields");
        check(audio_packet_parse(p.bytes, sizeof(p.bytes) - 2, NULL, NULL) == -EBADMSG, "short");
        check(audio_packet_parse(p.bytes, 10, NULL, NULL) == -EBADMSG, "truncated header");
        p.h.magic = 0;
        check(audio_packet_parse(p.bytes, sizeof(p.bytes), NULL, NULL) == -EBADMSG, "magic");
}

static void test_errors(void) {
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;

        check(vh_errors_register() >= 0, "register");
        check(streq(vh_error_name_from_errno(-EINVAL), VH_ERROR_INVALID_ARGUMENT), "EINVAL");
        check(streq(vh_error_name_from_errno(-EPERM), VH_ERROR_NOT_AUTHORIZED), "EPERM");
        check(streq(vh_error_name_from_errno(-ENODEV), VH_ERROR_DEVICE_UNAVAILABLE), "ENODEV");
        check(vh_bus_error_set_errnof(&e, -EUSERS, "Too many clients (%u)", 8u) == -EUSERS, "set returns errno");
        check(streq(e.name, VH_ERROR_LIMIT_EXCEEDED) && strstr(e.message, "(8)"), "name and message");
        check(sd_bus_error_get_errno(&e) == EUSERS, "errno round trip");

        /* What errors.h says: the registered map names nothing; sd-bus's own table does. */
        sd_bus_error_free(&e);
        (void) sd_bus_error_set_errno(&e, EINVAL);
        check(sd_bus_error_has_name(&e, SD_BUS_ERROR_INVALID_ARGS),
              "sd_bus_error_set_errno() uses sd-bus's names even with the map registered (%s)", e.name);

        sd_bus_error_free(&e);
        check(vh_bus_error_set_unreadable(&e, -ENXIO) == -EINVAL &&
              sd_bus_error_has_name(&e, VH_ERROR_INVALID_ARGUMENT), "unreadable arguments → InvalidArgument (%s)", e.name);
        sd_bus_error_free(&e);
        check(vh_bus_error_set_unreadable(&e, -ENOMEM) < 0 && sd_bus_error_has_name(&e, VH_ERROR_FAILED),
              "out of memory reading arguments → Failed (%s)", e.name);
}

static char *read_interface_file(const char *name, const char *suffix) {
        _cleanup_free_ char *rel = NULL, *path = NULL;
        char *text = NULL;

        require(asprintf(&rel, "dbus-interfaces/%s%s", name, suffix) > 0, "asprintf");
        path = test_src_path(rel);
        require(read_full_file(path, 1 << 20, &text, NULL) >= 0, "read %s", path);
        return text;
}

#define QUOTED(s) "\"" s "\""

/* bus-contract.h says what dbus-interfaces/ documents: a name, path or word changed in one and
 * not the other fails here. */
static void test_bus_contract(void) {
        static const struct { const char *name, *path, *interface; } services[] = {
                { VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE },
                { VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE },
                { VH_WAKEWORD_BUS_NAME, VH_WAKEWORD_OBJECT_PATH, VH_WAKEWORD_INTERFACE },
                { VH_WATCHDOG_BUS_NAME, VH_WATCHDOG_OBJECT_PATH, VH_WATCHDOG_INTERFACE },
                { VH_MQTT_BUS_NAME, VH_MQTT_OBJECT_PATH, VH_MQTT_INTERFACE },
        };
        _cleanup_free_ char *hvac = NULL;

        for (size_t i = 0; i < ELEMENTSOF(services); i++) {
                _cleanup_free_ char *xml = read_interface_file(services[i].name, ".xml");
                _cleanup_free_ char *conf = read_interface_file(services[i].name, ".conf");
                _cleanup_free_ char *iface = NULL, *header = NULL, *own = NULL;

                require(asprintf(&iface, "<interface name=\"%s\">", services[i].interface) > 0 &&
                        asprintf(&header, "Bus name %s, object %s", services[i].name, services[i].path) > 0 &&
                        asprintf(&own, "<allow own=\"%s\"/>", services[i].name) > 0, "asprintf");
                check(strstr(xml, iface), "%s.xml has %s", services[i].name, iface);
                check(strstr(xml, header), "%s.xml says \"%s\"", services[i].name, header);
                check(strstr(conf, own), "%s.conf has %s", services[i].name, own);
        }

        hvac = read_interface_file(VH_HVAC_BUS_NAME, ".xml");
        check(strstr(hvac, "@mode: one of " QUOTED(VH_HVAC_MODE_COOL) ", " QUOTED(VH_HVAC_MODE_HEAT) ", "
                           QUOTED(VH_HVAC_MODE_DRY) ", " QUOTED(VH_HVAC_MODE_FAN_ONLY) ", "
                           QUOTED(VH_HVAC_MODE_AUTO) "."),
              "Hvac1.xml lists the modes: " VH_HVAC_MODES_LIST);
        check(strstr(hvac, "@speed: one of " QUOTED(VH_HVAC_FAN_AUTO) ", " QUOTED(VH_HVAC_FAN_LOW) ", "
                           QUOTED(VH_HVAC_FAN_MEDIUM) ", " QUOTED(VH_HVAC_FAN_HIGH) "."),
              "Hvac1.xml lists the fan speeds: " VH_HVAC_FANS_LIST);
        check(strstr(hvac, VH_ERROR_INVALID_ARGUMENT), "Hvac1.xml names " VH_ERROR_INVALID_ARGUMENT);
}

static void test_strings(void) {
        char d[DOUBLE_STR_MAX], e[ECHO_STR_MAX];
        _cleanup_free_ char *big = malloc(1 << 20);

        check(streq(format_double(d, 22.000001), "22.000001"), "22.000001: %s", d);
        check(streq(format_double(d, 27.9), "27.9"), "27.9: %s", d);
        check(streq(format_double(d, 27.900000000000002), "27.900000000000002"), "noise shown: %s", d);
        check(streq(format_double(d, 0.1 + 0.2), "0.30000000000000004"), "0.1 + 0.2: %s", d);
        check(streq(format_double(d, -1e-300), "-1e-300"), "tiny: %s", d);
        check(streq(format_double(d, NAN), "nan"), "nan: %s", d);
        check(streq(format_double(d, 40), "40"), "40: %s", d);
        check(streq(format_double(d, 123456789), "123456789"), "123456789: %s", d);
        check(streq(format_double(d, 1e20), "1e+20"), "1e20: %s", d);
        check(streq(format_double(d, 0.5), "0.5"), "0.5: %s", d);

        check(streq(str_echo(e, "heat"), "heat"), "short input echoed whole");
        assert(big);
        memset(big, 'x', (1 << 20) - 1);
        big[(1 << 20) - 1] = 0;
        str_echo(e, big);
        check(strlen(e) == ECHO_MAX + strlen("…") && strstr(e, "…"), "a MiB is cut to %zu bytes", strlen(e));
        /* "é" is two bytes: at the cut the character goes whole or not at all. */
        for (size_t i = 0; i + 1 < 200; i += 2)
                memcpy(big + 1 + i, "é", 2);
        str_echo(e, big);
        check(strlen(e) == ECHO_MAX - 1 + strlen("…"), "cut before a split character: %zu", strlen(e));
}

int main(void) {
        test_config();
        test_config_validate();
        test_config_file();
        test_atomic_write();
        test_state_dir();
        test_packet();
        test_errors();
        test_bus_contract();
        test_strings();
        return test_result();
}
