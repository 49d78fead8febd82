/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The air conditioner's state (the Home Assistant climate model), its limits, and the rules that
 * turn a requested change — from a method call, Apply() or a voice intent — into a new state.
 * Nothing here knows about D-Bus: callers hand in plain values, and every rejection comes back
 * as -EINVAL/-ERANGE with a message that names the field and the bad value. */

#include <stdbool.h>

#include "bus-contract.h"         /* the mode and fan words */

typedef enum HvacMode {
        HVAC_MODE_COOL,
        HVAC_MODE_HEAT,
        HVAC_MODE_DRY,
        HVAC_MODE_FAN_ONLY,
        HVAC_MODE_AUTO,
        _HVAC_MODE_MAX,
        _HVAC_MODE_INVALID = -22,
} HvacMode;

typedef enum HvacFan {
        HVAC_FAN_AUTO,
        HVAC_FAN_LOW,
        HVAC_FAN_MEDIUM,
        HVAC_FAN_HIGH,
        _HVAC_FAN_MAX,
        _HVAC_FAN_INVALID = -22,
} HvacFan;

typedef struct HvacState {
        bool power;
        HvacMode mode;
        double target_temperature;      /* °C, on the limits' grid */
        HvacFan fan;
} HvacState;

typedef struct HvacLimits {
        double min, max, step;          /* °C */
} HvacLimits;

/* Several fields at once, all or nothing. adjust_steps moves the target by that many steps and
 * stops at the limits (that is what "warmer"/"cooler" mean); target_temperature does not. */
typedef struct HvacChange {
        bool has_power, has_mode, has_target, has_fan;
        bool power;
        HvacMode mode;
        double target_temperature;
        HvacFan fan;
        int adjust_steps;
} HvacChange;

/* One value of an intent's a{sv}, reduced to what intents use. */
typedef enum HvacValueType {
        HVAC_VALUE_NONE,
        HVAC_VALUE_BOOL,
        HVAC_VALUE_INT,
        HVAC_VALUE_DOUBLE,
        HVAC_VALUE_STRING,
        HVAC_VALUE_OTHER,
} HvacValueType;

typedef struct HvacValue {
        HvacValueType type;
        char signature[8];              /* the D-Bus type it came as, for messages */
        bool b;
        long long i;
        double d;
        const char *s;
} HvacValue;

const char *hvac_mode_to_string(HvacMode m);
HvacMode hvac_mode_from_string(const char *s);
const char *hvac_fan_to_string(HvacFan f);
HvacFan hvac_fan_from_string(const char *s);

/* min < max, step > 0, and max on the grid that starts at min. */
int hvac_limits_check(const HvacLimits *l, char **ret_problem);

/* Finite, within the limits, on the step grid. "field" names it in the message. */
int hvac_temperature_check(const HvacLimits *l, const char *field, double t, char **ret_problem);
/* The grid point base + n × step nearest t, as the double nearest its decimal value. */
double hvac_temperature_snap(double t, double base, double step);

/* The nearest point of the grid within the limits, for a value a unit reported. */
double hvac_temperature_nearest(const HvacLimits *l, double t);

/* Powered off, cooling, fan auto, 24 °C (or the nearest grid point inside the limits). */
void hvac_state_init_default(HvacState *s, const HvacLimits *l);
bool hvac_state_equal(const HvacState *a, const HvacState *b);
/* Whether every field is valid under these limits (for a state read back from disk). */
int hvac_state_check(const HvacState *s, const HvacLimits *l, char **ret_problem);

/* Computes the state "change" leads to from "current". On error *ret is untouched. */
int hvac_change_apply(const HvacState *current, const HvacChange *change, const HvacLimits *l,
                      HvacState *ret, char **ret_problem);

/* Turns a voice intent (action + value) into a change. */
int hvac_intent_to_change(const char *action, const HvacValue *value, HvacChange *ret, char **ret_problem);
