/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bus-contract.h"
#include "bus-util.h"
#include "log.h"
#include "peers.h"

typedef enum PeerId {
        PEER_HVAC,
        PEER_AUDIO,
        PEER_WAKE_WORD,
        _PEER_MAX,
} PeerId;

typedef struct PeerInfo {
        const char *name, *path, *interface;
} PeerInfo;

static const PeerInfo peer_info[_PEER_MAX] = {
        [PEER_HVAC] = { VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE },
        [PEER_AUDIO] = { VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE },
        [PEER_WAKE_WORD] = { VH_WAKEWORD_BUS_NAME, VH_WAKEWORD_OBJECT_PATH, VH_WAKEWORD_INTERFACE },
};

typedef struct Peer {
        Peers *peers;
        PeerId id;
        sd_bus_slot *get_all;           /* the GetAll in flight */
        char *owner;                    /* its unique name: only its signals are believed */
} Peer;

struct Peers {
        sd_bus *bus;
        PeersCallbacks callbacks;
        void *userdata;
        Peer peer[_PEER_MAX];
        sd_bus_slot *slots[8];
        size_t n_slots;

        HvacView hvac;
        AudioView audio;
        WakeWordView wake_word;
};

static const unsigned change_bit[_PEER_MAX] = {
        [PEER_HVAC] = PEER_CHANGE_HVAC,
        [PEER_AUDIO] = PEER_CHANGE_AUDIO,
        [PEER_WAKE_WORD] = PEER_CHANGE_WAKE_WORD,
};

static void peers_notify(Peers *p, unsigned what) {
        if (what && p->callbacks.changed)
                p->callbacks.changed(p, what, p->userdata);
}

static int read_string(sd_bus_message *m, char **dest) {
        const char *s;
        char *copy;
        int r;

        r = sd_bus_message_read(m, "v", "s", &s);
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

        r = sd_bus_message_read(m, "v", "b", &b);
        if (r >= 0)
                *dest = b;
        return r;
}

static int hvac_property(sd_bus_message *m, const char *name, void *userdata) {
        HvacView *v = userdata;

        if (streq(name, "Power"))
                return read_bool(m, &v->power);
        if (streq(name, "Mode"))
                return read_string(m, &v->mode);
        if (streq(name, "FanSpeed"))
                return read_string(m, &v->fan_speed);
        if (streq(name, "TargetTemperature"))
                return sd_bus_message_read(m, "v", "d", &v->target_temperature);
        if (streq(name, "CurrentTemperature"))
                return sd_bus_message_read(m, "v", "d", &v->current_temperature);
        if (streq(name, "MinTemperature"))
                return sd_bus_message_read(m, "v", "d", &v->min_temperature);
        if (streq(name, "MaxTemperature"))
                return sd_bus_message_read(m, "v", "d", &v->max_temperature);
        if (streq(name, "TemperatureStep"))
                return sd_bus_message_read(m, "v", "d", &v->temperature_step);
        return sd_bus_message_skip(m, "v");
}

static int audio_property(sd_bus_message *m, const char *name, void *userdata) {
        AudioView *v = userdata;

        if (streq(name, "Muted"))
                return read_bool(m, &v->muted);
        return sd_bus_message_skip(m, "v");
}

static int wake_word_property(sd_bus_message *m, const char *name, void *userdata) {
        WakeWordView *v = userdata;

        if (streq(name, "LastCommand"))
                return read_string(m, &v->last_command);
        return sd_bus_message_skip(m, "v");
}

static int peer_read_properties(Peers *p, PeerId id, sd_bus_message *m) {
        switch (id) {
        case PEER_HVAC:
                return bus_read_property_dict(m, hvac_property, &p->hvac);
        case PEER_AUDIO:
                return bus_read_property_dict(m, audio_property, &p->audio);
        default:
                return bus_read_property_dict(m, wake_word_property, &p->wake_word);
        }
}

static bool *peer_present(Peers *p, PeerId id) {
        switch (id) {
        case PEER_HVAC:
                return &p->hvac.present;
        case PEER_AUDIO:
                return &p->audio.present;
        default:
                return &p->wake_word.present;
        }
}

static int peer_set_owner(Peer *peer, const char *owner) {
        char *copy = NULL;

        if (!isempty(owner) && !(copy = strdup(owner)))
                return -ENOMEM;
        free(peer->owner);
        peer->owner = copy;
        return 0;
}

/* Anyone on the bus may send a signal with this path and interface; only the name's owner is
 * the service. */
static Peer *peer_of_sender(Peers *p, PeerId id, sd_bus_message *m) {
        Peer *peer = &p->peer[id];

        return peer->owner && streq_ptr(sd_bus_message_get_sender(m), peer->owner) ? peer : NULL;
}

static int on_get_all(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Peer *peer = userdata;
        Peers *p = peer->peers;
        const sd_bus_error *e;
        int r;

        peer->get_all = sd_bus_slot_unref(peer->get_all);
        e = sd_bus_message_get_error(reply);
        if (e) {
                /* Not there (yet): NameOwnerChanged will say when it is. */
                log_debug("%s is not available: %s", peer_info[peer->id].name, e->message ?: e->name);
                return 0;
        }
        r = peer_set_owner(peer, sd_bus_message_get_sender(reply));
        if (r >= 0)
                r = peer_read_properties(p, peer->id, reply);
        if (r < 0) {
                log_warning_errno(r, "Failed to read the properties of %s: %m", peer_info[peer->id].name);
                return 0;
        }
        if (!*peer_present(p, peer->id))
                log_info("%s is on the bus.", peer_info[peer->id].name);
        *peer_present(p, peer->id) = true;
        peers_notify(p, change_bit[peer->id]);
        return 0;
}

