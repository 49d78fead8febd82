/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "daikin.h"
#include "ir.h"
#include "macro.h"
#include "manager.h"

static const char *const backend_choices[] = { "sim", "lirc", "http", NULL };
static const char *const protocol_choices[] = { "coolix", "midea", "gree", "mitsubishi", "daikin", "fujitsu", "lg",
                                                 "panasonic", "hitachi", "samsung",
                                                 "toshiba", "mitsubishi_heavy",
                                                 "mitsubishi_heavy_88", "daikin216", "daikin152",
                                                 "mitsubishi112", NULL };
static const char *const clock_choices[] = { "local", "fixed", NULL };

/* "options": { "light": 0, … } — which names a protocol knows is checked once the protocol is
 * known, in config_check(). */
static int parse_ir_options(struct json_object *v, void *dest, void *base, char **ret_problem) {
        LircConfig *l = dest;
        size_t n = 0;

        if (!json_object_is_type(v, json_type_object))
                return asprintf(ret_problem, "expected object, got %s", json_type_to_name(json_object_get_type(v))) < 0 ?
                        -ENOMEM : -EINVAL;
        json_object_object_foreach(v, key, value) {
                int64_t i;

                if (n >= ELEMENTSOF(l->option_settings) || strlen(key) >= sizeof(l->option_settings[0].name))
                        return asprintf(ret_problem, "too many options, or option name '%s' too long", key) < 0 ?
                                -ENOMEM : -EINVAL;
                if (json_object_is_type(value, json_type_boolean))
                        i = json_object_get_boolean(value);
                else if (json_object_is_type(value, json_type_int))
                        i = json_object_get_int64(value);
                else
                        return asprintf(ret_problem, "option '%s': expected boolean or integer, got %s", key,
                                        json_type_to_name(json_object_get_type(value))) < 0 ? -ENOMEM : -EINVAL;
                if (i < 0 || i > 255)
                        return asprintf(ret_problem, "option '%s': %" PRIi64 " is outside 0…255", key, i) < 0 ?
                                -ENOMEM : -ERANGE;
                strcpy(l->option_settings[n].name, key);
                l->option_settings[n].value = (unsigned) i;
                n++;
        }
        l->n_option_settings = n;
        return 0;
}

static const ConfigField sim_fields[] = {
        { "ambient", CONFIG_DOUBLE, offsetof(HvacConfig, sim.ambient), -40, 60 },
        { "initial_temperature", CONFIG_DOUBLE, offsetof(HvacConfig, sim.initial_temperature), -40, 60 },
        { "rate_per_minute", CONFIG_DOUBLE, offsetof(HvacConfig, sim.rate_per_minute), 0.001, 100000 },
        { "drift_per_minute", CONFIG_DOUBLE, offsetof(HvacConfig, sim.drift_per_minute), 0, 100000 },
        { "resolution", CONFIG_DOUBLE, offsetof(HvacConfig, sim.resolution), 0.01, 1 },
        { "transmit_log", CONFIG_STRING, offsetof(HvacConfig, sim.transmit_log) },
        {}
};

static const ConfigField lirc_fields[] = {
        { "device", CONFIG_STRING, offsetof(HvacConfig, lirc.device) },
        { "protocol", CONFIG_STRING, offsetof(HvacConfig, lirc.protocol), .choices = protocol_choices },
        { "carrier", CONFIG_UINT, offsetof(HvacConfig, lirc.carrier), 0, 500000 },
        { "options", CONFIG_CUSTOM, offsetof(HvacConfig, lirc), .parse = parse_ir_options },
        { "receiver", CONFIG_STRING, offsetof(HvacConfig, lirc.receiver) },
        { "fan_table", CONFIG_STRING, offsetof(HvacConfig, lirc.fan_table) },
        { "clock", CONFIG_STRING, offsetof(HvacConfig, lirc.clock), .choices = clock_choices },
        {}
};

