/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "log.h"
#include "pulse-dlopen.h"
#include "pulse-glue.h"
#include "pulse-mirror.h"
#include "time-util.h"

#define PULSE_RETRY_MIN_USEC (500 * USEC_PER_MSEC)
#define PULSE_RETRY_MAX_USEC (30 * USEC_PER_SEC)

struct PulseMirror {
        sd_event *event;
        PulseGlue *glue;
        pa_context *context;
        char *server, *source;
        pulse_mirror_change_t on_change;
        void *userdata;

        bool want_muted;
        int reported;                   /* last mute the server told us, -1 = none yet */
        bool ready;

        sd_event_source *retry;
        usec_t retry_delay;
};

static void pulse_mirror_connect(PulseMirror *p);

static void pulse_mirror_disconnect(PulseMirror *p) {
        if (p->context) {
                sym_pa_context_set_state_callback(p->context, NULL, NULL);
                sym_pa_context_set_subscribe_callback(p->context, NULL, NULL);
                sym_pa_context_disconnect(p->context);
                sym_pa_context_unref(p->context);
                p->context = NULL;
        }
        p->ready = false;
        p->reported = -1;
}

PulseMirror *pulse_mirror_free(PulseMirror *p) {
        if (!p)
                return NULL;
        pulse_mirror_disconnect(p);
        sd_event_source_disable_unref(p->retry);
        pulse_glue_free(p->glue);
        sd_event_unref(p->event);
        free(p->server);
        free(p->source);
        free(p);
        return NULL;
}

static int pulse_mirror_on_retry(sd_event_source *s, uint64_t usec, void *userdata) {
        pulse_mirror_connect(userdata);
        return 0;
}

static void pulse_mirror_schedule_retry(PulseMirror *p) {
        p->retry_delay = p->retry_delay ? MIN(p->retry_delay * 2, PULSE_RETRY_MAX_USEC) : PULSE_RETRY_MIN_USEC;

        if (p->retry) {
                (void) sd_event_source_set_time_relative(p->retry, p->retry_delay);
                (void) sd_event_source_set_enabled(p->retry, SD_EVENT_ONESHOT);
                return;
        }
        if (sd_event_add_time_relative(p->event, &p->retry, CLOCK_MONOTONIC, p->retry_delay, 0,
                                       pulse_mirror_on_retry, p) >= 0)
                (void) sd_event_source_set_description(p->retry, "pulse-retry");
}

static void pulse_mirror_on_source_info(pa_context *c, const pa_source_info *i, int eol, void *userdata) {
        PulseMirror *p = userdata;

        if (eol != 0 || !i)
                return;
        if (p->reported == (int) !!i->mute)
                return;
        p->reported = !!i->mute;
        if (p->on_change)
                p->on_change(p, i->mute, p->userdata);
}

static void pulse_mirror_query(PulseMirror *p) {
        pa_operation *o = sym_pa_context_get_source_info_by_name(p->context, p->source, pulse_mirror_on_source_info, p);

        if (o)
                sym_pa_operation_unref(o);
}

static void pulse_mirror_on_event(pa_context *c, pa_subscription_event_type_t t, uint32_t idx, void *userdata) {
        PulseMirror *p = userdata;

        if ((t & PA_SUBSCRIPTION_EVENT_FACILITY_MASK) == PA_SUBSCRIPTION_EVENT_SOURCE &&
            (t & PA_SUBSCRIPTION_EVENT_TYPE_MASK) != PA_SUBSCRIPTION_EVENT_REMOVE)
                pulse_mirror_query(p);
}

static void pulse_mirror_apply(PulseMirror *p) {
        pa_operation *o;

        o = sym_pa_context_set_source_mute_by_name(p->context, p->source, p->want_muted, NULL, NULL);
        if (o)
                sym_pa_operation_unref(o);
}

static void pulse_mirror_on_state(pa_context *c, void *userdata) {
        PulseMirror *p = userdata;
        pa_operation *o;

        switch (sym_pa_context_get_state(c)) {
        case PA_CONTEXT_READY:
                log_info("Mirroring mute to sound server source '%s'.", p->source);
                p->ready = true;
                p->retry_delay = 0;
                sym_pa_context_set_subscribe_callback(c, pulse_mirror_on_event, p);
                o = sym_pa_context_subscribe(c, PA_SUBSCRIPTION_MASK_SOURCE, NULL, NULL);
                if (o)
                        sym_pa_operation_unref(o);
                /* Our mute is the truth when we connect: a muted microphone stays muted. If we
                 * are unmuted and the server's source is muted, the query reports that back. */
                if (p->want_muted)
                        pulse_mirror_apply(p);
                pulse_mirror_query(p);
                break;
        case PA_CONTEXT_FAILED:
        case PA_CONTEXT_TERMINATED:
                log_debug("Sound server connection ended: %s", sym_pa_strerror(sym_pa_context_errno(c)));
                /* The context is released by the retry, not inside its own callback. */
                p->ready = false;
                p->reported = -1;
                pulse_mirror_schedule_retry(p);
                break;
        default:
                break;
        }
}

static void pulse_mirror_connect(PulseMirror *p) {
        pulse_mirror_disconnect(p);

        p->context = sym_pa_context_new(pulse_glue_api(p->glue), "voicehvac-audiod");
        if (!p->context) {
                pulse_mirror_schedule_retry(p);
                return;
        }
        sym_pa_context_set_state_callback(p->context, pulse_mirror_on_state, p);
        /* NOFAIL: a server that is not there yet is waited for, without us polling. */
        if (sym_pa_context_connect(p->context, isempty(p->server) ? NULL : p->server, PA_CONTEXT_NOFAIL | PA_CONTEXT_NOAUTOSPAWN,
                               NULL) < 0) {
                pulse_mirror_disconnect(p);
                pulse_mirror_schedule_retry(p);
        }
}

int pulse_mirror_new(sd_event *event, const char *server, const char *source, pulse_mirror_change_t on_change,
                     void *userdata, PulseMirror **ret) {
        _cleanup_(pulse_mirror_freep) PulseMirror *p = NULL;
        int r;

        r = pulse_dlopen();
        if (r < 0)
                return r;

        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->event = sd_event_ref(event);
        p->on_change = on_change;
        p->userdata = userdata;
        p->reported = -1;
        p->server = strdup(server ?: "");
        p->source = strdup(source);
        if (!p->server || !p->source)
                return -ENOMEM;

        r = pulse_glue_new(event, &p->glue);
        if (r < 0)
                return r;

        pulse_mirror_connect(p);
        *ret = TAKE_PTR(p);
        return 0;
}

void pulse_mirror_set_muted(PulseMirror *p, bool muted) {
        p->want_muted = muted;
        if (p->ready && p->reported != (int) muted)
                pulse_mirror_apply(p);
}

