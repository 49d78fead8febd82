/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Home Assistant's side of the bridge, without MQTT or D-Bus: the topics of one hub, the
 * discovery documents of its entities, and the checks on what Home Assistant sends.
 *
 * Under <topic_prefix>/<node_id>/ (every state retained, QoS 1):
 *   availability                  "online" / "offline" (the last will)
 *   climate/availability          "online" while hvacd is on the bus
 *   climate/mode[/set]            "off" or a Hvac1 mode ("off" is Power false)
 *   climate/target_temperature[/set], climate/current_temperature, climate/fan_mode[/set]
 *   mute/availability, mute[/set] "ON" / "OFF" (audiod's Muted)
 *   wake_word                     an event: {"event_type":"wake","phrase":…,"score":…}, not retained
 *   last_command                  the text of the last recognised command
 * Discovery: <discovery_prefix>/<component>/<node_id>/<object>/config, retained. */

#include <stdbool.h>
#include <stddef.h>

#define HA_PAYLOAD_MAX 64               /* longer commands are refused, not read */
#define HA_ONLINE "online"
#define HA_OFFLINE "offline"

typedef struct HaHub {
        const char *node_id;
        const char *name;               /* the device's name in Home Assistant */
        const char *topic_prefix;
        const char *discovery_prefix;
        const char *sw_version;
} HaHub;

typedef struct HaLimits {
        double min_temperature, max_temperature, temperature_step;
} HaLimits;

typedef enum HaEntity {
        HA_ENTITY_CLIMATE,
        HA_ENTITY_MUTE,
        HA_ENTITY_WAKE_WORD,
        HA_ENTITY_LAST_COMMAND,
        _HA_ENTITY_MAX,
} HaEntity;

typedef enum HaCommand {
        HA_COMMAND_MODE,
        HA_COMMAND_TARGET_TEMPERATURE,
        HA_COMMAND_FAN_MODE,
        HA_COMMAND_MUTE,
        _HA_COMMAND_MAX,
        HA_COMMAND_NONE = -1,
} HaCommand;

/* "<topic_prefix>/<node_id>/<suffix>"; NULL on OOM. */
char *ha_topic(const HaHub *h, const char *suffix);
/* The retained discovery topic and document of an entity. */
int ha_discovery(const HaHub *h, HaEntity e, const HaLimits *limits, char **ret_topic, char **ret_json);

/* The command a topic of this hub is, or HA_COMMAND_NONE. */
HaCommand ha_command_from_topic(const HaHub *h, const char *topic);
const char *ha_command_to_string(HaCommand c);
/* "<base>/+/set" and "<base>/+/+/set": what to subscribe to. */
int ha_command_patterns(const HaHub *h, char **ret_a, char **ret_b);

/* A payload of at most HA_PAYLOAD_MAX bytes of printable ASCII, as a string: -EMSGSIZE, -EINVAL. */
int ha_payload_text(const void *payload, size_t size, char ret[static HA_PAYLOAD_MAX + 1]);
/* "off" or one of the Hvac1 modes; "auto", "low", … fan words; a finite number; ON/OFF. */
int ha_parse_mode(const char *s, bool *ret_off);
int ha_parse_fan_mode(const char *s);
int ha_parse_temperature(const char *s, double *ret);
int ha_parse_switch(const char *s, bool *ret);

/* The document of a wake: {"event_type":"wake","phrase":…,"score":…}. */
char *ha_wake_event(const char *phrase, double score);
