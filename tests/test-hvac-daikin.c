/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The Daikin API as data: answers as BRP069 adapters give them (the samples pydaikin keeps),
 * the quirks ("M", "--", "-", per-mode dt/dh), refusals and garbage, the set query, and the URL
 * check. */

#include <errno.h>
#include <math.h>
#include <string.h>

#include "daikin.h"
#include "harness.h"

/* A BRP069 in dry mode, as pydaikin's docs/sample_requests/brp069/get_control_info.txt has it. */
static const char sample_control[] =
        "ret=OK,pow=1,mode=2,adv=,stemp=M,shum=50,dt1=25.0,dt2=M,dt3=25.0,dt4=25.0,dt5=25.0,dt7=25.0,"
        "dh1=AUTO,dh2=50,dh3=0,dh4=0,dh5=0,dh7=AUTO,dhh=50,b_mode=2,b_stemp=M,b_shum=50,alert=255,f_rate=A,"
        "f_dir=0,b_f_rate=5,b_f_dir=0,dfr1=5,dfr2=5,dfr3=A,dfr4=5,dfr5=5,dfr6=3,dfr7=5,dfrh=5,dfd1=0,dfd2=0,"
        "dfd3=2,dfd4=0,dfd5=0,dfd6=2,dfd7=0,dfdh=0,dmnd_run=0,en_demand=0";
static const char sample_sensor[] = "ret=OK,htemp=25.0,hhum=-,otemp=21.0,err=0,cmpfreq=40";

static int parse_control(const char *text, DaikinControl *c, char **problem) {
        return daikin_parse_control(text, strlen(text), c, problem);
}

static void expect_query(const DaikinControl *c, bool power, HvacMode mode, double target, HvacFan fan,
                         const char *expected) {
        HvacState s = { .power = power, .mode = mode, .target_temperature = target, .fan = fan };
        _cleanup_free_ char *query = NULL;

        check(daikin_set_query(c, &s, &query) == 0 && streq(query, expected), "query %s, expected %s", query, expected);
}

static void test_sample(void) {
        _cleanup_free_ char *problem = NULL;
        DaikinControl c;
        HvacState s;
        double t = 0;

        check(parse_control(sample_control, &c, &problem) == 0, "sample parses: %s", problem);
        check(streq(c.pow, "1") && streq(c.mode, "2") && streq(c.stemp, "M") && streq(c.shum, "50") &&
              streq(c.f_rate, "A") && streq(c.f_dir, "0"), "fields");
        check(streq(c.dt[3], "25.0") && streq(c.dt[2], "M") && streq(c.dh[1], "AUTO") && c.dt[6][0] == '\0',
              "per-mode targets and humidity; no dt6");
        check(daikin_control_to_state(&c, &s, &problem) == 0, "state: %s", problem);
        check(s.power && s.mode == HVAC_MODE_DRY && s.fan == HVAC_FAN_AUTO && isnan(s.target_temperature),
              "dry, fan auto, no target (M)");

        check(daikin_parse_sensor(sample_sensor, strlen(sample_sensor), &t, &problem) == 0 && t == 25.0, "htemp 25");

        /* Switching to cool at 22: everything goes, swing and humidity as the unit has them. */
        expect_query(&c, true, HVAC_MODE_COOL, 22, HVAC_FAN_HIGH, "pow=1&mode=3&stemp=22.0&shum=0&f_rate=7&f_dir=0");
        /* Dry keeps the unit's "M" and its dry humidity; fan mode gets "--". */
        expect_query(&c, true, HVAC_MODE_DRY, 22, HVAC_FAN_LOW, "pow=1&mode=2&stemp=M&shum=50&f_rate=3&f_dir=0");
        expect_query(&c, false, HVAC_MODE_FAN_ONLY, 22, HVAC_FAN_MEDIUM, "pow=0&mode=6&stemp=--&shum=50&f_rate=5&f_dir=0");
        /* Auto: 0 (which keeps no dh0, so the current humidity goes), or the unit's own auto code
         * when it is in auto already. */
        expect_query(&c, true, HVAC_MODE_AUTO, 23.5, HVAC_FAN_AUTO, "pow=1&mode=0&stemp=23.5&shum=50&f_rate=A&f_dir=0");
        strcpy(c.mode, "7");
        expect_query(&c, true, HVAC_MODE_AUTO, 23.5, HVAC_FAN_AUTO, "pow=1&mode=7&stemp=23.5&shum=AUTO&f_rate=A&f_dir=0");
}