static const ConfigField http_fields[] = {
        { "url", CONFIG_STRING, offsetof(HvacConfig, http.url) },
        { "connect_timeout_ms", CONFIG_UINT, offsetof(HvacConfig, http.connect_timeout_ms), 1, 600000 },
        { "timeout_ms", CONFIG_UINT, offsetof(HvacConfig, http.timeout_ms), 1, 600000 },
        { "poll_interval_ms", CONFIG_UINT, offsetof(HvacConfig, http.poll_interval_ms), 100, 86400000 },
        {}
};

static const ConfigField hvac_fields[] = {
        { "backend", CONFIG_STRING, offsetof(HvacConfig, backend), .choices = backend_choices },
        { "min_temperature", CONFIG_DOUBLE, offsetof(HvacConfig, min_temperature), -20, 60 },
        { "max_temperature", CONFIG_DOUBLE, offsetof(HvacConfig, max_temperature), -20, 60 },
        { "temperature_step", CONFIG_DOUBLE, offsetof(HvacConfig, temperature_step), 0.01, 10 },
        { "coalesce_ms", CONFIG_UINT, offsetof(HvacConfig, coalesce_ms), 0, 10000 },
        { "state_file", CONFIG_STRING, offsetof(HvacConfig, state_file) },
        { "control_group", CONFIG_STRING, offsetof(HvacConfig, control_group) },
        { "degraded_after_failures", CONFIG_UINT, offsetof(HvacConfig, degraded_after_failures), 1, 1000 },
        { "retry_initial_ms", CONFIG_UINT, offsetof(HvacConfig, retry_initial_ms), 1, 3600000 },
        { "retry_max_ms", CONFIG_UINT, offsetof(HvacConfig, retry_max_ms), 1, 86400000 },
        { "sim", CONFIG_OBJECT, .fields = sim_fields },
        { "lirc", CONFIG_OBJECT, .fields = lirc_fields },
        { "http", CONFIG_OBJECT, .fields = http_fields },
        {}
};

int hvac_config_init(HvacConfig *c) {
        *c = (HvacConfig) {
                .min_temperature = 16,
                .max_temperature = 30,
                .temperature_step = 0.5,
                .coalesce_ms = 300,
                .degraded_after_failures = 5,
                .retry_initial_ms = 1000,
                .retry_max_ms = 60000,
                .sim = {
                        .ambient = 28,
                        .initial_temperature = NAN,
                        .rate_per_minute = 0.5,
                        .drift_per_minute = 0.2,
                        .resolution = 0.1,
                },
                .http = {
                        .connect_timeout_ms = 3000,
                        .timeout_ms = 10000,
                        .poll_interval_ms = 10000,
                },
        };
        c->backend = strdup("sim");
        c->state_file = strdup("hvacd-state.json");
        c->control_group = strdup("voicehvac");
        c->lirc.device = strdup("/dev/lirc0");
        c->lirc.protocol = strdup("coolix");
        if (!c->backend || !c->state_file || !c->control_group || !c->lirc.device || !c->lirc.protocol) {
                hvac_config_done(c);
                return -ENOMEM;
        }
        return 0;
}

void hvac_config_done(HvacConfig *c) {
        config_free_strings(hvac_fields, c);
}

static int config_error(char **ret_error, const char *format, ...) _printf_(2, 3);
static int config_error(char **ret_error, const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = vasprintf(ret_error, format, ap);
        va_end(ap);
        return r < 0 ? -ENOMEM : -EINVAL;
}

