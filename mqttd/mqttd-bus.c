/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* org.voicehvac.Mqtt1: what the bridge is doing, for voicehvacctl and watchdogd. Read-only. */

#include <stdio.h>

#include "bus-util.h"
#include "log.h"
#include "manager.h"
#include "string-util.h"

static int property_get_state(sd_bus *bus, const char *path, const char *interface, const char *property,
                              sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;

        return sd_bus_message_append(reply, "s", mqtt_client_is_connected(m->mqtt) ? "connected" : "connecting");
}

static int property_get_broker(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        char buf[300];

        /* Made from the parsed address, not the configured text: nothing but scheme, host and port. */
        snprintf(buf, sizeof(buf), "%s://%s%s%s:%u", m->broker.tls ? "mqtts" : "mqtt", strchr(m->broker.host, ':') ? "[" : "",
                 m->broker.host, strchr(m->broker.host, ':') ? "]" : "", m->broker.port);
        return sd_bus_message_append(reply, "s", buf);
}

static int property_get_node_id(sd_bus *bus, const char *path, const char *interface, const char *property,
                                 sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;

        return sd_bus_message_append(reply, "s", m->node_id);
}

static int property_get_connects(sd_bus *bus, const char *path, const char *interface, const char *property,
                                 sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;

        return sd_bus_message_append(reply, "u", mqtt_client_connects(m->mqtt));
}

static const sd_bus_vtable mqtt_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("State", "s", property_get_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Broker", "s", property_get_broker, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("NodeId", "s", property_get_node_id, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("AllowUnmute", "b", NULL, offsetof(Manager, config.allow_unmute), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Connects", "u", property_get_connects, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Commands", "t", NULL, offsetof(Manager, commands), SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Rejected", "t", NULL, offsetof(Manager, rejected), SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_VTABLE_END
};

int manager_bus_setup(Manager *m) {
        int r;

        r = sd_bus_add_object_vtable(m->bus, NULL, VH_MQTT_OBJECT_PATH, VH_MQTT_INTERFACE, mqtt_vtable, m);
        if (r < 0)
                return log_error_errno(r, "Failed to register the object %s: %m", VH_MQTT_OBJECT_PATH);
        return 0;
}

void manager_bus_emit_changed(Manager *m, const char *property) {
        char *state[] = { (char *) "State", (char *) "Connects", NULL };
        char *one[] = { (char *) property, NULL };
        int r;

        if (!m->bus)
                return;
        /* Connects moves with every new session, which State announces. */
        r = bus_emit_properties_changed_strv(m->bus, VH_MQTT_OBJECT_PATH, VH_MQTT_INTERFACE,
                                             streq(property, "State") ? state : one);
        if (r < 0)
                log_debug_errno(r, "Failed to emit PropertiesChanged for %s: %m", property);
}
