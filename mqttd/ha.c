/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus-contract.h"
#include "ha.h"
#include "macro.h"

static const char *const hvac_modes[] = { VH_HVAC_MODE_WORDS, NULL };
static const char *const hvac_fans[] = { VH_HVAC_FAN_WORDS, NULL };

static const char *const command_suffix[_HA_COMMAND_MAX] = {
        [HA_COMMAND_MODE] = "climate/mode/set",
        [HA_COMMAND_TARGET_TEMPERATURE] = "climate/target_temperature/set",
        [HA_COMMAND_FAN_MODE] = "climate/fan_mode/set",
        [HA_COMMAND_MUTE] = "mute/set",
};

static const char *const command_name[_HA_COMMAND_MAX] = {
        [HA_COMMAND_MODE] = "mode",
        [HA_COMMAND_TARGET_TEMPERATURE] = "target temperature",
        [HA_COMMAND_FAN_MODE] = "fan mode",
        [HA_COMMAND_MUTE] = "mute",
};

char *ha_topic(const HaHub *h, const char *suffix) {
        char *s;

        if (asprintf(&s, "%s/%s/%s", h->topic_prefix, h->node_id, suffix) < 0)
                return NULL;
        return s;
}

static inline void json_object_putp(struct json_object **o) {
        if (*o)
                json_object_put(*o);
}
#define _cleanup_json_ _cleanup_(json_object_putp)

