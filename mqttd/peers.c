/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bus-contract.h"
#include "bus-watch.h"
#include "log.h"
#include "peers.h"

typedef enum PeerId {
        PEER_HVAC,
        PEER_AUDIO,
        PEER_WAKE_WORD,
        _PEER_MAX,
} PeerId;

static const BusWatchProperty hvac_properties[] = {
        { "Power", "b" },
        { "Mode", "s" },
        { "FanSpeed", "s" },
        { "TargetTemperature", "d" },
        { "CurrentTemperature", "d" },
        { "MinTemperature", "d" },
        { "MaxTemperature", "d" },
        { "TemperatureStep", "d" },
        {}
};

static const BusWatchProperty audio_properties[] = {
        { "Muted", "b" },
        {}
};

static const BusWatchProperty wake_word_properties[] = {
        { "LastCommand", "s" },
        {}
};

typedef struct PeerInfo {
        const char *name, *path, *interface;
        const BusWatchProperty *properties;
        unsigned change;
} PeerInfo;

static const PeerInfo peer_info[_PEER_MAX] = {
        [PEER_HVAC] = { VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, hvac_properties,
                        PEER_CHANGE_HVAC },
        [PEER_AUDIO] = { VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE, audio_properties,
                         PEER_CHANGE_AUDIO },
        [PEER_WAKE_WORD] = { VH_WAKEWORD_BUS_NAME, VH_WAKEWORD_OBJECT_PATH, VH_WAKEWORD_INTERFACE,
                             wake_word_properties, PEER_CHANGE_WAKE_WORD },
};

typedef struct Peer {
        Peers *peers;
        PeerId id;
        BusWatch *watch;
        bool get_all_pending;           /* an owner appeared: the next read is GetAll's */
        bool *present;
} Peer;

struct Peers {
        sd_bus *bus;
        PeersCallbacks callbacks;
        void *userdata;
        Peer peer[_PEER_MAX];
        sd_bus_slot *wake_detected, *command_recognized;

        HvacView hvac;
        AudioView audio;
        WakeWordView wake_word;
};

static void peers_notify(Peers *p, unsigned what) {
        if (what && p->callbacks.changed)
                p->callbacks.changed(p, what, p->userdata);
}

static int read_string(sd_bus_message *m, char **dest) {
        const char *s;
        char *copy;
        int r;

        r = sd_bus_message_read(m, "s", &s);
        if (r < 0)
                return r;
        copy = strdup(s);
        if (!copy)
                return -ENOMEM;
        free(*dest);
        *dest = copy;
        return 0;
}

static int read_bool(sd_bus_message *m, bool *dest) {
        int b, r;

        r = sd_bus_message_read(m, "b", &b);
        if (r >= 0)
                *dest = b;
        return r;
}

/* One property of a peer's table, of the table's type (bus-watch checked it). */
static int on_property(sd_bus_message *m, const char *name, void *userdata) {
        Peer *peer = userdata;
        Peers *p = peer->peers;

        switch (peer->id) {
        case PEER_HVAC:
                if (streq(name, "Power"))
                        return read_bool(m, &p->hvac.power);
                if (streq(name, "Mode"))
                        return read_string(m, &p->hvac.mode);
                if (streq(name, "FanSpeed"))
                        return read_string(m, &p->hvac.fan_speed);
                if (streq(name, "TargetTemperature"))
                        return sd_bus_message_read(m, "d", &p->hvac.target_temperature);
                if (streq(name, "CurrentTemperature"))
                        return sd_bus_message_read(m, "d", &p->hvac.current_temperature);
                if (streq(name, "MinTemperature"))
                        return sd_bus_message_read(m, "d", &p->hvac.min_temperature);
                if (streq(name, "MaxTemperature"))
                        return sd_bus_message_read(m, "d", &p->hvac.max_temperature);
                return sd_bus_message_read(m, "d", &p->hvac.temperature_step);
        case PEER_AUDIO:
                return read_bool(m, &p->audio.muted);
        default:
                return read_string(m, &p->wake_word.last_command);
        }
}

static void on_properties_read(int r, void *userdata) {
        Peer *peer = userdata;
        const PeerInfo *i = &peer_info[peer->id];

        if (!peer->get_all_pending) {
                /* A PropertiesChanged: believed once GetAll brought the whole picture. */
                if (r < 0)
                        log_warning_errno(r, "Failed to read a property change of %s: %m", i->name);
                else if (*peer->present)
                        peers_notify(peer->peers, i->change);
                return;
        }
        peer->get_all_pending = false;
        if (r < 0) {
                log_warning_errno(r, "Failed to read the properties of %s: %m", i->name);
                return;
        }
        log_info("%s is on the bus.", i->name);
        *peer->present = true;
        peers_notify(peer->peers, i->change);
}

