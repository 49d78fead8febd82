/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bus-contract.h"
#include "intent.h"
#include "macro.h"

#define INTENT_WORDS_MAX 32

typedef struct Words {
        char buf[256];
        const char *w[INTENT_WORDS_MAX];
        size_t n;
} Words;

const char *intent_action_to_string(IntentAction a) {
        static const char *const table[_INTENT_ACTION_MAX] = {
                [INTENT_SET_TEMPERATURE] = "set_temperature",
                [INTENT_ADJUST_TEMPERATURE] = "adjust_temperature",
                [INTENT_SET_MODE] = "set_mode",
                [INTENT_SET_POWER] = "set_power",
                [INTENT_SET_FAN] = "set_fan",
        };
        return (unsigned) a < _INTENT_ACTION_MAX ? table[a] : NULL;
}

static int words_split(const char *text, Words *ret) {
        char *state = NULL;

        if (strlen(text) >= sizeof(ret->buf))
                return -EINVAL;
        strcpy(ret->buf, text);
        for (char *p = ret->buf; *p; p++)
                *p = (*p >= 'A' && *p <= 'Z') ? *p - 'A' + 'a' : *p;
        ret->n = 0;
        for (char *t = strtok_r(ret->buf, " \t\n", &state); t; t = strtok_r(NULL, " \t\n", &state)) {
                if (ret->n >= INTENT_WORDS_MAX)
                        return -EINVAL;
                ret->w[ret->n++] = t;
        }
        return 0;
}

static ssize_t words_find(const Words *w, const char *word) {
        for (size_t i = 0; i < w->n; i++)
                if (streq(w->w[i], word))
                        return (ssize_t) i;
        return -1;
}

static bool words_has(const Words *w, const char *word) {
        return words_find(w, word) >= 0;
}

static int number_word(const char *word, const char *const *table, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (table[i] && streq(word, table[i]))
                        return (int) i;
        return -1;
}

/* "twenty four", "twenty four point five", "twenty one and a half", "eighteen": the first number
 * after position "from". */
static int words_number(const Words *w, size_t from, double *ret) {
        static const char *const small[] = {
                "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
                "eighteen", "nineteen",
        };
        static const char *const tens[] = { NULL, NULL, "twenty", "thirty", "forty" };

        for (size_t i = from; i < w->n; i++) {
                int v = number_word(w->w[i], small, ELEMENTSOF(small)), t;
                size_t next = i + 1;

                if (v < 0) {
                        t = number_word(w->w[i], tens, ELEMENTSOF(tens));
                        if (t < 0)
                                continue;
                        v = t * 10;
                        if (next < w->n) {
                                int u = number_word(w->w[next], small, 10);
                                if (u > 0) {
                                        v += u;
                                        next++;
                                }
                        }
                }
                double d = v;
                if (next + 1 < w->n && streq(w->w[next], "point") && streq(w->w[next + 1], "five"))
                        d += 0.5;
                else if (next + 2 < w->n && streq(w->w[next], "and") && streq(w->w[next + 1], "a") &&
                         streq(w->w[next + 2], "half"))
                        d += 0.5;
                *ret = d;
                return 0;
        }
        return -EINVAL;
}

static int parse_temperature(const Words *w, Intent *ret) {
        ssize_t i = words_find(w, "temperature");
        double t;

        if (i < 0) {
                /* "set it to twenty two", "change it to …", "make it twenty two" */
                i = words_find(w, "it");
                if (i <= 0 || !(streq(w->w[i - 1], "set") || streq(w->w[i - 1], "change") || streq(w->w[i - 1], "make")))
                        return -EINVAL;
        }
        if (words_number(w, (size_t) i + 1, &t) < 0)
                return -EINVAL;
        *ret = (Intent) { .action = INTENT_SET_TEMPERATURE, .temperature = t };
        return 0;
}

