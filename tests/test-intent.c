/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <json-c/json.h>
#include <math.h>

#include "harness.h"
#include "intent.h"

static void expect_number(const char *text, IntentAction action, double value) {
        Intent i;

        if (!check(intent_parse(text, &i) == 0, "'%s' did not parse", text))
                return;
        check(i.action == action, "'%s': action %s", text, intent_action_to_string(i.action));
        if (action == INTENT_SET_TEMPERATURE)
                check(fabs(i.temperature - value) < 1e-9, "'%s': %g", text, i.temperature);
        else
                check(i.delta == (int) value, "'%s': %d", text, i.delta);
}

static void expect_name(const char *text, IntentAction action, const char *name) {
        Intent i;

        if (!check(intent_parse(text, &i) == 0, "'%s' did not parse", text))
                return;
        check(i.action == action, "'%s': action %s", text, intent_action_to_string(i.action));
        check(i.name && streq(i.name, name), "'%s': %s", text, i.name ?: "(null)");
}

static void expect_power(const char *text, bool on) {
        Intent i;

        if (!check(intent_parse(text, &i) == 0, "'%s' did not parse", text))
                return;
        check(i.action == INTENT_SET_POWER && i.on == on, "'%s'", text);
}

static void expect_none(const char *text) {
        Intent i;

        check(intent_parse(text, &i) == -EINVAL, "'%s' parsed as %s", text, intent_action_to_string(i.action));
}

static void test_json(void) {
        Intent i;
        struct json_object *o;

        require(intent_parse("set the temperature to twenty four degrees", &i) == 0, "parse");
        o = intent_to_json(&i);
        require(o, "json");
        check(streq(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
                    "{\"action\":\"set_temperature\",\"value\":24}"), "%s", json_object_to_json_string(o));
        json_object_put(o);

        require(intent_parse("turn off the air conditioner", &i) == 0, "parse");
        o = intent_to_json(&i);
        check(streq(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
                    "{\"action\":\"set_power\",\"value\":false}"), "%s", json_object_to_json_string(o));
        json_object_put(o);
}

int main(void) {
        /* set_temperature: "set (the) temperature to twenty four (degrees)" */
        expect_number("set the temperature to twenty four degrees", INTENT_SET_TEMPERATURE, 24);
        expect_number("set temperature to twenty four", INTENT_SET_TEMPERATURE, 24);
        expect_number("SET THE TEMPERATURE TO EIGHTEEN", INTENT_SET_TEMPERATURE, 18);
        expect_number("set the temperature to thirty", INTENT_SET_TEMPERATURE, 30);
        expect_number("set the temperature to twenty one point five", INTENT_SET_TEMPERATURE, 21.5);
        expect_number("change the temperature to twenty two and a half degrees", INTENT_SET_TEMPERATURE, 22.5);
        expect_number("set it to twenty", INTENT_SET_TEMPERATURE, 20);
        expect_number("make it nineteen degrees", INTENT_SET_TEMPERATURE, 19);
        /* adjust_temperature: "(make it) warmer", "(make it) cooler" */
        expect_number("warmer", INTENT_ADJUST_TEMPERATURE, +1);
        expect_number("make it warmer", INTENT_ADJUST_TEMPERATURE, +1);
        expect_number("cooler", INTENT_ADJUST_TEMPERATURE, -1);
        expect_number("make it a bit cooler", INTENT_ADJUST_TEMPERATURE, -1);
        expect_number("make it a little colder", INTENT_ADJUST_TEMPERATURE, -1);
        /* set_mode: "(switch to) cooling/heating/dry/fan/auto mode" */
        expect_name("switch to cooling mode", INTENT_SET_MODE, "cool");
        expect_name("cooling mode", INTENT_SET_MODE, "cool");
        expect_name("switch to heating mode", INTENT_SET_MODE, "heat");
        expect_name("heat mode", INTENT_SET_MODE, "heat");
        expect_name("dry mode", INTENT_SET_MODE, "dry");
        expect_name("switch to fan mode", INTENT_SET_MODE, "fan_only");
        expect_name("auto mode", INTENT_SET_MODE, "auto");
        expect_name("set it to auto mode", INTENT_SET_MODE, "auto");
        /* set_power: "turn on/off the air conditioner / the A C" */
        expect_power("turn on the air conditioner", true);
        expect_power("turn off the air conditioner", false);
        expect_power("turn on the a c", true);
        expect_power("turn the a c off", false);
        expect_power("turn the air conditioner on", true);
        /* set_fan: "fan speed high", "set the fan to low" */
        expect_name("fan speed high", INTENT_SET_FAN, "high");
        expect_name("set the fan to low", INTENT_SET_FAN, "low");
        expect_name("fan speed medium", INTENT_SET_FAN, "medium");
        expect_name("set the fan speed to auto", INTENT_SET_FAN, "auto");
        /* Not commands. */
        expect_none("");
        expect_none("hello there");
        expect_none("set the temperature");
        expect_none("turn on the lights");
        expect_none("turn on the off the air conditioner");
        expect_none("mode");
        expect_none("fan speed");
        test_json();
        return test_result();
}
