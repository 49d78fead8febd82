/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "ir.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "network-dropin.h"

#define IR_DECODE_SAMPLES_MAX 65536
#define IR_DECODE_TEXT_MAX (4u << 20)
#define IR_DUMP_PROTOCOL_DEFAULT "coolix"

static const char *arg_config = NULL;
static HvacConfigOverrides arg_overrides = {};
static bool arg_ir_dump = false;
static const char *arg_ir_decode = NULL;
static const char *arg_protocol = NULL;
static bool arg_print_network_dropin = false;
static char **arg_ir_options = NULL;
static size_t arg_n_ir_options = 0;
static const char *arg_fan_table_name = NULL;
static const IrFanTable *arg_fan_table = NULL;
static HvacState arg_ir_state = {
        .power = true,
        .mode = HVAC_MODE_COOL,
        .target_temperature = 24,
        .fan = HVAC_FAN_AUTO,
};

static void help(void) {
        printf("%s [OPTIONS…]\n\n"
               "The air conditioner's state on the bus as org.voicehvac.Hvac1.\n\n"
               "  -h --help               Show this help\n"
               "     --config FILE        Configuration (default " HVACD_CONFIG_DEFAULT ")\n"
               "     --backend NAME       sim, lirc or http, over the configuration's\n"
               "     --print-network-dropin\n"
               "                          Print the unit's network drop-in for the configuration\n"
               "                          (what voicehvac-network-generator installs) and exit\n"
               "     --http-url URL       The Daikin adapter, http://HOST[:PORT], over the\n"
               "                          configuration's http.url\n"
               "     --ir-dump            Print the IR frame for a state in the format of\n"
               "                          'ir-ctl --send', and exit; a remote's clock is the\n"
               "                          options' (as lirc.clock 'fixed'), so the frame is\n"
               "                          the same at every run\n"
               "     --ir-decode FILE     Decode a recording ('ir-ctl -r' or mode2 text) and\n"
               "                          print the state as one JSON object, and exit\n"
               "     --protocol NAME      With --ir-dump: " IR_PROTOCOLS_LIST " (default coolix);\n"
               "                          with --ir-decode: only this protocol\n"
               "     --option NAME=VALUE  With --ir-dump: a remote option (see the protocol's\n"
               "                          options in --ir-decode's output)\n"
               "     --fan-table NAME     With --ir-dump, or --ir-decode and --protocol: the\n"
               "                          remote's fan codes, as the configuration's\n"
               "                          lirc.fan_table (default: the protocol's own)\n"
               "     --power on|off       With --ir-dump (default on)\n"
               "     --mode MODE          With --ir-dump: " VH_HVAC_MODES_LIST " (default cool)\n"
               "     --temperature °C     With --ir-dump (default 24)\n"
               "     --fan SPEED          With --ir-dump: " VH_HVAC_FANS_LIST " (default auto)\n",
               program_invocation_short_name);
}

static int parse_power(const char *s, bool *ret) {
        if (streq(s, "on") || streq(s, "true") || streq(s, "yes") || streq(s, "1"))
                *ret = true;
        else if (streq(s, "off") || streq(s, "false") || streq(s, "no") || streq(s, "0"))
                *ret = false;
        else
                return -EINVAL;
        return 0;
}

/* The remote's fan table, checked as the configuration's lirc.fan_table is. */
static int check_fan_table(const IrProtocol *p) {
        _cleanup_free_ char *problem = NULL;

        if (ir_fan_table_check(p, arg_fan_table_name, &arg_fan_table, &problem) < 0)
                return log_error_errno(-EINVAL, "Invalid --fan-table: %s%s.", problem ?: "no such fan table",
                                       p->fan_tables ? "" : " (leave --fan-table out)");
        return 0;
}