/* The options together must make a frame: the setting without which they do, when they do not. */
static const IrOptionSetting *ir_options_unsendable(const HvacConfig *c, const IrProtocol *p, const IrFanTable *t) {
        const HvacState probe = { true, HVAC_MODE_COOL, p->min_temperature, HVAC_FAN_AUTO };
        unsigned values[IR_OPTIONS_MAX], def[IR_OPTIONS_MAX];
        uint8_t state[IR_STATE_BYTES_MAX];

        ir_options_default(p, def);
        if (lirc_config_options(&c->lirc, p, values) < 0 || ir_build(p, t, &probe, values, state) != -EINVAL)
                return NULL;
        for (size_t i = c->lirc.n_option_settings; i > 0; i--) {
                const IrOptionSetting *o = &c->lirc.option_settings[i - 1];
                unsigned without[IR_OPTIONS_MAX];
                int k = ir_option_index(p, o->name);

                memcpy(without, values, sizeof(without));
                without[k] = def[k];
                if (ir_build(p, t, &probe, without, state) == 0)
                        return o;
        }
        return NULL;
}

/* What no single key can say: the keys have to agree with each other. */
static int config_check(const HvacConfig *c, const char *path, char **ret_error) {
        HvacLimits l = { c->min_temperature, c->max_temperature, c->temperature_step };
        _cleanup_free_ char *problem = NULL;
        const IrOptionSetting *bad;
        const IrFanTable *fan_table;
        const IrProtocol *p;

        if (hvac_limits_check(&l, &problem) < 0)
                return config_error(ret_error, "%s: %s", path, problem ?: "inconsistent temperature limits");
        if (c->retry_initial_ms > c->retry_max_ms)
                return config_error(ret_error, "%s: key 'retry_initial_ms': %u is above retry_max_ms %u",
                                    path, c->retry_initial_ms, c->retry_max_ms);
        if (isempty(c->state_file) || strchr(c->state_file, '/') || streq(c->state_file, ".") ||
            streq(c->state_file, ".."))
                return config_error(ret_error, "%s: key 'state_file': '%s' is not a plain file name",
                                    path, c->state_file ?: "");

        /* The remote's options: names the protocol knows, values its fields can hold. */
        p = ir_protocol_find(c->lirc.protocol);
        assert(p);      /* the choices saw to that */
        for (size_t i = 0; i < c->lirc.n_option_settings; i++) {
                const IrOptionSetting *o = &c->lirc.option_settings[i];
                unsigned values[IR_OPTIONS_MAX];
                int k = ir_option_index(p, o->name);

                if (k < 0)
                        return config_error(ret_error, "%s: key 'lirc.options.%s': protocol '%s' has no such "
                                            "option", path, o->name, p->name);
                if (ir_option_set(p, values, o->name, o->value) < 0)
                        return config_error(ret_error, "%s: key 'lirc.options.%s': %u is above %u, the most "
                                            "protocol '%s' can send", path, o->name, o->value,
                                            ir_option_max(&p->options[k]), p->name);
        }

        /* The remote's fan codes: one of the tables the protocol knows. */
        if (ir_fan_table_check(p, c->lirc.fan_table, &fan_table, &problem) < 0)
                return config_error(ret_error, "%s: key 'lirc.fan_table': %s%s", path,
                                    problem ?: "no such fan table", p->fan_tables ? "" : " (leave the key out)");

        /* Values a field holds that the remote never sends (a clock's minute 60). */
        bad = ir_options_unsendable(c, p, fan_table);
        if (bad)
                return config_error(ret_error, "%s: key 'lirc.options.%s': %u is a value protocol '%s' does not "
                                    "send", path, bad->name, bad->value, p->name);

        /* The remote's clock: the local time at each send, or the options' values. */
        if (streq_ptr(c->lirc.clock, "fixed") && !p->set_clock)
                return config_error(ret_error, "%s: key 'lirc.clock': protocol '%s' sends no clock (leave the "
                                    "key out)", path, p->name);
        bad = streq_ptr(c->lirc.clock, "local") ? lirc_config_clock_option(&c->lirc, p) : NULL;
        if (bad)
                return config_error(ret_error, "%s: key 'lirc.options.%s': the clock is the local time at each "
                                    "send; set lirc.clock to 'fixed' to send the options' clock instead",
                                    path, bad->name);

        if (streq(c->backend, "http")) {
                if (daikin_url_check(c->http.url, &problem) < 0)
                        return config_error(ret_error, "%s: key 'http.url': %s", path, problem ?: "invalid");
                if (c->http.connect_timeout_ms > c->http.timeout_ms)
                        return config_error(ret_error, "%s: key 'http.connect_timeout_ms': %u is above "
                                            "http.timeout_ms %u", path, c->http.connect_timeout_ms,
                                            c->http.timeout_ms);
        }

        if (streq(c->backend, "lirc")) {
                struct stat st;

                if (isempty(c->lirc.device))
                        return config_error(ret_error, "%s: key 'lirc.device': empty", path);
                if (!isempty(c->lirc.receiver) && stat(c->lirc.receiver, &st) < 0)
                        return config_error(ret_error, "%s: key 'lirc.receiver': %s: %s", path, c->lirc.receiver,
                                            strerror(errno));
                if (!isempty(c->lirc.receiver) && !S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode))
                        return config_error(ret_error, "%s: key 'lirc.receiver': %s is no LIRC device", path,
                                            c->lirc.receiver);
                /* Every temperature the bus accepts must be one the protocol can send. */
                if (c->temperature_step != round(c->temperature_step) ||
                    c->min_temperature != round(c->min_temperature))
                        return config_error(ret_error, "%s: key 'temperature_step': protocol '%s' sends whole "
                                            "degrees only; set min_temperature and temperature_step to whole numbers",
                                            path, p->name);
                if (c->min_temperature < p->min_temperature)
                        return config_error(ret_error, "%s: key 'min_temperature': %g is below what protocol '%s' "
                                            "can send (%i…%i °C)", path, c->min_temperature, p->name,
                                            p->min_temperature, p->max_temperature);
                if (c->max_temperature > p->max_temperature)
                        return config_error(ret_error, "%s: key 'max_temperature': %g is above what protocol '%s' "
                                            "can send (%i…%i °C)", path, c->max_temperature, p->name,
                                            p->min_temperature, p->max_temperature);
        }
        return 0;
}

