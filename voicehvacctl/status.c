/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Reads every service's properties (GetAll) and watchdogd's GetHealth into one JSON object,
 * which --json prints as it is and the text view reads from: one source for both.
 *
 * A service that is not running is part of the picture, not an error: its entry says
 * "running": false, and the text view says so on its line. */

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "bus-contract.h"
#include "bus-json.h"
#include "bus-util.h"
#include "ctl.h"
#include "status.h"
#include "time-util.h"

#define LABEL_WIDTH 17

static const char *const health_services[] = { "audiod", "hvacd", "wakeword", "system", NULL };

/* mqttd, the bridge to Home Assistant, is optional: status shows it, the other verbs (and the
 * services table they share) are about the four daemons of the hub itself. */
static const ServiceInfo mqtt_service = { "mqtt", "mqttd", VH_MQTT_BUS_NAME, VH_MQTT_OBJECT_PATH };

static int call_json(sd_bus *bus, const ServiceInfo *info, const char *iface, const char *member, json_object **ret,
                     sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        if (iface)
                r = sd_bus_call_method(bus, info->name, info->path, "org.freedesktop.DBus.Properties",
                                       member, error, &reply, "s", iface);
        else
                r = sd_bus_call_method(bus, info->name, info->path, info->name, member, error, &reply, NULL);
        if (r < 0)
                return r;
        return bus_message_read_json(reply, ret);
}

/* One service's entry: its properties and "running": true, or "running": false and why. */
static json_object *service_entry(sd_bus *bus, const ServiceInfo *info) {
        _cleanup_bus_error_ sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(json_object_putp) json_object *o = NULL;
        int r;

        r = call_json(bus, info, info->name, "GetAll", &o, &error);
        if (r >= 0 && info == &services[SERVICE_WATCHDOG]) {
                json_object *health = NULL;

                r = call_json(bus, info, NULL, "GetHealth", &health, &error);
                if (r >= 0)
                        json_object_object_add(o, "Health", health);
        }
        if (r < 0) {
                json_object_put(TAKE_PTR(o));
                o = json_object_new_object();
                json_object_object_add(o, "running", json_object_new_boolean(false));
                json_object_object_add(o, "error", json_object_new_string(error.name ?: VH_ERROR_FAILED));
                if (ctl_error_is_not_running(&error))
                        json_object_object_add(o, "message", json_object_new_string("not running"));
                else
                        json_object_object_add(o, "message",
                                               json_object_new_string(error.message ?: strerror(-r)));
                return TAKE_PTR(o);
        }
        json_object_object_add(o, "running", json_object_new_boolean(true));
        return TAKE_PTR(o);
}

static void print_field(const char *label, const char *format, ...) _printf_(2, 3);
static void print_field(const char *label, const char *format, ...) {
        va_list ap;

        printf("%*s%s ", LABEL_WIDTH, label, *label ? ":" : " ");
        va_start(ap, format);
        vprintf(format, ap);
        va_end(ap);
        putchar('\n');
}

/* "n/a (audiod is not running)" when the entry has no properties; returns true then. */
static bool print_unavailable(const char *label, json_object *o, Service s) {
        if (json_get_bool(o, "running", false))
                return false;
        if (streq(json_get_string(o, "message", ""), "not running"))
                print_field(label, "n/a (%s is not running)", services[s].daemon);
        else
                print_field(label, "n/a (%s: %s)", services[s].daemon, json_get_string(o, "message", "?"));
        return true;
}

static void print_audio(json_object *o) {
        uint64_t rate, channels;

        if (print_unavailable("Microphone", o, SERVICE_AUDIO))
                return;
        print_field("Microphone", "%s, %s", json_get_bool(o, "Muted", true) ? "muted" : "unmuted",
                    json_get_string(o, "State", "?"));
        if (json_get_bool(o, "StateUnsaved", false))
                print_field("", "mute not saved to disk (retrying); a restart now starts muted");
        rate = json_get_u64(o, "SampleRate", 0);
        channels = json_get_u64(o, "Channels", 0);
        print_field("Capture device", "%s (%g kHz, %s)", json_get_string(o, "Device", "?"), (double) rate / 1000.0,
                    channels == 1 ? "mono" : channels == 2 ? "stereo" : "multichannel");
        print_field("Streams", "%" PRIu64 " client%s, %" PRIu64 " overrun%s", json_get_u64(o, "Clients", 0),
                    json_get_u64(o, "Clients", 0) == 1 ? "" : "s", json_get_u64(o, "Xruns", 0),
                    json_get_u64(o, "Xruns", 0) == 1 ? "" : "s");
}

