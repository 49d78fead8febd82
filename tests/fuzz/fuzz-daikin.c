/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The Daikin adapter's answers as the network brings them: daikin_parse_control/sensor/set on
 * arbitrary bytes, then the state and the set query built from what was parsed. What must hold:
 * 0 or one of the three named errors with a message; a state only with known codes; a query
 * only of the API's safe characters. */

#include <errno.h>
#include <math.h>
#include <string.h>

#include "daikin.h"
#include "fuzz-util.h"

static bool result_ok(int r, const char *problem) {
        return r == 0 ? !problem : (r == -EINVAL || r == -EREMOTEIO || r == -EBADMSG) && problem;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *text = (const char *) data;
        char *problem = NULL, *query = NULL;
        DaikinControl c;
        HvacState s;
        double t = 0;
        int r;

        r = daikin_parse_control(text, size, &c, &problem);
        fuzz_assert(result_ok(r, problem), "control: %d %s", r, problem ?: "");
        free(problem);
        problem = NULL;
        if (r == 0) {
                r = daikin_control_to_state(&c, &s, &problem);
                fuzz_assert(r == 0 ? !problem : r == -EBADMSG && problem, "state: %d", r);
                if (r == 0) {
                        fuzz_assert(hvac_mode_to_string(s.mode) && hvac_fan_to_string(s.fan), "codes");
                        if (isnan(s.target_temperature))
                                s.target_temperature = 24;
                        fuzz_assert(daikin_set_query(&c, &s, &query) == 0, "query");
                        fuzz_assert(strspn(query, "abcdefghijklmnopqrstuvwxyz"
                                                  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-%=&") == strlen(query),
                                    "query of safe characters: %s", query);
                        free(query);
                }
                free(problem);
                problem = NULL;
        }

        r = daikin_parse_sensor(text, size, &t, &problem);
        fuzz_assert(result_ok(r, problem), "sensor: %d", r);
        fuzz_assert(r < 0 || isnan(t) || (t > -60 && t < 100), "htemp in range: %g", t);
        free(problem);
        problem = NULL;

        r = daikin_parse_set(text, size, &problem);
        fuzz_assert(result_ok(r, problem), "set: %d", r);
        free(problem);
        return 0;
}
