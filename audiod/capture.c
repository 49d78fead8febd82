/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <poll.h>
#include <sys/epoll.h>

#include "alsa-config.h"
#include "capture.h"
#include "macro.h"

#define CAPTURE_POLLFDS_MAX 8
/* Recoveries in a row without a good period in between, after which the PCM is given up and
 * reopened from scratch (with back-off, by the owner). */
#define CAPTURE_RECOVER_MAX 5
/* A PCM that opened and started but has not handed over a period for this long (at least; two
 * buffers if that is more) is stalled: a sound server's source that never runs, a card whose
 * clock stopped. Not "a few periods": a sound server may hand a source's audio over in blocks
 * of up to its maximum latency, 2 s in PulseAudio (module-sine-source always, a null sink's
 * monitor until a client asks for less), and such a source is slow, not dead. */
#define CAPTURE_STALL_MIN_USEC (2500 * USEC_PER_MSEC)

struct Capture {
        sd_event *event;
        snd_pcm_t *pcm;
        char *pcm_name;
        CaptureCallbacks cb;
        void *userdata;

        unsigned rate, channels;
        snd_pcm_uframes_t period_frames, buffer_frames;
        int card;

        struct pollfd pollfds[CAPTURE_POLLFDS_MAX];
        sd_event_source *io[CAPTURE_POLLFDS_MAX];
        unsigned n_pollfds;

        sd_event_source *stall_timer;
        usec_t stall_usec;
        usec_t last_period_at;          /* CLOCK_MONOTONIC of the last period read, or of the start */

        int16_t *buffer;
        unsigned recover_streak;
        bool discontinuity;
        bool failed;
};

static void capture_io_sources_free(Capture *c) {
        for (unsigned i = 0; i < c->n_pollfds; i++)
                c->io[i] = sd_event_source_disable_unref(c->io[i]);
        c->n_pollfds = 0;
}

static void capture_io_free(Capture *c) {
        capture_io_sources_free(c);
        c->stall_timer = sd_event_source_disable_unref(c->stall_timer);
}

Capture *capture_free(Capture *c) {
        if (!c)
                return NULL;
        capture_io_free(c);
        if (c->pcm) {
                (void) snd_pcm_drop(c->pcm);
                (void) snd_pcm_close(c->pcm);
        }
        sd_event_unref(c->event);
        free(c->pcm_name);
        free(c->buffer);
        free(c);
        return NULL;
}

static void capture_fail(Capture *c, int r) {
        /* Stop listening right away: a PCM in error keeps its fds readable, and a level-triggered
         * loop would spin on them. The owner closes us from the callback or later. */
        capture_io_free(c);
        c->failed = true;
        if (c->cb.on_failure)
                c->cb.on_failure(c, r, c->userdata);
}

/* Overrun, suspend or an error read from the PCM: bring it back, count it, mark the gap. */
static int capture_recover(Capture *c, int err) {
        int r;

        if (err == -ENODEV || err == -ENOTTY || err == -EBADFD)
                return err;

        if (++c->recover_streak > CAPTURE_RECOVER_MAX)
                return -EIO;

        if (err == -EPIPE && c->cb.on_xrun)
                c->cb.on_xrun(c, c->userdata);

        /* Non-blocking PCM: a suspended device that is not resumed yet answers -EAGAIN to resume,
         * and snd_pcm_recover() falls back to prepare, which is what we want then. */
        r = snd_pcm_recover(c->pcm, err, 1);
        if (r < 0)
                return r;
        r = snd_pcm_start(c->pcm);
        if (r < 0 && r != -EBADFD)
                return r;

        c->discontinuity = true;
        return 0;
}

static usec_t capture_first_frame_time(Capture *c, snd_pcm_sframes_t delay) {
        usec_t now = now_usec(CLOCK_MONOTONIC);
        usec_t back = delay > 0 ? (usec_t) delay * USEC_PER_SEC / c->rate : 0;

        return now > back ? now - back : 0;
}

static int capture_read_periods(Capture *c) {
        for (;;) {
                snd_pcm_sframes_t avail, delay, n;
                usec_t ts;
                int r;

                r = snd_pcm_avail_delay(c->pcm, &avail, &delay);
                if (r < 0)
                        return r;
                if ((snd_pcm_uframes_t) avail < c->period_frames)
                        return 0;

                /* The first frame we are about to read was captured "delay" frames ago. */
                ts = capture_first_frame_time(c, delay);

                n = snd_pcm_readi(c->pcm, c->buffer, c->period_frames);
                if (n == -EAGAIN)
                        return 0;
                if (n < 0)
                        return (int) n;

                c->recover_streak = 0;
                c->last_period_at = now_usec(CLOCK_MONOTONIC);
                if (c->cb.on_period)
                        c->cb.on_period(c, c->buffer, (size_t) n, ts, c->discontinuity, c->userdata);
                c->discontinuity = false;

                /* The callback may have closed us (failure elsewhere); never touch a freed PCM. */
                if (c->failed)
                        return 0;
        }
}

static int capture_setup_io(Capture *c);