/* "3 min ago", as loginctl and systemctl put it, coarsely. */
static void format_ago(uint64_t then_usec, char *buf, size_t size) {
        uint64_t now = now_usec(CLOCK_REALTIME), s;

        s = now > then_usec ? (now - then_usec) / USEC_PER_SEC : 0;
        if (s < 60)
                snprintf(buf, size, "%" PRIu64 " s ago", s);
        else if (s < 3600)
                snprintf(buf, size, "%" PRIu64 " min ago", s / 60);
        else if (s < 86400)
                snprintf(buf, size, "%" PRIu64 " h %" PRIu64 " min ago", s / 3600, s / 60 % 60);
        else
                snprintf(buf, size, "%" PRIu64 " days ago", s / 86400);
}

static void print_wakeword(json_object *o) {
        const char *state, *phrase, *command, *rejection;
        uint64_t last_wake;
        char ago[64];

        if (print_unavailable("Wake word", o, SERVICE_WAKEWORD))
                return;
        state = json_get_string(o, "State", "?");
        phrase = json_get_string(o, "Keyphrase", "?");
        if (streq(state, "listening"))
                print_field("Wake word", "listening for \"%s\"", phrase);
        else if (streq(state, "command"))
                print_field("Wake word", "heard \"%s\", listening for a command", phrase);
        else if (streq(state, "muted"))
                print_field("Wake word", "not listening: the microphone is muted");
        else if (streq(state, "no-audio"))
                print_field("Wake word", "not listening: no audio from audiod");
        else
                print_field("Wake word", "%s", state);
        print_field("Detections", "%" PRIu64 " since wakeword started", json_get_u64(o, "Detections", 0));
        last_wake = json_get_u64(o, "LastWakeTimestamp", 0);
        if (last_wake == 0)
                return;
        format_ago(last_wake, ago, sizeof ago);
        print_field("Last wake", "%s", ago);
        command = json_get_string(o, "LastCommand", "");
        if (!isempty(command))
                print_field("Last command", "\"%s\"", command);
        rejection = json_get_string(o, "LastRejection", "");
        if (!isempty(rejection))
                print_field("Last no-command", "%s", rejection);
}

static void print_hvac(json_object *o) {
        double room;

        if (print_unavailable("Air conditioner", o, SERVICE_HVAC))
                return;
        print_field("Air conditioner", "%s, %s, %g °C, fan %s%s", json_get_bool(o, "Power", false) ? "on" : "off",
                    json_get_string(o, "Mode", "?"), json_get_double(o, "TargetTemperature", NAN),
                    json_get_string(o, "FanSpeed", "?"), json_get_bool(o, "Degraded", false) ? " (degraded)" : "");
        if (json_get_bool(o, "StateUnsaved", false))
                print_field("", "state not saved to disk (retrying); a restart now loses the last change");
        room = json_get_double(o, "CurrentTemperature", NAN);
        if (isfinite(room))
                print_field("Room temperature", "%.1f °C", room);
        else
                print_field("Room temperature", "n/a (the backend has no sensor)");
        print_field("Backend", "%s, targets %g…%g °C in steps of %g", json_get_string(o, "Backend", "?"),
                    json_get_double(o, "MinTemperature", NAN), json_get_double(o, "MaxTemperature", NAN),
                    json_get_double(o, "TemperatureStep", NAN));
        if (!isempty(json_get_string(o, "LastError", NULL)))
                print_field("Last error", "%s", json_get_string(o, "LastError", ""));
}

/* "audiod ok, hvacd degraded (reason), wakeword down (reason), system ok" */
static void print_health_summary(json_object *o) {
        json_object *health = NULL;
        bool first = true;

        if (print_unavailable("Health", o, SERVICE_WATCHDOG))
                return;
        (void) json_object_object_get_ex(o, "Health", &health);
        printf("%*s: ", LABEL_WIDTH, "Health");
        for (const char *const *name = health_services; *name; name++) {
                json_object *entry = NULL;
                const char *reason;

                if (!json_object_object_get_ex(health, *name, &entry))
                        continue;
                reason = json_get_string(entry, "Reason", "");
                printf("%s%s %s", first ? "" : ", ", *name, json_get_string(entry, "State", "?"));
                if (!isempty(reason))
                        printf(" (%s)", reason);
                first = false;
        }
        printf("%s\n", first ? "nothing reported" : "");
        print_field("Supervision", "%s", json_get_string(o, "Mode", "?"));
}

