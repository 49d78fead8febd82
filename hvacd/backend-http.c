/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A Daikin Wi-Fi adapter (BRP069/BRP072A) through its local HTTP API. Every request is a GET whose
 * answer is "ret=OK,key=value,…"; a request the unit does not take answers "ret=PARAM NG".
 *
 *   /aircon/get_control_info   pow, mode, stemp, shum, f_rate, f_dir, and what the unit keeps per
 *                              mode: dt<mode> (target), dh<mode> (humidity), dfr<mode> (fan)
 *   /aircon/get_sensor_info    htemp, the room temperature ("-" or "--" without a sensor)
 *   /aircon/set_control_info   takes pow, mode, stemp, shum, f_rate and f_dir, all of them
 *
 * Codes: mode 0/1/7 auto, 2 dry, 3 cool, 4 heat, 6 fan; f_rate A auto, B silent, 3…7 the five
 * levels. In dry mode the target is "M" and in fan mode "--": those modes have none, and a set
 * must hand the unit back what it keeps for that mode. A set always starts from a fresh
 * get_control_info, so what hvacd does not model (swing, humidity) stays as the unit has it.
 *
 * The adapter serves one request at a time, so there is one easy handle and one request in
 * flight, in the sd-event loop through curl's multi interface: curl's sockets and its timer are
 * event sources, nothing blocks. The connection is kept and reused. Every poll interval the state
 * and the room temperature are read back. After failures_to_open failed requests in a row the
 * circuit opens: no more polls and no transmissions reach the unit, only probes (a poll) with
 * doubling delays; the first that is answered closes it. */

#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "backend.h"
#include "macro.h"
#include "time-util.h"

#define HTTP_ANSWER_MAX 4096            /* a get_control_info answer is about 600 bytes */
#define HTTP_VALUE_MAX 16
#define UNIT_MODES 8                    /* mode codes 0…7 */

/* libcurl is loaded when an http backend is made, not when hvacd starts: with the TLS and protocol
 * libraries it brings along it would add about 6 MiB to every hvacd, sim and lirc included. */
#define CURL_SYMBOLS(X)                                                                         \
        X(curl_easy_cleanup) X(curl_easy_getinfo) X(curl_easy_init) X(curl_easy_setopt)        \
        X(curl_easy_strerror) X(curl_global_init) X(curl_multi_add_handle) X(curl_multi_assign) \
        X(curl_multi_cleanup) X(curl_multi_info_read) X(curl_multi_init)                        \
        X(curl_multi_remove_handle) X(curl_multi_setopt) X(curl_multi_socket_action)

#define CURL_SYMBOL_POINTER(name) static typeof(name) *sym_##name;
CURL_SYMBOLS(CURL_SYMBOL_POINTER)

