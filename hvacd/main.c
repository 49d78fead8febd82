/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "ir.h"
#include "log.h"
#include "macro.h"
#include "manager.h"

static const char *arg_config = NULL;
static HvacConfigOverrides arg_overrides = {};
static bool arg_ir_dump = false;
static const char *arg_protocol = "coolix";
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
               "     --http-url URL       The Daikin adapter, http://HOST[:PORT], over the\n"
               "                          configuration's http.url\n"
               "     --ir-dump            Print the IR frame for a state in the format of\n"
               "                          'ir-ctl --send', and exit\n"
               "     --protocol NAME      With --ir-dump: " IR_PROTOCOLS_LIST " (default coolix)\n"
               "     --power on|off       With --ir-dump (default on)\n"
               "     --mode MODE          With --ir-dump: " HVAC_MODES_LIST " (default cool)\n"
               "     --temperature °C     With --ir-dump (default 24)\n"
               "     --fan SPEED          With --ir-dump: " HVAC_FANS_LIST " (default auto)\n",
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

static int parse_argv(int argc, char *argv[]) {
        enum {
                ARG_CONFIG = 0x100,
                ARG_BACKEND,
                ARG_HTTP_URL,
                ARG_IR_DUMP,
                ARG_PROTOCOL,
                ARG_POWER,
                ARG_MODE,
                ARG_TEMPERATURE,
                ARG_FAN,
        };
        static const struct option options[] = {
                { "help",        no_argument,       NULL, 'h' },
                { "config",      required_argument, NULL, ARG_CONFIG },
                { "backend",     required_argument, NULL, ARG_BACKEND },
                { "http-url",    required_argument, NULL, ARG_HTTP_URL },
                { "ir-dump",     no_argument,       NULL, ARG_IR_DUMP },
                { "protocol",    required_argument, NULL, ARG_PROTOCOL },
                { "power",       required_argument, NULL, ARG_POWER },
                { "mode",        required_argument, NULL, ARG_MODE },
                { "temperature", required_argument, NULL, ARG_TEMPERATURE },
                { "fan",         required_argument, NULL, ARG_FAN },
                {}
        };
        bool ir_options = false;
        char *end;
        int c;

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
                case ARG_PROTOCOL:
                        if (!ir_protocol_find(optarg))
                                return log_error_errno(-EINVAL, "Unknown protocol '%s', expected one of "
                                                       IR_PROTOCOLS_LIST ".", optarg);
                        arg_protocol = optarg;
                        ir_options = true;
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
                                                       HVAC_MODES_LIST ".", optarg);
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
                                                       HVAC_FANS_LIST ".", optarg);
                        ir_options = true;
                        break;
                case '?':
                        return -EINVAL;
                default:
                        assert(false);
                }
        }

        if (optind < argc)
                return log_error_errno(-EINVAL, "%s takes no arguments.", program_invocation_short_name);
        if (ir_options && !arg_ir_dump)
                return log_error_errno(-EINVAL, "--protocol, --power, --mode, --temperature and --fan go with "
                                       "--ir-dump.");
        return 1;
}

static int ir_dump(void) {
        const IrProtocol *p = ir_protocol_find(arg_protocol);
        _cleanup_free_ IrFrame *frame = NULL;
        _cleanup_free_ char *comment = NULL;
        int r;

        r = ir_protocol_check_temperature(p, arg_ir_state.target_temperature);
        if (r < 0)
                return log_error_errno(r, "Temperature %g cannot be sent with protocol %s: whole degrees %i…%i only.",
                                       arg_ir_state.target_temperature, p->name, p->min_temperature,
                                       p->max_temperature);

        frame = malloc(sizeof(IrFrame));
        if (!frame)
                return log_oom();
        r = p->encode(&arg_ir_state, frame);
        if (r < 0)
                return log_error_errno(r, "Failed to encode the %s frame: %m", p->name);

        if (asprintf(&comment, "%s: power %s, mode %s, %g °C, fan %s; %zu samples, %.1f ms",
                     p->name, arg_ir_state.power ? "on" : "off", hvac_mode_to_string(arg_ir_state.mode),
                     arg_ir_state.target_temperature, hvac_fan_to_string(arg_ir_state.fan), frame->n,
                     ir_frame_duration(frame) / 1000.0) < 0)
                return log_oom();

        r = ir_frame_write_text(frame, comment, stdout);
        if (r < 0)
                return log_error_errno(r, "Failed to write the frame: %m");
        return 0;
}

static int run(void) {
        _cleanup_(hvac_config_done) HvacConfig config = {};
        _cleanup_(manager_freep) Manager *m = NULL;
        _cleanup_free_ char *error = NULL;
        int r;

        r = hvac_config_init(&config);
        if (r < 0)
                return log_oom();

        r = hvac_config_load(&config, arg_config ?: HVACD_CONFIG_DEFAULT, arg_config != NULL, &error);
        if (r >= 0)
                r = hvac_config_override(&config, arg_config ?: HVACD_CONFIG_DEFAULT, &arg_overrides, &error);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return log_error_errno(r, "%s", error ?: "Invalid configuration");

        r = vh_errors_register();
        if (r < 0)
                return log_error_errno(r, "Failed to register the error names: %m");

        r = manager_new(&config, &m);
        if (r < 0)
                return log_oom();

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

        log_setup("hvacd");

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;

        r = arg_ir_dump ? ir_dump() : run();
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
