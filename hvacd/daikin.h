/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The local API of Daikin's Wi-Fi adapters (BRP069, BRP072A), as plain data: answers parsed,
 * codes mapped to the climate model, the set query built. No network and no event loop here;
 * backend-http.c does the requests.
 *
 *   GET /aircon/get_control_info   pow, mode, stemp, shum, f_rate, f_dir, and what the unit keeps
 *                                  per mode: dt<mode> (target), dh<mode> (humidity)
 *   GET /aircon/get_sensor_info    htemp, the room temperature ("-" or "--" without a reading)
 *   GET /aircon/set_control_info   takes pow, mode, stemp, shum, f_rate and f_dir, all of them
 *
 * Answers are "ret=OK,key=value,…"; a request the unit does not take is "ret=PARAM NG". Mode
 * codes 0/1/7 auto, 2 dry, 3 cool, 4 heat, 6 fan; f_rate A auto, B silent, 3…7 the five levels.
 * Dry mode has no target ("M"), fan mode neither ("--"). */

#include <stddef.h>

#include "state.h"

#define DAIKIN_VALUE_MAX 16
#define DAIKIN_MODES 8                  /* mode codes 0…7 */

#define DAIKIN_GET_CONTROL "/aircon/get_control_info"
#define DAIKIN_GET_SENSOR "/aircon/get_sensor_info"
#define DAIKIN_SET_CONTROL "/aircon/set_control_info"

/* get_control_info as strings ("" where missing): a set hands most of them back unchanged. */
typedef struct DaikinControl {
        char pow[DAIKIN_VALUE_MAX], mode[DAIKIN_VALUE_MAX], stemp[DAIKIN_VALUE_MAX], shum[DAIKIN_VALUE_MAX];
        char f_rate[DAIKIN_VALUE_MAX], f_dir[DAIKIN_VALUE_MAX];
        char dt[DAIKIN_MODES][DAIKIN_VALUE_MAX], dh[DAIKIN_MODES][DAIKIN_VALUE_MAX];
} DaikinControl;

/* Each returns 0, or -EINVAL for ret=PARAM NG, -EREMOTEIO for another ret, -EBADMSG for an
 * answer that is not the API's; *ret_problem then says what was wrong. */
int daikin_parse_control(const char *answer, size_t size, DaikinControl *ret, char **ret_problem);
/* *ret_celsius is NAN when the unit has no reading. */
int daikin_parse_sensor(const char *answer, size_t size, double *ret_celsius, char **ret_problem);
int daikin_parse_set(const char *answer, size_t size, char **ret_problem);

/* What the unit is doing; target_temperature is NAN in dry and fan mode. -EBADMSG for a code
 * the API does not have. */
int daikin_control_to_state(const DaikinControl *c, HvacState *ret, char **ret_problem);

/* "pow=…&mode=…&stemp=…&shum=…&f_rate=…&f_dir=…" for "s", starting from the unit's "c": swing
 * and humidity stay as the unit has them; dry and fan mode get back the unit's own stored value
 * for their target. */
int daikin_set_query(const DaikinControl *c, const HvacState *s, char **ret);

/* Whether "url" is http://HOST[:PORT][/]; *ret_problem says why not. */
int daikin_url_check(const char *url, char **ret_problem);
