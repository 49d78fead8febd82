/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>

#include "audio-packet.h"
#include "bus-contract.h"
#include "bus-util.h"
#include "bus-watch.h"
#include "log.h"
#include "stream-client.h"
#include "time-util.h"

#define STREAM_RATE 16000
#define BACKOFF_MIN_USEC (100 * USEC_PER_MSEC)
#define BACKOFF_MAX_USEC (10 * USEC_PER_SEC)

struct StreamClient {
        sd_event *event;
        sd_bus *bus;
        StreamClientCallbacks callbacks;
        void *userdata;

        BusWatch *watch;
        sd_bus_slot *open_call;
        sd_event_source *io, *retry;
        int fd;

        bool audiod_present;
        bool muted;
        bool capturing;         /* audiod's State is "running": it has a microphone to read */
        usec_t backoff;

        bool have_sequence;
        uint64_t next_sequence;
        bool format_warned;
        int16_t mono[AUDIO_PACKET_FRAMES_MAX];
        uint64_t buffer[AUDIO_PACKET_SIZE_MAX / sizeof(uint64_t) + 1];     /* aligned receive buffer */
};

static void notify(StreamClient *c) {
        if (c->callbacks.state_changed)
                c->callbacks.state_changed(c->userdata);
}

bool stream_client_has_audio(StreamClient *c) {
        return c->fd >= 0 && c->capturing;
}

bool stream_client_is_muted(StreamClient *c) {
        return c->audiod_present && c->muted;
}

static void stream_close(StreamClient *c) {
        bool was = c->fd >= 0;

        c->io = sd_event_source_disable_unref(c->io);
        c->fd = safe_close(c->fd);
        c->open_call = sd_bus_slot_unref(c->open_call);
        c->have_sequence = false;
        if (was)
                notify(c);
}

static int stream_connect(StreamClient *c);

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata) {
        StreamClient *c = userdata;

        c->retry = sd_event_source_disable_unref(c->retry);
        if (c->audiod_present && c->fd < 0)
                (void) stream_connect(c);
        return 0;
}

/* The stream broke or could not be opened while audiod is there: try again later, each time
 * waiting twice as long, up to a limit. */
static void retry_schedule(StreamClient *c) {
        int r;

        if (!c->audiod_present || c->retry)
                return;
        c->backoff = c->backoff == 0 ? BACKOFF_MIN_USEC : MIN(c->backoff * 2, BACKOFF_MAX_USEC);
        r = sd_event_add_time_relative(c->event, &c->retry, CLOCK_MONOTONIC, c->backoff, 0, on_retry, c);
        if (r < 0)
                log_error_errno(r, "Failed to schedule reconnection to audiod: %m");
        else
                log_info("Reconnecting to audiod in %llu ms.", (unsigned long long) (c->backoff / USEC_PER_MSEC));
}

static void packet_deliver(StreamClient *c, const AudioPacketHeader *h, const int16_t *samples) {
        bool gap = false;
        const int16_t *mono = samples;

        if (h->rate != STREAM_RATE || h->channels == 0) {
                if (!c->format_warned)
                        log_error("audiod sends %u Hz, %u channels; wakeword needs %u Hz. Ignoring the stream.",
                                  h->rate, h->channels, STREAM_RATE);
                c->format_warned = true;
                return;
        }
        if (h->channels > 1) {
                /* The first channel is enough for recognition. */
                for (uint32_t i = 0; i < h->frames; i++)
                        c->mono[i] = samples[(size_t) i * h->channels];
                mono = c->mono;
        }
        if (c->have_sequence && h->sequence != c->next_sequence)
                gap = true;
        if (h->flags & AUDIO_PACKET_DISCONTINUITY)
                gap = true;
        c->have_sequence = true;
        c->next_sequence = h->sequence + 1;
        if (!c->muted && c->callbacks.audio)
                c->callbacks.audio(mono, h->frames, h->timestamp_usec, gap, c->userdata);
}

static int on_stream(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        StreamClient *c = userdata;

        for (;;) {
                const AudioPacketHeader *h;
                const int16_t *samples;
                ssize_t n;

                n = recv(fd, c->buffer, sizeof c->buffer, MSG_DONTWAIT);
                if (n < 0 && (errno == EAGAIN || errno == EINTR))
                        return 0;
                if (n <= 0) {
                        if (n < 0)
                                log_warning_errno(negative_errno(), "Audio stream failed: %m");
                        else
                                log_info("audiod closed the audio stream.");
                        stream_close(c);
                        retry_schedule(c);
                        return 0;
                }
                if (audio_packet_parse(c->buffer, (size_t) n, &h, &samples) < 0) {
                        log_warning("Dropping malformed audio packet of %zi bytes.", n);
                        continue;
                }
                packet_deliver(c, h, samples);
        }
}