/* Once per process; the library stays loaded. -ELIBACC when it is not there. */
static int curl_load(void) {
        static void *dl = NULL;
        static int result = 1;

        if (result <= 0)
                return result;

        dl = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
        if (!dl)
                return result = -ELIBACC;
#define CURL_SYMBOL_LOAD(name)                                          \
        sym_##name = (typeof(name) *) dlsym(dl, #name);                 \
        if (!sym_##name)                                                \
                return result = -ELIBBAD;
        CURL_SYMBOLS(CURL_SYMBOL_LOAD)
#undef CURL_SYMBOL_LOAD

        /* Plain HTTP only: no TLS library to set up. */
        result = sym_curl_global_init(CURL_GLOBAL_NOTHING) == CURLE_OK ? 0 : -EIO;
        return result;
}

typedef enum HttpJob {
        JOB_NONE,
        JOB_POLL,                       /* get_control_info, then get_sensor_info */
        JOB_TRANSMIT,                   /* get_control_info, then set_control_info */
} HttpJob;

typedef enum HttpStep {
        STEP_GET_CONTROL,
        STEP_GET_SENSOR,
        STEP_SET_CONTROL,
} HttpStep;

/* The unit's get_control_info, as strings: a set hands most of them back unchanged. */
typedef struct UnitControl {
        char pow[HTTP_VALUE_MAX], mode[HTTP_VALUE_MAX], stemp[HTTP_VALUE_MAX], shum[HTTP_VALUE_MAX];
        char f_rate[HTTP_VALUE_MAX], f_dir[HTTP_VALUE_MAX];
        char dt[UNIT_MODES][HTTP_VALUE_MAX], dh[UNIT_MODES][HTTP_VALUE_MAX];
} UnitControl;

typedef struct HttpBackend {
        HvacBackend backend;
        HttpConfig config;              /* url is our own copy */

        CURLM *multi;
        CURL *easy;
        char curl_error[CURL_ERROR_SIZE];
        sd_event_source *curl_timer;
        sd_event_source *poll_timer;

        HttpJob job;
        HttpStep step;
        char *answer;
        size_t answer_size;
        bool answer_too_big;

        HvacState reported;             /* what the last get_control_info said */
        HvacState want;                 /* what the transmission in progress sends */
        bool want_pending;              /* transmit() was called while a poll ran */
        UnitControl control;

        double current;
        unsigned failures;              /* requests in a row */
        bool open;
        uint64_t probe_usec;
        char *error;
} HttpBackend;

static const char *const step_path[] = {
        [STEP_GET_CONTROL] = "/aircon/get_control_info",
        [STEP_GET_SENSOR] = "/aircon/get_sensor_info",
        [STEP_SET_CONTROL] = "/aircon/set_control_info",
};

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

int http_url_check(const char *url, char **ret_problem) {
        const char *host;
        size_t n;
        int r;

        if (isempty(url))
                r = asprintf(ret_problem, "empty; the adapter's address is needed, e.g. http://192.168.1.50");
        else if (strncmp(url, "http://", 7) != 0)
                r = asprintf(ret_problem, "'%s' does not start with http:// (the adapter speaks plain HTTP)", url);
        else if (host = url + 7, host[0] == '\0' || host[0] == '/' || host[0] == ':')
                r = asprintf(ret_problem, "'%s' names no host", url);
        else if (n = strcspn(host, "/?#@ \t\r\n\\"), host[n] != '\0' && !streq(host + n, "/"))
                r = asprintf(ret_problem, "'%s' must be http://HOST[:PORT] only, without a path, query or user", url);
        else if (!url_port_ok(host, n))
                r = asprintf(ret_problem, "'%s' has an invalid port, expected 1…65535", url);
        else
                return 0;
        return r < 0 ? -ENOMEM : -EINVAL;
}

static void http_set_error(HttpBackend *h, const char *format, ...) _printf_(2, 3);
static void http_set_error(HttpBackend *h, const char *format, ...) {
        char *message = NULL;
        va_list ap;

        va_start(ap, format);
        if (vasprintf(&message, format, ap) < 0)
                message = NULL;
        va_end(ap);
        free(h->error);
        h->error = message;
}

/* ---- the unit's answers ------------------------------------------------------------------- */

static bool value_ok(const char *v, size_t n) {
        if (n >= HTTP_VALUE_MAX)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!strchr("0123456789.+-ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_%", v[i]))
                        return false;
        return true;
}

/* Calls fn for each key=value of an answer that starts with ret=OK. -EINVAL for ret=PARAM NG,
 * -EREMOTEIO for another ret, -EBADMSG for anything that is not such an answer. */
