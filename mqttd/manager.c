/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus-util.h"
#include "log.h"
#include "manager.h"

#ifndef VOICEHVAC_VERSION
#define VOICEHVAC_VERSION "0"
#endif

static const char *const state_suffix[_STATE_TOPIC_MAX] = {
        [STATE_CLIMATE_AVAILABILITY] = "climate/availability",
        [STATE_MODE] = "climate/mode",
        [STATE_TARGET_TEMPERATURE] = "climate/target_temperature",
        [STATE_CURRENT_TEMPERATURE] = "climate/current_temperature",
        [STATE_FAN_MODE] = "climate/fan_mode",
        [STATE_MUTE_AVAILABILITY] = "mute/availability",
        [STATE_MUTE] = "mute",
        [STATE_LAST_COMMAND] = "last_command",
};

int manager_new(Manager **ret) {
        _cleanup_(manager_freep) Manager *m = NULL;
        int r;

        m = calloc(1, sizeof(Manager));
        if (!m)
                return -ENOMEM;
        r = mqttd_config_init(&m->config);
        if (r < 0)
                return r;
        r = event_new_with_defaults(&m->event);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        return 0;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;
        m->peers = peers_free(m->peers);
        m->mqtt = mqtt_client_free(m->mqtt);
        sd_bus_flush_close_unref(m->bus);
        sd_event_unref(m->event);
        for (StateTopic t = 0; t < _STATE_TOPIC_MAX; t++) {
                free(m->state_topic[t]);
                free(m->published[t]);
        }
        free(m->availability_topic);
        free(m->wake_topic);
        free(m->node_id);
        mqtt_broker_done(&m->broker);
        mqttd_config_done(&m->config);
        free(m->config_path);
        free(m);
        return NULL;
}

int manager_load_config(Manager *m, const char *path, bool explicit_path, const char *broker_override) {
        _cleanup_free_ char *error = NULL, *problem = NULL;
        int r;

        m->config_path = strdup(path);
        if (!m->config_path)
                return log_oom();

        r = mqttd_config_load(&m->config, path, explicit_path, &error);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return log_error_errno(r, "%s", error ?: "Failed to load the configuration.");

        r = mqtt_broker_parse(broker_override ?: m->config.broker, &m->broker, &problem);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return log_error_errno(r, "%s '%s': %s", broker_override ? "--broker" : "broker",
                                       broker_override ?: m->config.broker, problem);

        if (!isempty(m->config.node_id))
                m->node_id = strdup(m->config.node_id);
        else {
                r = node_id_from_machine_id(&m->node_id);
                if (r < 0 && r != -ENOMEM)
                        return log_error_errno(r, "%s: key 'node_id': not set, and none can be derived from "
                                               "/etc/machine-id: %m", path);
        }
        if (!m->node_id)
                return log_oom();
        return 0;
}

static int manager_setup_topics(Manager *m) {
        m->hub = (HaHub) {
                .node_id = m->node_id,
                .name = m->config.name,
                .topic_prefix = m->config.topic_prefix,
                .discovery_prefix = m->config.discovery_prefix,
                .sw_version = VOICEHVAC_VERSION,
        };
        for (StateTopic t = 0; t < _STATE_TOPIC_MAX; t++) {
                m->state_topic[t] = ha_topic(&m->hub, state_suffix[t]);
                if (!m->state_topic[t])
                        return -ENOMEM;
        }
        m->availability_topic = ha_topic(&m->hub, "availability");
        m->wake_topic = ha_topic(&m->hub, "wake_word");
        if (!m->availability_topic || !m->wake_topic)
                return -ENOMEM;
        return 0;
}

static int manager_setup_mqtt(Manager *m) {
        static const MqttClientCallbacks callbacks = {
                .connected = manager_on_mqtt_connected,
                .disconnected = manager_on_mqtt_disconnected,
                .message = manager_on_mqtt_message,
        };
        _cleanup_free_ char *client_id = NULL, *username = NULL, *password = NULL, *error = NULL;
        MqttClientConfig c;
        int r;

        if (!isempty(m->config.credentials_file)) {
                r = mqtt_credentials_load(m->config.credentials_file, &username, &password, &error);
                if (r == -ENOMEM)
                        return log_oom();
                if (r < 0)
                        return log_error_errno(r, "%s: key 'credentials_file': %s", m->config_path, error);
        }
        if (!isempty(m->config.ca_file) && access(m->config.ca_file, R_OK) < 0)
                return log_error_errno(negative_errno(), "%s: key 'ca_file': cannot read %s: %m", m->config_path,
                                       m->config.ca_file);
        if (asprintf(&client_id, "voicehvac-%s", m->node_id) < 0)
                return log_oom();

        c = (MqttClientConfig) {
                .host = m->broker.host,
                .port = m->broker.port,
                .tls = m->broker.tls || !isempty(m->config.ca_file),
                .ca_file = m->config.ca_file,
                .client_id = client_id,
                .username = username,
                .password = password,
                .will_topic = m->availability_topic,
                .will_payload = HA_OFFLINE,
                .keepalive_sec = m->config.keepalive_sec,
                .reconnect_initial_ms = m->config.reconnect_initial_ms,
                .reconnect_max_ms = m->config.reconnect_max_ms,
        };
        r = mqtt_client_new(m->event, &c, &callbacks, m, &m->mqtt);
        if (password)
                explicit_bzero(password, strlen(password));
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return log_error_errno(r, "Failed to set up the MQTT client for %s:%u: %m", m->broker.host,
                                       m->broker.port);
        return 0;
}

int manager_start(Manager *m) {
        static const PeersCallbacks peer_callbacks = {
                .changed = manager_on_peers_changed,
                .wake = manager_on_wake,
        };
        int r;

        r = manager_setup_topics(m);
        if (r < 0)
                return log_oom();

        r = manager_setup_mqtt(m);
        if (r < 0)
                return r;

        r = bus_open_service(m->event, &m->bus);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus: %m");

        r = peers_new(m->bus, &peer_callbacks, m, &m->peers);
        if (r < 0)
                return log_error_errno(r, "Failed to follow the other services on the bus: %m");

        r = manager_bus_setup(m);
        if (r < 0)
                return r;

        r = bus_request_name_and_notify(m->bus, VH_MQTT_BUS_NAME);
        if (r < 0)
                return log_error_errno(r, "Failed to acquire bus name %s: %m", VH_MQTT_BUS_NAME);

        log_info("Bridging hub '%s' to the broker at %s:%u%s.", m->node_id, m->broker.host, m->broker.port,
                 m->broker.tls || !isempty(m->config.ca_file) ? " over TLS" : "");
        r = mqtt_client_start(m->mqtt);
        if (r < 0)
                return r;
        return 0;
}

int manager_run(Manager *m) {
        int r;

        r = sd_event_loop(m->event);
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m");

        /* Home Assistant should see the hub go away now, not after the broker's keep-alive. */
        r = mqtt_client_shutdown(m->mqtt, m->availability_topic, HA_OFFLINE, MQTTD_SHUTDOWN_TIMEOUT_USEC);
        if (r == -ETIMEDOUT)
                log_warning("The broker did not acknowledge '%s' in time; disconnected anyway.", HA_OFFLINE);
        else if (r < 0 && r != -ENOTCONN)
                log_warning_errno(r, "Failed to publish '%s' before disconnecting: %m", HA_OFFLINE);
        else if (r >= 0)
                log_info("Published '%s' and disconnected from the broker.", HA_OFFLINE);
        return 0;
}
