/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* MQTT ⇄ D-Bus: what Home Assistant sends becomes one call to hvacd or audiod, checked here
 * first and then by the service as any client's; what the services announce becomes retained
 * state. A refused command changes nothing, is logged, and the true state is published again so
 * Home Assistant does not keep showing what it asked for. */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus-util.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "string-util.h"

typedef struct PendingCommand {
        Manager *manager;
        HaCommand command;
        char value[HA_PAYLOAD_MAX + 1];
} PendingCommand;

static void manager_publish_retained(Manager *m, const char *topic, const char *payload) {
        int r;

        r = mqtt_client_publish(m->mqtt, topic, payload, strlen(payload), true);
        if (r < 0 && r != -ENOTCONN)
                log_warning_errno(r, "Failed to publish %s: %m", topic);
}

/* Publishes what changed since the last time in this session; force: all of it. */
static void manager_publish_states(Manager *m, bool force) {
        const HvacView *h = peers_hvac(m->peers);
        const AudioView *a = peers_audio(m->peers);
        const WakeWordView *w = peers_wake_word(m->peers);
        char payload[_STATE_TOPIC_MAX][DOUBLE_STR_MAX + 16] = {};
        bool have[_STATE_TOPIC_MAX] = {};

        if (!mqtt_client_is_connected(m->mqtt))
                return;

        snprintf(payload[STATE_CLIMATE_AVAILABILITY], sizeof(payload[0]), "%s", h->present ? HA_ONLINE : HA_OFFLINE);
        have[STATE_CLIMATE_AVAILABILITY] = true;
        if (h->present && h->mode && h->fan_speed) {
                snprintf(payload[STATE_MODE], sizeof(payload[0]), "%s", h->power ? h->mode : "off");
                format_double(payload[STATE_TARGET_TEMPERATURE], h->target_temperature);
                snprintf(payload[STATE_FAN_MODE], sizeof(payload[0]), "%s", h->fan_speed);
                have[STATE_MODE] = have[STATE_TARGET_TEMPERATURE] = have[STATE_FAN_MODE] = true;
                if (isfinite(h->current_temperature)) {
                        format_double(payload[STATE_CURRENT_TEMPERATURE], h->current_temperature);
                        have[STATE_CURRENT_TEMPERATURE] = true;
                }
        }
        snprintf(payload[STATE_MUTE_AVAILABILITY], sizeof(payload[0]), "%s", a->present ? HA_ONLINE : HA_OFFLINE);
        have[STATE_MUTE_AVAILABILITY] = true;
        if (a->present) {
                snprintf(payload[STATE_MUTE], sizeof(payload[0]), "%s", a->muted ? "ON" : "OFF");
                have[STATE_MUTE] = true;
        }

        for (StateTopic t = 0; t < _STATE_TOPIC_MAX; t++) {
                const char *p = payload[t];

                if (t == STATE_LAST_COMMAND) {
                        if (!w->last_command || isempty(w->last_command))
                                continue;
                        p = w->last_command;
                } else if (!have[t])
                        continue;
                if (!force && streq_ptr(m->published[t], p))
                        continue;
                if (mqtt_client_publish(m->mqtt, m->state_topic[t], p, strlen(p), true) < 0)
                        continue;
                free(m->published[t]);
                m->published[t] = strdup(p);
        }
}

static void manager_publish_discovery(Manager *m, HaEntity e) {
        const HvacView *h = peers_hvac(m->peers);
        HaLimits limits = {
                .min_temperature = h->min_temperature,
                .max_temperature = h->max_temperature,
                .temperature_step = h->temperature_step,
        };
        _cleanup_free_ char *topic = NULL, *json = NULL;
        int r;

        r = ha_discovery(&m->hub, e, &limits, &topic, &json);
        if (r < 0) {
                log_oom();
                return;
        }
        manager_publish_retained(m, topic, json);
        if (e == HA_ENTITY_CLIMATE) {
                m->climate_discovered = true;
                m->published_limits = limits;
        }
}

/* The climate entity's document carries hvacd's range, so it waits for hvacd, and follows a
 * new range when hvacd comes back with another configuration. */
static void manager_publish_climate_discovery(Manager *m) {
        const HvacView *h = peers_hvac(m->peers);

        if (!h->present || !mqtt_client_is_connected(m->mqtt))
                return;
        if (m->climate_discovered && m->published_limits.min_temperature == h->min_temperature &&
            m->published_limits.max_temperature == h->max_temperature &&
            m->published_limits.temperature_step == h->temperature_step)
                return;
        manager_publish_discovery(m, HA_ENTITY_CLIMATE);
}