static int answer_parse(HttpBackend *h, void (*fn)(HttpBackend *h, const char *key, size_t key_len,
                                                   const char *value, size_t value_len)) {
        const char *p = h->answer, *end = h->answer + h->answer_size;
        bool first = true;

        if (memchr(h->answer, '\0', h->answer_size)) {
                http_set_error(h, "GET %s: the answer is not text", step_path[h->step]);
                return -EBADMSG;
        }
        while (end > p && strchr("\r\n", end[-1]))
                end--;

        while (p < end) {
                const char *comma = memchr(p, ',', (size_t) (end - p)) ?: end;
                const char *eq = memchr(p, '=', (size_t) (comma - p));
                size_t key_len = eq ? (size_t) (eq - p) : 0;

                if (!eq || key_len == 0 || strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_ABCDEFGHIJKLMNOPQRSTUVWXYZ") < key_len) {
                        http_set_error(h, "GET %s: the answer is not ret=…,key=value pairs: '%.40s'",
                                       step_path[h->step], h->answer);
                        return -EBADMSG;
                }
                if (first) {
                        size_t n = (size_t) (comma - eq - 1);

                        if (key_len != 3 || strncmp(p, "ret", 3) != 0) {
                                http_set_error(h, "GET %s: the answer does not start with ret=: '%.40s'",
                                               step_path[h->step], h->answer);
                                return -EBADMSG;
                        }
                        if (n == 8 && strncmp(eq + 1, "PARAM NG", 8) == 0) {
                                http_set_error(h, "GET %s: the unit refused the parameters (ret=PARAM NG)",
                                               step_path[h->step]);
                                return -EINVAL;
                        }
                        if (n != 2 || strncmp(eq + 1, "OK", 2) != 0) {
                                http_set_error(h, "GET %s: the unit answered ret=%.*s", step_path[h->step],
                                               (int) MIN(n, (size_t) 32), eq + 1);
                                return -EREMOTEIO;
                        }
                        first = false;
                } else if (fn)
                        fn(h, p, key_len, eq + 1, (size_t) (comma - eq - 1));
                p = comma + 1;
        }

        if (first) {
                http_set_error(h, "GET %s: empty answer", step_path[h->step]);
                return -EBADMSG;
        }
        return 0;
}

static bool key_is(const char *key, size_t len, const char *name) {
        return strlen(name) == len && strncmp(key, name, len) == 0;
}

/* Stores one value; a value that is too long or has odd characters is dropped, so the field
 * reads as missing. */
static void control_store(char dest[HTTP_VALUE_MAX], const char *v, size_t n) {
        if (!value_ok(v, n))
                return;
        memcpy(dest, v, n);
        dest[n] = '\0';
}

static void control_field(HttpBackend *h, const char *key, size_t key_len, const char *v, size_t n) {
        static const struct {
                const char *name;
                size_t offset;
        } fields[] = {
                { "pow", offsetof(UnitControl, pow) },       { "mode", offsetof(UnitControl, mode) },
                { "stemp", offsetof(UnitControl, stemp) },   { "shum", offsetof(UnitControl, shum) },
                { "f_rate", offsetof(UnitControl, f_rate) }, { "f_dir", offsetof(UnitControl, f_dir) },
        };
        UnitControl *c = &h->control;

        for (size_t i = 0; i < ELEMENTSOF(fields); i++)
                if (key_is(key, key_len, fields[i].name)) {
                        control_store((char *) c + fields[i].offset, v, n);
                        return;
                }
        /* dt1…dt7, dh1…dh7: the target and humidity the unit keeps for each mode. */
        if (key_len == 3 && (key[1] == 't' || key[1] == 'h') && key[0] == 'd' && key[2] >= '0' &&
            key[2] < '0' + UNIT_MODES)
                control_store(key[1] == 't' ? c->dt[key[2] - '0'] : c->dh[key[2] - '0'], v, n);
}

static void sensor_field(HttpBackend *h, const char *key, size_t key_len, const char *v, size_t n) {
        char buf[HTTP_VALUE_MAX], *end;
        double t;

        if (!key_is(key, key_len, "htemp"))
                return;
        /* "-" or "--": the unit has no room sensor, or it has not read it yet. */
        h->current = NAN;
        if (n == 0 || n >= sizeof(buf))
                return;
        memcpy(buf, v, n);
        buf[n] = '\0';
        t = strtod(buf, &end);
        if (*end == '\0' && isfinite(t) && t > -60 && t < 100)
                h->current = t;
}

