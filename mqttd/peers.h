/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What mqttd knows of the other services, followed on the bus: each one's name owner
 * (NameOwnerChanged), its properties (GetAll when it appears, then PropertiesChanged), and
 * wakeword's signals. This file alone talks to the bus about them; the rest of mqttd sees only
 * the views below and one callback. */

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "macro.h"

typedef struct HvacView {
        bool present;                   /* hvacd is on the bus and its properties were read */
        bool power;
        char *mode;
        char *fan_speed;
        double target_temperature;
        double current_temperature;     /* NaN: no sensor */
        double min_temperature, max_temperature, temperature_step;
} HvacView;

typedef struct AudioView {
        bool present;
        bool muted;
} AudioView;

typedef struct WakeWordView {
        bool present;
        char *last_command;             /* LastCommand, then each CommandRecognized's text */
} WakeWordView;

typedef enum PeerChange {
        PEER_CHANGE_HVAC = 1 << 0,
        PEER_CHANGE_AUDIO = 1 << 1,
        PEER_CHANGE_WAKE_WORD = 1 << 2, /* presence or last_command */
} PeerChange;

typedef struct Peers Peers;

/* "changed" says which views changed (PeerChange bits); "wake" reports each WakeWordDetected. */
typedef struct PeersCallbacks {
        void (*changed)(Peers *p, unsigned what, void *userdata);
        void (*wake)(Peers *p, const char *phrase, double score, void *userdata);
} PeersCallbacks;

int peers_new(sd_bus *bus, const PeersCallbacks *callbacks, void *userdata, Peers **ret);
Peers *peers_free(Peers *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(Peers *, peers_free);

const HvacView *peers_hvac(Peers *p);
const AudioView *peers_audio(Peers *p);
const WakeWordView *peers_wake_word(Peers *p);
