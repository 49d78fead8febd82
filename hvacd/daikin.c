/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daikin.h"
#include "macro.h"

#define KEY_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
#define VALUE_CHARS KEY_CHARS ".+-%"

static int problem(char **ret_problem, int r, const char *format, ...) _printf_(3, 4);
static int problem(char **ret_problem, int r, const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        if (vasprintf(ret_problem, format, ap) < 0)
                *ret_problem = NULL;
        va_end(ap);
        return r;
}

/* strspn() within n bytes: an answer is not NUL-terminated. */
static size_t span(const char *s, size_t n, const char *accept) {
        size_t i = 0;

        while (i < n && s[i] != '\0' && strchr(accept, s[i]))
                i++;
        return i;
}

typedef void (*field_fn)(void *userdata, const char *key, size_t key_len, const char *value, size_t value_len);

/* Calls fn for each key=value after a leading ret=OK. */
static int answer_parse(const char *answer, size_t size, field_fn fn, void *userdata, char **ret_problem) {
        const char *p = answer, *end = answer + size;
        bool first = true;

        if (memchr(answer, '\0', size))
                return problem(ret_problem, -EBADMSG, "the answer is not text");
        while (end > p && strchr("\r\n", end[-1]))
                end--;

        for (; p < end; p++) {
                const char *comma = memchr(p, ',', (size_t) (end - p)) ?: end;
                const char *eq = memchr(p, '=', (size_t) (comma - p));
                size_t key_len = eq ? (size_t) (eq - p) : 0, n = eq ? (size_t) (comma - eq - 1) : 0;

                if (key_len == 0 || span(p, key_len, KEY_CHARS) < key_len)
                        return problem(ret_problem, -EBADMSG, "the answer is not ret=…,key=value pairs: '%.*s'",
                                       (int) MIN(size, (size_t) 40), answer);
                if (first) {
                        if (key_len != 3 || strncmp(p, "ret", 3) != 0)
                                return problem(ret_problem, -EBADMSG, "the answer does not start with ret=: '%.*s'",
                                               (int) MIN(size, (size_t) 40), answer);
                        if (n == 8 && strncmp(eq + 1, "PARAM NG", 8) == 0)
                                return problem(ret_problem, -EINVAL, "the unit refused the parameters (ret=PARAM NG)");
                        if (n != 2 || strncmp(eq + 1, "OK", 2) != 0)
                                return problem(ret_problem, -EREMOTEIO, "the unit answered ret=%.*s",
                                               (int) MIN(n, (size_t) 32), eq + 1);
                        first = false;
                } else if (fn)
                        fn(userdata, p, key_len, eq + 1, n);
                p = comma;
        }

        if (first)
                return problem(ret_problem, -EBADMSG, "empty answer");
        return 0;
}

static bool key_is(const char *key, size_t len, const char *name) {
        return strlen(name) == len && strncmp(key, name, len) == 0;
}

/* A value that is too long or has odd characters is dropped: the field reads as missing. */
static void control_store(char dest[DAIKIN_VALUE_MAX], const char *v, size_t n) {
        if (n >= DAIKIN_VALUE_MAX || span(v, n, VALUE_CHARS) < n)
                return;
        memcpy(dest, v, n);
        dest[n] = '\0';
}

static void control_field(void *userdata, const char *key, size_t key_len, const char *v, size_t n) {
        static const struct {
                const char *name;
                size_t offset;
        } fields[] = {
                { "pow", offsetof(DaikinControl, pow) },       { "mode", offsetof(DaikinControl, mode) },
                { "stemp", offsetof(DaikinControl, stemp) },   { "shum", offsetof(DaikinControl, shum) },
                { "f_rate", offsetof(DaikinControl, f_rate) }, { "f_dir", offsetof(DaikinControl, f_dir) },
        };
        DaikinControl *c = userdata;

        for (size_t i = 0; i < ELEMENTSOF(fields); i++)
                if (key_is(key, key_len, fields[i].name)) {
                        control_store((char *) c + fields[i].offset, v, n);
                        return;
                }
        /* dt1…dt7, dh1…dh7: the target and humidity the unit keeps for each mode. */
        if (key_len == 3 && key[0] == 'd' && (key[1] == 't' || key[1] == 'h') && key[2] >= '0' &&
            key[2] < '0' + DAIKIN_MODES)
                control_store(key[1] == 't' ? c->dt[key[2] - '0'] : c->dh[key[2] - '0'], v, n);
}