static int mode_from_code(const char *code, HvacMode *ret) {
        static const HvacMode modes[UNIT_MODES] = {
                HVAC_MODE_AUTO, HVAC_MODE_AUTO, HVAC_MODE_DRY, HVAC_MODE_COOL,
                HVAC_MODE_HEAT, _HVAC_MODE_INVALID, HVAC_MODE_FAN_ONLY, HVAC_MODE_AUTO,
        };

        if (strlen(code) != 1 || code[0] < '0' || code[0] >= '0' + UNIT_MODES || modes[code[0] - '0'] < 0)
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
                { "A", HVAC_FAN_AUTO }, { "B", HVAC_FAN_LOW },  { "3", HVAC_FAN_LOW },  { "4", HVAC_FAN_LOW },
                { "5", HVAC_FAN_MEDIUM }, { "6", HVAC_FAN_HIGH }, { "7", HVAC_FAN_HIGH },
        };

        for (size_t i = 0; i < ELEMENTSOF(fans); i++)
                if (streq(code, fans[i].code)) {
                        *ret = fans[i].fan;
                        return 0;
                }
        return -EBADMSG;
}

static int control_to_state(HttpBackend *h, HvacState *ret) {
        const UnitControl *c = &h->control;
        HvacState s = {};
        char *end;

        if (!streq(c->pow, "0") && !streq(c->pow, "1")) {
                http_set_error(h, "GET %s: pow is '%s', expected 0 or 1", step_path[STEP_GET_CONTROL], c->pow);
                return -EBADMSG;
        }
        s.power = c->pow[0] == '1';
        if (mode_from_code(c->mode, &s.mode) < 0) {
                http_set_error(h, "GET %s: unknown mode '%s'", step_path[STEP_GET_CONTROL], c->mode);
                return -EBADMSG;
        }
        if (fan_from_code(c->f_rate, &s.fan) < 0) {
                http_set_error(h, "GET %s: unknown f_rate '%s'", step_path[STEP_GET_CONTROL], c->f_rate);
                return -EBADMSG;
        }
        /* "M" (dry) and "--" (fan): no target in this mode. */
        s.target_temperature = strtod(c->stemp, &end);
        if (c->stemp[0] == '\0' || *end != '\0' || !isfinite(s.target_temperature))
                s.target_temperature = NAN;

        *ret = s;
        return 0;
}

/* ---- requests ----------------------------------------------------------------------------- */

static size_t on_curl_write(char *data, size_t size, size_t n, void *userdata) {
        HttpBackend *h = userdata;
        size_t bytes = size * n;
        char *p;

        if (h->answer_size + bytes > HTTP_ANSWER_MAX) {
                h->answer_too_big = true;
                return 0;       /* curl ends the transfer with CURLE_WRITE_ERROR */
        }
        p = realloc(h->answer, h->answer_size + bytes + 1);
        if (!p)
                return 0;
        memcpy(p + h->answer_size, data, bytes);
        h->answer = p;
        h->answer_size += bytes;
        h->answer[h->answer_size] = '\0';
        return bytes;
}

static const char *unit_mode_code(HttpBackend *h, HvacMode mode) {
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
                /* The unit's own auto code where it is in auto already (some say 1 or 7). */
                return streq(h->control.mode, "1") || streq(h->control.mode, "7") ? h->control.mode : "0";
        }
}

static int set_query(HttpBackend *h, char **ret) {
        static const char *const f_rate[_HVAC_FAN_MAX] = {
                [HVAC_FAN_AUTO] = "A", [HVAC_FAN_LOW] = "3", [HVAC_FAN_MEDIUM] = "5", [HVAC_FAN_HIGH] = "7",
        };
        const HvacState *s = &h->want;
        const char *mode = unit_mode_code(h, s->mode), *shum;
        char stemp[HTTP_VALUE_MAX];
        int m = mode[0] - '0';

        /* Dry and fan mode take back what the unit keeps for them ("M", "--"), the others our target. */
        if (s->mode == HVAC_MODE_DRY)
                snprintf(stemp, sizeof(stemp), "%s", h->control.dt[m][0] ? h->control.dt[m] : "M");
        else if (s->mode == HVAC_MODE_FAN_ONLY)
                snprintf(stemp, sizeof(stemp), "%s", h->control.dt[m][0] ? h->control.dt[m] : "--");
        else
                snprintf(stemp, sizeof(stemp), "%.1f", s->target_temperature);

        shum = h->control.dh[m][0] ? h->control.dh[m] : h->control.shum[0] ? h->control.shum : "0";

        if (asprintf(ret, "%s%s?pow=%d&mode=%s&stemp=%s&shum=%s&f_rate=%s&f_dir=%s", h->config.url,
                     step_path[STEP_SET_CONTROL], s->power, mode, stemp, shum, f_rate[s->fan],
                     h->control.f_dir[0] ? h->control.f_dir : "0") < 0)
                return -ENOMEM;
        return 0;
}

