/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "bus-contract.h"
#include "bus-polkit.h"
#include "bus-util.h"
#include "capture.h"
#include "hotplug.h"
#include "level-meter.h"
#include "mixer.h"
#include "pulse-mirror.h"
#include "state-saver.h"
#include "stream.h"

#define AUDIOD_CONFIG_FILE "/etc/voicehvac/audiod.json"
/* The old name: a file from before the record format is not a record, so it loads as unusable
 * and the first start after an upgrade is muted, never unmuted by a stale file. */
#define AUDIOD_STATE_FILE  "audiod-mute.json"

typedef struct AudiodConfig {
        char *device;           /* ALSA PCM name; hw:… is opened as plughw:… */
        unsigned rate;
        unsigned channels;
        unsigned period_ms;
        unsigned buffer_ms;
        char *mixer_device;     /* control device; empty = the PCM's card, else the PCM name */
        char *mute_control;     /* boolean capture switch, e.g. "Capture Switch"; empty = none */
        unsigned max_clients;
        char *unmute_group;     /* who besides root may unmute */
        bool default_muted;     /* mute state on the very first start */
        unsigned retry_max_ms;  /* cap of the reopen back-off */
        char *pulse_source;     /* sound server source to mirror mute to; empty = none */
        char *pulse_server;     /* empty = libpulse's default server */
} AudiodConfig;

typedef enum CaptureState {
        CAPTURE_RUNNING,                /* periods are arriving */
        CAPTURE_DISCONNECTED,
        CAPTURE_ERROR,
        CAPTURE_STALLED,                /* opened, but delivered no audio; reopened with back-off */
} CaptureState;

typedef struct Manager {
        sd_event *event;
        sd_bus *bus;
        AudiodConfig config;
        char *config_path;
        bool config_path_explicit;
        gid_t unmute_gid;
        PolkitRegistry *polkit;         /* unmuting asked of polkit, for callers outside the group */

        Capture *capture;
        Mixer *mixer;
        StreamSet *streams;
        Hotplug *hotplug;
        PulseMirror *pulse;

        CaptureState state;
        int last_error;
        int card;                       /* card of the open PCM, -1 when none or not a card */

        bool muted;
        usec_t unmuted_at;              /* frames captured before this are never delivered */
        char *mute_state_path;
        StateSaver *mute_saver;         /* retries a mute that could not be written */

        uint64_t xruns;
        unsigned rate, channels, period_frames;

        sd_bus_track *level_listeners;  /* who called StartLevel; the Level signal flows while any */
        LevelMeter level;
        unsigned level_rate;            /* the rate the meter's span was set for */

        sd_event_source *reopen_timer;
        sd_event_source *close_defer;
        unsigned reopen_attempts;
        int reopen_error;               /* why the last attempt failed */
} Manager;

int manager_new(Manager **ret);
Manager *manager_free(Manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manager *, manager_free);

int manager_load_config(Manager *m, const char *path, bool explicit_path, const char *device_override);
int manager_start(Manager *m);
int manager_run(Manager *m);

/* Sets mute on the capture switch and on the stream; 0 only when both hold. */
int manager_set_muted(Manager *m, bool muted);

const char *capture_state_to_string(CaptureState s);

/* audiod-bus.c */
int manager_bus_setup(Manager *m);
void manager_bus_emit_changed_strv(Manager *m, char **names);
#define manager_bus_emit_changed(m, ...) manager_bus_emit_changed_strv((m), BUS_PROPERTY_NAMES(__VA_ARGS__))
void manager_emit_level(Manager *m, const LevelReading *lr, usec_t audio_usec);
