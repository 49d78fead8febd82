/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* mqttd's parts that need neither a broker nor a bus: the broker URL, node ids, the credentials
 * file's rules, the discovery documents and the checks on what Home Assistant sends. */

#include <json-c/json.h>
#include <math.h>
#include <sys/stat.h>

#include "harness.h"
#include "ha.h"
#include "manager.h"

static const HaHub hub = {
        .node_id = "hub-a", .name = "Hall", .topic_prefix = "voicehvac", .discovery_prefix = "homeassistant",
        .sw_version = "0",
};

static void test_broker(void) {
        static const struct { const char *url, *host; unsigned port; bool tls; } good[] = {
                { "mqtt://127.0.0.1", "127.0.0.1", 1883, false },
                { "mqtt://broker.lan:1884", "broker.lan", 1884, false },
                { "mqtts://ha.example:8884/", "ha.example", 8884, true },
                { "mqtts://core-mosquitto", "core-mosquitto", 8883, true },
                { "mqtt://[::1]:1883", "::1", 1883, false },
        };
        static const char *const bad[] = {
                "", "http://x", "mqtt://", "mqtt://:1883", "mqtt://x:0", "mqtt://x:65536", "mqtt://x:-1",
                "mqtt://x:12ab", "mqtt://user:pw@x", "mqtt://x/path", "mqtt://[]:1", "mqtt://[zz]:1", "mqtt://x y",
        };

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                _cleanup_free_ char *problem = NULL;
                MqttBroker b = {};

                check(mqtt_broker_parse(good[i].url, &b, &problem) == 0 && streq_ptr(b.host, good[i].host) &&
                      b.port == good[i].port && b.tls == good[i].tls, "broker '%s': %s:%u", good[i].url,
                      b.host ?: "-", b.port);
                mqtt_broker_done(&b);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_free_ char *problem = NULL;
                MqttBroker b = {};

                check(mqtt_broker_parse(bad[i], &b, &problem) == -EINVAL && problem, "broker '%s' refused", bad[i]);
                mqtt_broker_done(&b);
        }
}

static void test_node_id(void) {
        _cleanup_free_ char *derived = NULL, *again = NULL;
        char long_id[66];

        check(node_id_is_valid("hub-a") && node_id_is_valid("Living_Room-2"), "plain ids");
        check(!node_id_is_valid("") && !node_id_is_valid("a/b") && !node_id_is_valid("a+b") &&
              !node_id_is_valid("a#") && !node_id_is_valid("a b"), "no topic characters");
        memset(long_id, 'x', 65);
        long_id[65] = '\0';
        check(!node_id_is_valid(long_id), "65 characters refused");
        long_id[64] = '\0';
        check(node_id_is_valid(long_id), "64 characters accepted");

        if (node_id_from_machine_id(&derived) >= 0) {
                check(node_id_is_valid(derived) && strlen(derived) == 16 && strncmp(derived, "hub-", 4) == 0,
                      "derived id '%s'", derived);
                check(node_id_from_machine_id(&again) >= 0 && streq(derived, again), "derived id is stable");
        } else
                test_log("no machine id here: the derived node id is not checked");
}

