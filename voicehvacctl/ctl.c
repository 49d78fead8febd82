/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>

#include "bus-json.h"
#include "bus-util.h"
#include "ctl.h"
#include "errors.h"
#include "polkit-agent.h"

#define CALL_TIMEOUT_USEC (10 * USEC_PER_SEC)

const ServiceInfo services[_SERVICE_MAX] = {
        [SERVICE_AUDIO]    = { "audio",    "audiod",    VH_AUDIO_BUS_NAME,    VH_AUDIO_OBJECT_PATH },
        [SERVICE_WAKEWORD] = { "wakeword", "wakeword",  VH_WAKEWORD_BUS_NAME, VH_WAKEWORD_OBJECT_PATH },
        [SERVICE_HVAC]     = { "hvac",     "hvacd",     VH_HVAC_BUS_NAME,     VH_HVAC_OBJECT_PATH },
        [SERVICE_WATCHDOG] = { "watchdog", "watchdogd", VH_WATCHDOG_BUS_NAME, VH_WATCHDOG_OBJECT_PATH },
};

bool arg_json = false;
bool arg_ask_password = true;

pid_t ctl_polkit_agent_open(void) {
        pid_t pid;

        if (!arg_ask_password)
                return 0;
        /* A failure to start the agent is no reason not to try the call: polkit may not ask. */
        pid = polkit_agent_open();
        return pid > 0 ? pid : 0;
}

int ctl_bus_open(sd_bus **ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        r = sd_bus_open_system(&bus);
        if (r >= 0)
                r = sd_bus_set_method_call_timeout(bus, CALL_TIMEOUT_USEC);
        if (r < 0) {
                const char *address = getenv("DBUS_SYSTEM_BUS_ADDRESS");
                _cleanup_free_ char *message = NULL;

                if (asprintf(&message, "Failed to connect to the system bus%s%s: %s", address ? " at " : "",
                             address ?: "", strerror(-r)) < 0)
                        message = NULL;
                ctl_print_error(NULL, SD_BUS_ERROR_NO_SERVER, message ?: "Out of memory");
                return r;
        }
        *ret = TAKE_PTR(bus);
        return 0;
}

bool ctl_error_is_not_running(const sd_bus_error *error) {
        return sd_bus_error_has_names(error, SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER);
}

int ctl_report_bus_error(Service s, const char *what, const sd_bus_error *error, int r) {
        _cleanup_free_ char *message = NULL;
        const char *name;

        if (sd_bus_error_is_set(error)) {
                name = error->name;
                if (ctl_error_is_not_running(error))
                        r = asprintf(&message, "%s is not running (%s is not on the bus)", services[s].daemon,
                                     services[s].name);
                else if (sd_bus_error_has_name(error, SD_BUS_ERROR_ACCESS_DENIED))
                        r = asprintf(&message, "Not allowed by the bus policy (%s)", error->name);
                else if (sd_bus_error_has_names(error, SD_BUS_ERROR_NO_REPLY, SD_BUS_ERROR_TIMEOUT))
                        r = asprintf(&message, "%s did not answer in time", services[s].daemon);
                else
                        r = asprintf(&message, "%s", error->message ?: error->name);
        } else {
                name = VH_ERROR_FAILED;
                r = asprintf(&message, "%s", strerror(r < 0 ? -r : EIO));
        }
        if (r < 0)
                message = NULL;

        ctl_print_error(what, name, message ?: "Out of memory");
        return -EIO;
}

int ctl_call(sd_bus *bus, Service s, const char *what, const char *member, const char *types, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_bus_error_ sd_bus_error error = SD_BUS_ERROR_NULL;
        va_list ap;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, services[s].name, services[s].path, services[s].name, member);
        if (r >= 0) {
                va_start(ap, types);
                r = sd_bus_message_appendv(m, types, ap);
                va_end(ap);
        }
        if (r >= 0)
                r = sd_bus_message_set_allow_interactive_authorization(m, arg_ask_password);
        if (r >= 0)
                r = sd_bus_call(bus, m, 0, &error, &reply);
        if (r < 0)
                return ctl_report_bus_error(s, what, &error, r);
        return 0;
}

void ctl_print_error(const char *what, const char *name, const char *message) {
        if (arg_json) {
                _cleanup_(json_object_putp) json_object *o = json_object_new_object();

                json_object_object_add(o, "error", json_object_new_string(name));
                json_object_object_add(o, "message", json_object_new_string(message));
                puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
                fflush(stdout);
        }
        else if (what)
                fprintf(stderr, "%s: %s\n", what, message);
        else
                fprintf(stderr, "%s\n", message);
}

int ctl_usage_error(const char *format, ...) {
        _cleanup_free_ char *message = NULL;
        va_list ap;
        int r;

        va_start(ap, format);
        r = vasprintf(&message, format, ap);
        va_end(ap);
        ctl_print_error("voicehvacctl", VH_ERROR_INVALID_ARGUMENT, r < 0 ? "Out of memory" : message);
        return EXIT_USAGE;
}