static int on_curl_timeout(CURLM *multi, long timeout_ms, void *userdata);

static int http_request(HttpBackend *h, HttpStep step) {
        _cleanup_free_ char *url = NULL;
        CURLMcode mc;
        int r, running;

        h->step = step;
        h->answer_size = 0;
        h->answer_too_big = false;
        h->curl_error[0] = '\0';
        if (step == STEP_SET_CONTROL)
                r = set_query(h, &url);
        else
                r = asprintf(&url, "%s%s", h->config.url, step_path[step]) < 0 ? -ENOMEM : 0;
        if (r < 0)
                return r;

        if (sym_curl_easy_setopt(h->easy, CURLOPT_URL, url) != CURLE_OK)
                return -ENOMEM;
        mc = sym_curl_multi_add_handle(h->multi, h->easy);
        if (mc != CURLM_OK)
                return mc == CURLM_OUT_OF_MEMORY ? -ENOMEM : -EIO;

        /* Out now, on the kept connection: the caller may fsync the state file before the loop
         * runs again. What this finishes is read from the loop, never inside the caller. */
        (void) sym_curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
        return on_curl_timeout(h->multi, 0, h) < 0 ? -ENOMEM : 0;
}

static int errno_from_curl(CURLcode c) {
        switch (c) {
        case CURLE_COULDNT_CONNECT:
                return -ECONNREFUSED;
        case CURLE_OPERATION_TIMEDOUT:
                return -ETIMEDOUT;
        case CURLE_COULDNT_RESOLVE_HOST:
                return -EHOSTUNREACH;
        case CURLE_GOT_NOTHING:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_PARTIAL_FILE:
                return -ECONNRESET;
        case CURLE_WRITE_ERROR:
                return -EMSGSIZE;
        case CURLE_OUT_OF_MEMORY:
                return -ENOMEM;
        default:
                return -EIO;
        }
}

static void http_schedule_poll(HttpBackend *h);
static void http_next(HttpBackend *h);

/* The job is over, for better or worse: tell the manager and decide when to come back. */
static void http_job_done(HttpBackend *h, int result) {
        HttpJob job = h->job;

        h->job = JOB_NONE;

        /* PARAM NG is the unit answering: it refuses a state, it is not unreachable. */
        if (result >= 0 || result == -EINVAL) {
                h->failures = 0;
                h->open = false;
                h->probe_usec = 0;
        } else {
                h->failures++;
                if (!h->open && h->failures >= h->config.failures_to_open) {
                        h->open = true;
                        h->probe_usec = h->config.probe_initial_ms * USEC_PER_MSEC;
                } else if (h->open)
                        h->probe_usec = MIN(h->probe_usec * 2, h->config.probe_max_ms * USEC_PER_MSEC);
        }
        http_schedule_poll(h);

        if (job == JOB_TRANSMIT) {
                if (h->backend.callbacks.transmitted)
                        h->backend.callbacks.transmitted(&h->backend, result, h->backend.userdata);
        } else if (result < 0) {
                if (h->backend.callbacks.polled)
                        h->backend.callbacks.polled(&h->backend, result, NULL, h->backend.userdata);
        } else {
                if (h->backend.callbacks.current_temperature)
                        h->backend.callbacks.current_temperature(&h->backend, h->current, h->backend.userdata);
                if (h->backend.callbacks.polled)
                        h->backend.callbacks.polled(&h->backend, 0, &h->reported, h->backend.userdata);
        }

        http_next(h);
}

