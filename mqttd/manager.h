/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The one object that owns everything mqttd has: configuration, the MQTT connection, the view
 * of the other services, the bus and the event loop. */

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "bus-contract.h"
#include "ha.h"
#include "macro.h"
#include "mqtt-client.h"
#include "peers.h"

#define MQTTD_CONFIG_FILE "/etc/voicehvac/mqttd.json"
#define MQTTD_SHUTDOWN_TIMEOUT_USEC (2 * USEC_PER_SEC)

typedef struct MqttdConfig {
        char *broker;                   /* mqtt://HOST[:PORT] or mqtts://HOST[:PORT] */
        char *node_id;                  /* empty: derived from /etc/machine-id */
        char *name;                     /* the device's name in Home Assistant */
        char *topic_prefix;
        char *discovery_prefix;
        char *credentials_file;         /* JSON {"username", "password"}, mode 0600 or 0400 */
        char *ca_file;
        bool allow_unmute;
        unsigned keepalive_sec;
        unsigned reconnect_initial_ms;
        unsigned reconnect_max_ms;
} MqttdConfig;

/* What the broker URL says. */
typedef struct MqttBroker {
        char *host;
        unsigned port;
        bool tls;
} MqttBroker;

/* The retained state topics, each published again only when its payload changes. */
typedef enum StateTopic {
        STATE_CLIMATE_AVAILABILITY,
        STATE_MODE,
        STATE_TARGET_TEMPERATURE,
        STATE_CURRENT_TEMPERATURE,
        STATE_FAN_MODE,
        STATE_MUTE_AVAILABILITY,
        STATE_MUTE,
        STATE_LAST_COMMAND,
        _STATE_TOPIC_MAX,
} StateTopic;

typedef struct Manager {
        sd_event *event;
        sd_bus *bus;
        MqttdConfig config;
        char *config_path;
        MqttBroker broker;
        char *node_id;
        HaHub hub;

        MqttClient *mqtt;
        Peers *peers;
        char *state_topic[_STATE_TOPIC_MAX];
        char *published[_STATE_TOPIC_MAX];      /* payload last published; NULL: not this session */
        HaLimits published_limits;              /* what the climate discovery said */
        bool climate_discovered;
        char *availability_topic;
        char *wake_topic;

        uint64_t commands;                      /* handed to a service */
        uint64_t rejected;                      /* refused here or by the service */
} Manager;

int manager_new(Manager **ret);
Manager *manager_free(Manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manager *, manager_free);

/* Loads and checks the configuration; broker_override is --broker. Logs what is wrong, naming
 * the file and the key. */
int manager_load_config(Manager *m, const char *path, bool explicit_path, const char *broker_override);
/* The bus, the peers, the bus object and name, then the first connection to the broker. */
int manager_start(Manager *m);
/* The loop until SIGTERM/SIGINT, then "offline" and a clean disconnect. */
int manager_run(Manager *m);

/* In mqttd-config.c. */
int mqtt_broker_parse(const char *url, MqttBroker *ret, char **ret_problem);
void mqtt_broker_done(MqttBroker *b);
bool node_id_is_valid(const char *s);
int node_id_from_machine_id(char **ret);
/* Reads a credentials file that only its owner may read; *ret_error names the problem. */
int mqtt_credentials_load(const char *path, char **ret_username, char **ret_password, char **ret_error);
/* Defaults, then the file; *ret_error names the file, the key and the problem. */
int mqttd_config_init(MqttdConfig *c);
int mqttd_config_load(MqttdConfig *c, const char *path, bool must_exist, char **ret_error);
void mqttd_config_done(MqttdConfig *c);

/* In bridge.c: MQTT ⇄ D-Bus. */
void manager_on_mqtt_connected(MqttClient *c, void *userdata);
void manager_on_mqtt_disconnected(MqttClient *c, int error, void *userdata);
void manager_on_mqtt_message(MqttClient *c, const char *topic, const void *payload, size_t size, bool retained,
                             void *userdata);
void manager_on_peers_changed(Peers *p, unsigned what, void *userdata);
void manager_on_wake(Peers *p, const char *phrase, double score, void *userdata);

/* In mqttd-bus.c: org.voicehvac.Mqtt1. */
int manager_bus_setup(Manager *m);
void manager_bus_emit_changed(Manager *m, const char *property);