static void on_property_mistyped(const char *name, const char *got, void *userdata) {
        Peer *peer = userdata;

        log_warning("%s's property %s has type '%s', not the one expected; ignoring it.", peer_info[peer->id].name,
                    name, got);
}

static void on_owner_changed(const char *owner, void *userdata) {
        Peer *peer = userdata;

        peer->get_all_pending = owner != NULL;
        if (owner || !*peer->present)
                return;
        log_info("%s left the bus.", peer_info[peer->id].name);
        *peer->present = false;
        peers_notify(peer->peers, peer_info[peer->id].change);
}

/* Anyone on the bus may send a signal with wakeword's path and interface; only the name's owner
 * is the service. */
static bool from_wake_word(Peers *p, sd_bus_message *m) {
        return streq_ptr(sd_bus_message_get_sender(m), bus_watch_owner(p->peer[PEER_WAKE_WORD].watch));
}

static int on_wake_word_detected(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Peers *p = userdata;
        const char *phrase;
        double score;
        uint64_t usec;

        if (!from_wake_word(p, m) || sd_bus_message_read(m, "sdt", &phrase, &score, &usec) < 0)
                return 0;
        if (p->callbacks.wake)
                p->callbacks.wake(p, phrase, score, p->userdata);
        return 0;
}

static int on_command_recognized(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Peers *p = userdata;
        const char *text;
        char *copy;

        if (!from_wake_word(p, m) || sd_bus_message_read(m, "s", &text) < 0)
                return 0;
        copy = strdup(text);
        if (!copy)
                return 0;
        free(p->wake_word.last_command);
        p->wake_word.last_command = copy;
        peers_notify(p, PEER_CHANGE_WAKE_WORD);
        return 0;
}

int peers_new(sd_bus *bus, const PeersCallbacks *callbacks, void *userdata, Peers **ret) {
        static const BusWatchCallbacks watch_callbacks = {
                .owner_changed = on_owner_changed,
                .property = on_property,
                .properties_read = on_properties_read,
                .property_mistyped = on_property_mistyped,
        };
        _cleanup_(peers_freep) Peers *p = NULL;
        int r;

        p = calloc(1, sizeof(Peers));
        if (!p)
                return -ENOMEM;
        p->bus = sd_bus_ref(bus);
        p->callbacks = *callbacks;
        p->userdata = userdata;
        p->hvac.current_temperature = NAN;
        p->peer[PEER_HVAC].present = &p->hvac.present;
        p->peer[PEER_AUDIO].present = &p->audio.present;
        p->peer[PEER_WAKE_WORD].present = &p->wake_word.present;

        r = sd_bus_match_signal_async(bus, &p->wake_detected, VH_WAKEWORD_BUS_NAME, VH_WAKEWORD_OBJECT_PATH,
                                      VH_WAKEWORD_INTERFACE, "WakeWordDetected", on_wake_word_detected, NULL, p);
        if (r < 0)
                return r;
        r = sd_bus_match_signal_async(bus, &p->command_recognized, VH_WAKEWORD_BUS_NAME, VH_WAKEWORD_OBJECT_PATH,
                                      VH_WAKEWORD_INTERFACE, "CommandRecognized", on_command_recognized, NULL, p);
        if (r < 0)
                return r;

        for (PeerId id = 0; id < _PEER_MAX; id++) {
                const PeerInfo *i = &peer_info[id];
                Peer *peer = &p->peer[id];

                peer->peers = p;
                peer->id = id;
                r = bus_watch_new(bus, i->name, i->path, i->interface, i->properties, &watch_callbacks, peer,
                                  &peer->watch);
                if (r < 0)
                        return r;
                r = bus_watch_start(peer->watch);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(p);
        return 0;
}

Peers *peers_free(Peers *p) {
        if (!p)
                return NULL;
        for (PeerId id = 0; id < _PEER_MAX; id++)
                bus_watch_free(p->peer[id].watch);
        sd_bus_slot_unref(p->wake_detected);
        sd_bus_slot_unref(p->command_recognized);
        sd_bus_unref(p->bus);
        free(p->hvac.mode);
        free(p->hvac.fan_speed);
        free(p->wake_word.last_command);
        free(p);
        return NULL;
}

const HvacView *peers_hvac(Peers *p) {
        return &p->hvac;
}

const AudioView *peers_audio(Peers *p) {
        return &p->audio;
}

const WakeWordView *peers_wake_word(Peers *p) {
        return &p->wake_word;
}
