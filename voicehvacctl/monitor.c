/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* voicehvacctl monitor: one line per event, as it happens — wake detections, recognised
 * commands, property changes of the air conditioner, the microphone and the recogniser, and the
 * watchdog's health reports — from the signals any client may subscribe to; with --json one
 * object per line. And a level meter: audiod's Level signal (asked for with StartLevel; no raw
 * audio, so anyone may), 10 readings a second, combined per span of the meter, while the
 * microphone is unmuted (a muted audiod measures nothing). */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "bus-contract.h"
#include "bus-json.h"
#include "bus-util.h"
#include "ctl.h"
#include "level-meter.h"
#include "monitor.h"
#include "time-util.h"

#define METER_SPAN_USEC       (100 * USEC_PER_MSEC)
#define LEVEL_LINE_USEC       (10 * USEC_PER_SEC)
#define METER_BAR_WIDTH       30

typedef struct Monitor {
        sd_event *event;
        sd_bus *bus;

        uint64_t level_usec;            /* span of one reading; 0 = no meter */
        bool meter_in_place;            /* redraw one line on the terminal */
        bool meter_shown;               /* that line is on the screen now */
        bool muted;

        bool level_started;             /* audiod accepted StartLevel */
        sd_bus_slot *start_slot;        /* StartLevel() in flight */
        bool level_refused;             /* said so once */
        double power_sum;               /* of the readings in this span, as mean squares */
        double peak_dbfs;
        unsigned readings;
} Monitor;

static Monitor *monitor_of(void *userdata) {
        return userdata;
}

/* ---- output ------------------------------------------------------------------------------ */

static void meter_clear(Monitor *mon) {
        if (mon->meter_shown) {
                fputs("\r\033[K", stdout);
                mon->meter_shown = false;
        }
}

static void print_prefix(const char *kind) {
        struct timespec ts;
        struct tm tm;

        (void) clock_gettime(CLOCK_REALTIME, &ts);
        (void) localtime_r(&ts.tv_sec, &tm);
        printf("%02d:%02d:%02d.%03ld  %-9s ", tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, kind);
}

static void print_event(Monitor *mon, const char *kind, const char *format, ...) _printf_(3, 4);
static void print_event(Monitor *mon, const char *kind, const char *format, ...) {
        va_list ap;

        meter_clear(mon);
        print_prefix(kind);
        va_start(ap, format);
        vprintf(format, ap);
        va_end(ap);
        putchar('\n');
        fflush(stdout);
}

/* With --json: {"realtime_usec": …, "event": kind, …fields of o}. Takes o. */
static void print_json_event(const char *kind, json_object *o) {
        _cleanup_(json_object_putp) json_object *line = json_object_new_object();

        json_object_object_add(line, "realtime_usec", json_object_new_uint64(now_usec(CLOCK_REALTIME)));
        json_object_object_add(line, "event", json_object_new_string(kind));
        json_object_object_foreach(o, key, value)
                json_object_object_add(line, key, json_object_get(value));
        json_object_put(o);
        json_print_line(line);
}

/* "Name=value Name=value" of a JSON object, leaving out the names in skip. */
static void format_fields(json_object *o, const char *const *skip, char *buf, size_t size) {
        size_t l = 0;

        buf[0] = '\0';
        json_object_object_foreach(o, name, value) {
                bool skipped = false;
                const char *text;
                char number[64];

                for (const char *const *k = skip; k && *k; k++)
                        skipped = skipped || streq(*k, name);
                if (skipped || l >= size)
                        continue;
                if (json_object_is_type(value, json_type_double)) {
                        (void) snprintf(number, sizeof number, "%g", json_object_get_double(value));
                        text = number;
                } else if (!value)
                        text = "n/a";
                else
                        text = json_object_get_string(value);
                l += (size_t) snprintf(buf + l, size - l, "%s%s=%s", l ? " " : "", name, text);
        }
}

/* ---- signals ----------------------------------------------------------------------------- */

static int on_wake(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *phrase;
        double score;
        uint64_t t;

        if (sd_bus_message_read(m, "sdt", &phrase, &score, &t) < 0)
                return 0;
        if (arg_json) {
                json_object *o = json_object_new_object();

                json_object_object_add(o, "phrase", json_object_new_string(phrase));
                json_object_object_add(o, "score", json_object_new_double(score));
                json_object_object_add(o, "audio_usec", json_object_new_uint64(t));
                print_json_event("wake", o);
        } else
                print_event(monitor_of(userdata), "wake", "\"%s\" (score %.0f)", phrase, score);
        return 0;
}