static int parse_adjust(const Words *w, Intent *ret) {
        static const char *const up[] = { "warmer", "hotter" }, *const down[] = { "cooler", "colder" };

        for (size_t i = 0; i < ELEMENTSOF(up); i++) {
                if (words_has(w, up[i])) {
                        *ret = (Intent) { .action = INTENT_ADJUST_TEMPERATURE, .delta = +1 };
                        return 0;
                }
                if (words_has(w, down[i])) {
                        *ret = (Intent) { .action = INTENT_ADJUST_TEMPERATURE, .delta = -1 };
                        return 0;
                }
        }
        return -EINVAL;
}

static int parse_mode(const Words *w, Intent *ret) {
        static const struct { const char *word, *mode; } table[] = {
                { "cooling", VH_HVAC_MODE_COOL }, { "cool", VH_HVAC_MODE_COOL },
                { "heating", VH_HVAC_MODE_HEAT }, { "heat", VH_HVAC_MODE_HEAT },
                { "dry", VH_HVAC_MODE_DRY }, { "drying", VH_HVAC_MODE_DRY },
                { "fan", VH_HVAC_MODE_FAN_ONLY },
                { "auto", VH_HVAC_MODE_AUTO }, { "automatic", VH_HVAC_MODE_AUTO },
        };
        ssize_t m = words_find(w, "mode");

        if (m <= 0)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (streq(w->w[m - 1], table[i].word)) {
                        *ret = (Intent) { .action = INTENT_SET_MODE, .name = table[i].mode };
                        return 0;
                }
        return -EINVAL;
}

static int parse_power(const Words *w, Intent *ret) {
        bool device = words_has(w, "conditioner") || words_has(w, "conditioning") ||
                      (words_has(w, "a") && words_has(w, "c")) || words_has(w, "ac");
        bool on = words_has(w, "on"), off = words_has(w, "off");

        if (!words_has(w, "turn") && !words_has(w, "switch"))
                return -EINVAL;
        if (!device || on == off)
                return -EINVAL;
        *ret = (Intent) { .action = INTENT_SET_POWER, .on = on };
        return 0;
}

static int parse_fan(const Words *w, Intent *ret) {
        /* The spoken speed is the word hvacd takes. */
        static const char *const speeds[] = { VH_HVAC_FAN_WORDS };

        if (!words_has(w, "fan"))
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(speeds); i++)
                if (words_has(w, speeds[i])) {
                        *ret = (Intent) { .action = INTENT_SET_FAN, .name = speeds[i] };
                        return 0;
                }
        return -EINVAL;
}

int intent_parse(const char *text, Intent *ret) {
        /* Most specific first: "fan mode" is a mode, "fan speed auto" a fan setting, and a
         * temperature needs its number. */
        static int (*const parsers[])(const Words *, Intent *) = {
                parse_mode, parse_fan, parse_power, parse_temperature, parse_adjust,
        };
        Words w;
        int r;

        assert(text);
        assert(ret);

        r = words_split(text, &w);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(parsers); i++)
                if (parsers[i](&w, ret) >= 0)
                        return 0;
        return -EINVAL;
}

struct json_object *intent_to_json(const Intent *intent) {
        struct json_object *o = json_object_new_object(), *v;

        if (!o)
                return NULL;
        switch (intent->action) {
        case INTENT_SET_TEMPERATURE:
                if (intent->temperature == floor(intent->temperature))
                        v = json_object_new_int((int) intent->temperature);
                else
                        v = json_object_new_double(intent->temperature);
                break;
        case INTENT_ADJUST_TEMPERATURE:
                v = json_object_new_int(intent->delta);
                break;
        case INTENT_SET_POWER:
                v = json_object_new_boolean(intent->on);
                break;
        default:
                v = json_object_new_string(intent->name);
        }
        if (!v || json_object_object_add(o, "action", json_object_new_string(intent_action_to_string(intent->action))) < 0 ||
            json_object_object_add(o, "value", v) < 0) {
                json_object_put(v);
                json_object_put(o);
                return NULL;
        }
        return o;
}
