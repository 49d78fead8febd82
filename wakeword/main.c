/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <getopt.h>
#include <stdio.h>

#include "decode.h"
#include "enrol.h"
#include "log.h"
#include "manager.h"

static void help(void) {
        printf("wakeword [OPTIONS]\n"
               "wakeword [--config FILE] --decode FILE.wav...\n"
               "wakeword [--config FILE] --enrol-from LIST\n"
               "wakeword [--config FILE] --enrol-check WAV TRANSCRIPT\n\n"
               "Listens to audiod's stream for the wake phrase and the command after it.\n\n"
               "  -h --help          Show this help\n"
               "  -c --config FILE   Configuration (default " WAKEWORD_CONFIG_PATH ")\n"
               "     --decode        Decode 16 kHz mono WAV files, print JSON lines, no bus\n"
               "  -v --verbose       With --decode: also print rejected commands\n"
               "     --enrol-from LIST\n"
               "                     Adapt the acoustic model to the clips of LIST (WAV<TAB>TRANSCRIPT\n"
               "                     a line) and keep the adaptation in the state directory\n"
               "     --enrol-check WAV TRANSCRIPT\n"
               "                     Check one enrolment clip as --enrol-from would, print ok or why not\n"
               "     --no-adaptation Use the stock acoustic model, not the state directory's adaptation\n");
}

/* The configuration for a one-off job; a bad one is said and nothing is left to free. */
static int config_load(const char *config_path, WakewordConfig *ret) {
        _cleanup_free_ char *error = NULL;
        int r;

        r = wakeword_config_load(config_path, ret, &error);
        if (r < 0) {
                log_error("%s", error ?: "Out of memory.");
                wakeword_config_done(ret);
        }
        return r;
}

static int enrol_run(const char *config_path, const char *list) {
        WakewordConfig config;
        int r;

        r = config_load(config_path, &config);
        if (r < 0)
                return r;
        r = wakeword_enrol(&config, list);
        wakeword_config_done(&config);
        return r;
}

static int enrol_check_run(const char *config_path, char *const *args, int n) {
        WakewordConfig config;
        int r;

        if (n != 2) {
                log_error("--enrol-check takes a WAV file and its transcript.");
                return -EINVAL;
        }
        r = config_load(config_path, &config);
        if (r < 0)
                return r;
        r = wakeword_enrol_check(&config, args[0], args[1]);
        wakeword_config_done(&config);
        return r;
}

static int decode_run(const char *config_path, char *const *files, unsigned n, bool verbose, bool adaptation) {
        WakewordConfig config;
        int r;

        if (n == 0) {
                log_error("--decode needs at least one WAV file.");
                return -EINVAL;
        }
        r = config_load(config_path, &config);
        if (r < 0)
                return r;
        r = wakeword_decode_files(&config, files, n, verbose, adaptation);
        wakeword_config_done(&config);
        return r;
}

static int run(const char *config_path, bool adaptation) {
        _cleanup_(manager_freep) Manager *m = NULL;
        int r;

        r = manager_new(&m);
        if (r < 0)
                return log_error_errno(r, "Failed to set up: %m");
        r = manager_load_config(m, config_path, adaptation);
        if (r < 0)
                return r;
        r = manager_start(m);
        if (r < 0)
                return r;
        r = manager_run(m);
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m");
        return 0;
}

#ifdef __SANITIZE_ADDRESS__
/* pocketsphinx 0.8's phone-loop search leaks its segment list on every ps_seg_iter() (about 1 KiB
 * per command heard; we always iterate to the end). That one is the library's; every other leak
 * still fails the sanitizer run. Matching it by function needs full stacks through the library,
 * which has no frame pointers. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) {
        return "fast_unwind_on_malloc=0";
}

const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) {
        return "leak:ps_seg_iter\n";
}
#endif

int main(int argc, char *argv[]) {
        enum { ARG_DECODE = 0x100, ARG_ENROL_FROM, ARG_ENROL_CHECK, ARG_NO_ADAPTATION };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "config", required_argument, NULL, 'c' },
                { "decode", no_argument, NULL, ARG_DECODE },
                { "verbose", no_argument, NULL, 'v' },
                { "enrol-from", required_argument, NULL, ARG_ENROL_FROM },
                { "enrol-check", no_argument, NULL, ARG_ENROL_CHECK },
                { "no-adaptation", no_argument, NULL, ARG_NO_ADAPTATION },
                {}
        };
        const char *config_path = NULL, *enrol_list = NULL;
        bool decode = false, verbose = false, adaptation = true, enrol_check = false;
        int c, r;

        log_setup("wakeword");
        while ((c = getopt_long(argc, argv, "hc:v", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case 'c':
                        config_path = optarg;
                        break;
                case ARG_DECODE:
                        decode = true;
                        break;
                case 'v':
                        verbose = true;
                        break;
                case ARG_ENROL_FROM:
                        enrol_list = optarg;
                        break;
                case ARG_ENROL_CHECK:
                        enrol_check = true;
                        break;
                case ARG_NO_ADAPTATION:
                        adaptation = false;
                        break;
                default:
                        return 2;
                }

        if (decode + !!enrol_list + enrol_check > 1) {
                log_error("--decode, --enrol-from and --enrol-check are different jobs; give one.");
                return 2;
        }
        if (enrol_list && optind < argc) {
                log_error("Unexpected argument '%s'; see --help.", argv[optind]);
                return 2;
        }
        if (enrol_check) {
                r = enrol_check_run(config_path, argv + optind, argc - optind);
                return r < 0 ? 2 : r;
        }
        if (enrol_list)
                r = enrol_run(config_path, enrol_list);
        else if (decode)
                r = decode_run(config_path, argv + optind, (unsigned) (argc - optind), verbose, adaptation);
        else if (optind < argc) {
                log_error("Unexpected argument '%s'; see --help.", argv[optind]);
                return 2;
        } else
                r = run(config_path, adaptation);
        return r < 0 ? 1 : 0;
}