static int parse_argv(int argc, char *argv[]) {
        enum {
                ARG_CONFIG = 0x100,
                ARG_BACKEND,
                ARG_HTTP_URL,
                ARG_IR_DUMP,
                ARG_IR_DECODE,
                ARG_OPTION,
                ARG_PROTOCOL,
                ARG_POWER,
                ARG_MODE,
                ARG_TEMPERATURE,
                ARG_FAN,
                ARG_FAN_TABLE,
                ARG_PRINT_NETWORK_DROPIN,
        };
        static const struct option options[] = {
                { "help",        no_argument,       NULL, 'h' },
                { "config",      required_argument, NULL, ARG_CONFIG },
                { "backend",     required_argument, NULL, ARG_BACKEND },
                { "http-url",    required_argument, NULL, ARG_HTTP_URL },
                { "ir-dump",     no_argument,       NULL, ARG_IR_DUMP },
                { "ir-decode",   required_argument, NULL, ARG_IR_DECODE },
                { "option",      required_argument, NULL, ARG_OPTION },
                { "protocol",    required_argument, NULL, ARG_PROTOCOL },
                { "power",       required_argument, NULL, ARG_POWER },
                { "mode",        required_argument, NULL, ARG_MODE },
                { "temperature", required_argument, NULL, ARG_TEMPERATURE },
                { "fan",         required_argument, NULL, ARG_FAN },
                { "fan-table",   required_argument, NULL, ARG_FAN_TABLE },
                { "print-network-dropin", no_argument, NULL, ARG_PRINT_NETWORK_DROPIN },
                {}
        };
        bool ir_options = false;
        char *end;
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_CONFIG:
                        arg_config = optarg;
                        break;
                case ARG_BACKEND:
                        arg_overrides.backend = optarg;
                        break;
                case ARG_HTTP_URL:
                        arg_overrides.http_url = optarg;
                        break;
                case ARG_IR_DUMP:
                        arg_ir_dump = true;
                        break;
                case ARG_PRINT_NETWORK_DROPIN:
                        arg_print_network_dropin = true;
                        break;
                case ARG_IR_DECODE:
                        arg_ir_decode = optarg;
                        break;
                case ARG_OPTION: {
                        char **n = reallocarray(arg_ir_options, arg_n_ir_options + 1, sizeof(char *));

                        if (!n)
                                return log_oom();
                        arg_ir_options = n;
                        arg_ir_options[arg_n_ir_options++] = optarg;
                        ir_options = true;
                        break;
                }
                case ARG_PROTOCOL:
                        if (!ir_protocol_find(optarg))
                                return log_error_errno(-EINVAL, "Unknown protocol '%s', expected one of "
                                                       IR_PROTOCOLS_LIST ".", optarg);
                        arg_protocol = optarg;
                        break;
                case ARG_POWER:
                        if (parse_power(optarg, &arg_ir_state.power) < 0)
                                return log_error_errno(-EINVAL, "Invalid --power '%s', expected on or off.", optarg);
                        ir_options = true;
                        break;
                case ARG_MODE:
                        arg_ir_state.mode = hvac_mode_from_string(optarg);
                        if (arg_ir_state.mode < 0)
                                return log_error_errno(-EINVAL, "Invalid --mode '%s', expected one of "
                                                       VH_HVAC_MODES_LIST ".", optarg);
                        ir_options = true;
                        break;
                case ARG_TEMPERATURE:
                        errno = 0;
                        arg_ir_state.target_temperature = strtod(optarg, &end);
                        if (errno != 0 || end == optarg || *end != '\0')
                                return log_error_errno(-EINVAL, "Invalid --temperature '%s', expected a number.",
                                                       optarg);
                        ir_options = true;
                        break;
                case ARG_FAN:
                        arg_ir_state.fan = hvac_fan_from_string(optarg);
                        if (arg_ir_state.fan < 0)
                                return log_error_errno(-EINVAL, "Invalid --fan '%s', expected one of "
                                                       VH_HVAC_FANS_LIST ".", optarg);
                        ir_options = true;
                        break;
                case ARG_FAN_TABLE:
                        arg_fan_table_name = optarg;
                        break;
                case '?':
                        return -EINVAL;
                default:
                        assert(false);
                }
        }

        if (optind < argc)
                return log_error_errno(-EINVAL, "%s takes no arguments.", program_invocation_short_name);
        if (arg_ir_dump && arg_ir_decode)
                return log_error_errno(-EINVAL, "--ir-dump and --ir-decode exclude each other.");
        if (ir_options && !arg_ir_dump)
                return log_error_errno(-EINVAL, "--power, --mode, --temperature, --fan and --option go with "
                                       "--ir-dump.");
        if (arg_protocol && !arg_ir_dump && !arg_ir_decode)
                return log_error_errno(-EINVAL, "--protocol goes with --ir-dump or --ir-decode.");
        if (arg_fan_table_name) {
                if (!arg_ir_dump && !arg_ir_decode)
                        return log_error_errno(-EINVAL, "--fan-table goes with --ir-dump or --ir-decode.");
                if (arg_ir_decode && !arg_protocol)
                        return log_error_errno(-EINVAL, "--fan-table with --ir-decode needs --protocol: "
                                               "a fan table is one protocol's.");
                r = check_fan_table(ir_protocol_find(arg_protocol ?: IR_DUMP_PROTOCOL_DEFAULT));
                if (r < 0)
                        return r;
        }
        return 1;
}

static int ir_dump_options(const IrProtocol *p, unsigned options[IR_OPTIONS_MAX]) {
        ir_options_default(p, options);
        for (size_t i = 0; i < arg_n_ir_options; i++) {
                const char *eq = strchr(arg_ir_options[i], '=');
                _cleanup_free_ char *name = NULL;
                unsigned long v;
                char *end;
                int k;

                if (!eq)
                        return log_error_errno(-EINVAL, "Invalid --option '%s', expected NAME=VALUE.", arg_ir_options[i]);
                name = strndup(arg_ir_options[i], eq - arg_ir_options[i]);
                if (!name)
                        return log_oom();
                k = ir_option_index(p, name);
                if (k < 0)
                        return log_error_errno(-EINVAL, "Protocol %s has no option '%s'.", p->name, name);
                errno = 0;
                v = strtoul(eq + 1, &end, 0);
                if (errno != 0 || end == eq + 1 || *end != '\0' || v > UINT_MAX ||
                    ir_option_set(p, options, name, (unsigned) v) < 0)
                        return log_error_errno(-EINVAL, "Invalid --option %s value '%s', expected 0…%u.", name, eq + 1,
                                               ir_option_max(&p->options[k]));
        }
        return 0;
}