static void test_codes(void) {
        static const struct {
                const char *mode, *f_rate;
                HvacMode m;
                HvacFan f;
        } codes[] = {
                { "0", "A", HVAC_MODE_AUTO, HVAC_FAN_AUTO },   { "1", "B", HVAC_MODE_AUTO, HVAC_FAN_LOW },
                { "7", "3", HVAC_MODE_AUTO, HVAC_FAN_LOW },    { "2", "4", HVAC_MODE_DRY, HVAC_FAN_LOW },
                { "3", "5", HVAC_MODE_COOL, HVAC_FAN_MEDIUM }, { "4", "6", HVAC_MODE_HEAT, HVAC_FAN_HIGH },
                { "6", "7", HVAC_MODE_FAN_ONLY, HVAC_FAN_HIGH },
        };

        for (size_t i = 0; i < ELEMENTSOF(codes); i++) {
                _cleanup_free_ char *text = NULL, *problem = NULL;
                DaikinControl c;
                HvacState s;

                require(asprintf(&text, "ret=OK,pow=0,mode=%s,stemp=24.5,f_rate=%s", codes[i].mode,
                                 codes[i].f_rate) > 0, "text");
                check(parse_control(text, &c, &problem) == 0 && daikin_control_to_state(&c, &s, &problem) == 0 &&
                      !s.power && s.mode == codes[i].m && s.fan == codes[i].f && s.target_temperature == 24.5,
                      "mode %s, f_rate %s: %s", codes[i].mode, codes[i].f_rate, problem);
        }
}

static void test_bad(void) {
        static const struct {
                const char *text;
                int error;
                const char *needle;
        } bad[] = {
                { "ret=PARAM NG", -EINVAL, "PARAM NG" },
                { "ret=ADV_NG", -EREMOTEIO, "ret=ADV_NG" },
                { "<html><body>500</body></html>", -EBADMSG, "not ret=" },
                { "pow=1,ret=OK", -EBADMSG, "does not start with ret=" },
                { "", -EBADMSG, "empty" },
                { "ret=OK,pow", -EBADMSG, "not ret=" },
                { "ret=OK,=1", -EBADMSG, "not ret=" },
                { "ret", -EBADMSG, "not ret=" },
        };
        static const char *const bad_states[] = {
                "ret=OK,pow=2,mode=3,stemp=24.0,f_rate=A",
                "ret=OK,pow=1,mode=5,stemp=24.0,f_rate=A",
                "ret=OK,pow=1,mode=3,stemp=24.0,f_rate=Z",
                "ret=OK,pow=1,stemp=24.0,f_rate=A",
                "ret=OK,pow=1,mode=3333333333333333333,stemp=24.0,f_rate=A",
        };
        DaikinControl c;
        HvacState s;
        double t;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_free_ char *problem = NULL;
                check(parse_control(bad[i].text, &c, &problem) == bad[i].error && problem &&
                      strstr(problem, bad[i].needle), "'%s': %s", bad[i].text, problem);
        }
        {
                _cleanup_free_ char *problem = NULL;
                check(daikin_parse_control("ret=OK\0pow=1", 12, &c, &problem) == -EBADMSG, "NUL in the answer");
        }
        for (size_t i = 0; i < ELEMENTSOF(bad_states); i++) {
                _cleanup_free_ char *problem = NULL;
                check(parse_control(bad_states[i], &c, &problem) == 0 &&
                      daikin_control_to_state(&c, &s, &problem) == -EBADMSG && problem, "'%s': %s", bad_states[i],
                      problem);
        }

        /* No reading is no error: the room temperature is unknown. */
        t = 0;
        check(daikin_parse_sensor("ret=OK,htemp=-,otemp=-", 22, &t, NULL) == 0 && isnan(t), "htemp -");
        t = 0;
        check(daikin_parse_sensor("ret=OK,htemp=--", 15, &t, NULL) == 0 && isnan(t), "htemp --");
        t = 0;
        check(daikin_parse_sensor("ret=OK,otemp=3", 14, &t, NULL) == 0 && isnan(t), "no htemp");
        check(daikin_parse_set("ret=OK,adv=", 11, NULL) == 0, "set answer");
        check(daikin_parse_set("ret=OK,adv=\r\n", 13, NULL) == 0, "set answer with a line end");
}

static void test_url(void) {
        static const char *const good[] = {
                "http://192.168.1.50", "http://192.168.1.50/", "http://daikin.local:8080", "http://[fe80::1]",
                "http://[::1]:80/",
        };
        static const char *const wrong[] = {
                "", "https://192.168.1.50", "192.168.1.50", "http://", "http:///x", "http://h/aircon",
                "http://h?x=1", "http://user@h", "http://h:", "http://h:0", "http://h:99999", "http://[::1",
                "http://[::1]x", "http://h :80",
        };

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                _cleanup_free_ char *problem = NULL;
                check(daikin_url_check(good[i], &problem) == 0, "%s: %s", good[i], problem);
        }
        for (size_t i = 0; i < ELEMENTSOF(wrong); i++) {
                _cleanup_free_ char *problem = NULL;
                check(daikin_url_check(wrong[i], &problem) == -EINVAL && problem, "'%s' refused: %s", wrong[i], problem);
        }
}

int main(void) {
        test_sample();
        test_codes();
        test_bad();
        test_url();
        return test_result();
}
