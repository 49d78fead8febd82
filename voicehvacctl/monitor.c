/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* voicehvacctl monitor: one line per event, as it happens — wake detections, recognised
 * commands, the air conditioner's and the microphone's property changes, and the watchdog's
 * health reports — from the signals any client may subscribe to. */

#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "bus-util.h"
#include "log.h"
#include "monitor.h"

#define HVAC_NAME  "org.voicehvac.Hvac1"
#define HVAC_PATH  "/org/voicehvac/Hvac1"
#define AUDIO_PATH "/org/voicehvac/Audio1"
#define WAKE_PATH  "/org/voicehvac/WakeWord1"
#define WATCH_PATH "/org/voicehvac/Watchdog1"

static void print_event(const char *kind, const char *format, ...) _printf_(2, 3);
static void print_event(const char *kind, const char *format, ...) {
        struct timespec ts;
        struct tm tm;
        va_list ap;

        (void) clock_gettime(CLOCK_REALTIME, &ts);
        (void) localtime_r(&ts.tv_sec, &tm);
        printf("%02d:%02d:%02d.%03ld  %-9s ", tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, kind);
        va_start(ap, format);
        vprintf(format, ap);
        va_end(ap);
        putchar('\n');
        fflush(stdout);
}

/* Appends one variant's value as text: the basic types the voicehvac interfaces use. */
static int format_variant(sd_bus_message *m, char *buf, size_t size) {
        const char *contents, *s;
        char type;
        double d;
        uint64_t t;
        uint32_t u;
        int32_t i;
        int b, r;

        r = sd_bus_message_peek_type(m, &type, &contents);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(m, 'v', contents);
        if (r < 0)
                return r;
        switch (contents[0]) {
        case 's':
                r = sd_bus_message_read(m, "s", &s);
                (void) snprintf(buf, size, "%s", s);
                break;
        case 'b':
                r = sd_bus_message_read(m, "b", &b);
                (void) snprintf(buf, size, "%s", b ? "true" : "false");
                break;
        case 'd':
                r = sd_bus_message_read(m, "d", &d);
                (void) snprintf(buf, size, "%g", d);
                break;
        case 't':
                r = sd_bus_message_read(m, "t", &t);
                (void) snprintf(buf, size, "%llu", (unsigned long long) t);
                break;
        case 'u':
                r = sd_bus_message_read(m, "u", &u);
                (void) snprintf(buf, size, "%u", u);
                break;
        case 'i':
                r = sd_bus_message_read(m, "i", &i);
                (void) snprintf(buf, size, "%d", i);
                break;
        default:
                r = sd_bus_message_skip(m, contents);
                (void) snprintf(buf, size, "(%s)", contents);
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

/* "Name=value Name=value" of an a{sv}, leaving out the names in skip. */
static int format_dict(sd_bus_message *m, const char *const *skip, char *buf, size_t size) {
        size_t l = 0;
        const char *name;
        int r;

        buf[0] = '\0';
        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                char value[128];
                bool skipped = false;

                r = sd_bus_message_read(m, "s", &name);
                if (r < 0)
                        return r;
                for (const char *const *k = skip; k && *k; k++)
                        skipped = skipped || streq(*k, name);
                if (skipped)
                        r = sd_bus_message_skip(m, "v");
                else {
                        r = format_variant(m, value, sizeof value);
                        if (r >= 0 && l < size)
                                l += (size_t) snprintf(buf + l, size - l, "%s%s=%s", l ? " " : "", name, value);
                }
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static int on_wake(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *phrase;
        double score;
        uint64_t t;

        if (sd_bus_message_read(m, "sdt", &phrase, &score, &t) >= 0)
                print_event("wake", "\"%s\" (score %.0f)", phrase, score);
        return 0;
}

static int on_command(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *text;
        char intent[256];

        if (sd_bus_message_read(m, "s", &text) < 0 || format_dict(m, NULL, intent, sizeof intent) < 0)
                return 0;
        print_event("command", "\"%s\" → %s", text, intent);
        return 0;
}

/* The room temperature of the simulator drifts all the time; it would drown the rest. */
static const char *const quiet_properties[] = { "CurrentTemperature", "Transmissions", "Clients", "DroppedPackets", NULL };

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *kind = userdata, *iface;
        char changes[512];

        if (sd_bus_message_read(m, "s", &iface) < 0 || format_dict(m, quiet_properties, changes, sizeof changes) < 0)
                return 0;
        if (changes[0])
                print_event(kind, "%s", changes);
        return 0;
}

static int on_health_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *service, *state, *reason;

        if (sd_bus_message_read(m, "sss", &service, &state, &reason) >= 0)
                print_event("health", "%s %s%s%s", service, state, *reason ? " — " : "", reason);
        return 0;
}

static int on_service_restarted(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *service, *reason;

        if (sd_bus_message_read(m, "ss", &service, &reason) >= 0)
                print_event("restart", "%s restarted (%s)", service, reason);
        return 0;
}

static int on_hvac_state(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        static const char *const skip[] = { "MinTemperature", "MaxTemperature", "TemperatureStep", "Assumed",
                                            "Transmissions", "LastError", "Degraded", "Backend", NULL };
        char state[512];

        if (!sd_bus_message_is_method_error(m, NULL) && format_dict(m, skip, state, sizeof state) >= 0)
                print_event("hvac", "%s", state);
        return 0;
}

/* hvacd appeared (or was there): show where the air conditioner stands. */
static int on_hvac_owner(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *name, *old_owner, *new_owner;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0 || isempty(new_owner))
                return 0;
        return sd_bus_call_method_async(sd_bus_message_get_bus(m), NULL, HVAC_NAME, HVAC_PATH,
                                        "org.freedesktop.DBus.Properties", "GetAll", on_hvac_state, NULL, "s",
                                        HVAC_NAME);
}