static int on_command(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(json_object_putp) json_object *intent = NULL;
        const char *text;
        char fields[256];
        uint64_t t = 0;

        if (sd_bus_message_read(m, "s", &text) < 0 || bus_message_read_json(m, &intent) < 0)
                return 0;
        (void) sd_bus_message_read(m, "t", &t);
        if (arg_json) {
                json_object *o = json_object_new_object();

                json_object_object_add(o, "text", json_object_new_string(text));
                json_object_object_add(o, "intent", TAKE_PTR(intent));
                json_object_object_add(o, "audio_usec", json_object_new_uint64(t));
                print_json_event("command", o);
        } else {
                format_fields(intent, NULL, fields, sizeof fields);
                print_event(monitor_of(userdata), "command", "\"%s\" → %s", text, fields);
        }
        return 0;
}

static void level_start(Monitor *mon);
static void level_stop(Monitor *mon);
static void level_reset(Monitor *mon);

/* The room temperature of the simulator drifts all the time; it would drown the rest. A wake
 * is shown as its own "wake" line already, and its CLOCK_MONOTONIC stamp means nothing to a
 * person reading along (--json keeps every property). */
static const char *const quiet_properties[] = {
        "CurrentTemperature", "Transmissions", "Clients", "DroppedPackets", "Detections", "LastWakeTimestamp", NULL
};

static void print_properties(Monitor *mon, const char *service, const char *kind, json_object *changed,
                             const char *const *skip) {
        char text[512];

        if (arg_json) {
                json_object *o = json_object_new_object();

                json_object_object_add(o, "service", json_object_new_string(service));
                json_object_object_add(o, "properties", json_object_get(changed));
                print_json_event(kind, o);
                return;
        }
        format_fields(changed, skip, text, sizeof text);
        if (text[0])
                print_event(mon, service, "%s", text);
}

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Monitor *mon = monitor_of(userdata);
        _cleanup_(json_object_putp) json_object *changed = NULL;
        const char *iface, *key = NULL;
        json_object *muted;

        if (sd_bus_message_read(m, "s", &iface) < 0 || bus_message_read_json(m, &changed) < 0)
                return 0;
        for (Service s = 0; s < _SERVICE_MAX; s++)
                if (streq(iface, services[s].name))
                        key = services[s].key;
        if (!key)
                return 0;
        if (streq(iface, services[SERVICE_AUDIO].name) && json_object_object_get_ex(changed, "Muted", &muted)) {
                mon->muted = json_object_get_boolean(muted);
                level_reset(mon);
        }
        print_properties(mon, key, "changed", changed, quiet_properties);
        if (mon->meter_in_place && mon->muted && mon->level_started) {
                fputs("\r\033[K", stdout);
                print_prefix("level");
                fputs("muted", stdout);
                fflush(stdout);
                mon->meter_shown = true;
        }
        return 0;
}

static int on_health_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *service, *state, *reason;

        if (sd_bus_message_read(m, "sss", &service, &state, &reason) < 0)
                return 0;
        if (arg_json) {
                json_object *o = json_object_new_object();

                json_object_object_add(o, "service", json_object_new_string(service));
                json_object_object_add(o, "state", json_object_new_string(state));
                json_object_object_add(o, "reason", json_object_new_string(reason));
                print_json_event("health", o);
        } else
                print_event(monitor_of(userdata), "health", "%s %s%s%s", service, state, *reason ? " — " : "", reason);
        return 0;
}

static int on_service_restarted(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *service, *reason;

        if (sd_bus_message_read(m, "ss", &service, &reason) < 0)
                return 0;
        if (arg_json) {
                json_object *o = json_object_new_object();

                json_object_object_add(o, "service", json_object_new_string(service));
                json_object_object_add(o, "reason", json_object_new_string(reason));
                print_json_event("restart", o);
        } else
                print_event(monitor_of(userdata), "restart", "%s restarted (%s)", service, reason);
        return 0;
}

/* Where the air conditioner stands, when hvacd is (or comes) on the bus. */
static int on_hvac_state(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        static const char *const skip[] = { "MinTemperature", "MaxTemperature", "TemperatureStep", "Assumed",
                                            "Transmissions", "LastError", "Degraded", "StateUnsaved", "Backend", NULL };
        _cleanup_(json_object_putp) json_object *state = NULL;

        if (sd_bus_message_is_method_error(m, NULL) || bus_message_read_json(m, &state) < 0)
                return 0;
        print_properties(monitor_of(userdata), "hvac", "state", state, skip);
        return 0;
}

static int on_muted(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        int b;

        if (!sd_bus_message_is_method_error(m, NULL) && sd_bus_message_read(m, "v", "b", &b) >= 0)
                monitor_of(userdata)->muted = b;
        return 0;
}