static int on_open_stream(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        StreamClient *c = userdata;
        _cleanup_close_ int fd = -EBADF;
        const sd_bus_error *e;
        int received, r;

        c->open_call = sd_bus_slot_unref(c->open_call);
        e = sd_bus_message_get_error(m);
        if (e) {
                log_warning("OpenStream() failed: %s", e->message ?: e->name);
                retry_schedule(c);
                return 0;
        }
        r = sd_bus_message_read(m, "h", &received);
        if (r < 0) {
                log_warning_errno(r, "Bad OpenStream() reply: %m");
                retry_schedule(c);
                return 0;
        }
        fd = fcntl(received, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return log_error_errno(negative_errno(), "Failed to take the stream fd: %m");
        r = sd_event_add_io(c->event, &c->io, fd, EPOLLIN, on_stream, c);
        if (r < 0) {
                retry_schedule(c);
                return log_error_errno(r, "Failed to watch the audio stream: %m");
        }
        c->fd = TAKE_FD(fd);
        c->backoff = 0;
        log_info("Audio stream from audiod open.");
        notify(c);
        return 0;
}

static int stream_connect(StreamClient *c) {
        int r;

        if (c->open_call)
                return 0;
        r = sd_bus_call_method_async(c->bus, &c->open_call, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH,
                                     VH_AUDIO_INTERFACE, "OpenStream", on_open_stream, c, NULL);
        if (r < 0) {
                retry_schedule(c);
                return log_error_errno(r, "Failed to call OpenStream(): %m");
        }
        return 0;
}

static void muted_set(StreamClient *c, bool muted) {
        if (c->muted == muted)
                return;
        c->muted = muted;
        log_info("audiod %s.", muted ? "muted" : "unmuted");
        notify(c);
}

static void capturing_set(StreamClient *c, const char *state) {
        bool capturing = streq(state, "running");

        if (c->capturing == capturing)
                return;
        c->capturing = capturing;
        log_info("audiod's capture is %s.", state);
        notify(c);
}

static const BusWatchProperty audiod_properties[] = {
        { "Muted", "b" },
        { "State", "s" },
        {}
};

/* One of audiod's properties (from GetAll's reply or PropertiesChanged), of the right type. */
static int property_apply(sd_bus_message *m, const char *name, void *userdata) {
        StreamClient *c = userdata;
        int r;

        if (streq(name, "Muted")) {
                int muted;

                r = sd_bus_message_read(m, "b", &muted);
                if (r < 0)
                        return r;
                muted_set(c, muted);
        } else if (streq(name, "State")) {
                const char *state;

                r = sd_bus_message_read(m, "s", &state);
                if (r < 0)
                        return r;
                capturing_set(c, state);
        }
        return 0;
}

static void properties_read(int r, void *userdata) {
        if (r < 0)
                log_warning_errno(r, "Failed to read audiod's properties: %m");
}

static void property_mistyped(const char *name, const char *got, void *userdata) {
        log_warning("audiod's property %s has type '%s', not the one expected; ignoring it.", name, got);
}

static void audiod_appeared(StreamClient *c) {
        c->audiod_present = true;
        c->backoff = 0;
        c->retry = sd_event_source_disable_unref(c->retry);
        stream_close(c);
        (void) stream_connect(c);
}

static void audiod_vanished(StreamClient *c) {
        c->audiod_present = false;
        c->retry = sd_event_source_disable_unref(c->retry);
        stream_close(c);
        c->muted = false;
        c->capturing = false;
        notify(c);
}

static void owner_changed(const char *owner, void *userdata) {
        StreamClient *c = userdata;

        if (owner) {
                log_info("audiod is on the bus (%s).", owner);
                audiod_appeared(c);
        } else if (c->audiod_present) {
                log_info("audiod left the bus; waiting for it.");
                audiod_vanished(c);
        } else {
                log_info("audiod is not on the bus yet; waiting for it.");
                notify(c);
        }
}

int stream_client_new(sd_event *event, sd_bus *bus, const StreamClientCallbacks *callbacks, void *userdata,
                      StreamClient **ret) {
        StreamClient *c;

        c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        c->event = sd_event_ref(event);
        c->bus = sd_bus_ref(bus);
        c->callbacks = *callbacks;
        c->userdata = userdata;
        c->fd = -EBADF;
        *ret = c;
        return 0;
}

StreamClient *stream_client_free(StreamClient *c) {
        if (!c)
                return NULL;
        c->io = sd_event_source_disable_unref(c->io);
        c->retry = sd_event_source_disable_unref(c->retry);
        safe_close(c->fd);
        bus_watch_free(c->watch);
        sd_bus_slot_unref(c->open_call);
        sd_bus_unref(c->bus);
        sd_event_unref(c->event);
        free(c);
        return NULL;
}

int stream_client_start(StreamClient *c) {
        static const BusWatchCallbacks callbacks = {
                .owner_changed = owner_changed,
                .property = property_apply,
                .properties_read = properties_read,
                .property_mistyped = property_mistyped,
        };
        int r;

        r = bus_watch_new(c->bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE, audiod_properties,
                          &callbacks, c, &c->watch);
        if (r < 0)
                return log_error_errno(r, "Failed to set up watching audiod: %m");
        r = bus_watch_start(c->watch);
        if (r < 0)
                return log_error_errno(r, "Failed to watch audiod on the bus: %m");
        return 0;
}
