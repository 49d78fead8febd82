/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Words → intent, for the sentences of wakeword/commands.gram. The parser works on the words
 * alone, so it serves the recogniser's hypotheses, the tests and anyone who types a command. */

#include <stdbool.h>

struct json_object;

typedef enum IntentAction {
        INTENT_SET_TEMPERATURE,         /* value: °C (double) */
        INTENT_ADJUST_TEMPERATURE,      /* value: +1 / -1 */
        INTENT_SET_MODE,                /* name: cool heat dry fan_only auto */
        INTENT_SET_POWER,               /* on */
        INTENT_SET_FAN,                 /* name: auto low medium high */
        _INTENT_ACTION_MAX,
} IntentAction;

typedef struct Intent {
        IntentAction action;
        double temperature;             /* INTENT_SET_TEMPERATURE */
        int delta;                      /* INTENT_ADJUST_TEMPERATURE */
        const char *name;               /* INTENT_SET_MODE, INTENT_SET_FAN: static string */
        bool on;                        /* INTENT_SET_POWER */
} Intent;

/* Parses lower- or upper-case words separated by blanks. Returns 0, or -EINVAL when the words do
 * not name one of the actions (or name it without a usable value). */
int intent_parse(const char *text, Intent *ret);

const char *intent_action_to_string(IntentAction a);

/* {"action": "...", "value": ...}: the offline JSON form; NULL on OOM. */
struct json_object *intent_to_json(const Intent *intent);
