/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "audio-packet.h"
#include "stream.h"

/* Enough queued in the kernel for about a second of 20 ms periods: a client that is briefly
 * busy loses nothing, one that stopped reading loses packets instead of stalling anyone. */
#define STREAM_SNDBUF (64 * 1024)

typedef struct StreamClient StreamClient;

struct StreamClient {
        StreamSet *set;
        int fd;
        sd_event_source *io;
        uint64_t sequence;
        uint64_t dropped;
        StreamClient *next;
};

struct StreamSet {
        sd_event *event;
        StreamClient *clients;
        unsigned n_clients, max_clients;
        uint64_t dropped;
        bool discontinuity;
        stream_set_changed_t on_changed;
        void *userdata;
};

static void stream_client_free(StreamClient *c) {
        if (!c)
                return;
        sd_event_source_disable_unref(c->io);
        safe_close(c->fd);
        free(c);
}

static void stream_set_remove(StreamSet *s, StreamClient *c) {
        for (StreamClient **p = &s->clients; *p; p = &(*p)->next)
                if (*p == c) {
                        *p = c->next;
                        s->n_clients--;
                        break;
                }
        stream_client_free(c);
        if (s->on_changed)
                s->on_changed(s, s->userdata);
}

StreamSet *stream_set_free(StreamSet *s) {
        if (!s)
                return NULL;
        while (s->clients) {
                StreamClient *c = s->clients;
                s->clients = c->next;
                stream_client_free(c);
        }
        sd_event_unref(s->event);
        free(s);
        return NULL;
}

int stream_set_new(sd_event *event, unsigned max_clients, stream_set_changed_t on_changed,
                   void *userdata, StreamSet **ret) {
        StreamSet *s;

        s = calloc(1, sizeof(StreamSet));
        if (!s)
                return -ENOMEM;
        s->event = sd_event_ref(event);
        s->max_clients = max_clients;
        s->on_changed = on_changed;
        s->userdata = userdata;
        *ret = s;
        return 0;
}

static int stream_client_on_io(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        StreamClient *c = userdata;
        char buf[64];
        ssize_t n;

        /* Clients have nothing to tell us; anything they send is read and dropped. End of file,
         * an error or a hang-up ends the client. */
        if (revents & EPOLLIN) {
                n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
                if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
                        if (!(revents & (EPOLLHUP | EPOLLRDHUP | EPOLLERR)))
                                return 0;
        }

        stream_set_remove(c->set, c);
        return 0;
}

int stream_set_add_client(StreamSet *s, int *ret_peer_fd) {
        _cleanup_close_ int peer = -EBADF;
        StreamClient *c;
        int pair[2], sndbuf = STREAM_SNDBUF, r;

        assert(s);
        assert(ret_peer_fd);

        if (s->n_clients >= s->max_clients)
                return -EUSERS;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, pair) < 0)
                return negative_errno();
        peer = pair[1];

        c = calloc(1, sizeof(StreamClient));
        if (!c) {
                safe_close(pair[0]);
                return -ENOMEM;
        }
        c->set = s;
        c->fd = pair[0];

        (void) setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
        r = sd_event_add_io(s->event, &c->io, c->fd, EPOLLIN | EPOLLRDHUP, stream_client_on_io, c);
        if (r < 0) {
                stream_client_free(c);
                return r;
        }
        (void) sd_event_source_set_description(c->io, "stream-client");

        c->next = s->clients;
        s->clients = c;
        s->n_clients++;

        if (s->on_changed)
                s->on_changed(s, s->userdata);

        *ret_peer_fd = TAKE_FD(peer);
        return 0;
}

void stream_set_send(StreamSet *s, const int16_t *samples, size_t frames, unsigned channels,
                     unsigned rate, usec_t timestamp, bool discontinuity) {
        StreamClient *next;

        if (s->discontinuity) {
                discontinuity = true;
                s->discontinuity = false;
        }

        for (StreamClient *c = s->clients; c; c = next) {
                AudioPacketHeader h;
                struct iovec iov[2];
                struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
                ssize_t n;

                next = c->next;

                /* A client's first packet always starts a new stretch of audio. */
                audio_packet_header_init(&h, c->sequence, timestamp, (uint32_t) frames,
                                         (uint16_t) channels, rate,
                                         (discontinuity || c->sequence == 0) ? AUDIO_PACKET_DISCONTINUITY : 0);
                c->sequence++;
                iov[0] = (struct iovec) { .iov_base = &h, .iov_len = sizeof(h) };
                iov[1] = (struct iovec) { .iov_base = (void *) samples,
                                          .iov_len = frames * channels * sizeof(int16_t) };

                n = sendmsg(c->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
                if (n >= 0)
                        continue;
                if (errno == EAGAIN || errno == ENOBUFS) {
                        c->dropped++;
                        s->dropped++;
                        continue;
                }
                /* EPIPE, ECONNRESET, …: the client is gone. */
                stream_set_remove(s, c);
        }
}

void stream_set_mark_discontinuity(StreamSet *s) {
        s->discontinuity = true;
}

unsigned stream_set_clients(const StreamSet *s) {
        return s->n_clients;
}

uint64_t stream_set_dropped(const StreamSet *s) {
        return s->dropped;
}
