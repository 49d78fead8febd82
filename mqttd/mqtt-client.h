/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* An MQTT connection (libmosquitto) driven by an sd-event loop: the socket is an io source,
 * keep-alive a timer, and a lost connection is retried with back-off. No thread, no D-Bus.
 * Everything published is QoS 1; the last will is set before every connect. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "macro.h"

typedef struct MqttClient MqttClient;

typedef struct MqttClientConfig {
        const char *host;
        unsigned port;
        bool tls;
        const char *ca_file;            /* NULL or empty: the system's CA directory */
        const char *client_id;
        const char *username;           /* NULL: no credentials */
        const char *password;
        const char *will_topic;         /* retained, QoS 1 */
        const char *will_payload;
        unsigned keepalive_sec;
        unsigned reconnect_initial_ms;
        unsigned reconnect_max_ms;
} MqttClientConfig;

typedef struct MqttClientCallbacks {
        /* The broker accepted the session: subscribe and publish everything now. */
        void (*connected)(MqttClient *c, void *userdata);
        /* The session ended (error < 0) or could not be set up; a retry is scheduled. */
        void (*disconnected)(MqttClient *c, int error, void *userdata);
        /* retained: the message came from the broker's store, not from a publish just now. */
        void (*message)(MqttClient *c, const char *topic, const void *payload, size_t size, bool retained,
                        void *userdata);
} MqttClientCallbacks;

/* Copies what it needs of *config; the password is wiped from the copy once handed to the
 * library. */
int mqtt_client_new(sd_event *event, const MqttClientConfig *config, const MqttClientCallbacks *callbacks,
                    void *userdata, MqttClient **ret);
MqttClient *mqtt_client_free(MqttClient *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(MqttClient *, mqtt_client_free);

/* The first connection attempt; failures from here on are retried with back-off. */
int mqtt_client_start(MqttClient *c);

bool mqtt_client_is_connected(MqttClient *c);
unsigned mqtt_client_connects(MqttClient *c);   /* sessions set up so far */

/* -ENOTCONN while not connected (the caller publishes everything again on connect). */
int mqtt_client_subscribe(MqttClient *c, const char *pattern);
int mqtt_client_publish(MqttClient *c, const char *topic, const void *payload, size_t size, bool retain);

/* At exit, outside the event loop: publishes payload retained on topic, waits up to timeout for
 * the broker's acknowledgement, and disconnects cleanly (so the last will is not sent). */
int mqtt_client_shutdown(MqttClient *c, const char *topic, const char *payload, uint64_t timeout_usec);

/* libmosquitto's MOSQ_ERR_* as a negative errno. */
int mqtt_error_to_errno(int mosq_error);
