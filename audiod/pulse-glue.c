/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/time.h>

#include "macro.h"
#include "pulse-glue.h"
#include "time-util.h"

/* libpulse marks a struct timeval that holds CLOCK_MONOTONIC time with this bit in tv_usec
 * (pulsecore's PA_TIMEVAL_RTCLOCK); contexts on a foreign main loop use wall-clock time. */
#define PULSE_TIMEVAL_RTCLOCK (1LL << 30)

struct PulseGlue {
        pa_mainloop_api api;
        sd_event *event;
};

struct pa_io_event {
        PulseGlue *glue;
        sd_event_source *source;
        pa_io_event_cb_t cb;
        pa_io_event_destroy_cb_t destroy;
        void *userdata;
};

struct pa_time_event {
        PulseGlue *glue;
        sd_event_source *source;
        pa_time_event_cb_t cb;
        pa_time_event_destroy_cb_t destroy;
        void *userdata;
};

struct pa_defer_event {
        PulseGlue *glue;
        sd_event_source *source;
        pa_defer_event_cb_t cb;
        pa_defer_event_destroy_cb_t destroy;
        void *userdata;
};

static uint32_t io_flags_to_epoll(pa_io_event_flags_t f) {
        return (f & PA_IO_EVENT_INPUT ? EPOLLIN : 0) | (f & PA_IO_EVENT_OUTPUT ? EPOLLOUT : 0);
}

static pa_io_event_flags_t epoll_to_io_flags(uint32_t e) {
        return (e & EPOLLIN ? PA_IO_EVENT_INPUT : 0) | (e & EPOLLOUT ? PA_IO_EVENT_OUTPUT : 0) |
               (e & EPOLLHUP ? PA_IO_EVENT_HANGUP : 0) | (e & EPOLLERR ? PA_IO_EVENT_ERROR : 0);
}

static int io_dispatch(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        pa_io_event *e = userdata;

        e->cb(&e->glue->api, e, fd, epoll_to_io_flags(revents), e->userdata);
        return 0;
}

static pa_io_event *io_new(pa_mainloop_api *a, int fd, pa_io_event_flags_t events, pa_io_event_cb_t cb, void *userdata) {
        PulseGlue *g = a->userdata;
        pa_io_event *e = calloc(1, sizeof(*e));

        if (!e)
                return NULL;
        *e = (pa_io_event) { .glue = g, .cb = cb, .userdata = userdata };
        if (sd_event_add_io(g->event, &e->source, fd, io_flags_to_epoll(events), io_dispatch, e) < 0) {
                free(e);
                return NULL;
        }
        if (events == PA_IO_EVENT_NULL)
                (void) sd_event_source_set_enabled(e->source, SD_EVENT_OFF);
        (void) sd_event_source_set_description(e->source, "pulse-io");
        return e;
}

static void io_enable(pa_io_event *e, pa_io_event_flags_t events) {
        if (events == PA_IO_EVENT_NULL) {
                (void) sd_event_source_set_enabled(e->source, SD_EVENT_OFF);
                return;
        }
        (void) sd_event_source_set_io_events(e->source, io_flags_to_epoll(events));
        (void) sd_event_source_set_enabled(e->source, SD_EVENT_ON);
}

static void io_free(pa_io_event *e) {
        if (e->destroy)
                e->destroy(&e->glue->api, e, e->userdata);
        sd_event_source_disable_unref(e->source);
        free(e);
}

static void io_set_destroy(pa_io_event *e, pa_io_event_destroy_cb_t cb) {
        e->destroy = cb;
}

static int time_dispatch(sd_event_source *s, uint64_t usec, void *userdata) {
        pa_time_event *e = userdata;
        struct timeval tv = { .tv_sec = (time_t) (usec / USEC_PER_SEC), .tv_usec = (suseconds_t) (usec % USEC_PER_SEC) };

        clockid_t clock;

        if (sd_event_source_get_time_clock(s, &clock) >= 0 && clock == CLOCK_MONOTONIC)
                tv.tv_usec |= PULSE_TIMEVAL_RTCLOCK;
        e->cb(&e->glue->api, e, &tv, e->userdata);
        return 0;
}

