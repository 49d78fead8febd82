/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "macro.h"


static inline void sd_bus_error_freep(sd_bus_error *e) {
        sd_bus_error_free(e);
}
#define _cleanup_bus_error_ _cleanup_(sd_bus_error_freep)

/* Connects to the system bus (which honours $DBUS_SYSTEM_BUS_ADDRESS, so tests and the demo can
 * point every daemon at a private dbus-daemon) and attaches it to the event loop. */
int bus_open_system_attached(sd_event *event, sd_bus **ret);

/* A daemon's connection, the same for every daemon: our error names registered with sd-bus
 * (errors.h), then the system bus as bus_open_system_attached() opens it. */
int bus_open_service(sd_event *event, sd_bus **ret);

/* Requests the well-known name once every object is registered, then tells the service manager
 * READY=1. Failing to get the name is fatal: a second instance must not run. */
int bus_request_name_and_notify(sd_bus *bus, const char *name);

/* Sets up the loop the same way for every daemon: SIGTERM/SIGINT exit it, and the systemd
 * watchdog (WatchdogSec=) is pinged from it when the unit asks for that. */
int event_new_with_defaults(sd_event **ret);

/* The one way a daemon emits PropertiesChanged for its object: "names" NULL-terminated (see
 * BUS_PROPERTY_NAMES). Nothing is sent without names or before the bus is connected (a change made
 * while starting is read with the first GetAll). */
int bus_emit_properties_changed_strv(sd_bus *bus, const char *path, const char *interface, char **names);
#define BUS_PROPERTY_NAMES(...) ((char *[]) { __VA_ARGS__, NULL })

/* Sender's uid and supplementary groups, from the bus's own credentials for the message. */
int bus_message_sender_in_group(sd_bus_message *m, gid_t gid, bool *ret);

/* Reads an a{sv} (GetAll's reply, PropertiesChanged's second argument, an intent) and hands
 * each to "one", positioned at its value: "one" reads the variant or skips it. */
typedef int (*bus_property_reader_t)(sd_bus_message *m, const char *name, void *userdata);
int bus_read_property_dict(sd_bus_message *m, bus_property_reader_t one, void *userdata);
