/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "macro.h"
#include "state.h"
#include "string-util.h"

/* Temperatures are compared on the grid with this much slack, so 0.1 + 0.2 is still 0.3. */
#define GRID_EPSILON 1e-6

/* A temperature that arrives from outside (the bus, an intent, the state file) is taken as a
 * grid point only when it is within this many °C of it: enough for a client's floating-point
 * arithmetic (0.1 + 0.2 is 4e-17 off), far too little for a value that means something else.
 * 30.0000001, 15.99999999 and 22.0000000001 are refused, not rounded to a neighbour. */
#define TEMPERATURE_TOLERANCE 1e-12

static const char *const mode_table[_HVAC_MODE_MAX] = {
        [HVAC_MODE_COOL] = VH_HVAC_MODE_COOL,
        [HVAC_MODE_HEAT] = VH_HVAC_MODE_HEAT,
        [HVAC_MODE_DRY] = VH_HVAC_MODE_DRY,
        [HVAC_MODE_FAN_ONLY] = VH_HVAC_MODE_FAN_ONLY,
        [HVAC_MODE_AUTO] = VH_HVAC_MODE_AUTO,
};

static const char *const fan_table[_HVAC_FAN_MAX] = {
        [HVAC_FAN_AUTO] = VH_HVAC_FAN_AUTO,
        [HVAC_FAN_LOW] = VH_HVAC_FAN_LOW,
        [HVAC_FAN_MEDIUM] = VH_HVAC_FAN_MEDIUM,
        [HVAC_FAN_HIGH] = VH_HVAC_FAN_HIGH,
};

const char *hvac_mode_to_string(HvacMode m) {
        return m >= 0 && m < _HVAC_MODE_MAX ? mode_table[m] : NULL;
}

HvacMode hvac_mode_from_string(const char *s) {
        for (int i = 0; s && i < _HVAC_MODE_MAX; i++)
                if (streq(mode_table[i], s))
                        return (HvacMode) i;
        return _HVAC_MODE_INVALID;
}

const char *hvac_fan_to_string(HvacFan f) {
        return f >= 0 && f < _HVAC_FAN_MAX ? fan_table[f] : NULL;
}

HvacFan hvac_fan_from_string(const char *s) {
        for (int i = 0; s && i < _HVAC_FAN_MAX; i++)
                if (streq(fan_table[i], s))
                        return (HvacFan) i;
        return _HVAC_FAN_INVALID;
}

static int problem(char **ret_problem, int r, const char *format, ...) _printf_(3, 4);
static int problem(char **ret_problem, int r, const char *format, ...) {
        va_list ap;

        if (ret_problem) {
                va_start(ap, format);
                if (vasprintf(ret_problem, format, ap) < 0)
                        *ret_problem = NULL;
                va_end(ap);
        }
        return r;
}

static bool on_grid(double base, double step, double t) {
        double n = (t - base) / step;
        return fabs(n - round(n)) < GRID_EPSILON;
}

int hvac_limits_check(const HvacLimits *l, char **ret_problem) {
        if (!isfinite(l->min) || !isfinite(l->max) || !(l->min < l->max))
                return problem(ret_problem, -EINVAL, "min_temperature %g must be below max_temperature %g",
                               l->min, l->max);
        if (!isfinite(l->step) || !(l->step > 0) || l->step > l->max - l->min)
                return problem(ret_problem, -EINVAL, "temperature_step %g must be above 0 and at most %g",
                               l->step, l->max - l->min);
        if (!on_grid(l->min, l->step, l->max))
                return problem(ret_problem, -EINVAL,
                               "max_temperature %g is not a whole number of steps of %g above min_temperature %g",
                               l->max, l->step, l->min);
        return 0;
}

int hvac_temperature_check(const HvacLimits *l, const char *field, double t, char **ret_problem) {
        char sent[DOUBLE_STR_MAX];

        if (!isfinite(t))
                return problem(ret_problem, -EINVAL, "Invalid %s %s: not a finite number", field,
                               format_double(sent, t));
        if (t < l->min - TEMPERATURE_TOLERANCE || t > l->max + TEMPERATURE_TOLERANCE)
                return problem(ret_problem, -ERANGE, "Invalid %s %s: out of range, expected %g…%g °C",
                               field, format_double(sent, t), l->min, l->max);
        if (fabs(t - (l->min + round((t - l->min) / l->step) * l->step)) > TEMPERATURE_TOLERANCE)
                return problem(ret_problem, -EINVAL, "Invalid %s %s: not on the %g °C step grid from %g °C",
                               field, format_double(sent, t), l->step, l->min);
        return 0;
}

double hvac_temperature_snap(double t, double base, double step) {
        double snapped = base + round((t - base) / step) * step;

        /* base + n × step carries the step's binary error (279 × 0.1 is 27.900000000000002);
         * dividing a whole number of nanodegrees by 1e9 gives the double nearest the decimal. */
        return round(snapped * 1e9) / 1e9;
}

/* Snaps a value that passed hvac_temperature_check() exactly onto the grid. */
static double grid_snap(const HvacLimits *l, double t) {
        return CLAMP(hvac_temperature_snap(t, l->min, l->step), l->min, l->max);
}