static int time_arm(pa_time_event *e, const struct timeval *tv) {
        clockid_t clock = (tv->tv_usec & PULSE_TIMEVAL_RTCLOCK) ? CLOCK_MONOTONIC : CLOCK_REALTIME;
        uint64_t usec = (uint64_t) tv->tv_sec * USEC_PER_SEC + (uint64_t) (tv->tv_usec & ~PULSE_TIMEVAL_RTCLOCK);
        clockid_t current;
        int r;

        if (e->source && (sd_event_source_get_time_clock(e->source, &current) < 0 || current != clock))
                e->source = sd_event_source_disable_unref(e->source);

        if (!e->source) {
                r = sd_event_add_time(e->glue->event, &e->source, clock, usec, 0, time_dispatch, e);
                if (r < 0)
                        return r;
                (void) sd_event_source_set_description(e->source, "pulse-time");
                return 0;
        }
        r = sd_event_source_set_time(e->source, usec);
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(e->source, SD_EVENT_ONESHOT);
}

static pa_time_event *time_new(pa_mainloop_api *a, const struct timeval *tv, pa_time_event_cb_t cb, void *userdata) {
        pa_time_event *e = calloc(1, sizeof(*e));

        if (!e)
                return NULL;
        *e = (pa_time_event) { .glue = a->userdata, .cb = cb, .userdata = userdata };
        if (tv && time_arm(e, tv) < 0) {
                free(e);
                return NULL;
        }
        return e;
}

static void time_restart(pa_time_event *e, const struct timeval *tv) {
        if (!tv) {
                if (e->source)
                        (void) sd_event_source_set_enabled(e->source, SD_EVENT_OFF);
                return;
        }
        (void) time_arm(e, tv);
}

static void time_free(pa_time_event *e) {
        if (e->destroy)
                e->destroy(&e->glue->api, e, e->userdata);
        sd_event_source_disable_unref(e->source);
        free(e);
}

static void time_set_destroy(pa_time_event *e, pa_time_event_destroy_cb_t cb) {
        e->destroy = cb;
}

static int defer_dispatch(sd_event_source *s, void *userdata) {
        pa_defer_event *e = userdata;

        e->cb(&e->glue->api, e, e->userdata);
        return 0;
}

static pa_defer_event *defer_new(pa_mainloop_api *a, pa_defer_event_cb_t cb, void *userdata) {
        PulseGlue *g = a->userdata;
        pa_defer_event *e = calloc(1, sizeof(*e));

        if (!e)
                return NULL;
        *e = (pa_defer_event) { .glue = g, .cb = cb, .userdata = userdata };
        /* A pa defer event runs on every iteration until disabled, as an sd-event defer source
         * that stays ON does. */
        if (sd_event_add_defer(g->event, &e->source, defer_dispatch, e) < 0) {
                free(e);
                return NULL;
        }
        (void) sd_event_source_set_enabled(e->source, SD_EVENT_ON);
        (void) sd_event_source_set_description(e->source, "pulse-defer");
        return e;
}

static void defer_enable(pa_defer_event *e, int b) {
        (void) sd_event_source_set_enabled(e->source, b ? SD_EVENT_ON : SD_EVENT_OFF);
}

static void defer_free(pa_defer_event *e) {
        if (e->destroy)
                e->destroy(&e->glue->api, e, e->userdata);
        sd_event_source_disable_unref(e->source);
        free(e);
}

static void defer_set_destroy(pa_defer_event *e, pa_defer_event_destroy_cb_t cb) {
        e->destroy = cb;
}

static void glue_quit(pa_mainloop_api *a, int retval) {
        /* Nobody asks our loop to quit through libpulse; the daemon decides that. */
}

int pulse_glue_new(sd_event *event, PulseGlue **ret) {
        PulseGlue *g = calloc(1, sizeof(*g));

        if (!g)
                return -ENOMEM;
        g->event = sd_event_ref(event);
        g->api = (pa_mainloop_api) {
                .userdata = g,
                .io_new = io_new,
                .io_enable = io_enable,
                .io_free = io_free,
                .io_set_destroy = io_set_destroy,
                .time_new = time_new,
                .time_restart = time_restart,
                .time_free = time_free,
                .time_set_destroy = time_set_destroy,
                .defer_new = defer_new,
                .defer_enable = defer_enable,
                .defer_free = defer_free,
                .defer_set_destroy = defer_set_destroy,
                .quit = glue_quit,
        };
        *ret = g;
        return 0;
}

PulseGlue *pulse_glue_free(PulseGlue *g) {
        if (!g)
                return NULL;
        sd_event_unref(g->event);
        free(g);
        return NULL;
}

pa_mainloop_api *pulse_glue_api(PulseGlue *g) {
        return &g->api;
}
