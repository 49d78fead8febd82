/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* IR through a LIRC device in LIRC_MODE_PULSE. A write() to /dev/lircN returns only once the
 * signal has been sent (a few hundred milliseconds for an A/C frame), so the writes happen on a
 * sender thread and the event loop hears of the result through an eventfd. The device is opened
 * on first use and reopened after an error, so a transmitter that comes back is picked up by the
 * next retry. A regular file or a FIFO in place of the device gets the raw samples (native
 * 32-bit words, exactly what the device would get), for tests and dry runs. With a receiver
 * configured, the presses of the unit's own remote that decode as the configured protocol update
 * the state (see lirc-receiver.c). A receiver near the transmitter hears hvacd's own frames too
 * (rc-loopback hears every one): a frame with the bytes last sent, heard while it was being sent
 * or shortly after, is that echo and says nothing of the remote. A remote that sends its clock
 * sets the unit's clock with every press: hvacd sends the local time there too (the hub's time
 * zone), unless lirc.clock pins the options' values. */

#include <errno.h>
#include <fcntl.h>
#include <linux/lirc.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>

#include "backend.h"
#include "lirc-receiver.h"
#include "log.h"
#include "macro.h"
#include "time-util.h"

typedef struct LircBackend {
        HvacBackend backend;
        char *device;
        const IrProtocol *protocol;
        const IrFanTable *fan_table;    /* NULL: the protocol has one */
        unsigned options[IR_OPTIONS_MAX];
        unsigned carrier;
        bool clock_local;               /* the protocol's clock from the local time at each send */

        IrFrame frame;                  /* the one in flight; the thread reads it */
        uint8_t sent[IR_STATE_BYTES_MAX];       /* its state bytes, to know its echo */
        usec_t echo_until;              /* CLOCK_MONOTONIC; while sending: UINT64_MAX */

        pthread_mutex_t lock;
        pthread_cond_t wake;
        pthread_t thread;
        bool thread_started;
        bool pending;                   /* under lock */
        bool quit;                      /* under lock */
        int result;                     /* under lock */

        int done_fd;
        sd_event_source *done_source;

        int fd;                         /* sender thread only */
        bool is_lirc;                   /* sender thread only */

        LircReceiver *receiver;
} LircBackend;

#define LIRC_EAGAIN_WAIT_MSEC 1000
/* A receiver reports a press once it has been silent for its timeout (rc-core's default is
 * 125 ms); the echo of a frame arrives well within this after the write returned. */
#define LIRC_ECHO_USEC (1 * USEC_PER_SEC)

static int lirc_open_device(LircBackend *l) {
        _cleanup_close_ int fd = -EBADF;
        unsigned features = 0;
        struct stat st;
        int r;

        fd = open(l->device, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();

        if (S_ISCHR(st.st_mode)) {
                r = lirc_get_features(fd, &features);
                if (r < 0)
                        return r;
                if (!(features & LIRC_CAN_SEND_PULSE))
                        return -EOPNOTSUPP;
                l->is_lirc = true;
        } else if (S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode))
                l->is_lirc = false;
        else
                return -ENODEV;

        l->fd = TAKE_FD(fd);
        return 0;
}

static int lirc_configure(LircBackend *l, const IrFrame *f) {
        unsigned features = 0, mode = LIRC_MODE_PULSE, carrier = f->carrier, duty = f->duty_cycle;

        if (!l->is_lirc)
                return 0;

        if (ioctl(l->fd, LIRC_GET_FEATURES, &features) < 0)
                return negative_errno();
        if (ioctl(l->fd, LIRC_SET_SEND_MODE, &mode) < 0 && errno != ENOTTY)
                return negative_errno();
        /* The carrier is device-global state that anyone (ir-ctl) may change: set it each time. */
        if ((features & LIRC_CAN_SET_SEND_CARRIER) && ioctl(l->fd, LIRC_SET_SEND_CARRIER, &carrier) < 0)
                return negative_errno();
        if ((features & LIRC_CAN_SET_SEND_DUTY_CYCLE) && ioctl(l->fd, LIRC_SET_SEND_DUTY_CYCLE, &duty) < 0)
                return negative_errno();
        return 0;
}

static int lirc_write_frame(LircBackend *l, const IrFrame *f) {
        const char *p = (const char *) f->samples;
        size_t size = f->n * sizeof(f->samples[0]), done = 0;

        /* One write is one transmission; the kernel takes at most IR_FRAME_SAMPLES_MAX. */
        assert(f->n > 0 && f->n <= IR_FRAME_SAMPLES_MAX && f->n % 2 == 1);

        while (done < size) {
                ssize_t n = write(l->fd, p + done, size - done);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN) {
                                struct pollfd pfd = { .fd = l->fd, .events = POLLOUT };

                                if (poll(&pfd, 1, LIRC_EAGAIN_WAIT_MSEC) == 0)
                                        return -ETIMEDOUT;
                                continue;
                        }
                        return negative_errno();
                }
                /* Half an IR frame cannot be resumed: the unit would see garbage. */
                if (l->is_lirc && (size_t) n != size)
                        return -EIO;
                done += (size_t) n;
        }
        return 0;
}