void manager_on_mqtt_connected(MqttClient *c, void *userdata) {
        Manager *m = userdata;
        _cleanup_free_ char *a = NULL, *b = NULL;
        int r;

        /* A new session: the broker may have lost everything (a restart without persistence). */
        for (StateTopic t = 0; t < _STATE_TOPIC_MAX; t++)
                m->published[t] = mfree(m->published[t]);
        m->climate_discovered = false;

        r = ha_command_patterns(&m->hub, &a, &b);
        if (r < 0) {
                log_oom();
                return;
        }
        r = mqtt_client_subscribe(c, a);
        if (r >= 0)
                r = mqtt_client_subscribe(c, b);
        if (r < 0)
                log_error_errno(r, "Failed to subscribe to the command topics: %m");

        manager_publish_retained(m, m->availability_topic, HA_ONLINE);
        manager_publish_climate_discovery(m);
        manager_publish_discovery(m, HA_ENTITY_MUTE);
        manager_publish_discovery(m, HA_ENTITY_WAKE_WORD);
        manager_publish_discovery(m, HA_ENTITY_LAST_COMMAND);
        manager_publish_states(m, true);
        manager_bus_emit_changed(m, "State");
}

void manager_on_mqtt_disconnected(MqttClient *c, int error, void *userdata) {
        manager_bus_emit_changed(userdata, "State");
}

void manager_on_peers_changed(Peers *p, unsigned what, void *userdata) {
        Manager *m = userdata;

        if (what & PEER_CHANGE_HVAC)
                manager_publish_climate_discovery(m);
        manager_publish_states(m, false);
}

void manager_on_wake(Peers *p, const char *phrase, double score, void *userdata) {
        Manager *m = userdata;
        _cleanup_free_ char *json = ha_wake_event(phrase, score);
        int r;

        if (!json) {
                log_oom();
                return;
        }
        /* An event happens once: not retained, so a new subscriber does not see it again. */
        r = mqtt_client_publish(m->mqtt, m->wake_topic, json, strlen(json), false);
        if (r < 0 && r != -ENOTCONN)
                log_warning_errno(r, "Failed to publish %s: %m", m->wake_topic);
}

static void manager_reject(Manager *m) {
        m->rejected++;
        manager_bus_emit_changed(m, "Rejected");
        /* Home Assistant shows what it asked for until told otherwise. */
        manager_publish_states(m, true);
}

static void pending_free(void *userdata) {
        free(userdata);
}

static int on_command_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        PendingCommand *pc = userdata;
        Manager *m = pc->manager;
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        if (!e)
                return 0;
        log_warning("%s refused the %s '%s' from MQTT: %s: %s",
                    pc->command == HA_COMMAND_MUTE ? "audiod" : "hvacd", ha_command_to_string(pc->command),
                    pc->value, e->name, e->message ?: "no message");
        manager_reject(m);
        return 0;
}

static int manager_call(Manager *m, HaCommand command, const char *value, const char *destination,
                        const char *path, const char *interface, const char *method, const char *signature, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        PendingCommand *pc;
        va_list ap;
        int r;

        r = sd_bus_message_new_method_call(m->bus, &call, destination, path, interface, method);
        if (r < 0)
                return r;
        va_start(ap, signature);
        r = sd_bus_message_appendv(call, signature, ap);
        va_end(ap);
        if (r < 0)
                return r;

        pc = calloc(1, sizeof(PendingCommand));
        if (!pc)
                return -ENOMEM;
        *pc = (PendingCommand) { .manager = m, .command = command };
        snprintf(pc->value, sizeof(pc->value), "%s", value);

        r = sd_bus_call_async(m->bus, &slot, call, on_command_reply, pc, 0);
        if (r < 0) {
                free(pc);
                return r;
        }
        /* The slot frees the context, whether the reply comes or the bus goes first. */
        (void) sd_bus_slot_set_destroy_callback(slot, pending_free);
        (void) sd_bus_slot_set_floating(slot, true);
        m->commands++;
        manager_bus_emit_changed(m, "Commands");
        return 0;
}

