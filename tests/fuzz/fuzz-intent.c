/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* intent_parse() on arbitrary words (what a recogniser or a typing user could hand it). What must
 * hold: it returns 0 or -EINVAL; a parsed intent is one of the five actions with a usable value
 * (a finite temperature a person could say, a delta of ±1, a mode or fan speed from the table),
 * and its JSON form carries the same action. */

#include <errno.h>
#include <json-c/json.h>
#include <math.h>

#include "bus-contract.h"
#include "fuzz-util.h"
#include "intent.h"

static const char *const modes[] = { VH_HVAC_MODE_WORDS, NULL };
static const char *const fans[] = { VH_HVAC_FAN_WORDS, NULL };

static bool in_list(const char *const *list, const char *s) {
        for (; s && *list; list++)
                if (strcmp(*list, s) == 0)
                        return true;
        return false;
}

static void check_intent(const Intent *i) {
        struct json_object *o, *action;

        switch (i->action) {
        case INTENT_SET_TEMPERATURE:
                fuzz_assert(isfinite(i->temperature) && i->temperature >= 0 && i->temperature < 50,
                            "temperature %g", i->temperature);
                break;
        case INTENT_ADJUST_TEMPERATURE:
                fuzz_assert(i->delta == 1 || i->delta == -1, "delta %d", i->delta);
                break;
        case INTENT_SET_MODE:
                fuzz_assert(in_list(modes, i->name), "mode '%s'", i->name ?: "(null)");
                break;
        case INTENT_SET_FAN:
                fuzz_assert(in_list(fans, i->name), "fan '%s'", i->name ?: "(null)");
                break;
        case INTENT_SET_POWER:
                break;
        default:
                fuzz_assert(false, "action %d", (int) i->action);
        }

        o = intent_to_json(i);
        fuzz_assert(o, "intent_to_json");
        fuzz_assert(json_object_object_get_ex(o, "action", &action) &&
                    strcmp(json_object_get_string(action), intent_action_to_string(i->action)) == 0,
                    "JSON action %s", json_object_to_json_string(o));
        fuzz_assert(json_object_object_get_ex(o, "value", NULL), "JSON has a value");
        json_object_put(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = fuzz_strndup(data, size);
        Intent intent;
        int r;

        r = intent_parse(text, &intent);
        fuzz_assert(r == 0 || r == -EINVAL, "returned %d", r);
        if (r == 0)
                check_intent(&intent);
        free(text);
        return 0;
}
