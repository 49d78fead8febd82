/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "recognizer.h"

#define WAKEWORD_CONFIG_PATH "/etc/voicehvac/wakeword.json"

typedef struct WakewordConfig {
        RecognizerConfig recognizer;
        double vad_threshold_db;
        unsigned vad_hangover_msec;
        char *enrol_group;              /* besides root, who may enrol and reset the adaptation */
        unsigned enrol_wake_takes;      /* live enrolment: takes of the wake phrase alone */
        unsigned enrol_command_takes;   /* … then of the phrase with a command */
} WakewordConfig;

/* Defaults (the Debian model paths), then the file. path NULL: the default file, which may be
 * missing. On error the message names the file and key; it is printed by the caller. */
int wakeword_config_load(const char *path, WakewordConfig *ret, char **ret_error);
void wakeword_config_done(WakewordConfig *c);