static int add_signal(sd_bus *bus, const char *path, const char *iface, const char *member,
                      sd_bus_message_handler_t handler, void *userdata) {
        return sd_bus_match_signal_async(bus, NULL, NULL, path, iface, member, handler, NULL, userdata);
}

int monitor_run(void) {
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        r = event_new_with_defaults(&event);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the event loop: %m");
        r = bus_open_system_attached(event, &bus);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus: %m");

        if ((r = add_signal(bus, WAKE_PATH, "org.voicehvac.WakeWord1", "WakeWordDetected", on_wake, NULL)) < 0 ||
            (r = add_signal(bus, WAKE_PATH, "org.voicehvac.WakeWord1", "CommandRecognized", on_command, NULL)) < 0 ||
            (r = add_signal(bus, HVAC_PATH, "org.freedesktop.DBus.Properties", "PropertiesChanged",
                            on_properties_changed, (void *) "hvac")) < 0 ||
            (r = add_signal(bus, AUDIO_PATH, "org.freedesktop.DBus.Properties", "PropertiesChanged",
                            on_properties_changed, (void *) "audio")) < 0 ||
            (r = add_signal(bus, WATCH_PATH, "org.voicehvac.Watchdog1", "HealthChanged", on_health_changed, NULL)) < 0 ||
            (r = add_signal(bus, WATCH_PATH, "org.voicehvac.Watchdog1", "ServiceRestarted", on_service_restarted, NULL)) < 0)
                return log_error_errno(r, "Failed to subscribe to signals: %m");
        r = sd_bus_add_match_async(bus, NULL,
                                   "type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged',arg0='" HVAC_NAME "'",
                                   on_hvac_owner, NULL, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to subscribe to NameOwnerChanged: %m");
        /* Already there? GetAll fails quietly when not. */
        (void) sd_bus_call_method_async(bus, NULL, HVAC_NAME, HVAC_PATH, "org.freedesktop.DBus.Properties", "GetAll",
                                        on_hvac_state, NULL, "s", HVAC_NAME);

        r = sd_event_loop(event);
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m");
        return 0;
}