int daikin_parse_control(const char *answer, size_t size, DaikinControl *ret, char **ret_problem) {
        DaikinControl c = {};
        int r;

        r = answer_parse(answer, size, control_field, &c, ret_problem);
        if (r < 0)
                return r;
        *ret = c;
        return 0;
}

static void sensor_field(void *userdata, const char *key, size_t key_len, const char *v, size_t n) {
        char buf[DAIKIN_VALUE_MAX], *end;
        double *celsius = userdata, t;

        if (!key_is(key, key_len, "htemp") || n == 0 || n >= sizeof(buf))
                return;
        memcpy(buf, v, n);
        buf[n] = '\0';
        /* "-" or "--": no room sensor, or no reading yet. */
        t = strtod(buf, &end);
        if (*end == '\0' && isfinite(t) && t > -60 && t < 100)
                *celsius = t;
}

int daikin_parse_sensor(const char *answer, size_t size, double *ret_celsius, char **ret_problem) {
        double t = NAN;
        int r;

        r = answer_parse(answer, size, sensor_field, &t, ret_problem);
        if (r < 0)
                return r;
        *ret_celsius = t;
        return 0;
}

int daikin_parse_set(const char *answer, size_t size, char **ret_problem) {
        return answer_parse(answer, size, NULL, NULL, ret_problem);
}

static int mode_from_code(const char *code, HvacMode *ret) {
        static const HvacMode modes[DAIKIN_MODES] = {
                HVAC_MODE_AUTO, HVAC_MODE_AUTO, HVAC_MODE_DRY, HVAC_MODE_COOL,
                HVAC_MODE_HEAT, _HVAC_MODE_INVALID, HVAC_MODE_FAN_ONLY, HVAC_MODE_AUTO,
        };

        if (strlen(code) != 1 || code[0] < '0' || code[0] >= '0' + DAIKIN_MODES || modes[code[0] - '0'] < 0)
                return -EBADMSG;
        *ret = modes[code[0] - '0'];
        return 0;
}

static int fan_from_code(const char *code, HvacFan *ret) {
        /* Five levels and "silence" fold into three speeds. */
        static const struct {
                const char *code;
                HvacFan fan;
        } fans[] = {
                { "A", HVAC_FAN_AUTO },   { "B", HVAC_FAN_LOW },  { "3", HVAC_FAN_LOW },  { "4", HVAC_FAN_LOW },
                { "5", HVAC_FAN_MEDIUM }, { "6", HVAC_FAN_HIGH }, { "7", HVAC_FAN_HIGH },
        };

        for (size_t i = 0; i < ELEMENTSOF(fans); i++)
                if (streq(code, fans[i].code)) {
                        *ret = fans[i].fan;
                        return 0;
                }
        return -EBADMSG;
}

int daikin_control_to_state(const DaikinControl *c, HvacState *ret, char **ret_problem) {
        HvacState s = {};
        char *end;

        if (!streq(c->pow, "0") && !streq(c->pow, "1"))
                return problem(ret_problem, -EBADMSG, "pow is '%s', expected 0 or 1", c->pow);
        s.power = c->pow[0] == '1';
        if (mode_from_code(c->mode, &s.mode) < 0)
                return problem(ret_problem, -EBADMSG, "unknown mode '%s'", c->mode);
        if (fan_from_code(c->f_rate, &s.fan) < 0)
                return problem(ret_problem, -EBADMSG, "unknown f_rate '%s'", c->f_rate);
        /* "M" (dry) and "--" (fan): no target in this mode. */
        s.target_temperature = strtod(c->stemp, &end);
        if (c->stemp[0] == '\0' || *end != '\0' || !isfinite(s.target_temperature))
                s.target_temperature = NAN;

        *ret = s;
        return 0;
}

