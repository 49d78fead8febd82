/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <getopt.h>
#include <mosquitto.h>
#include <stdio.h>

#include "errors.h"
#include "log.h"
#include "manager.h"
#include "network-dropin.h"

static void help(void) {
        printf("mqttd [OPTIONS]\n\n"
               "The hub in Home Assistant over MQTT: discovery, state and commands for the air\n"
               "conditioner (" VH_HVAC_BUS_NAME ") and the microphone mute (" VH_AUDIO_BUS_NAME ").\n\n"
               "  -h --help            Show this help\n"
               "     --config FILE     Configuration file (default " MQTTD_CONFIG_FILE ")\n"
               "     --broker URL      mqtt://HOST[:PORT] or mqtts://HOST[:PORT], over the\n"
               "                       configuration's broker\n"
               "     --print-network-dropin\n"
               "                       Print the unit's network drop-in for the broker (what\n"
               "                       voicehvac-network-generator installs) and exit\n");
}

static int run(int argc, char *argv[]) {
        enum { ARG_PRINT_NETWORK_DROPIN = 0x100 };
        static const struct option options[] = {
                { "help",   no_argument,       NULL, 'h' },
                { "config", required_argument, NULL, 'c' },
                { "broker", required_argument, NULL, 'b' },
                { "print-network-dropin", no_argument, NULL, ARG_PRINT_NETWORK_DROPIN },
                {}
        };
        _cleanup_(manager_freep) Manager *m = NULL;
        const char *config = MQTTD_CONFIG_FILE, *broker = NULL;
        bool explicit_config = false, print_network_dropin = false;
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case 'c':
                        config = optarg;
                        explicit_config = true;
                        break;
                case 'b':
                        broker = optarg;
                        break;
                case ARG_PRINT_NETWORK_DROPIN:
                        print_network_dropin = true;
                        break;
                default:
                        return -EINVAL;
                }
        if (optind < argc)
                return log_error_errno(-EINVAL, "Unexpected argument '%s'.", argv[optind]);

        r = vh_errors_register();
        if (r < 0)
                return log_error_errno(r, "Failed to register the error names: %m");

        r = manager_new(&m);
        if (r < 0)
                return log_error_errno(r, "Failed to set up: %m");

        r = manager_load_config(m, config, explicit_config, broker);
        if (r < 0)
                return r;

        /* The unit's network drop-in for this broker (the generator asks), then nothing else. */
        if (print_network_dropin) {
                _cleanup_free_ char *text = NULL;

                r = network_dropin_format(&m->broker, broker ?: m->config.broker, config, &text);
                if (r < 0)
                        return log_oom();
                fputs(text, stdout);
                return fflush(stdout) == 0 ? 0 : log_error_errno(-EIO, "Failed to write the drop-in.");
        }

        r = manager_start(m);
        if (r < 0)
                return r;

        r = manager_run(m);
        if (r < 0)
                return r;

        log_info("Exiting.");
        return 0;
}

int main(int argc, char *argv[]) {
        int r;

        log_setup("mqttd");
        (void) mosquitto_lib_init();
        r = run(argc, argv);
        (void) mosquitto_lib_cleanup();
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
