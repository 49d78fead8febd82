/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A Daikin Wi-Fi adapter (BRP069/BRP072A) through its local HTTP API (daikin.h has the API).
 *
 * The adapter serves one request at a time, so there is one easy handle and one request in
 * flight, in the sd-event loop through curl's multi interface: curl's sockets and its timer are
 * event sources, nothing blocks. The connection is kept and reused. A poll reads
 * get_control_info and get_sensor_info; a transmission reads get_control_info afresh and sends
 * set_control_info with every field, so what hvacd does not model (swing, humidity) stays as
 * the unit has it. After failures_to_open failed requests in a row the circuit opens: no more
 * polls and no transmissions reach the unit, only probes (a poll) with doubling delays; the first
 * that is answered closes it. */

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
#include "daikin.h"
#include "macro.h"
#include "time-util.h"

#define HTTP_ANSWER_MAX 4096            /* a get_control_info answer is about 600 bytes */

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
        DaikinControl control;

        double current;
        unsigned failures;              /* requests in a row */
        bool open;
        uint64_t probe_usec;
        char *error;
} HttpBackend;

static const char *const step_path[] = {
        [STEP_GET_CONTROL] = DAIKIN_GET_CONTROL,
        [STEP_GET_SENSOR] = DAIKIN_GET_SENSOR,
        [STEP_SET_CONTROL] = DAIKIN_SET_CONTROL,
};

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

static int on_curl_timeout(CURLM *multi, long timeout_ms, void *userdata);

static int http_request(HttpBackend *h, HttpStep step) {
        _cleanup_free_ char *url = NULL;
        CURLMcode mc;
        int r, running;

        h->step = step;
        h->answer_size = 0;
        h->answer_too_big = false;
        h->curl_error[0] = '\0';
        if (step == STEP_SET_CONTROL) {
                _cleanup_free_ char *query = NULL;

                r = daikin_set_query(&h->control, &h->want, &query);
                if (r < 0)
                        return r;
                r = asprintf(&url, "%s%s?%s", h->config.url, step_path[step], query);
        } else
                r = asprintf(&url, "%s%s", h->config.url, step_path[step]);
        if (r < 0)
                return -ENOMEM;

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
        _cleanup_free_ char *problem = NULL;
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
        if (h->answer_size == 0) {
                http_set_error(h, "GET %s: empty answer", step_path[h->step]);
                http_job_done(h, -EBADMSG);
                return;
        }

        switch (h->step) {
        case STEP_GET_CONTROL:
                r = daikin_parse_control(h->answer, h->answer_size, &h->control, &problem);
                if (r >= 0)
                        r = daikin_control_to_state(&h->control, &h->reported, &problem);
                if (r >= 0)
                        r = http_request(h, h->job == JOB_POLL ? STEP_GET_SENSOR : STEP_SET_CONTROL);
                if (r >= 0)
                        return;         /* the job goes on */
                break;
        case STEP_GET_SENSOR:
                r = daikin_parse_sensor(h->answer, h->answer_size, &h->current, &problem);
                break;
        default:
                r = daikin_parse_set(h->answer, h->answer_size, &problem);
        }
        if (r < 0)
                http_set_error(h, "GET %s: %s", step_path[h->step], problem ?: strerror(-r));
        http_job_done(h, r);
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
        /* The poll it waited for opened the circuit: it is not sent either. */
        r = h->open ? -EHOSTUNREACH : http_start(h, JOB_TRANSMIT);
        if (r < 0) {
                if (r != -EHOSTUNREACH)
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

        r = daikin_url_check(config->url, &problem);
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