static const char *mode_code(const DaikinControl *c, HvacMode mode) {
        switch (mode) {
        case HVAC_MODE_COOL:
                return "3";
        case HVAC_MODE_HEAT:
                return "4";
        case HVAC_MODE_DRY:
                return "2";
        case HVAC_MODE_FAN_ONLY:
                return "6";
        default:
                /* The unit's own auto code where it is in auto already (some use 1 or 7). */
                return streq(c->mode, "1") || streq(c->mode, "7") ? c->mode : "0";
        }
}

int daikin_set_query(const DaikinControl *c, const HvacState *s, char **ret) {
        static const char *const f_rate[_HVAC_FAN_MAX] = {
                [HVAC_FAN_AUTO] = "A", [HVAC_FAN_LOW] = "3", [HVAC_FAN_MEDIUM] = "5", [HVAC_FAN_HIGH] = "7",
        };
        const char *mode = mode_code(c, s->mode), *shum;
        char stemp[DAIKIN_VALUE_MAX];
        int m = mode[0] - '0';

        if (s->mode == HVAC_MODE_DRY)
                snprintf(stemp, sizeof(stemp), "%s", c->dt[m][0] ? c->dt[m] : "M");
        else if (s->mode == HVAC_MODE_FAN_ONLY)
                snprintf(stemp, sizeof(stemp), "%s", c->dt[m][0] ? c->dt[m] : "--");
        else
                snprintf(stemp, sizeof(stemp), "%.1f", s->target_temperature);
        /* The humidity this mode keeps, as pydaikin sends it (dh<mode>), else the current one. */
        shum = c->dh[m][0] ? c->dh[m] : c->shum[0] ? c->shum : "0";

        if (asprintf(ret, "pow=%d&mode=%s&stemp=%s&shum=%s&f_rate=%s&f_dir=%s", s->power, mode, stemp, shum,
                     f_rate[s->fan], c->f_dir[0] ? c->f_dir : "0") < 0)
                return -ENOMEM;
        return 0;
}

/* The ":PORT" after the host (or after "[v6]"), if any, is a number 1…65535. */
static bool url_port_ok(const char *host, size_t n) {
        const char *end = host + n, *colon;
        unsigned long port;
        char *e;

        if (host[0] == '[') {
                const char *bracket = memchr(host, ']', n);
                if (!bracket)
                        return false;
                colon = bracket + 1 < end && bracket[1] == ':' ? bracket + 1 : NULL;
                if (!colon && bracket + 1 != end)
                        return false;
        } else
                colon = memchr(host, ':', n);
        if (!colon)
                return true;
        if (colon + 1 == end || !strchr("0123456789", colon[1]))
                return false;
        errno = 0;
        port = strtoul(colon + 1, &e, 10);
        return errno == 0 && e == end && port >= 1 && port <= 65535;
}

int daikin_url_check(const char *url, char **ret_problem) {
        const char *host;
        size_t n;

        if (isempty(url))
                return problem(ret_problem, -EINVAL, "empty; the adapter's address is needed, e.g. http://192.168.1.50");
        if (strncmp(url, "http://", 7) != 0)
                return problem(ret_problem, -EINVAL, "'%s' does not start with http:// (the adapter speaks plain HTTP)",
                               url);
        host = url + 7;
        if (host[0] == '\0' || host[0] == '/' || host[0] == ':')
                return problem(ret_problem, -EINVAL, "'%s' names no host", url);
        n = strcspn(host, "/?#@ \t\r\n\\");
        if (host[n] != '\0' && !streq(host + n, "/"))
                return problem(ret_problem, -EINVAL,
                               "'%s' must be http://HOST[:PORT] only, without a path, query or user", url);
        if (!url_port_ok(host, n))
                return problem(ret_problem, -EINVAL, "'%s' has an invalid port, expected 1…65535", url);
        return 0;
}
