/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* voicehvacctl — the command-line client of the voicehvac services, in the manner of
 * timedatectl: global options, then a verb from a table that says how many arguments it takes
 * and which help text is its own. */

#include <getopt.h>
#include <math.h>
#include <stdio.h>

#include "control.h"
#include "ctl.h"
#include "enrol.h"
#include "monitor.h"
#include "status.h"

#ifndef VOICEHVAC_VERSION
#define VOICEHVAC_VERSION "0.2"
#endif

static MonitorOptions arg_monitor = { .level_interval_usec = UINT64_MAX };
static bool arg_reset = false;

static int verb_enrol(int argc, char *argv[]) {
        if (argc > 1)
                return ctl_usage_error("'enrol' takes no arguments (only --reset).");
        if (arg_json && !arg_reset)
                return ctl_usage_error("'enrol' talks to a person: it has no JSON output.");
        return enrol_run(arg_reset);
}

static int verb_monitor(int argc, char *argv[]) {
        if (argc > 1)
                return ctl_usage_error("'monitor' takes no arguments.");
        return monitor_run(&arg_monitor);
}

static int verb_help(int argc, char *argv[]);

typedef struct Verb {
        const char *name;
        int (*run)(int argc, char *argv[]);
        const char *synopsis;
        const char *help;
} Verb;

static const Verb verbs[] = {
        { "status", verb_status, "status",
          "Show the microphone (mute, capture state), the wake word recogniser, the air conditioner\n"
          "and the services' health at a glance. A service that is not running is shown as such.\n"
          "Exit status 0 when at least one service answered, 1 when none did.\n"
          "With --json: one object with \"audio\", \"wakeword\", \"hvac\" and \"watchdog\", each holding\n"
          "the service's properties and \"running\" (true, or false with \"error\" and \"message\")." },
        { "mute", verb_mute, "mute",
          "Mute the microphone: the capture switch and the stream (org.voicehvac.Audio1.SetMute)." },
        { "unmute", verb_mute, "unmute",
          "Unmute the microphone. Needs root, membership of audiod's unmute group or polkit." },
        { "set", verb_set, "set temperature DEGREES | set mode MODE | set fan SPEED",
          "Change the air conditioner's target temperature (°C, e.g. 24 or 22.5; the limits are\n"
          "hvacd's and it says which), mode (cool, heat, dry, fan_only, auto) or fan speed (auto,\n"
          "low, medium, high). A value below zero needs \"--\" before it." },
        { "power", verb_power, "power on|off", "Switch the air conditioner on or off." },
        { "monitor", verb_monitor, "monitor",
          "Print events as they happen until interrupted: wake detections, recognised commands,\n"
          "state changes of every service, health reports, and the microphone's level (RMS and\n"
          "peak in dBFS) while it is unmuted — redrawn in place every 100 ms on a terminal, one\n"
          "line every 10 s otherwise (see --level-interval). With --json: one object per line,\n"
          "\"event\" being wake, command, state, changed, health, restart or level." },
        { "health", verb_health, "health",
          "Show watchdogd's view of every service (org.voicehvac.Watchdog1.GetHealth): state,\n"
          "pid, restarts, memory and why. Exit status 0 when watchdogd answered.\n"
          "With --json: the GetHealth dictionary as an object of objects." },
        { "enrol", verb_enrol, "enrol [--reset]",
          "Teach wakeword your voice, microphone and room: it shows sentences to say one at a time\n"
          "(the wake phrase alone, then with commands), a level meter on a terminal, whether each\n"
          "take was good or must be said again and why, the progress and the result. wakeword\n"
          "then listens with the adapted model, without a restart. Ctrl-C cancels. With --reset:\n"
          "remove the adaptation and go back to the stock model. Both need root or membership of\n"
          "wakeword's enrol group. Exit status 0 when the adaptation is in use (or removed)." },
        { "help", verb_help, "help [COMMAND]", "Show the help, or one command's." },
};

static const Verb *verb_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(verbs[i].name, name))
                        return &verbs[i];
        return NULL;
}

