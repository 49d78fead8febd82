/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Follows audiod on the bus and keeps a stream open from it: OpenStream() when audiod's name
 * appears (NameOwnerChanged, no polling), reconnection with back-off when the stream breaks while
 * audiod is there, and its Muted and State properties through PropertiesChanged. Nothing runs
 * while audiod is absent. */

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "macro.h"


typedef struct StreamClient StreamClient;

typedef struct StreamClientCallbacks {
        /* Mono samples at 16 kHz; "gap" when audio was lost just before them. */
        void (*audio)(const int16_t *samples, size_t n, uint64_t first_usec, bool gap, void *userdata);
        /* Having audio or being muted changed. */
        void (*state_changed)(void *userdata);
} StreamClientCallbacks;

int stream_client_new(sd_event *event, sd_bus *bus, const StreamClientCallbacks *callbacks, void *userdata,
                      StreamClient **ret);
StreamClient *stream_client_free(StreamClient *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(StreamClient *, stream_client_free);

/* Starts following audiod. */
int stream_client_start(StreamClient *c);

/* A stream is open and audiod is capturing: audio comes, or silence does. */
bool stream_client_has_audio(StreamClient *c);
bool stream_client_is_muted(StreamClient *c);