static int peer_get_all(Peer *peer) {
        const PeerInfo *i = &peer_info[peer->id];

        peer->get_all = sd_bus_slot_unref(peer->get_all);
        return sd_bus_call_method_async(peer->peers->bus, &peer->get_all, i->name, i->path,
                                        "org.freedesktop.DBus.Properties", "GetAll", on_get_all, peer, "s",
                                        i->interface);
}

static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Peers *p = userdata;
        const char *name, *old_owner, *new_owner;
        int r;

        r = sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner);
        if (r < 0)
                return 0;
        for (PeerId id = 0; id < _PEER_MAX; id++) {
                if (!streq(name, peer_info[id].name))
                        continue;
                if (peer_set_owner(&p->peer[id], new_owner) < 0)
                        log_oom();
                if (!isempty(new_owner)) {
                        r = peer_get_all(&p->peer[id]);
                        if (r < 0)
                                log_warning_errno(r, "Failed to ask %s for its properties: %m", name);
                } else if (*peer_present(p, id)) {
                        log_info("%s left the bus.", name);
                        p->peer[id].get_all = sd_bus_slot_unref(p->peer[id].get_all);
                        *peer_present(p, id) = false;
                        peers_notify(p, change_bit[id]);
                }
        }
        return 0;
}

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Peers *p = userdata;
        const char *interface;
        int r;

        r = sd_bus_message_read(m, "s", &interface);
        if (r < 0)
                return 0;
        for (PeerId id = 0; id < _PEER_MAX; id++) {
                if (!streq(interface, peer_info[id].interface) ||
                    !streq_ptr(sd_bus_message_get_path(m), peer_info[id].path))
                        continue;
                /* Before the first GetAll answered, the answer brings it all. */
                if (!*peer_present(p, id) || !peer_of_sender(p, id, m))
                        return 0;
                r = peer_read_properties(p, id, m);
                if (r < 0) {
                        log_warning_errno(r, "Failed to read a property change of %s: %m", peer_info[id].name);
                        return 0;
                }
                peers_notify(p, change_bit[id]);
        }
        return 0;
}

static int on_wake_word_detected(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Peers *p = userdata;
        const char *phrase;
        double score;
        uint64_t usec;

        if (!peer_of_sender(p, PEER_WAKE_WORD, m) || sd_bus_message_read(m, "sdt", &phrase, &score, &usec) < 0)
                return 0;
        if (p->callbacks.wake)
                p->callbacks.wake(p, phrase, score, p->userdata);
        return 0;
}

static int on_command_recognized(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Peers *p = userdata;
        const char *text;
        char *copy;

        if (!peer_of_sender(p, PEER_WAKE_WORD, m) || sd_bus_message_read(m, "s", &text) < 0)
                return 0;
        copy = strdup(text);
        if (!copy)
                return 0;
        free(p->wake_word.last_command);
        p->wake_word.last_command = copy;
        peers_notify(p, PEER_CHANGE_WAKE_WORD);
        return 0;
}

static int peers_add_match(Peers *p, const char *sender, const char *path, const char *interface,
                           const char *member, sd_bus_message_handler_t handler) {
        assert(p->n_slots < ELEMENTSOF(p->slots));
        return sd_bus_match_signal_async(p->bus, &p->slots[p->n_slots++], sender, path, interface, member,
                                         handler, NULL, p);
}

int peers_new(sd_bus *bus, const PeersCallbacks *callbacks, void *userdata, Peers **ret) {
        _cleanup_(peers_freep) Peers *p = NULL;
        int r;

        p = calloc(1, sizeof(Peers));
        if (!p)
                return -ENOMEM;
        p->bus = sd_bus_ref(bus);
        p->callbacks = *callbacks;
        p->userdata = userdata;
        p->hvac.current_temperature = NAN;
        for (PeerId id = 0; id < _PEER_MAX; id++)
                p->peer[id] = (Peer) { .peers = p, .id = id };

        r = peers_add_match(p, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameOwnerChanged",
                            on_name_owner_changed);
        if (r >= 0)
                r = peers_add_match(p, NULL, NULL, "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                    on_properties_changed);
        if (r >= 0)
                r = peers_add_match(p, NULL, VH_WAKEWORD_OBJECT_PATH, VH_WAKEWORD_INTERFACE, "WakeWordDetected",
                                    on_wake_word_detected);
        if (r >= 0)
                r = peers_add_match(p, NULL, VH_WAKEWORD_OBJECT_PATH, VH_WAKEWORD_INTERFACE, "CommandRecognized",
                                    on_command_recognized);
        if (r < 0)
                return r;

        /* The matches are queued before the calls, so no change falls between them. */
        for (PeerId id = 0; id < _PEER_MAX; id++) {
                r = peer_get_all(&p->peer[id]);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(p);
        return 0;
}

Peers *peers_free(Peers *p) {
        if (!p)
                return NULL;
        for (PeerId id = 0; id < _PEER_MAX; id++) {
                sd_bus_slot_unref(p->peer[id].get_all);
                free(p->peer[id].owner);
        }
        for (size_t i = 0; i < p->n_slots; i++)
                sd_bus_slot_unref(p->slots[i]);
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
