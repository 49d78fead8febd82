/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Audio stream clients: one SOCK_SEQPACKET socket each, one packet per period (see
 * common/audio-packet.h). Sending never blocks the capture: a client whose socket is full loses
 * the packet, which it sees as a gap in the sequence numbers. A client that hangs up is dropped.
 * No D-Bus here. */

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "macro.h"
#include "time-util.h"

typedef struct StreamSet StreamSet;

typedef void (*stream_set_changed_t)(StreamSet *s, void *userdata);

int stream_set_new(sd_event *event, unsigned max_clients, stream_set_changed_t on_clients_changed,
                   void *userdata, StreamSet **ret);
StreamSet *stream_set_free(StreamSet *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(StreamSet *, stream_set_free);

/* Adds a client; returns the peer end for the caller to pass on (caller owns it).
 * -EUSERS when max_clients are connected. */
int stream_set_add_client(StreamSet *s, int *ret_peer_fd);

/* Sends one period to every client. */
void stream_set_send(StreamSet *s, const int16_t *samples, size_t frames, unsigned channels,
                     unsigned rate, usec_t timestamp, bool discontinuity);

/* Marks the next packet to every client as a discontinuity (after mute, a reopen, …). */
void stream_set_mark_discontinuity(StreamSet *s);

unsigned stream_set_clients(const StreamSet *s);
uint64_t stream_set_dropped(const StreamSet *s);