static void service_appeared(Monitor *mon, const char *name) {
        if (streq(name, services[SERVICE_HVAC].name))
                (void) sd_bus_call_method_async(mon->bus, NULL, name, services[SERVICE_HVAC].path,
                                                "org.freedesktop.DBus.Properties", "GetAll", on_hvac_state, mon, "s",
                                                name);
        else if (streq(name, services[SERVICE_AUDIO].name) && mon->level_usec > 0) {
                (void) sd_bus_call_method_async(mon->bus, NULL, name, services[SERVICE_AUDIO].path,
                                                "org.freedesktop.DBus.Properties", "Get", on_muted, mon, "ss", name,
                                                "Muted");
                level_start(mon);
        }
}

static Service service_from_name(const char *name) {
        for (Service s = 0; s < _SERVICE_MAX; s++)
                if (streq(services[s].name, name))
                        return s;
        return _SERVICE_INVALID;
}

/* "service" events: which daemon came or went, so that a monitor started before the stack, or
 * one whose daemons stop, says why it is quiet. */
static void print_service(Monitor *mon, Service s, bool running) {
        if (arg_json) {
                json_object *o = json_object_new_object();

                json_object_object_add(o, "service", json_object_new_string(services[s].daemon));
                json_object_object_add(o, "running", json_object_new_boolean(running));
                print_json_event("service", o);
        } else
                print_event(mon, "service", "%s %s", services[s].daemon,
                            running ? "is running" : "is not running");
}

static void print_services_at_start(Monitor *mon) {
        unsigned running = 0;

        for (Service s = 0; s < _SERVICE_MAX; s++) {
                bool up = sd_bus_get_name_creds(mon->bus, services[s].name, 0, NULL) >= 0;

                print_service(mon, s, up);
                running += up;
        }
        if (running == 0 && !arg_json)
                print_event(mon, "service", "no voicehvac service is running; waiting for them to start");
}

static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Monitor *mon = monitor_of(userdata);
        const char *name, *old_owner, *new_owner;
        Service s;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0)
                return 0;
        s = service_from_name(name);
        if (s < 0)
                return 0;
        print_service(mon, s, !isempty(new_owner));
        if (!isempty(new_owner))
                service_appeared(mon, name);
        else if (s == SERVICE_AUDIO)
                level_stop(mon);
        return 0;
}

/* ---- the level meter --------------------------------------------------------------------- */

static void show_level(Monitor *mon, const LevelReading *lr, uint64_t audio_usec) {
        char bar[METER_BAR_WIDTH + 1];

        if (arg_json) {
                json_object *o = json_object_new_object();

                json_object_object_add(o, "rms_dbfs", json_object_new_double(lr->rms_dbfs));
                json_object_object_add(o, "peak_dbfs", json_object_new_double(lr->peak_dbfs));
                json_object_object_add(o, "audio_usec", json_object_new_uint64(audio_usec));
                print_json_event("level", o);
                return;
        }
        level_bar(lr->rms_dbfs, bar, sizeof bar - 1);
        if (!mon->meter_in_place) {
                print_event(mon, "level", "rms %6.1f dBFS  peak %6.1f dBFS  [%s]", lr->rms_dbfs, lr->peak_dbfs, bar);
                return;
        }
        fputs("\r\033[K", stdout);
        print_prefix("level");
        printf("rms %6.1f dBFS  peak %6.1f dBFS  [%s]", lr->rms_dbfs, lr->peak_dbfs, bar);
        fflush(stdout);
        mon->meter_shown = true;
}

static void level_reset(Monitor *mon) {
        mon->power_sum = 0;
        mon->peak_dbfs = LEVEL_FLOOR_DBFS;
        mon->readings = 0;
}

/* audiod went away (its StartLevel went with it) or the monitor ends. */
static void level_stop(Monitor *mon) {
        mon->start_slot = sd_bus_slot_unref(mon->start_slot);
        mon->level_started = false;
        level_reset(mon);
        meter_clear(mon);
        fflush(stdout);
}

/* One reading per VH_AUDIO_LEVEL_SPAN_USEC of audio; the meter's span combines as many: the
 * mean of their powers, the largest peak. */
static int on_level(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Monitor *mon = monitor_of(userdata);
        double rms_dbfs, peak_dbfs;
        uint64_t audio_usec;
        LevelReading lr;

        if (!mon->level_started || mon->muted || sd_bus_message_read(m, "ddt", &rms_dbfs, &peak_dbfs, &audio_usec) < 0)
                return 0;
        mon->power_sum += pow(10.0, rms_dbfs / 10.0);
        mon->peak_dbfs = MAX(mon->peak_dbfs, peak_dbfs);
        if (++mon->readings * VH_AUDIO_LEVEL_SPAN_USEC < mon->level_usec)
                return 0;
        lr = (LevelReading) {
                .rms_dbfs = MAX(10.0 * log10(mon->power_sum / mon->readings), LEVEL_FLOOR_DBFS),
                .peak_dbfs = mon->peak_dbfs,
        };
        level_reset(mon);
        show_level(mon, &lr, audio_usec);
        return 0;
}

