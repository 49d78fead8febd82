/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What every voicehvacctl command shares: the four services, the bus connection, the output
 * mode, and how a failure is reported — one line on stderr, or one JSON object on stdout with
 * --json — with the exit code that goes with it. */

#include <errno.h>
#include <stdbool.h>
#include <systemd/sd-bus.h>
#include <sys/types.h>

#include "macro.h"

/* Exit codes, as documented in --help. */
enum {
        EXIT_OK = 0,
        EXIT_ERROR = 1,         /* a daemon refused, is not running, or the bus cannot be reached */
        EXIT_USAGE = 2,         /* bad command line; nothing was sent */
};

typedef enum Service {
        SERVICE_AUDIO,
        SERVICE_WAKEWORD,
        SERVICE_HVAC,
        SERVICE_WATCHDOG,
        _SERVICE_MAX,
        _SERVICE_INVALID = -EINVAL,
} Service;

typedef struct ServiceInfo {
        const char *key;        /* the name in --json output */
        const char *daemon;     /* the process, as users know it */
        const char *name;       /* bus name = interface */
        const char *path;
} ServiceInfo;

extern const ServiceInfo services[_SERVICE_MAX];

extern bool arg_json;
/* Whether a call may ask for a password (--no-ask-password clears it): the calls carry
 * ALLOW_INTERACTIVE_AUTHORIZATION, and those polkit may question start an agent on the terminal. */
extern bool arg_ask_password;

/* Starts a polkit agent for a call that may need one (polkit-agent.h), unless --no-ask-password.
 * Returns its pid or 0; stop it with polkit_agent_closep once the call is answered. */
pid_t ctl_polkit_agent_open(void);

/* Connects to the system bus ($DBUS_SYSTEM_BUS_ADDRESS when set), with the call timeout every
 * command uses. Reports a failure itself. */
int ctl_bus_open(sd_bus **ret);

/* True for the errors that mean "nobody owns that name": the daemon is not running. */
bool ctl_error_is_not_running(const sd_bus_error *error);

/* Reports a failed call: "<what>: <message>" on stderr, or with --json
 * {"error": NAME, "message": …} on stdout (ctl_print_error()). A daemon that is not running is said in words, and a
 * refusal by the bus policy too. Returns -EIO. */
int ctl_report_bus_error(Service s, const char *what, const sd_bus_error *error, int r);

/* Calls a method of a service with no reply wanted, reporting any failure as above. */
int ctl_call(sd_bus *bus, Service s, const char *what, const char *member, const char *types, ...);

/* Prints one error: "<what>: <message>" (or the message alone) on stderr, or with
 * --json {"error": NAME, "message": …} on stdout, so a script reads every failure the same way. */
void ctl_print_error(const char *what, const char *name, const char *message);

/* Prints a usage error as above, named org.voicehvac.Error.InvalidArgument. Returns EXIT_USAGE. */
int ctl_usage_error(const char *format, ...) _printf_(1, 2);