static int lirc_send(LircBackend *l, const IrFrame *f) {
        int r;

        if (l->fd < 0) {
                r = lirc_open_device(l);
                if (r < 0)
                        return r;
        }
        r = lirc_configure(l, f);
        if (r >= 0)
                r = lirc_write_frame(l, f);
        if (r < 0)
                l->fd = safe_close(l->fd);
        return r;
}

static void *lirc_sender_thread(void *userdata) {
        LircBackend *l = userdata;
        uint64_t one = 1;

        pthread_mutex_lock(&l->lock);
        for (;;) {
                int r;

                while (!l->pending && !l->quit)
                        pthread_cond_wait(&l->wake, &l->lock);
                /* A frame handed over before the stop still goes out. */
                if (!l->pending)
                        break;

                pthread_mutex_unlock(&l->lock);
                r = lirc_send(l, &l->frame);
                pthread_mutex_lock(&l->lock);

                l->pending = false;
                l->result = r;
                if (write(l->done_fd, &one, sizeof(one)) < 0)
                        break;  /* cannot happen with an eventfd below its maximum */
        }
        pthread_mutex_unlock(&l->lock);
        return NULL;
}

static int lirc_on_done(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        LircBackend *l = userdata;
        uint64_t n;
        int r;

        if (read(fd, &n, sizeof(n)) < 0)
                return 0;

        pthread_mutex_lock(&l->lock);
        r = l->result;
        pthread_mutex_unlock(&l->lock);

        l->echo_until = r >= 0 ? now_usec(CLOCK_MONOTONIC) + LIRC_ECHO_USEC : 0;
        if (l->backend.callbacks.transmitted)
                l->backend.callbacks.transmitted(&l->backend, r, l->backend.userdata);
        return 0;
}

int lirc_config_options(const LircConfig *c, const IrProtocol *p, unsigned ret[IR_OPTIONS_MAX]) {
        ir_options_default(p, ret);
        for (size_t i = 0; i < c->n_option_settings; i++)
                if (ir_option_set(p, ret, c->option_settings[i].name, c->option_settings[i].value) < 0)
                        return -EINVAL;
        return 0;
}

const IrOptionSetting *lirc_config_clock_option(const LircConfig *c, const IrProtocol *p) {
        for (size_t i = 0; i < c->n_option_settings; i++) {
                int k = ir_option_index(p, c->option_settings[i].name);

                if (k >= 0 && p->options[k].clock)
                        return &c->option_settings[i];
        }
        return NULL;
}

bool lirc_config_clock_local(const LircConfig *c, const IrProtocol *p) {
        if (c->clock)
                return streq(c->clock, "local");
        return !lirc_config_clock_option(c, p);
}

/* The options of this send: the configured ones, with the remote's clock at the local time. */
static int lirc_send_options(LircBackend *l, unsigned options[IR_OPTIONS_MAX]) {
        struct timespec ts;
        struct tm tm;

        memcpy(options, l->options, sizeof(l->options));
        if (!l->clock_local || !l->protocol->set_clock)
                return 0;
        if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
                return negative_errno();
        /* TZ may have changed since the last send. */
        tzset();
        if (!localtime_r(&ts.tv_sec, &tm))
                return -EOVERFLOW;
        l->protocol->set_clock(options, &tm);
        return 0;
}

static int lirc_transmit(HvacBackend *b, const HvacState *s) {
        LircBackend *l = (LircBackend *) b;
        unsigned options[IR_OPTIONS_MAX];
        IrDecoded heard;
        int r;

        pthread_mutex_lock(&l->lock);
        r = l->pending ? -EBUSY : 0;
        pthread_mutex_unlock(&l->lock);
        if (r < 0)
                return r;

        r = lirc_send_options(l, options);
        if (r < 0)
                return r;
        memset(l->sent, 0, sizeof(l->sent));
        r = ir_build(l->protocol, l->fan_table, s, options, l->sent);
        if (r < 0)
                return r;
        r = l->protocol->encode(l->sent, &l->frame);
        if (r < 0)
                return r;
        if (l->carrier > 0)
                l->frame.carrier = l->carrier;
        /* The echo is known by the bytes a receiver reads from the frame: a clock the frame does
         * not carry (Hitachi's without its clock message) reads as the decoder leaves it. */
        if (ir_decode_table(l->protocol, l->fan_table, l->frame.samples, l->frame.n, &heard) >= 0)
                memcpy(l->sent, heard.bytes, sizeof(l->sent));

        if (!l->thread_started) {
                r = -pthread_create(&l->thread, NULL, lirc_sender_thread, l);
                if (r < 0)
                        return r;
                l->thread_started = true;
        }

        l->echo_until = UINT64_MAX;
        pthread_mutex_lock(&l->lock);
        l->pending = true;
        pthread_cond_signal(&l->wake);
        pthread_mutex_unlock(&l->lock);
        return -EINPROGRESS;
}