static void help(void) {
        printf("voicehvacctl [OPTIONS...] COMMAND ...\n\n"
               "Query and control the voicehvac services on the system bus\n"
               "($DBUS_SYSTEM_BUS_ADDRESS when set).\n\n"
               "Commands:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                printf("  %s\n", verbs[i].synopsis);
        printf("\nOptions:\n"
               "  -h --help                Show this help (after a command: that command's)\n"
               "     --version             Show the version\n"
               "     --json                Print status, health and monitor output as JSON, and\n"
               "                           errors as {\"error\": NAME, \"message\": TEXT} on stdout\n"
               "     --level-interval=SEC  monitor: one level line per SEC seconds of audio (0: none)\n"
               "     --no-level            monitor: no level meter (same as --level-interval=0)\n"
               "     --reset               enrol: remove the adaptation instead\n"
               "     --no-ask-password     unmute, set, power: never ask for a password (no polkit\n"
               "                           agent on the terminal); what polkit would ask about is refused\n\n"
               "Exit status: 0 success; 1 a service refused or failed, is not running, or the bus\n"
               "cannot be reached (one line on stderr says why); 2 a bad command line (nothing sent).\n"
               "See 'voicehvacctl help COMMAND' for each command.\n");
}

static void help_verb(const Verb *v) {
        printf("voicehvacctl [OPTIONS...] %s\n\n%s\n", v->synopsis, v->help);
}

static int verb_help(int argc, char *argv[]) {
        const Verb *v;

        if (argc < 2) {
                help();
                return EXIT_OK;
        }
        if (argc > 2)
                return ctl_usage_error("'help' takes at most one command.");
        v = verb_find(argv[1]);
        if (!v)
                return ctl_usage_error("Unknown command '%s'; see --help.", argv[1]);
        help_verb(v);
        return EXIT_OK;
}

static int parse_interval(const char *s, uint64_t *ret) {
        char *end;
        double d;

        errno = 0;
        d = strtod(s, &end);
        if (errno != 0 || end == s || *end || !isfinite(d) || d < 0 || d > 3600)
                return -EINVAL;
        *ret = (uint64_t) llround(d * (double) USEC_PER_SEC);
        return 0;
}

/* Returns > 0 to go on, 0 to exit successfully (--help, --version), or -EXIT_USAGE. */
static int parse_argv(int argc, char *argv[], bool *ret_help) {
        enum { ARG_VERSION = 0x100, ARG_JSON, ARG_LEVEL_INTERVAL, ARG_NO_LEVEL, ARG_RESET, ARG_NO_ASK_PASSWORD };
        static const struct option options[] = {
                { "help",           no_argument,       NULL, 'h' },
                { "version",        no_argument,       NULL, ARG_VERSION },
                { "json",           no_argument,       NULL, ARG_JSON },
                { "level-interval", required_argument, NULL, ARG_LEVEL_INTERVAL },
                { "no-level",       no_argument,       NULL, ARG_NO_LEVEL },
                { "reset",          no_argument,       NULL, ARG_RESET },
                { "no-ask-password", no_argument,      NULL, ARG_NO_ASK_PASSWORD },
                {}
        };
        int c;

        opterr = 0;     /* said here, as one line like every other usage error */
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        *ret_help = true;
                        break;
                case ARG_VERSION:
                        printf("voicehvacctl %s\n", VOICEHVAC_VERSION);
                        return 0;
                case ARG_JSON:
                        arg_json = true;
                        break;
                case ARG_LEVEL_INTERVAL:
                        if (parse_interval(optarg, &arg_monitor.level_interval_usec) < 0)
                                return -ctl_usage_error("Invalid --level-interval '%s': expected seconds, e.g. 0.5.",
                                                        optarg);
                        break;
                case ARG_NO_LEVEL:
                        arg_monitor.level_interval_usec = 0;
                        break;
                case ARG_RESET:
                        arg_reset = true;
                        break;
                case ARG_NO_ASK_PASSWORD:
                        arg_ask_password = false;
                        break;
                case '?':
                        if (optopt >= ARG_VERSION)
                                return -ctl_usage_error("Option '%s' needs a value.", argv[optind - 1]);
                        if (optopt >= '0' && optopt <= '9')
                                return -ctl_usage_error("Unknown option '%s'; a value below zero needs '--' before "
                                                        "it, e.g. 'set temperature -- -5'.", argv[optind - 1]);
                        return -ctl_usage_error("Unknown option '%s'; see --help.", argv[optind - 1]);
                default:
                        return -ctl_usage_error("Unexpected option '%c'.", c);
                }
        return 1;
}

int main(int argc, char *argv[]) {
        const Verb *v;
        bool want_help = false;
        int r;

        r = parse_argv(argc, argv, &want_help);
        if (r <= 0)
                return -r;

        if (optind >= argc) {
                if (want_help) {
                        help();
                        return EXIT_OK;
                }
                ctl_usage_error("A command is needed; see --help.");
                return EXIT_USAGE;
        }
        v = verb_find(argv[optind]);
        if (!v)
                return ctl_usage_error("Unknown command '%s'; see --help.", argv[optind]);
        if (want_help) {
                help_verb(v);
                return EXIT_OK;
        }
        return v->run(argc - optind, argv + optind);
}