static int on_level_started(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Monitor *mon = monitor_of(userdata);
        const sd_bus_error *error = sd_bus_message_get_error(m);

        mon->start_slot = sd_bus_slot_unref(mon->start_slot);
        if (error) {
                /* Not running: it will say so on the bus when it comes. Anything else: once. */
                if (!ctl_error_is_not_running(error) && !mon->level_refused) {
                        meter_clear(mon);
                        fprintf(stderr, "No level meter: %s\n", error->message ?: error->name);
                        mon->level_refused = true;
                }
                return 0;
        }
        mon->level_started = true;
        level_reset(mon);
        return 0;
}

static void level_start(Monitor *mon) {
        if (mon->level_usec == 0 || mon->level_started || mon->start_slot)
                return;
        (void) sd_bus_call_method_async(mon->bus, &mon->start_slot, services[SERVICE_AUDIO].name,
                                        services[SERVICE_AUDIO].path, services[SERVICE_AUDIO].name, "StartLevel",
                                        on_level_started, mon, NULL);
}

/* ---- set-up ------------------------------------------------------------------------------ */

static int subscribe(Monitor *mon) {
        static const struct {
                Service service;
                const char *iface, *member;
                sd_bus_message_handler_t handler;
        } table[] = {
                { SERVICE_WAKEWORD, VH_WAKEWORD_INTERFACE, "WakeWordDetected", on_wake },
                { SERVICE_WAKEWORD, VH_WAKEWORD_INTERFACE, "CommandRecognized", on_command },
                { SERVICE_HVAC, "org.freedesktop.DBus.Properties", "PropertiesChanged", on_properties_changed },
                { SERVICE_AUDIO, "org.freedesktop.DBus.Properties", "PropertiesChanged", on_properties_changed },
                { SERVICE_WAKEWORD, "org.freedesktop.DBus.Properties", "PropertiesChanged", on_properties_changed },
                { SERVICE_WATCHDOG, VH_WATCHDOG_INTERFACE, "HealthChanged", on_health_changed },
                { SERVICE_WATCHDOG, VH_WATCHDOG_INTERFACE, "ServiceRestarted", on_service_restarted },
                { SERVICE_AUDIO, VH_AUDIO_INTERFACE, "Level", on_level },
        };
        int r;

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                r = sd_bus_match_signal_async(mon->bus, NULL, NULL, services[table[i].service].path, table[i].iface,
                                              table[i].member, table[i].handler, NULL, mon);
                if (r < 0)
                        return r;
        }
        return sd_bus_match_signal_async(mon->bus, NULL, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                         "org.freedesktop.DBus", "NameOwnerChanged", on_name_owner_changed, NULL,
                                         mon);
}

static uint64_t level_span(const MonitorOptions *options, bool *ret_in_place) {
        *ret_in_place = false;
        if (options->level_interval_usec != UINT64_MAX)
                return options->level_interval_usec;
        if (!arg_json && isatty(STDOUT_FILENO)) {
                *ret_in_place = true;
                return METER_SPAN_USEC;
        }
        return LEVEL_LINE_USEC;
}

int monitor_run(const MonitorOptions *options) {
        Monitor mon = {};
        int r;

        mon.level_usec = level_span(options, &mon.meter_in_place);
        level_reset(&mon);

        r = event_new_with_defaults(&mon.event);
        if (r < 0) {
                fprintf(stderr, "Failed to set up the event loop: %s\n", strerror(-r));
                return EXIT_ERROR;
        }
        r = bus_open_system_attached(mon.event, &mon.bus);
        if (r >= 0)
                r = sd_bus_set_exit_on_disconnect(mon.bus, true);
        if (r < 0) {
                fprintf(stderr, "Failed to connect to the system bus: %s\n", strerror(-r));
                goto finish;
        }
        r = subscribe(&mon);
        if (r < 0) {
                fprintf(stderr, "Failed to subscribe to the services' signals: %s\n", strerror(-r));
                goto finish;
        }
        /* Whatever is there already; what is not comes through NameOwnerChanged. */
        print_services_at_start(&mon);
        service_appeared(&mon, services[SERVICE_HVAC].name);
        service_appeared(&mon, services[SERVICE_AUDIO].name);

        r = sd_event_loop(mon.event);
        if (r < 0)
                fprintf(stderr, "Event loop failed: %s\n", strerror(-r));
        else if (r > 0) {
                meter_clear(&mon);
                fprintf(stderr, "Lost the connection to the bus.\n");
        }

finish:
        level_stop(&mon);
        sd_bus_flush_close_unref(mon.bus);
        sd_event_unref(mon.event);
        return r == 0 ? EXIT_OK : EXIT_ERROR;
}
