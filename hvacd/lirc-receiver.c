/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <linux/lirc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lirc-receiver.h"
#include "log.h"

/* A press of an A/C remote is at most a few frames 40 ms apart; a longer silence ends it, for
 * receivers that send no timeout. */
#define RECEIVER_END_SPACE_USEC 80000
#define RECEIVER_SAMPLES_MAX 2048

struct LircReceiver {
        sd_event_source *source;
        int fd;
        lirc_receiver_handler_t handler;
        void *userdata;
        size_t n;
        uint32_t samples[RECEIVER_SAMPLES_MAX];
};

static void receiver_flush(LircReceiver *r) {
        size_t n = r->n;

        if (n % 2 == 0 && n > 0)
                n--;            /* the silence after the last pulse */
        r->n = 0;
        if (n > 0)
                r->handler(r, r->samples, n, r->userdata);
}

static void receiver_add(LircReceiver *r, bool pulse, uint32_t usec) {
        bool last_is_pulse = r->n % 2 == 1;

        if (usec == 0 || (r->n == 0 && !pulse))
                return;
        if (r->n > 0 && last_is_pulse == pulse) {
                r->samples[r->n - 1] += usec;
                return;
        }
        if (r->n >= RECEIVER_SAMPLES_MAX)
                receiver_flush(r);      /* longer than any remote's press: let the decoder say */
        if (r->n == 0 && !pulse)
                return;
        r->samples[r->n++] = usec;
}

static void receiver_word(LircReceiver *r, uint32_t word) {
        uint32_t value = LIRC_VALUE(word);

        if (LIRC_IS_PULSE(word))
                receiver_add(r, true, value);
        else if (LIRC_IS_SPACE(word)) {
                if (value >= RECEIVER_END_SPACE_USEC)
                        receiver_flush(r);
                else
                        receiver_add(r, false, value);
        } else if (LIRC_IS_TIMEOUT(word))
                receiver_flush(r);
        else if (LIRC_IS_OVERFLOW(word))
                r->n = 0;       /* samples were lost: what is here cannot be trusted */
        /* LIRC_MODE2_FREQUENCY: the carrier, not needed */
}

static int receiver_on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        LircReceiver *r = userdata;
        uint32_t words[256];
        ssize_t n;

        n = read(fd, words, sizeof(words));
        if (n < 0) {
                if (errno == EAGAIN || errno == EINTR)
                        return 0;
                log_warning_errno(negative_errno(), "Failed to read from the IR receiver, no longer following the remote: %m");
                return sd_event_source_set_enabled(s, SD_EVENT_OFF);
        }
        if (n == 0) {
                log_warning("The IR receiver went away, no longer following the remote.");
                return sd_event_source_set_enabled(s, SD_EVENT_OFF);
        }
        for (size_t i = 0; i < (size_t) n / sizeof(words[0]); i++)
                receiver_word(r, words[i]);
        return 0;
}

int lirc_get_features(int fd, unsigned *ret) {
        if (ioctl(fd, LIRC_GET_FEATURES, ret) < 0)
                return errno == ENOTTY || errno == ENOSYS ? -ENODEV : negative_errno();
        return 0;
}

static int receiver_open(const char *path) {
        _cleanup_close_ int fd = -EBADF;
        unsigned features = 0, mode = LIRC_MODE_MODE2, on = 1;
        struct stat st;
        int r;

        if (stat(path, &st) < 0)
                return negative_errno();
        /* A FIFO is opened for writing too, so it never reads as closed between test writers. */
        fd = open(path, (S_ISFIFO(st.st_mode) ? O_RDWR : O_RDONLY) | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        if (S_ISFIFO(st.st_mode))
                return TAKE_FD(fd);
        if (!S_ISCHR(st.st_mode))
                return -ENODEV;

        r = lirc_get_features(fd, &features);
        if (r < 0)
                return r;
        if (!(features & LIRC_CAN_REC_MODE2))
                return -EOPNOTSUPP;
        if (ioctl(fd, LIRC_SET_REC_MODE, &mode) < 0)
                return negative_errno();
        /* The end of a press as a timeout word, where the driver can; else a long space ends it. */
        (void) ioctl(fd, LIRC_SET_REC_TIMEOUT_REPORTS, &on);
        return TAKE_FD(fd);
}

int lirc_receiver_new(sd_event *event, const char *path, lirc_receiver_handler_t handler, void *userdata,
                      LircReceiver **ret) {
        _cleanup_(lirc_receiver_freep) LircReceiver *r = NULL;
        int fd, k;

        assert(event && path && handler && ret);

        fd = receiver_open(path);
        if (fd < 0)
                return fd;
        r = calloc(1, sizeof(LircReceiver));
        if (!r) {
                safe_close(fd);
                return -ENOMEM;
        }
        r->fd = fd;
        r->handler = handler;
        r->userdata = userdata;

        k = sd_event_add_io(event, &r->source, r->fd, EPOLLIN, receiver_on_io, r);
        if (k < 0)
                return k;
        (void) sd_event_source_set_description(r->source, "lirc-receiver");

        *ret = TAKE_PTR(r);
        return 0;
}

LircReceiver *lirc_receiver_free(LircReceiver *r) {
        if (!r)
                return NULL;
        sd_event_source_disable_unref(r->source);
        safe_close(r->fd);
        free(r);
        return NULL;
}
