/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* voicehvacctl — the command-line client. So far: monitor. */

#include <getopt.h>
#include <stdio.h>

#include "log.h"
#include "monitor.h"

static void help(void) {
        printf("voicehvacctl [OPTIONS] COMMAND\n\n"
               "  -h --help     Show this help\n\n"
               "Commands:\n"
               "  monitor       Print wake detections, commands, state changes and health as they happen\n");
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                {}
        };
        int c;

        log_setup("voicehvacctl");
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                default:
                        return 2;
                }
        if (optind >= argc) {
                help();
                return 2;
        }
        if (streq(argv[optind], "monitor") && optind + 1 == argc)
                return monitor_run() < 0 ? 1 : 0;

        log_error("Unknown command '%s'; see --help.", argv[optind]);
        return 2;
}