static int ir_dump(void) {
        const IrProtocol *p = ir_protocol_find(arg_protocol ?: IR_DUMP_PROTOCOL_DEFAULT);
        _cleanup_free_ IrFrame *frame = NULL;
        _cleanup_free_ char *comment = NULL;
        unsigned options[IR_OPTIONS_MAX];
        int r;

        r = ir_dump_options(p, options);
        if (r < 0)
                return r;

        r = ir_protocol_check_temperature(p, arg_ir_state.target_temperature);
        if (r < 0)
                return log_error_errno(r, "Temperature %g cannot be sent with protocol %s: whole degrees %i…%i only.",
                                       arg_ir_state.target_temperature, p->name, p->min_temperature,
                                       p->max_temperature);

        frame = malloc(sizeof(IrFrame));
        if (!frame)
                return log_oom();
        r = ir_encode_table(p, arg_fan_table, &arg_ir_state, options, frame);
        if (r < 0)
                return log_error_errno(r, "Failed to encode the %s frame: %m", p->name);

        if (asprintf(&comment, "%s: power %s, mode %s, %g °C, fan %s%s%s; %zu samples, %.1f ms",
                     p->name, arg_ir_state.power ? "on" : "off", hvac_mode_to_string(arg_ir_state.mode),
                     arg_ir_state.target_temperature, hvac_fan_to_string(arg_ir_state.fan),
                     arg_fan_table ? " of fan table " : "", arg_fan_table ? arg_fan_table->name : "",
                     frame->n, ir_frame_duration(frame) / 1000.0) < 0)
                return log_oom();

        r = ir_frame_write_text(frame, comment, stdout);
        if (r < 0)
                return log_error_errno(r, "Failed to write the frame: %m");
        return 0;
}

static int ir_decode_file(void) {
        _cleanup_free_ uint32_t *samples = NULL;
        _cleanup_free_ char *text = NULL;
        const IrProtocol *p = NULL;
        size_t size = 0, n = 0;
        unsigned line = 0;
        IrDecoded d;
        int r;

        if (arg_protocol)
                p = ir_protocol_find(arg_protocol);
        r = read_full_file(arg_ir_decode, IR_DECODE_TEXT_MAX, &text, &size);
        if (r < 0)
                return log_error_errno(r, "Failed to read '%s': %m", arg_ir_decode);
        if (strlen(text) != size)
                return log_error_errno(-EINVAL, "%s: not text.", arg_ir_decode);

        samples = calloc(IR_DECODE_SAMPLES_MAX, sizeof(uint32_t));
        if (!samples)
                return log_oom();
        r = ir_samples_parse_text(text, samples, IR_DECODE_SAMPLES_MAX, &n, &line);
        if (r == -E2BIG)
                return log_error_errno(r, "%s: more than %u samples.", arg_ir_decode, IR_DECODE_SAMPLES_MAX);
        if (r < 0)
                return log_error_errno(r, "%s:%u: expected 'pulse N', 'space N' or '+N -N' words.", arg_ir_decode, line);
        if (n == 0)
                return log_error_errno(-ENODATA, "%s: no pulses.", arg_ir_decode);

        r = ir_decode_table(p, arg_fan_table, samples, n, &d);
        if (r < 0)
                return log_error_errno(r, "%s: nothing decoded%s%s: %s.", arg_ir_decode, p ? " as " : "",
                                       p ? p->name : "", ir_decode_strerror(r));
        r = ir_decoded_write_json(&d, stdout);
        if (r < 0)
                return log_error_errno(r, "Failed to write: %m");
        return 0;
}

static int run(void) {
        _cleanup_(manager_freep) Manager *m = NULL;
        int r;

        r = manager_new(&m);
        if (r < 0)
                return log_error_errno(r, "Failed to set up: %m");

        r = manager_load_config(m, arg_config ?: HVACD_CONFIG_DEFAULT, arg_config != NULL, &arg_overrides);
        if (r < 0)
                return r;

        /* The unit's network drop-in for this configuration (the generator asks), then nothing else. */
        if (arg_print_network_dropin) {
                _cleanup_free_ char *text = NULL;

                r = network_dropin_format(&m->config, arg_config ?: HVACD_CONFIG_DEFAULT, &text);
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
                return log_error_errno(r, "Event loop failed: %m");

        log_info("Exiting.");
        return 0;
}

int main(int argc, char *argv[]) {
        int r;

        log_setup("hvacd");

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;

        r = arg_ir_dump ? ir_dump() : arg_ir_decode ? ir_decode_file() : run();
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
