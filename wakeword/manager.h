/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "bus-contract.h"
#include "bus-util.h"
#include "listener.h"
#include "live-enrol.h"
#include "recognizer-build.h"
#include "macro.h"
#include "stream-client.h"
#include "time-util.h"
#include "wakeword-config.h"
#include "worker.h"

#define CMN_STATE_FILE "wakeword-cmn"

typedef enum WakewordState {
        WAKEWORD_LISTENING,
        WAKEWORD_COMMAND,
        WAKEWORD_MUTED,
        WAKEWORD_NO_AUDIO,
        _WAKEWORD_STATE_MAX,
} WakewordState;

/* The one object that owns everything of the daemon. */
typedef struct Manager {
        sd_event *event;
        sd_bus *bus;
        WakewordConfig config;
        char *config_path;              /* NULL: the default; the enrolment's jobs read it too */

        Recognizer *recognizer;         /* used by the worker thread only */
        Listener listener;              /* used by the worker thread only */
        Worker *worker;
        sd_event_source *worker_source;
        StreamClient *stream;
        char *cmn_path;                 /* where the cepstral mean is kept across restarts */
        char *adaptation_path;          /* where the speaker and room adaptation is kept */
        bool use_adaptation;            /* not started with --no-adaptation */

        LiveEnrol enrol;
        gid_t enrol_gid;                /* besides root, may enrol; (gid_t) -1: root alone */
        RecognizerBuild *build;         /* a recogniser being built to replace the running one */
        sd_event_source *build_source;
        bool build_after_enrolment;     /* the build is of a new enrolment's adaptation */
        unsigned enrolled_clips;        /* of the adaptation made while running, 0: not known */
        char adaptation[96];            /* "none", or when it was made and from how many clips */

        WakewordState state;
        bool in_command;                /* between WakeWordDetected and the end of the window */
        uint64_t detections;
        uint64_t packets;
        /* What was last heard, for "voicehvacctl status" and anyone tuning the recogniser. */
        usec_t last_wake_realtime;      /* CLOCK_REALTIME µs of the last detection, 0 before one */
        char last_command[256];         /* the last command's words */
        char last_rejection[320];       /* why the last phrase gave no command, and what was heard */
} Manager;

int manager_new(Manager **ret);

/* The bus methods of enrolment: -EBUSY while enrolling or swapping recognisers, -ENODEV without
 * audio, -EOPNOTSUPP when started with --no-adaptation. */
int manager_enrolment_start(Manager *m);
void manager_enrolment_cancel(Manager *m);
int manager_adaptation_reset(Manager *m);
Manager *manager_free(Manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manager *, manager_free);

/* Reads the configuration (NULL: the default file); "adaptation": load the state directory's
 * adaptation of the acoustic model, not the stock model alone. */
int manager_load_config(Manager *m, const char *path, bool adaptation);
int manager_start(Manager *m);
int manager_run(Manager *m);

const char *wakeword_state_to_string(WakewordState s);

/* wakeword-bus.c */
int manager_bus_setup(Manager *m);
int manager_bus_emit_wake(Manager *m, const RecognizerEvent *e);
int manager_bus_emit_command(Manager *m, const RecognizerEvent *e);
void manager_bus_emit_changed_strv(Manager *m, char **names);
int manager_bus_emit_enrolment_take(Manager *m, unsigned index, const char *prompt, bool accepted, const char *reason);
int manager_bus_emit_enrolment_finished(Manager *m, bool ok, const char *message);
#define manager_bus_emit_changed(m, ...) manager_bus_emit_changed_strv((m), BUS_PROPERTY_NAMES(__VA_ARGS__))