static bool lirc_is_echo(LircBackend *l, const IrDecoded *d) {
        return now_usec(CLOCK_MONOTONIC) < l->echo_until &&
                memcmp(d->bytes, l->sent, l->protocol->state_bytes) == 0;
}

/* A press on the unit's own remote, heard by the receiver: only frames of the configured
 * protocol count, and not the echo of hvacd's own. */
static void lirc_on_received(LircReceiver *r, const uint32_t *samples, size_t n, void *userdata) {
        LircBackend *l = userdata;
        IrDecoded d;
        int k;

        k = ir_decode_table(l->protocol, l->fan_table, samples, n, &d);
        if (k < 0) {
                log_debug("Ignoring %zu IR samples that are no %s frame: %s.", n, l->protocol->name,
                          ir_decode_strerror(k));
                return;
        }
        if (lirc_is_echo(l, &d)) {
                log_debug("Heard the %s frame just sent, not the remote.", l->protocol->name);
                return;
        }
        l->backend.heard = true;
        if (l->backend.callbacks.received)
                l->backend.callbacks.received(&l->backend, &d.state, d.has_fan, d.has_temperature,
                                              l->backend.userdata);
}

static void lirc_free(HvacBackend *b) {
        LircBackend *l = (LircBackend *) b;

        lirc_receiver_free(l->receiver);

        if (l->thread_started) {
                pthread_mutex_lock(&l->lock);
                l->quit = true;
                pthread_cond_signal(&l->wake);
                pthread_mutex_unlock(&l->lock);
                (void) pthread_join(l->thread, NULL);
        }
        pthread_mutex_destroy(&l->lock);
        pthread_cond_destroy(&l->wake);

        sd_event_source_disable_unref(l->done_source);
        safe_close(l->done_fd);
        safe_close(l->fd);
        sd_event_unref(l->backend.event);
        free(l->device);
        free(l);
}

static const HvacBackendOps lirc_ops = {
        .name = "lirc",
        .assumed = true,
        .transmit = lirc_transmit,
        .current_temperature = NULL,
        .free = lirc_free,
};

int hvac_backend_new_lirc(sd_event *event, const LircConfig *config,
                          const HvacBackendCallbacks *callbacks, void *userdata, HvacBackend **ret) {
        _cleanup_(hvac_backend_freep) HvacBackend *b = NULL;
        LircBackend *l;
        int r;

        assert(event && config && ret);

        if (isempty(config->device))
                return -EINVAL;

        l = calloc(1, sizeof(LircBackend));
        if (!l)
                return -ENOMEM;
        l->backend = (HvacBackend) {
                .ops = &lirc_ops,
                .event = sd_event_ref(event),
                .callbacks = *callbacks,
                .userdata = userdata,
        };
        l->fd = l->done_fd = -EBADF;
        pthread_mutex_init(&l->lock, NULL);
        pthread_cond_init(&l->wake, NULL);
        b = &l->backend;

        l->protocol = ir_protocol_find(config->protocol);
        if (!l->protocol)
                return -EPROTONOSUPPORT;
        l->fan_table = ir_fan_table_find(l->protocol, config->fan_table);
        if (!l->fan_table && !isempty(config->fan_table))
                return -EINVAL;
        r = lirc_config_options(config, l->protocol, l->options);
        if (r < 0)
                return r;
        if (config->clock && !streq(config->clock, "local") && !streq(config->clock, "fixed"))
                return -EINVAL;
        l->clock_local = lirc_config_clock_local(config, l->protocol);
        l->carrier = config->carrier;
        l->device = strdup(config->device);
        if (!l->device)
                return -ENOMEM;

        l->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (l->done_fd < 0)
                return negative_errno();
        r = sd_event_add_io(event, &l->done_source, l->done_fd, EPOLLIN, lirc_on_done, l);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(l->done_source, "lirc-done");

        if (!isempty(config->receiver)) {
                r = lirc_receiver_new(event, config->receiver, lirc_on_received, l, &l->receiver);
                if (r < 0)
                        return log_error_errno(r, "Failed to open the IR receiver %s: %m", config->receiver);
        }

        *ret = TAKE_PTR(b);
        return 0;
}