static int manager_command_mode(Manager *m, const char *value) {
        bool off;

        if (ha_parse_mode(value, &off) < 0)
                return log_warning_errno(-EINVAL, "Rejected the mode '%s' from MQTT: expected off, " VH_HVAC_MODES_LIST ".",
                                         value);
        /* One Apply: the unit is switched on in the new mode, or nothing changes at all. */
        if (off)
                return manager_call(m, HA_COMMAND_MODE, value, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH,
                                    VH_HVAC_INTERFACE, "Apply", "a{sv}", 1, "power", "b", 0);
        return manager_call(m, HA_COMMAND_MODE, value, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE,
                            "Apply", "a{sv}", 2, "power", "b", 1, "mode", "s", value);
}

static int manager_command_temperature(Manager *m, const char *value) {
        double t;

        if (ha_parse_temperature(value, &t) < 0)
                return log_warning_errno(-EINVAL, "Rejected the target temperature '%s' from MQTT: expected a number.",
                                         value);
        return manager_call(m, HA_COMMAND_TARGET_TEMPERATURE, value, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH,
                            VH_HVAC_INTERFACE, "SetTargetTemperature", "d", t);
}

static int manager_command_fan(Manager *m, const char *value) {
        if (ha_parse_fan_mode(value) < 0)
                return log_warning_errno(-EINVAL, "Rejected the fan mode '%s' from MQTT: expected " VH_HVAC_FANS_LIST ".",
                                         value);
        return manager_call(m, HA_COMMAND_FAN_MODE, value, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE,
                            "SetFanSpeed", "s", value);
}

static int manager_command_mute(Manager *m, const char *value) {
        bool mute;

        if (ha_parse_switch(value, &mute) < 0)
                return log_warning_errno(-EINVAL, "Rejected the mute '%s' from MQTT: expected ON or OFF.", value);
        if (!mute && !m->config.allow_unmute)
                return log_warning_errno(-EPERM, "Refused to unmute from MQTT: allow_unmute is false in %s.",
                                         m->config_path);
        return manager_call(m, HA_COMMAND_MUTE, value, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE,
                            "SetMute", "b", (int) mute);
}

void manager_on_mqtt_message(MqttClient *c, const char *topic, const void *payload, size_t size, bool retained,
                             void *userdata) {
        Manager *m = userdata;
        char value[HA_PAYLOAD_MAX + 1], echo[ECHO_STR_MAX];
        HaCommand command;
        int r;

        command = ha_command_from_topic(&m->hub, topic);
        if (command == HA_COMMAND_NONE) {
                log_debug("Ignoring a message on %s.", str_echo(echo, topic));
                return;
        }
        /* A command acts when it is sent, once: one kept by the broker would act again at every
         * reconnect. */
        if (retained) {
                log_notice("Ignoring a retained %s command on %s: commands are acted on when sent, not replayed.",
                           ha_command_to_string(command), topic);
                return;
        }

        r = ha_payload_text(payload, size, value);
        if (r == -EMSGSIZE) {
                log_warning("Rejected a %s command on %s: %zu bytes, at most %u.", ha_command_to_string(command), topic,
                            size, HA_PAYLOAD_MAX);
                manager_reject(m);
                return;
        }
        if (r < 0) {
                log_warning("Rejected a %s command on %s: not printable ASCII text.", ha_command_to_string(command),
                            topic);
                manager_reject(m);
                return;
        }

        if (command != HA_COMMAND_MUTE && !peers_hvac(m->peers)->present) {
                log_warning("Rejected the %s '%s' from MQTT: hvacd is not on the bus.", ha_command_to_string(command),
                            value);
                manager_reject(m);
                return;
        }
        if (command == HA_COMMAND_MUTE && !peers_audio(m->peers)->present) {
                log_warning("Rejected the mute '%s' from MQTT: audiod is not on the bus.", value);
                manager_reject(m);
                return;
        }

        switch (command) {
        case HA_COMMAND_MODE:
                r = manager_command_mode(m, value);
                break;
        case HA_COMMAND_TARGET_TEMPERATURE:
                r = manager_command_temperature(m, value);
                break;
        case HA_COMMAND_FAN_MODE:
                r = manager_command_fan(m, value);
                break;
        default:
                r = manager_command_mute(m, value);
                break;
        }
        if (r == -ENOMEM)
                log_oom();
        else if (r < 0 && r != -EINVAL && r != -EPERM)
                log_warning_errno(r, "Failed to send the %s '%s' from MQTT: %m", ha_command_to_string(command), value);
        if (r < 0)
                manager_reject(m);
        else
                log_debug("Sent the %s '%s' from MQTT.", ha_command_to_string(command), value);
}