double hvac_temperature_nearest(const HvacLimits *l, double t) {
        return grid_snap(l, t);
}

void hvac_state_init_default(HvacState *s, const HvacLimits *l) {
        *s = (HvacState) {
                .power = false,
                .mode = HVAC_MODE_COOL,
                .target_temperature = grid_snap(l, 24.0),
                .fan = HVAC_FAN_AUTO,
        };
}

bool hvac_state_equal(const HvacState *a, const HvacState *b) {
        return a->power == b->power && a->mode == b->mode && a->fan == b->fan &&
               fabs(a->target_temperature - b->target_temperature) < GRID_EPSILON;
}

int hvac_state_check(const HvacState *s, const HvacLimits *l, char **ret_problem) {
        if (!hvac_mode_to_string(s->mode))
                return problem(ret_problem, -EINVAL, "Invalid mode %i", (int) s->mode);
        if (!hvac_fan_to_string(s->fan))
                return problem(ret_problem, -EINVAL, "Invalid fan_speed %i", (int) s->fan);
        return hvac_temperature_check(l, "target_temperature", s->target_temperature, ret_problem);
}

int hvac_change_apply(const HvacState *current, const HvacChange *change, const HvacLimits *l,
                      HvacState *ret, char **ret_problem) {
        HvacState n = *current;
        int r;

        if (change->has_mode) {
                if (!hvac_mode_to_string(change->mode))
                        return problem(ret_problem, -EINVAL, "Invalid mode, expected one of " VH_HVAC_MODES_LIST);
                n.mode = change->mode;
        }
        if (change->has_fan) {
                if (!hvac_fan_to_string(change->fan))
                        return problem(ret_problem, -EINVAL, "Invalid fan_speed, expected one of " VH_HVAC_FANS_LIST);
                n.fan = change->fan;
        }
        if (change->has_power)
                n.power = change->power;
        if (change->has_target) {
                r = hvac_temperature_check(l, "target_temperature", change->target_temperature, ret_problem);
                if (r < 0)
                        return r;
                n.target_temperature = grid_snap(l, change->target_temperature);
        }
        if (change->adjust_steps != 0) {
                /* "warmer" at the top of the range stays at the top: the limit is the answer. */
                double t = n.target_temperature + change->adjust_steps * l->step;
                n.target_temperature = grid_snap(l, CLAMP(t, l->min, l->max));
        }

        *ret = n;
        return 0;
}

static int value_number(const HvacValue *v, double *ret) {
        if (v->type == HVAC_VALUE_DOUBLE)
                *ret = v->d;
        else if (v->type == HVAC_VALUE_INT)
                *ret = (double) v->i;
        else
                return -EINVAL;
        return 0;
}

int hvac_intent_to_change(const char *action, const HvacValue *value, HvacChange *ret, char **ret_problem) {
        HvacChange c = {};
        double d;

        if (isempty(action))
                return problem(ret_problem, -EINVAL, "Intent has no action");
        if (!value || value->type == HVAC_VALUE_NONE)
                return problem(ret_problem, -EINVAL, "Intent '%s' has no value", str_echo((char[ECHO_STR_MAX]) {}, action));

        if (streq(action, "set_temperature")) {
                if (value_number(value, &d) < 0)
                        goto bad_type;
                c.has_target = true;
                c.target_temperature = d;
        } else if (streq(action, "adjust_temperature")) {
                if (value_number(value, &d) < 0)
                        goto bad_type;
                if (!isfinite(d) || d == 0 || fabs(d) > 100 || d != round(d))
                        return problem(ret_problem, -EINVAL,
                                       "Intent adjust_temperature: value %g is not a whole, non-zero number of steps", d);
                c.adjust_steps = (int) d;
        } else if (streq(action, "set_mode")) {
                if (value->type != HVAC_VALUE_STRING)
                        goto bad_type;
                c.mode = hvac_mode_from_string(value->s);
                if (c.mode < 0)
                        return problem(ret_problem, -EINVAL, "Intent set_mode: invalid mode '%s', expected one of "
                                       VH_HVAC_MODES_LIST, str_echo((char[ECHO_STR_MAX]) {}, value->s));
                c.has_mode = true;
        } else if (streq(action, "set_power")) {
                if (value->type != HVAC_VALUE_BOOL)
                        goto bad_type;
                c.has_power = true;
                c.power = value->b;
        } else if (streq(action, "set_fan")) {
                if (value->type != HVAC_VALUE_STRING)
                        goto bad_type;
                c.fan = hvac_fan_from_string(value->s);
                if (c.fan < 0)
                        return problem(ret_problem, -EINVAL, "Intent set_fan: invalid fan speed '%s', expected one of "
                                       VH_HVAC_FANS_LIST, str_echo((char[ECHO_STR_MAX]) {}, value->s));
                c.has_fan = true;
        } else
                return problem(ret_problem, -EOPNOTSUPP, "Unknown intent action '%s'",
                               str_echo((char[ECHO_STR_MAX]) {}, action));

        *ret = c;
        return 0;

bad_type:
        return problem(ret_problem, -EINVAL, "Intent %s: value of wrong type '%s'", str_echo((char[ECHO_STR_MAX]) {}, action),
                       value->signature);
}
