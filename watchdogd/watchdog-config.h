/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* watchdogd.json: the rules (see rules.h), where to look (cgroup root, /proc/asound, PSI), and
 * per service how to start it (supervise mode) and which unit it is (systemd mode). */

#include <stdbool.h>

#include "rules.h"

typedef enum ServiceId {
        SERVICE_AUDIOD,
        SERVICE_HVACD,
        SERVICE_WAKEWORD,
        SERVICE_MQTTD,                  /* optional: watched only where enabled */
        _SERVICE_MAX,
} ServiceId;

typedef struct ServiceConfig {
        char **exec;            /* argv, NULL-terminated; argv[0] is a path */
        char *unit;
        bool enabled;
} ServiceConfig;

typedef struct WatchdogConfig {
        RuleConfig rules;
        char *cgroup_root;
        char *budget_file;
        char *asound_root;
        char *pressure_root;
        char *dbus_daemon;
        unsigned psi_stall_ms;          /* 0 = pressure not judged */
        unsigned psi_window_ms;
        ServiceConfig services[_SERVICE_MAX];
} WatchdogConfig;

int watchdog_config_init(WatchdogConfig *c);
int watchdog_config_load(WatchdogConfig *c, const char *path, bool must_exist, char **ret_error);
void watchdog_config_done(WatchdogConfig *c);