/* Adds key: a string, owned by the object from here on. */
static int add_string(struct json_object *o, const char *key, const char *value) {
        struct json_object *v = json_object_new_string(value);

        if (!v || json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

static int add_topic(struct json_object *o, const HaHub *h, const char *key, const char *suffix) {
        _cleanup_free_ char *t = ha_topic(h, suffix);

        return t ? add_string(o, key, t) : -ENOMEM;
}

static int add_double(struct json_object *o, const char *key, double value) {
        struct json_object *v = json_object_new_double(value);

        if (!v || json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

static int add_words(struct json_object *o, const char *key, const char *first, const char *const *words) {
        struct json_object *a = json_object_new_array();
        int r = 0;

        if (!a)
                return -ENOMEM;
        if (first)
                r = json_object_array_add(a, json_object_new_string(first));
        for (size_t i = 0; r >= 0 && words[i]; i++)
                r = json_object_array_add(a, json_object_new_string(words[i]));
        if (r < 0 || json_object_object_add(o, key, a) < 0) {
                json_object_put(a);
                return -ENOMEM;
        }
        return 0;
}

/* The hub's availability and, where given, the entity's own (its daemon is on the bus): both
 * must say online. */
static int add_availability(struct json_object *o, const HaHub *h, const char *own_suffix) {
        const char *suffixes[] = { "availability", own_suffix };
        struct json_object *a = json_object_new_array();

        if (!a || json_object_object_add(o, "availability", a) < 0) {
                json_object_put(a);
                return -ENOMEM;
        }
        for (size_t i = 0; i < ELEMENTSOF(suffixes) && suffixes[i]; i++) {
                struct json_object *e = json_object_new_object();

                if (!e || json_object_array_add(a, e) < 0) {
                        json_object_put(e);
                        return -ENOMEM;
                }
                if (add_topic(e, h, "topic", suffixes[i]) < 0)
                        return -ENOMEM;
        }
        if (add_string(o, "availability_mode", "all") < 0 || add_string(o, "payload_available", HA_ONLINE) < 0 ||
            add_string(o, "payload_not_available", HA_OFFLINE) < 0)
                return -ENOMEM;
        return 0;
}

static int add_device(struct json_object *o, const HaHub *h) {
        struct json_object *d = json_object_new_object();
        _cleanup_free_ char *id = NULL;

        if (!d || json_object_object_add(o, "device", d) < 0) {
                json_object_put(d);
                return -ENOMEM;
        }
        if (asprintf(&id, "voicehvac_%s", h->node_id) < 0)
                return -ENOMEM;
        if (add_words(d, "identifiers", id, (const char *const[]) { NULL }) < 0 || add_string(d, "name", h->name) < 0 ||
            add_string(d, "manufacturer", "voicehvac") < 0 || add_string(d, "model", "Voice-controlled AC hub") < 0 ||
            add_string(d, "sw_version", h->sw_version) < 0)
                return -ENOMEM;
        return 0;
}

static int add_common(struct json_object *o, const HaHub *h, const char *object, const char *name) {
        _cleanup_free_ char *uid = NULL;

        if (asprintf(&uid, "voicehvac_%s_%s", h->node_id, object) < 0)
                return -ENOMEM;
        if (add_string(o, "unique_id", uid) < 0 || add_string(o, "object_id", uid) < 0 ||
            add_string(o, "name", name) < 0 || add_device(o, h) < 0)
                return -ENOMEM;
        return 0;
}

static int climate_discovery(struct json_object *o, const HaHub *h, const HaLimits *l) {
        if (add_common(o, h, "climate", "Air conditioner") < 0 || add_availability(o, h, "climate/availability") < 0 ||
            add_words(o, "modes", "off", hvac_modes) < 0 || add_words(o, "fan_modes", NULL, hvac_fans) < 0 ||
            add_topic(o, h, "mode_state_topic", "climate/mode") < 0 ||
            add_topic(o, h, "mode_command_topic", "climate/mode/set") < 0 ||
            add_topic(o, h, "temperature_state_topic", "climate/target_temperature") < 0 ||
            add_topic(o, h, "temperature_command_topic", "climate/target_temperature/set") < 0 ||
            add_topic(o, h, "current_temperature_topic", "climate/current_temperature") < 0 ||
            add_topic(o, h, "fan_mode_state_topic", "climate/fan_mode") < 0 ||
            add_topic(o, h, "fan_mode_command_topic", "climate/fan_mode/set") < 0 ||
            add_double(o, "min_temp", l->min_temperature) < 0 || add_double(o, "max_temp", l->max_temperature) < 0 ||
            add_double(o, "temp_step", l->temperature_step) < 0 || add_double(o, "precision", 0.1) < 0 ||
            add_string(o, "temperature_unit", "C") < 0 || json_object_object_add(o, "qos", json_object_new_int(1)) < 0 ||
            json_object_object_add(o, "optimistic", json_object_new_boolean(false)) < 0)
                return -ENOMEM;
        return 0;
}

static int mute_discovery(struct json_object *o, const HaHub *h) {
        if (add_common(o, h, "mic_mute", "Microphone mute") < 0 || add_availability(o, h, "mute/availability") < 0 ||
            add_topic(o, h, "state_topic", "mute") < 0 || add_topic(o, h, "command_topic", "mute/set") < 0 ||
            add_string(o, "payload_on", "ON") < 0 || add_string(o, "payload_off", "OFF") < 0 ||
            add_string(o, "state_on", "ON") < 0 || add_string(o, "state_off", "OFF") < 0 ||
            add_string(o, "icon", "mdi:microphone-off") < 0 || json_object_object_add(o, "qos", json_object_new_int(1)) < 0)
                return -ENOMEM;
        return 0;
}

static int wake_word_discovery(struct json_object *o, const HaHub *h) {
        if (add_common(o, h, "wake_word", "Wake word") < 0 || add_availability(o, h, NULL) < 0 ||
            add_topic(o, h, "state_topic", "wake_word") < 0 ||
            add_words(o, "event_types", "wake", (const char *const[]) { NULL }) < 0 ||
            add_string(o, "icon", "mdi:account-voice") < 0 || json_object_object_add(o, "qos", json_object_new_int(1)) < 0)
                return -ENOMEM;
        return 0;
}

static int last_command_discovery(struct json_object *o, const HaHub *h) {
        if (add_common(o, h, "last_command", "Last voice command") < 0 || add_availability(o, h, NULL) < 0 ||
            add_topic(o, h, "state_topic", "last_command") < 0 || add_string(o, "icon", "mdi:comment-quote") < 0 ||
            json_object_object_add(o, "qos", json_object_new_int(1)) < 0)
                return -ENOMEM;
        return 0;
}

int ha_discovery(const HaHub *h, HaEntity e, const HaLimits *limits, char **ret_topic, char **ret_json) {
        static const char *const component[_HA_ENTITY_MAX] = {
                [HA_ENTITY_CLIMATE] = "climate",
                [HA_ENTITY_MUTE] = "switch",
                [HA_ENTITY_WAKE_WORD] = "event",
                [HA_ENTITY_LAST_COMMAND] = "sensor",
        };
        static const char *const object[_HA_ENTITY_MAX] = {
                [HA_ENTITY_CLIMATE] = "climate",
                [HA_ENTITY_MUTE] = "mic_mute",
                [HA_ENTITY_WAKE_WORD] = "wake_word",
                [HA_ENTITY_LAST_COMMAND] = "last_command",
        };
        _cleanup_json_ struct json_object *o = NULL;
        _cleanup_free_ char *topic = NULL, *json = NULL;
        int r;

        assert(e >= 0 && e < _HA_ENTITY_MAX);
        o = json_object_new_object();
        if (!o)
                return -ENOMEM;
        switch (e) {
        case HA_ENTITY_CLIMATE:
                r = climate_discovery(o, h, limits);
                break;
        case HA_ENTITY_MUTE:
                r = mute_discovery(o, h);
                break;
        case HA_ENTITY_WAKE_WORD:
                r = wake_word_discovery(o, h);
                break;
        default:
                r = last_command_discovery(o, h);
                break;
        }
        if (r < 0)
                return r;

        if (asprintf(&topic, "%s/%s/%s/%s/config", h->discovery_prefix, component[e], h->node_id, object[e]) < 0)
                return -ENOMEM;
        json = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        if (!json)
                return -ENOMEM;
        *ret_topic = TAKE_PTR(topic);
        *ret_json = TAKE_PTR(json);
        return 0;
}

HaCommand ha_command_from_topic(const HaHub *h, const char *topic) {
        size_t lp = strlen(h->topic_prefix), ln = strlen(h->node_id);

        if (strncmp(topic, h->topic_prefix, lp) != 0 || topic[lp] != '/' ||
            strncmp(topic + lp + 1, h->node_id, ln) != 0 || topic[lp + 1 + ln] != '/')
                return HA_COMMAND_NONE;
        for (HaCommand c = 0; c < _HA_COMMAND_MAX; c++)
                if (streq(topic + lp + ln + 2, command_suffix[c]))
                        return c;
        return HA_COMMAND_NONE;
}

const char *ha_command_to_string(HaCommand c) {
        return c >= 0 && c < _HA_COMMAND_MAX ? command_name[c] : "unknown";
}

int ha_command_patterns(const HaHub *h, char **ret_a, char **ret_b) {
        _cleanup_free_ char *a = ha_topic(h, "+/set"), *b = ha_topic(h, "+/+/set");

        if (!a || !b)
                return -ENOMEM;
        *ret_a = TAKE_PTR(a);
        *ret_b = TAKE_PTR(b);
        return 0;
}

int ha_payload_text(const void *payload, size_t size, char ret[static HA_PAYLOAD_MAX + 1]) {
        const unsigned char *p = payload;

        if (size > HA_PAYLOAD_MAX)
                return -EMSGSIZE;
        for (size_t i = 0; i < size; i++)
                if (p[i] < 0x20 || p[i] > 0x7e)
                        return -EINVAL;
        memcpy(ret, payload, size);
        ret[size] = '\0';
        return 0;
}

static int word_index(const char *const *words, const char *s) {
        for (int i = 0; words[i]; i++)
                if (streq(words[i], s))
                        return i;
        return -EINVAL;
}

int ha_parse_mode(const char *s, bool *ret_off) {
        if (streq(s, "off")) {
                *ret_off = true;
                return 0;
        }
        *ret_off = false;
        return word_index(hvac_modes, s) < 0 ? -EINVAL : 0;
}

int ha_parse_fan_mode(const char *s) {
        return word_index(hvac_fans, s) < 0 ? -EINVAL : 0;
}

int ha_parse_temperature(const char *s, double *ret) {
        char *end;
        double d;

        if (isempty(s) || strchr(" \t", s[0]))
                return -EINVAL;
        errno = 0;
        d = strtod(s, &end);
        if (errno != 0 || *end != '\0' || !isfinite(d))
                return -EINVAL;
        *ret = d;
        return 0;
}

int ha_parse_switch(const char *s, bool *ret) {
        if (streq(s, "ON"))
                *ret = true;
        else if (streq(s, "OFF"))
                *ret = false;
        else
                return -EINVAL;
        return 0;
}

char *ha_wake_event(const char *phrase, double score) {
        _cleanup_json_ struct json_object *o = json_object_new_object();

        if (!o || add_string(o, "event_type", "wake") < 0 || add_string(o, "phrase", phrase) < 0 ||
            add_double(o, "score", isfinite(score) ? score : 0) < 0)
                return NULL;
        return strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
}