/* One request has ended: check the answer, go on with the job's next request or end it. */
static void http_request_done(HttpBackend *h, CURLcode code) {
        long status = 0;
        int r;

        if (code != CURLE_OK) {
                r = errno_from_curl(code);
                if (h->answer_too_big)
                        http_set_error(h, "GET %s: the answer is longer than %u bytes", step_path[h->step],
                                       HTTP_ANSWER_MAX);
                else
                        http_set_error(h, "GET %s: %s (%s)", step_path[h->step], strerror(-r),
                                       h->curl_error[0] ? h->curl_error : sym_curl_easy_strerror(code));
                http_job_done(h, r);
                return;
        }

        (void) sym_curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &status);
        if (status != 200) {
                http_set_error(h, "GET %s: HTTP status %ld", step_path[h->step], status);
                http_job_done(h, -EREMOTEIO);
                return;
        }
        if (!h->answer) {
                http_set_error(h, "GET %s: empty answer", step_path[h->step]);
                http_job_done(h, -EBADMSG);
                return;
        }

        switch (h->step) {
        case STEP_GET_CONTROL:
                h->control = (UnitControl) {};
                r = answer_parse(h, control_field);
                if (r >= 0)
                        r = control_to_state(h, &h->reported);
                if (r >= 0)
                        r = http_request(h, h->job == JOB_POLL ? STEP_GET_SENSOR : STEP_SET_CONTROL);
                if (r < 0)
                        http_job_done(h, r);
                return;
        case STEP_GET_SENSOR:
                h->current = NAN;
                http_job_done(h, answer_parse(h, sensor_field));
                return;
        case STEP_SET_CONTROL:
                http_job_done(h, answer_parse(h, NULL));
                return;
        }
}

static void http_check_done(HttpBackend *h) {
        CURLMsg *msg;
        int left;

        while ((msg = sym_curl_multi_info_read(h->multi, &left)))
                if (msg->msg == CURLMSG_DONE) {
                        CURLcode code = msg->data.result;

                        (void) sym_curl_multi_remove_handle(h->multi, msg->easy_handle);
                        http_request_done(h, code);
                }
}

static int http_start(HttpBackend *h, HttpJob job) {
        int r;

        h->job = job;
        r = http_request(h, STEP_GET_CONTROL);
        if (r < 0)
                h->job = JOB_NONE;
        return r;
}

/* What comes after a job: a transmission that waited for a poll. */
static void http_next(HttpBackend *h) {
        int r;

        if (h->job != JOB_NONE || !h->want_pending)
                return;
        h->want_pending = false;
        r = http_start(h, JOB_TRANSMIT);
        if (r < 0) {
                http_set_error(h, "Failed to start a request: %s", strerror(-r));
                if (h->backend.callbacks.transmitted)
                        h->backend.callbacks.transmitted(&h->backend, r, h->backend.userdata);
        }
}

/* ---- curl in the event loop --------------------------------------------------------------- */

static int on_curl_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        HttpBackend *h = userdata;
        int action = 0, running;

        if (revents & EPOLLIN)
                action |= CURL_CSELECT_IN;
        if (revents & EPOLLOUT)
                action |= CURL_CSELECT_OUT;
        if (revents & (EPOLLERR | EPOLLHUP))
                action |= CURL_CSELECT_ERR;
        (void) sym_curl_multi_socket_action(h->multi, fd, action, &running);
        http_check_done(h);
        return 0;
}

static int on_curl_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        HttpBackend *h = userdata;
        int running;

        (void) sym_curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
        http_check_done(h);
        return 0;
}

static int on_curl_socket(CURL *easy, curl_socket_t fd, int what, void *userdata, void *socketp) {
        HttpBackend *h = userdata;
        sd_event_source *source = socketp;
        uint32_t events = 0;
        int r;

        if (what == CURL_POLL_REMOVE) {
                sd_event_source_disable_unref(source);
                (void) sym_curl_multi_assign(h->multi, fd, NULL);
                return 0;
        }

        if (what & CURL_POLL_IN)
                events |= EPOLLIN;
        if (what & CURL_POLL_OUT)
                events |= EPOLLOUT;

        if (source) {
                r = sd_event_source_set_io_events(source, events);
                return r < 0 ? -1 : 0;
        }
        r = sd_event_add_io(h->backend.event, &source, fd, events, on_curl_io, h);
        if (r < 0)
                return -1;
        (void) sd_event_source_set_description(source, "http-socket");
        (void) sym_curl_multi_assign(h->multi, fd, source);
        return 0;
}

