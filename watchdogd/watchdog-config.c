/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>

#include "config.h"
#include "macro.h"
#include "strv.h"
#include "watchdog-config.h"

/* "exec": a non-empty array of strings whose first is an absolute path. */
static int parse_exec(struct json_object *v, void *dest, void *base, char **ret_problem) {
        char ***argv = dest, **l;
        size_t n;

        if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) == 0)
                return asprintf(ret_problem, "expected a non-empty array of strings") < 0 ? -ENOMEM : -EINVAL;
        n = json_object_array_length(v);
        l = calloc(n + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                struct json_object *e = json_object_array_get_idx(v, i);

                if (!json_object_is_type(e, json_type_string)) {
                        strv_free(l);
                        return asprintf(ret_problem, "element %zu: expected string, got %s", i,
                                        json_type_to_name(json_object_get_type(e))) < 0 ? -ENOMEM : -EINVAL;
                }
                l[i] = strdup(json_object_get_string(e));
                if (!l[i]) {
                        strv_free(l);
                        return -ENOMEM;
                }
        }
        if (l[0][0] != '/') {
                int r = asprintf(ret_problem, "'%s' is not an absolute path", l[0]) < 0 ? -ENOMEM : -EINVAL;
                strv_free(l);
                return r;
        }
        strv_free(*argv);
        *argv = l;
        return 0;
}

#define SERVICE_FIELDS(svc, id)                                                                         \
        static const ConfigField svc##_fields[] = {                                                     \
                { "exec", CONFIG_CUSTOM, offsetof(WatchdogConfig, services[id].exec), .parse = parse_exec }, \
                { "unit", CONFIG_STRING, offsetof(WatchdogConfig, services[id].unit) },                 \
                { "enabled", CONFIG_BOOL, offsetof(WatchdogConfig, services[id].enabled) },             \
                {}                                                                                      \
        }

SERVICE_FIELDS(audiod, SERVICE_AUDIOD);
SERVICE_FIELDS(hvacd, SERVICE_HVACD);
SERVICE_FIELDS(wakeword, SERVICE_WAKEWORD);
SERVICE_FIELDS(mqttd, SERVICE_MQTTD);

#define RULE(key, min, max) { #key, CONFIG_UINT, offsetof(WatchdogConfig, rules.key), min, max }

static const ConfigField watchdog_fields[] = {
        RULE(ping_interval_ms, 100, 600000),
        RULE(ping_timeout_ms, 10, 600000),
        RULE(missed_pings, 1, 100),
        RULE(start_timeout_ms, 100, 600000),
        RULE(stop_timeout_ms, 10, 600000),
        RULE(xruns_per_minute, 0, 1000000),
        RULE(memory_percent, 0, 100),
        RULE(restart_burst, 1, RESTART_BURST_MAX),
        RULE(restart_interval_sec, 1, 86400),
        RULE(restart_delay_ms, 0, 600000),
        RULE(restart_delay_max_ms, 0, 3600000),
        { "cgroup_root", CONFIG_STRING, offsetof(WatchdogConfig, cgroup_root) },
        { "budget_file", CONFIG_STRING, offsetof(WatchdogConfig, budget_file) },
        { "asound_root", CONFIG_STRING, offsetof(WatchdogConfig, asound_root) },
        { "pressure_root", CONFIG_STRING, offsetof(WatchdogConfig, pressure_root) },
        { "dbus_daemon", CONFIG_STRING, offsetof(WatchdogConfig, dbus_daemon) },
        { "psi_stall_ms", CONFIG_UINT, offsetof(WatchdogConfig, psi_stall_ms), 0, 10000 },
        { "psi_window_ms", CONFIG_UINT, offsetof(WatchdogConfig, psi_window_ms), 500, 10000 },
        { "audiod", CONFIG_OBJECT, .fields = audiod_fields },
        { "hvacd", CONFIG_OBJECT, .fields = hvacd_fields },
        { "wakeword", CONFIG_OBJECT, .fields = wakeword_fields },
        { "mqttd", CONFIG_OBJECT, .fields = mqttd_fields },
        {}
};

static int service_config_init(ServiceConfig *s, const char *name) {
        s->exec = calloc(2, sizeof(char *));
        if (!s->exec || asprintf(&s->exec[0], VOICEHVAC_LIBEXECDIR "/%s", name) < 0)
                return -ENOMEM;
        if (asprintf(&s->unit, "voicehvac-%s.service", name) < 0)
                return -ENOMEM;
        s->enabled = true;
        return 0;
}

int watchdog_config_init(WatchdogConfig *c) {
        static const char *const names[_SERVICE_MAX] = { "audiod", "hvacd", "wakeword", "mqttd" };

        *c = (WatchdogConfig) {
                .cgroup_root = strdup("/sys/fs/cgroup"),
                .budget_file = strdup(VOICEHVAC_DATADIR "/budget.json"),
                .asound_root = strdup("/proc/asound"),
                .pressure_root = strdup("/proc/pressure"),
                .dbus_daemon = strdup("/usr/bin/dbus-daemon"),
                .psi_stall_ms = 1500,
                .psi_window_ms = 2000,
        };
        rule_config_init(&c->rules);
        if (!c->cgroup_root || !c->budget_file || !c->asound_root || !c->pressure_root || !c->dbus_daemon)
                return -ENOMEM;
        for (unsigned i = 0; i < _SERVICE_MAX; i++)
                if (service_config_init(&c->services[i], names[i]) < 0)
                        return -ENOMEM;
        /* The bridge to Home Assistant runs only where there is a broker to bridge to. */
        c->services[SERVICE_MQTTD].enabled = false;
        return 0;
}

int watchdog_config_load(WatchdogConfig *c, const char *path, bool must_exist, char **ret_error) {
        const char *problem;
        int r;

        r = config_load_file(path, watchdog_fields, c, must_exist, ret_error);
        if (r < 0)
                return r;
        problem = rule_config_problem(&c->rules);
        if (problem) {
                if (asprintf(ret_error, "%s: %s", path, problem) < 0)
                        return -ENOMEM;
                return -EINVAL;
        }
        return 0;
}

void watchdog_config_done(WatchdogConfig *c) {
        config_free_strings(watchdog_fields, c);
        for (unsigned i = 0; i < _SERVICE_MAX; i++)
                c->services[i].exec = strv_free(c->services[i].exec);
}