static void print_mqtt(json_object *o) {
        if (!json_get_bool(o, "running", false)) {
                if (streq(json_get_string(o, "message", ""), "not running"))
                        print_field("Home Assistant", "not bridged (mqttd is not running)");
                else
                        print_field("Home Assistant", "n/a (mqttd: %s)", json_get_string(o, "message", "?"));
                return;
        }
        print_field("Home Assistant", "%s %s as %s", streq(json_get_string(o, "State", ""), "connected") ?
                    "connected to" : "connecting to", json_get_string(o, "Broker", "?"),
                    json_get_string(o, "NodeId", "?"));
        print_field("MQTT commands", "%" PRIu64 " sent, %" PRIu64 " rejected; unmute %s",
                    json_get_u64(o, "Commands", 0), json_get_u64(o, "Rejected", 0),
                    json_get_bool(o, "AllowUnmute", false) ? "allowed" : "refused");
}

int verb_status(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(json_object_putp) json_object *root = NULL;
        json_object *entry[_SERVICE_MAX], *mqtt;
        unsigned running = 0;

        if (argc > 1)
                return ctl_usage_error("'status' takes no arguments.");
        if (ctl_bus_open(&bus) < 0)
                return EXIT_ERROR;

        root = json_object_new_object();
        if (!root)
                return EXIT_ERROR;
        for (Service s = 0; s < _SERVICE_MAX; s++) {
                entry[s] = service_entry(bus, &services[s]);
                if (!entry[s])
                        return EXIT_ERROR;
                running += json_get_bool(entry[s], "running", false);
                json_object_object_add(root, services[s].key, entry[s]);
        }
        mqtt = service_entry(bus, &mqtt_service);
        if (!mqtt)
                return EXIT_ERROR;
        json_object_object_add(root, mqtt_service.key, mqtt);

        if (arg_json)
                json_print_line(root);
        else {
                print_audio(entry[SERVICE_AUDIO]);
                print_wakeword(entry[SERVICE_WAKEWORD]);
                print_hvac(entry[SERVICE_HVAC]);
                print_mqtt(mqtt);
                print_health_summary(entry[SERVICE_WATCHDOG]);
        }
        if (running == 0) {
                if (!arg_json)
                        fprintf(stderr, "No voicehvac service is running on this bus.\n");
                return EXIT_ERROR;
        }
        return EXIT_OK;
}

static void format_bytes(uint64_t bytes, char *buf, size_t size) {
        if (bytes == 0)
                (void) snprintf(buf, size, "-");
        else if (bytes >= 1024 * 1024)
                (void) snprintf(buf, size, "%.1fM", (double) bytes / (1024.0 * 1024.0));
        else
                (void) snprintf(buf, size, "%.1fK", (double) bytes / 1024.0);
}

static void print_health_table(json_object *health) {
        printf("%-9s %-10s %7s %8s %8s  %s\n", "SERVICE", "STATE", "PID", "RESTARTS", "MEMORY", "REASON");
        json_object_object_foreach(health, name, entry) {
                char memory[32];

                if (streq(name, "system")) {
                        double cpu = json_get_double(entry, "CpuPressureAvg10", -1),
                               mem = json_get_double(entry, "MemoryPressureAvg10", -1);

                        printf("%-9s %-10s %7s %8s %8s  %s%s", name, json_get_string(entry, "State", "?"), "-", "-",
                               "-", json_get_string(entry, "Reason", ""),
                               isempty(json_get_string(entry, "Reason", "")) ? "" : "; ");
                        if (cpu >= 0)
                                printf("pressure cpu %.1f%% memory %.1f%%; ", cpu, mem);
                        printf("cgroups: %s\n", json_get_string(entry, "Cgroups", "?"));
                        continue;
                }
                format_bytes(json_get_u64(entry, "MemoryBytes", 0), memory, sizeof memory);
                printf("%-9s %-10s %7" PRIu64 " %8" PRIu64 " %8s  %s\n", name, json_get_string(entry, "State", "?"),
                       json_get_u64(entry, "Pid", 0), json_get_u64(entry, "Restarts", 0), memory,
                       json_get_string(entry, "Reason", ""));
        }
}

int verb_health(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_bus_error_ sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(json_object_putp) json_object *health = NULL;
        int r;

        if (argc > 1)
                return ctl_usage_error("'health' takes no arguments.");
        if (ctl_bus_open(&bus) < 0)
                return EXIT_ERROR;
        r = call_json(bus, &services[SERVICE_WATCHDOG], NULL, "GetHealth", &health, &error);
        if (r < 0 || !json_object_is_type(health, json_type_object)) {
                ctl_report_bus_error(SERVICE_WATCHDOG, "Failed to get the health", &error, r < 0 ? r : -EBADMSG);
                return EXIT_ERROR;
        }
        if (arg_json)
                json_print_line(health);
        else
                print_health_table(health);
        return EXIT_OK;
}