/* alsa-lib's own snd_pcm_wait() asks for the poll descriptors again before every poll, and ioplug
 * plugins rely on it: PipeWire's ALSA plugin drains its eventfd in its poll_descriptors callback
 * once less than avail_min is ready, and nowhere else after a read. A loop that asks once and
 * then waits on the fd for good finds it readable for ever, and spins between periods. So ask
 * again whenever we are done with the PCM for now; it is a copy of one fd for a card. */
static int capture_rearm(Capture *c) {
        struct pollfd pfds[CAPTURE_POLLFDS_MAX];
        bool same;
        int n;

        n = snd_pcm_poll_descriptors(c->pcm, pfds, CAPTURE_POLLFDS_MAX);
        if (n < 0)
                return n;

        same = (unsigned) n == c->n_pollfds;
        for (unsigned i = 0; same && i < c->n_pollfds; i++)
                same = pfds[i].fd == c->pollfds[i].fd && pfds[i].events == c->pollfds[i].events;
        if (same)
                return 0;

        /* Other descriptors (a plugin that made its stream anew on recovery): listen to those. */
        capture_io_sources_free(c);
        return capture_setup_io(c);
}

static void capture_handle_io(Capture *c, sd_event_source *s, uint32_t revents) {
        unsigned short pcm_revents = 0;
        int r;

        for (unsigned i = 0; i < c->n_pollfds; i++)
                c->pollfds[i].revents = c->io[i] == s ? (short) revents : 0;

        r = snd_pcm_poll_descriptors_revents(c->pcm, c->pollfds, c->n_pollfds, &pcm_revents);
        if (r < 0) {
                capture_fail(c, r);
                return;
        }

        if (pcm_revents & (POLLERR | POLLNVAL | POLLHUP)) {
                snd_pcm_state_t state = snd_pcm_state(c->pcm);

                if (state == SND_PCM_STATE_DISCONNECTED)
                        r = -ENODEV;
                else if (state == SND_PCM_STATE_XRUN)
                        r = capture_recover(c, -EPIPE);
                else if (state == SND_PCM_STATE_SUSPENDED)
                        r = capture_recover(c, -ESTRPIPE);
                else
                        r = 0;
                if (r < 0) {
                        capture_fail(c, r);
                        return;
                }
        }

        if (!(pcm_revents & POLLIN))
                return;

        r = capture_read_periods(c);
        if (r < 0 && !c->failed) {
                r = capture_recover(c, r);
                if (r < 0)
                        capture_fail(c, r);
        }
}

static int capture_on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Capture *c = userdata;
        int r;

        capture_handle_io(c, s, revents);
        if (c->failed)
                return 0;

        r = capture_rearm(c);
        if (r < 0)
                capture_fail(c, r);
        return 0;
}

/* Fires at most once per stall_usec while periods flow: it only moves itself on to the last
 * period's time plus stall_usec, so the capture path never touches the timer. */
static int capture_on_stall_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Capture *c = userdata;
        usec_t deadline = c->last_period_at + c->stall_usec;

        if (deadline > usec) {
                (void) sd_event_source_set_time(s, deadline);
                return sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
        }

        capture_fail(c, -ETIME);
        return 0;
}

static int capture_setup_stall_timer(Capture *c) {
        int r;

        c->stall_usec = MAX(CAPTURE_STALL_MIN_USEC, 2 * (usec_t) c->buffer_frames * USEC_PER_SEC / c->rate);
        c->last_period_at = now_usec(CLOCK_MONOTONIC);
        r = sd_event_add_time(c->event, &c->stall_timer, CLOCK_MONOTONIC, c->last_period_at + c->stall_usec,
                              c->stall_usec / 10, capture_on_stall_timer, c);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(c->stall_timer, "alsa-capture-stall");
        return 0;
}

static int capture_setup_io(Capture *c) {
        int n, r;

        n = snd_pcm_poll_descriptors_count(c->pcm);
        if (n <= 0 || n > CAPTURE_POLLFDS_MAX)
                return -EINVAL;

        n = snd_pcm_poll_descriptors(c->pcm, c->pollfds, (unsigned) n);
        if (n < 0)
                return n;
        c->n_pollfds = (unsigned) n;

        for (unsigned i = 0; i < c->n_pollfds; i++) {
                /* poll(2) and epoll share the bit values for IN/OUT/ERR/HUP/PRI. */
                r = sd_event_add_io(c->event, &c->io[i], c->pollfds[i].fd,
                                    (uint32_t) c->pollfds[i].events & (EPOLLIN | EPOLLOUT | EPOLLPRI),
                                    capture_on_io, c);
                if (r < 0)
                        return r;
                (void) sd_event_source_set_priority(c->io[i], SD_EVENT_PRIORITY_IMPORTANT);
                (void) sd_event_source_set_description(c->io[i], "alsa-capture");
        }
        return 0;
}

