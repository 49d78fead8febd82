/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <getopt.h>
#include <stdio.h>
#include <systemd/sd-daemon.h>

#include "log.h"
#include "manager.h"

static void help(void) {
        printf("watchdogd [OPTIONS]\n\n"
               "Watches audiod, wakeword and hvacd over D-Bus, /proc and cgroups without touching their\n"
               "devices, and restarts them by its rules: through systemd where it runs, or itself.\n\n"
               "  -h --help              Show this help\n"
               "     --config FILE       Configuration file (default " WATCHDOG_CONFIG_FILE ")\n"
               "     --supervise         Start the services and restart them ourselves (no systemd)\n"
               "     --private-bus DIR   Start a private dbus-daemon listening on DIR/bus first\n"
               "     --cgroup-root DIR   cgroup v2 hierarchy to place services in (default /sys/fs/cgroup)\n");
}

static const char *arg_config = WATCHDOG_CONFIG_FILE;
static bool arg_config_explicit = false;
static bool arg_supervise = false;
static const char *arg_private_bus = NULL;
static const char *arg_cgroup_root = NULL;

/* > 0: go on; 0: done (--help); < 0: a usage error, already said. */
static int parse_argv(int argc, char *argv[]) {
        enum { ARG_CONFIG = 0x100, ARG_SUPERVISE, ARG_PRIVATE_BUS, ARG_CGROUP_ROOT };
        static const struct option options[] = {
                { "help",        no_argument,       NULL, 'h' },
                { "config",      required_argument, NULL, ARG_CONFIG },
                { "supervise",   no_argument,       NULL, ARG_SUPERVISE },
                { "private-bus", required_argument, NULL, ARG_PRIVATE_BUS },
                { "cgroup-root", required_argument, NULL, ARG_CGROUP_ROOT },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_CONFIG:
                        arg_config = optarg;
                        arg_config_explicit = true;
                        break;
                case ARG_SUPERVISE:
                        arg_supervise = true;
                        break;
                case ARG_PRIVATE_BUS:
                        arg_private_bus = optarg;
                        break;
                case ARG_CGROUP_ROOT:
                        arg_cgroup_root = optarg;
                        break;
                default:
                        return -EINVAL;
                }
        if (optind < argc)
                return log_error_errno(-EINVAL, "Unexpected argument '%s'.", argv[optind]);
        if (arg_private_bus && !arg_supervise)
                return log_error_errno(-EINVAL, "--private-bus goes with --supervise.");
        return 1;
}

static int run(void) {
        _cleanup_(manager_freep) Manager *m = NULL;
        RunMode mode;
        int r;

        mode = arg_supervise ? RUN_SUPERVISE : sd_booted() > 0 ? RUN_SYSTEMD : RUN_WATCH;
        if (mode == RUN_WATCH)
                log_notice("Neither --supervise nor systemd: watching and reporting only.");

        r = manager_new(&m);
        if (r < 0)
                return log_error_errno(r, "Failed to set up: %m");

        r = manager_load_config(m, arg_config, arg_config_explicit, arg_cgroup_root);
        if (r < 0)
                return r;

        r = manager_start(m, mode, arg_private_bus);
        if (r < 0)
                return r;

        r = manager_run(m);
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m");
        (void) sd_notify(false, "STOPPING=1\nSTATUS=Stopping the services.");
        return r > 0 ? -EIO : 0;
}

int main(int argc, char *argv[]) {
        int r;

        log_setup("watchdogd");

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;

        r = run();
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
