/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <alsa/asoundlib.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>

#include "log.h"
#include "manager.h"

static void help(void) {
        printf("audiod [OPTIONS]\n\n"
               "The one owner of the microphone: captures from ALSA, owns mute, and streams audio\n"
               "to clients over D-Bus (" VH_AUDIO_BUS_NAME ").\n\n"
               "  -h --help            Show this help\n"
               "     --config FILE     Configuration file (default " AUDIOD_CONFIG_FILE ")\n"
               "     --device PCM      ALSA capture device, overriding the configuration\n");
}

/* alsa-lib prints its own errors to stderr; our callers already log what failed, so its
 * details go to debug level, in our format. */
static void alsa_error_handler(const char *file, int line, const char *function, int err, const char *fmt, ...) {
        char buf[512];
        va_list ap;

        if (log_get_max_level() < LOG_DEBUG)
                return;
        va_start(ap, fmt);
        (void) vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        log_debug("alsa-lib: %s:%i %s(): %s%s%s", file, line, function, buf,
                  err ? ": " : "", err ? snd_strerror(err) : "");
}

static const char *arg_config = AUDIOD_CONFIG_FILE;
static bool arg_config_explicit = false;
static const char *arg_device = NULL;

/* > 0: go on; 0: done (--help); < 0: a usage error, already said. */
static int parse_argv(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help",   no_argument,       NULL, 'h' },
                { "config", required_argument, NULL, 'c' },
                { "device", required_argument, NULL, 'd' },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case 'c':
                        arg_config = optarg;
                        arg_config_explicit = true;
                        break;
                case 'd':
                        arg_device = optarg;
                        break;
                default:
                        return -EINVAL;
                }
        if (optind < argc)
                return log_error_errno(-EINVAL, "Unexpected argument '%s'.", argv[optind]);
        return 1;
}

static int run(void) {
        _cleanup_(manager_freep) Manager *m = NULL;
        int r;

        r = manager_new(&m);
        if (r < 0)
                return log_error_errno(r, "Failed to set up: %m");

        r = manager_load_config(m, arg_config, arg_config_explicit, arg_device);
        if (r < 0)
                return r;

        r = manager_start(m);
        if (r < 0)
                return r;

        r = manager_run(m);
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m");

        log_info("Exiting.");
        return 0;
}

int main(int argc, char *argv[]) {
        int r;

        log_setup("audiod");
        (void) snd_lib_error_set_handler(alsa_error_handler);

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;

        r = run();
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