static int capture_configure(Capture *c, const CaptureParams *p) {
        snd_pcm_hw_params_t *hw;
        snd_pcm_sw_params_t *sw;
        unsigned period_usec = p->period_usec, buffer_usec = p->buffer_usec;
        int dir = 0, r;

        snd_pcm_hw_params_alloca(&hw);
        snd_pcm_sw_params_alloca(&sw);

        r = snd_pcm_hw_params_any(c->pcm, hw);
        if (r < 0)
                return r;
        r = snd_pcm_hw_params_set_access(c->pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED);
        if (r < 0)
                return r;
        r = snd_pcm_hw_params_set_format(c->pcm, hw, SND_PCM_FORMAT_S16);
        if (r < 0)
                return r;
        r = snd_pcm_hw_params_set_channels(c->pcm, hw, p->channels);
        if (r < 0)
                return r;
        r = snd_pcm_hw_params_set_rate_resample(c->pcm, hw, 1);
        if (r < 0)
                return r;
        c->rate = p->rate;
        r = snd_pcm_hw_params_set_rate_near(c->pcm, hw, &c->rate, NULL);
        if (r < 0)
                return r;
        if (c->rate != p->rate)
                return -EINVAL;
        r = snd_pcm_hw_params_set_buffer_time_near(c->pcm, hw, &buffer_usec, &dir);
        if (r < 0)
                return r;
        r = snd_pcm_hw_params_set_period_time_near(c->pcm, hw, &period_usec, &dir);
        if (r < 0)
                return r;
        r = snd_pcm_hw_params(c->pcm, hw);
        if (r < 0)
                return r;

        (void) snd_pcm_hw_params_get_period_size(hw, &c->period_frames, &dir);
        (void) snd_pcm_hw_params_get_buffer_size(hw, &c->buffer_frames);
        if (c->period_frames == 0 || c->period_frames > 16384)
                return -EINVAL;
        c->channels = p->channels;

        r = snd_pcm_sw_params_current(c->pcm, sw);
        if (r < 0)
                return r;
        /* Wake once per period, and keep running after an overrun only through our recovery. */
        r = snd_pcm_sw_params_set_avail_min(c->pcm, sw, c->period_frames);
        if (r < 0)
                return r;
        r = snd_pcm_sw_params_set_start_threshold(c->pcm, sw, 1);
        if (r < 0)
                return r;
        r = snd_pcm_sw_params_set_tstamp_mode(c->pcm, sw, SND_PCM_TSTAMP_ENABLE);
        if (r < 0)
                return r;
        return snd_pcm_sw_params(c->pcm, sw);
}

static char *capture_pcm_name_for(const char *device) {
        /* A raw hw: device takes only the card's own formats; plughw: converts for us. */
        if (strncmp(device, "hw:", 3) == 0) {
                char *s;

                if (asprintf(&s, "plug%s", device) < 0)
                        return NULL;
                return s;
        }
        return strdup(device);
}

int capture_open(sd_event *event, const CaptureParams *p, const CaptureCallbacks *cb,
                 void *userdata, Capture **ret) {
        /* Declared first so that it goes last, once the PCM is set up (or closed). */
        _cleanup_(alsa_config_deletep) snd_config_t *config = NULL;
        _cleanup_(capture_freep) Capture *c = NULL;
        snd_pcm_info_t *info;
        int r;

        assert(event);
        assert(p && p->device);
        assert(ret);

        c = calloc(1, sizeof(Capture));
        if (!c)
                return -ENOMEM;
        c->event = sd_event_ref(event);
        c->cb = *cb;
        c->userdata = userdata;
        c->card = -1;
        c->pcm_name = capture_pcm_name_for(p->device);
        if (!c->pcm_name)
                return -ENOMEM;

        r = alsa_pcm_open(&c->pcm, &config, c->pcm_name, SND_PCM_STREAM_CAPTURE, SND_PCM_NONBLOCK);
        if (r < 0) {
                c->pcm = NULL;
                return r;
        }

        r = capture_configure(c, p);
        if (r < 0)
                return r;

        snd_pcm_info_alloca(&info);
        if (snd_pcm_info(c->pcm, info) >= 0)
                c->card = snd_pcm_info_get_card(info);

        c->buffer = malloc(c->period_frames * c->channels * sizeof(int16_t));
        if (!c->buffer)
                return -ENOMEM;

        r = capture_setup_io(c);
        if (r < 0)
                return r;

        /* A capture stream set up by hand (or with snd_pcm_set_params()) does not start itself. */
        r = snd_pcm_start(c->pcm);
        if (r < 0)
                return r;

        r = capture_setup_stall_timer(c);
        if (r < 0)
                return r;

        c->discontinuity = true;
        *ret = TAKE_PTR(c);
        return 0;
}

unsigned capture_rate(const Capture *c) {
        return c->rate;
}

unsigned capture_channels(const Capture *c) {
        return c->channels;
}

unsigned capture_period_frames(const Capture *c) {
        return (unsigned) c->period_frames;
}

int capture_card(const Capture *c) {
        return c->card;
}

usec_t capture_stall_usec(const Capture *c) {
        return c->stall_usec;
}

const char *capture_pcm_name(const Capture *c) {
        return c->pcm_name;
}