static void test_credentials(void) {
        _cleanup_free_ char *path = test_tmp_path("credentials.json");
        static const struct { const char *text; mode_t mode; int want; const char *needle; } cases[] = {
                { "{ \"username\": \"hub\", \"password\": \"pw1\" }", 0600, 0, NULL },
                { "{ \"username\": \"hub\", \"password\": \"pw1\" }", 0400, 0, NULL },
                { "{ \"username\": \"hub\", \"password\": \"pw1\" }", 0640, -EPERM, "mode 0640" },
                { "{ \"username\": \"hub\", \"password\": \"pw1\" }", 0604, -EPERM, "mode 0604" },
                { "{ \"username\": \"hub\", \"password\": \"pw1\", \"x\": 1 }", 0600, -EINVAL, "expected {" },
                { "{ \"username\": \"\", \"password\": \"pw1\" }", 0600, -EINVAL, "'username'" },
                { "not json pw1", 0600, -EINVAL, "expected {" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *user = NULL, *password = NULL, *error = NULL;
                int r;

                (void) unlink(path);
                require(test_write_file(path, cases[i].text) == 0 && chmod(path, cases[i].mode) == 0, "write");
                r = mqtt_credentials_load(path, &user, &password, &error);
                check(r == cases[i].want, "credentials case %zu: %d, expected %d (%s)", i, r, cases[i].want, error ?: "");
                if (r == 0)
                        check(streq(user, "hub") && streq(password, "pw1"), "credentials read");
                else {
                        check(error && strstr(error, cases[i].needle) && strstr(error, path), "message '%s'", error ?: "");
                        check(error && !strstr(error, "pw1"), "the message says nothing of the content");
                }
        }
        {
                _cleanup_free_ char *user = NULL, *password = NULL, *error = NULL, *link = test_tmp_path("cred-link");

                (void) unlink(link);
                require(symlink(path, link) == 0, "symlink");
                check(mqtt_credentials_load(link, &user, &password, &error) == -ELOOP, "a symbolic link is not followed");
        }
}

static struct json_object *discovery(HaEntity e, char **ret_topic) {
        HaLimits l = { 16, 30, 0.5 };
        _cleanup_free_ char *json = NULL;

        require(ha_discovery(&hub, e, &l, ret_topic, &json) == 0, "discovery %d", e);
        return json_tokener_parse(json);
}

static const char *get_string(struct json_object *o, const char *key) {
        struct json_object *v;

        return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static void test_discovery(void) {
        _cleanup_free_ char *t1 = NULL, *t2 = NULL, *t3 = NULL, *t4 = NULL;
        struct json_object *c = discovery(HA_ENTITY_CLIMATE, &t1), *s = discovery(HA_ENTITY_MUTE, &t2),
                           *ev = discovery(HA_ENTITY_WAKE_WORD, &t3), *se = discovery(HA_ENTITY_LAST_COMMAND, &t4),
                           *v;

        check(c && s && ev && se, "every document is JSON");
        check(streq(t1, "homeassistant/climate/hub-a/climate/config"), "climate topic %s", t1);
        check(streq(t2, "homeassistant/switch/hub-a/mic_mute/config"), "switch topic %s", t2);
        check(streq(t3, "homeassistant/event/hub-a/wake_word/config"), "event topic %s", t3);
        check(streq(t4, "homeassistant/sensor/hub-a/last_command/config"), "sensor topic %s", t4);
        check(streq_ptr(get_string(c, "mode_command_topic"), "voicehvac/hub-a/climate/mode/set"), "mode command topic");
        check(streq_ptr(get_string(c, "unique_id"), "voicehvac_hub-a_climate"), "unique id");
        check(json_object_object_get_ex(c, "modes", &v) && json_object_array_length(v) == 6, "six modes");
        check(json_object_object_get_ex(c, "temp_step", &v) && json_object_get_double(v) == 0.5, "temp_step");
        check(streq_ptr(get_string(s, "command_topic"), "voicehvac/hub-a/mute/set"), "switch command topic");
        check(json_object_object_get_ex(ev, "event_types", &v) && json_object_array_length(v) == 1, "event types");
        check(json_object_object_get_ex(se, "device", &v) && streq_ptr(get_string(v, "name"), "Hall"), "device name");
        json_object_put(c);
        json_object_put(s);
        json_object_put(ev);
        json_object_put(se);
}

static void test_commands(void) {
        char text[HA_PAYLOAD_MAX + 1], big[HA_PAYLOAD_MAX + 1];
        double d;
        bool b;

        check(ha_command_from_topic(&hub, "voicehvac/hub-a/climate/mode/set") == HA_COMMAND_MODE, "mode topic");
        check(ha_command_from_topic(&hub, "voicehvac/hub-a/mute/set") == HA_COMMAND_MUTE, "mute topic");
        check(ha_command_from_topic(&hub, "voicehvac/hub-b/mute/set") == HA_COMMAND_NONE, "another hub's topic");
        check(ha_command_from_topic(&hub, "voicehvac/hub-ab/mute/set") == HA_COMMAND_NONE, "a longer node id");
        check(ha_command_from_topic(&hub, "voicehvac/hub-a/mute") == HA_COMMAND_NONE, "a state topic");
        check(ha_command_from_topic(&hub, "voicehvacx/hub-a/mute/set") == HA_COMMAND_NONE, "another prefix");

        check(ha_payload_text("cool", 4, text) == 0 && streq(text, "cool"), "text");
        check(ha_payload_text("", 0, text) == 0 && streq(text, ""), "empty");
        memset(big, 'x', sizeof big);
        check(ha_payload_text(big, HA_PAYLOAD_MAX, text) == 0, "64 bytes");
        check(ha_payload_text(big, HA_PAYLOAD_MAX + 1, text) == -EMSGSIZE, "65 bytes refused");
        check(ha_payload_text("co\0ol", 5, text) == -EINVAL, "NUL refused");
        check(ha_payload_text("c\xc3\xb6ol", 5, text) == -EINVAL, "non-ASCII refused");

        check(ha_parse_mode("off", &b) == 0 && b, "off");
        check(ha_parse_mode("fan_only", &b) == 0 && !b, "fan_only");
        check(ha_parse_mode("Cool", &b) < 0 && ha_parse_mode("heat_cool", &b) < 0, "unknown modes");
        check(ha_parse_fan_mode("medium") == 0 && ha_parse_fan_mode("turbo") < 0, "fan modes");
        check(ha_parse_temperature("22.5", &d) == 0 && d == 22.5, "22.5");
        check(ha_parse_temperature("", &d) < 0 && ha_parse_temperature(" 22", &d) < 0 &&
              ha_parse_temperature("22x", &d) < 0 && ha_parse_temperature("nan", &d) < 0 &&
              ha_parse_temperature("inf", &d) < 0 && ha_parse_temperature("1e999", &d) < 0, "not numbers");
        check(ha_parse_switch("ON", &b) == 0 && b && ha_parse_switch("OFF", &b) == 0 && !b, "ON/OFF");
        check(ha_parse_switch("on", &b) < 0 && ha_parse_switch("true", &b) < 0, "other switch words");
}

int main(void) {
        test_broker();
        test_node_id();
        test_credentials();
        test_discovery();
        test_commands();
        return test_result();
}