int hvac_config_load(HvacConfig *c, const char *path, bool must_exist, char **ret_error) {
        int r;

        r = config_load_file(path, hvac_fields, c, must_exist, ret_error);
        if (r < 0)
                return r;
        return config_check(c, path, ret_error);
}

static int replace_string(char **s, const char *value) {
        char *copy = strdup(value);

        if (!copy)
                return -ENOMEM;
        free(*s);
        *s = copy;
        return 0;
}

int hvac_config_override(HvacConfig *c, const char *path, const HvacConfigOverrides *o, char **ret_error) {
        _cleanup_free_ char *source = NULL;
        bool known = false;
        int r;

        if (!o->backend && !o->http_url)
                return 0;

        if (o->backend) {
                for (size_t i = 0; backend_choices[i]; i++)
                        known = known || streq(backend_choices[i], o->backend);
                if (!known)
                        return config_error(ret_error, "--backend: '%s' is not one of sim, lirc, http", o->backend);
                r = replace_string(&c->backend, o->backend);
                if (r < 0)
                        return r;
        }
        if (o->http_url) {
                if (!streq(c->backend, "http"))
                        return config_error(ret_error, "--http-url: the backend is '%s' (%s), not http; "
                                            "add --backend http", c->backend, o->backend ? "--backend" : path);
                r = replace_string(&c->http.url, o->http_url);
                if (r < 0)
                        return r;
        }

        /* Checked as the file is, and the message says where the value came from. */
        if (asprintf(&source, "%s with%s%s", path, o->backend ? " --backend" : "",
                     o->http_url ? " --http-url" : "") < 0)
                return -ENOMEM;
        return config_check(c, source, ret_error);
}