static int on_curl_timeout(CURLM *multi, long timeout_ms, void *userdata) {
        HttpBackend *h = userdata;
        int r;

        if (timeout_ms < 0)
                return h->curl_timer ? (sd_event_source_set_enabled(h->curl_timer, SD_EVENT_OFF) < 0 ? -1 : 0) : 0;

        /* 0 means "as soon as possible": the time source fires on the next iteration. */
        if (!h->curl_timer) {
                r = sd_event_add_time_relative(h->backend.event, &h->curl_timer, CLOCK_MONOTONIC,
                                               (uint64_t) timeout_ms * USEC_PER_MSEC, 1, on_curl_timer, h);
                if (r < 0)
                        return -1;
                (void) sd_event_source_set_description(h->curl_timer, "http-curl-timer");
                return 0;
        }
        r = sd_event_source_set_time_relative(h->curl_timer, (uint64_t) timeout_ms * USEC_PER_MSEC);
        if (r >= 0)
                r = sd_event_source_set_enabled(h->curl_timer, SD_EVENT_ONESHOT);
        return r < 0 ? -1 : 0;
}

/* ---- polling ------------------------------------------------------------------------------ */

static int on_poll_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        HttpBackend *h = userdata;
        int r;

        if (h->job != JOB_NONE)
                return 0;       /* a transmission reads the unit anyway; the next poll comes after it */
        r = http_start(h, JOB_POLL);
        if (r < 0) {
                http_set_error(h, "Failed to start a request: %s", strerror(-r));
                http_job_done(h, r);
        }
        return 0;
}

static void http_schedule_poll(HttpBackend *h) {
        uint64_t usec = h->open ? h->probe_usec : h->config.poll_interval_ms * USEC_PER_MSEC;
        int r;

        if (!h->poll_timer) {
                r = sd_event_add_time_relative(h->backend.event, &h->poll_timer, CLOCK_MONOTONIC, usec,
                                               usec / 20, on_poll_timer, h);
                if (r >= 0)
                        (void) sd_event_source_set_description(h->poll_timer, "http-poll");
        } else {
                r = sd_event_source_set_time_relative(h->poll_timer, usec);
                if (r >= 0)
                        r = sd_event_source_set_time_accuracy(h->poll_timer, MAX(usec / 20, (uint64_t) 1));
                if (r >= 0)
                        r = sd_event_source_set_enabled(h->poll_timer, SD_EVENT_ONESHOT);
        }
        if (r < 0)
                http_set_error(h, "Failed to arm the poll timer: %s", strerror(-r));
}

/* ---- the backend interface ---------------------------------------------------------------- */

static int http_transmit(HvacBackend *b, const HvacState *state) {
        HttpBackend *h = (HttpBackend *) b;
        int r;

        if (h->open) {
                /* Only the probes talk to the unit now; the manager hears when one is answered. */
                _cleanup_free_ char *last = TAKE_PTR(h->error);
                http_set_error(h, "not sent: %u requests in a row failed, probing every %.1f s (last: %s)",
                               h->failures, (double) h->probe_usec / USEC_PER_SEC, last ?: "?");
                return -EHOSTUNREACH;
        }

        h->want = *state;
        if (h->job != JOB_NONE) {
                h->want_pending = true;         /* after the poll that is on its way */
                return -EINPROGRESS;
        }
        r = http_start(h, JOB_TRANSMIT);
        if (r < 0) {
                http_set_error(h, "Failed to start a request: %s", strerror(-r));
                return r;
        }
        return -EINPROGRESS;
}

static double http_current_temperature(HvacBackend *b) {
        return ((HttpBackend *) b)->current;
}

static const char *http_error_message(HvacBackend *b) {
        return ((HttpBackend *) b)->error;
}

static void http_free(HvacBackend *b) {
        HttpBackend *h = (HttpBackend *) b;

        if (h->multi && h->easy)
                (void) sym_curl_multi_remove_handle(h->multi, h->easy);
        if (h->easy)
                sym_curl_easy_cleanup(h->easy);
        if (h->multi)
                sym_curl_multi_cleanup(h->multi);     /* closes the kept connection: CURL_POLL_REMOVE */
        sd_event_source_disable_unref(h->curl_timer);
        sd_event_source_disable_unref(h->poll_timer);
        sd_event_unref(h->backend.event);
        free(h->config.url);
        free(h->answer);
        free(h->error);
        free(h);
}

static const HvacBackendOps http_ops = {
        .name = "http",
        .assumed = false,
        .transmit = http_transmit,
        .current_temperature = http_current_temperature,
        .error_message = http_error_message,
        .free = http_free,
};

static int http_setup_curl(HttpBackend *h) {
        CURLcode c = CURLE_OK;

        h->multi = sym_curl_multi_init();
        h->easy = sym_curl_easy_init();
        if (!h->multi || !h->easy)
                return -ENOMEM;

        if (sym_curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket) != CURLM_OK ||
            sym_curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h) != CURLM_OK ||
            sym_curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_curl_timeout) != CURLM_OK ||
            sym_curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h) != CURLM_OK ||
            /* The adapter serves one connection at a time; keep that one. */
            sym_curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 1L) != CURLM_OK ||
            sym_curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, 1L) != CURLM_OK)
                return -EIO;

        c = c ?: sym_curl_easy_setopt(h->easy, CURLOPT_WRITEFUNCTION, on_curl_write);
        c = c ?: sym_curl_easy_setopt(h->easy, CURLOPT_WRITEDATA, h);
        c = c ?: sym_curl_easy_setopt(h->easy, CURLOPT_ERRORBUFFER, h->curl_error);
        c = c ?: sym_curl_easy_setopt(h->easy, CURLOPT_NOSIGNAL, 1L);
        c = c ?: sym_curl_easy_setopt(h->easy, CURLOPT_PROTOCOLS_STR, "http");
        c = c ?: sym_curl_easy_setopt(h->easy, CURLOPT_CONNECTTIMEOUT_MS, (long) h->config.connect_timeout_ms);
        c = c ?: sym_curl_easy_setopt(h->easy, CURLOPT_TIMEOUT_MS, (long) h->config.timeout_ms);
        c = c ?: sym_curl_easy_setopt(h->easy, CURLOPT_USERAGENT, "hvacd");
        return c == CURLE_OK ? 0 : -EIO;
}

int hvac_backend_new_http(sd_event *event, const HttpConfig *config,
                          const HvacBackendCallbacks *callbacks, void *userdata, HvacBackend **ret) {
        _cleanup_(hvac_backend_freep) HvacBackend *b = NULL;
        HttpBackend *h;
        char *problem = NULL;
        int r;

        assert(event && config && ret);

        r = http_url_check(config->url, &problem);
        free(problem);
        if (r < 0)
                return r;
        if (config->failures_to_open == 0 || config->poll_interval_ms == 0 || config->probe_initial_ms == 0 ||
            config->probe_max_ms < config->probe_initial_ms)
                return -EINVAL;
        r = curl_load();
        if (r < 0)
                return r;

        h = calloc(1, sizeof(HttpBackend));
        if (!h)
                return -ENOMEM;
        h->backend = (HvacBackend) {
                .ops = &http_ops,
                .event = sd_event_ref(event),
                .callbacks = *callbacks,
                .userdata = userdata,
        };
        b = &h->backend;
        h->current = NAN;
        h->config = *config;
        h->config.url = strdup(config->url);
        if (!h->config.url)
                return -ENOMEM;
        /* http://host/ and http://host are the same unit. */
        if (h->config.url[strlen(h->config.url) - 1] == '/')
                h->config.url[strlen(h->config.url) - 1] = '\0';

        r = http_setup_curl(h);
        if (r < 0)
                return r;

        /* Read the unit back at once: the first poll is due now. */
        r = sd_event_add_time_relative(event, &h->poll_timer, CLOCK_MONOTONIC, 0, 1, on_poll_timer, h);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(h->poll_timer, "http-poll");

        *ret = TAKE_PTR(b);
        return 0;
}
