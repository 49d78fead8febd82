/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Live enrolment: the daemon records the enrolment clips itself from its stream, one prompt at a
 * time, each take cut out by an energy gate of its own. Each take is written into a private
 * scratch directory and checked by a "wakeword --enrol-check" process (level, clipping, and that
 * it aligns with its prompt); a refused take is asked for again. When every prompt has its take,
 * a "wakeword --enrol-from" process builds the adaptation from them and writes it into the state
 * directory. Neither process runs in the decoder thread or the event loop; the loop only watches
 * them. No bus here: the owner is told through callbacks and says it on the bus. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "child.h"
#include "macro.h"
#include "vad.h"

typedef enum EnrolState {
        ENROL_IDLE,
        ENROL_RECORDING,                /* waiting for, or checking, the take of a prompt */
        ENROL_ADAPTING,                 /* every prompt has its take; the adaptation is being made */
        _ENROL_STATE_MAX,
} EnrolState;

const char *enrol_state_to_string(EnrolState s);

typedef struct EnrolCallbacks {
        /* A take was checked: accepted, or refused with the reason (the prompt stays). */
        void (*take)(unsigned index, const char *prompt, bool accepted, const char *reason, void *userdata);
        /* State, prompt or progress changed. */
        void (*changed)(void *userdata);
        /* The adaptation was written (ok, clips: how many it was made of) or could not be made
         * (message says why). Not called on live_enrol_cancel(). */
        void (*finished)(bool ok, unsigned clips, const char *message, void *userdata);
} EnrolCallbacks;

typedef struct LiveEnrol {
        sd_event *event;
        char *exe;                      /* this program, run for the checks and the adaptation */
        char *config_path;              /* NULL: the default configuration */
        char **prompts;                 /* NULL-terminated */
        unsigned n_prompts;
        EnrolCallbacks cb;
        void *userdata;

        EnrolState state;
        unsigned taken;                 /* prompts with an accepted take */
        unsigned attempt;               /* takes recorded, for file names */
        char *dir;                      /* the private scratch directory */
        Child *child;                   /* the check of a take, or the adaptation */
        bool skip_until_quiet;          /* speech went on while a take was checked: not a take */

        Vad vad;
        int16_t block[VAD_BLOCK];
        size_t block_fill;
        int16_t *take;                  /* the take being recorded */
        size_t take_n;
        size_t take_lead;               /* samples of the take before its gate opened */
        bool in_take;
} LiveEnrol;

/* The prompts: the wake phrase alone wake_takes times, then the wake phrase followed by the first
 * command_takes of a fixed list of commands that covers the grammar's words. */
#define ENROL_COMMAND_PROMPTS_MAX 12
int enrol_prompts(const char *keyphrase, unsigned wake_takes, unsigned command_takes, char ***ret);

int live_enrol_init(LiveEnrol *e, sd_event *event, const char *config_path, char **prompts,
                    const EnrolCallbacks *cb, void *userdata);
void live_enrol_done(LiveEnrol *e);

/* -EBUSY when not idle. */
int live_enrol_start(LiveEnrol *e);
/* Stops the process running, removes the scratch directory, back to idle. */
void live_enrol_cancel(LiveEnrol *e);
/* The stream's audio, as it comes. Used only while recording. */
void live_enrol_feed(LiveEnrol *e, const int16_t *samples, size_t n);
/* The gap or mute: a take in progress is dropped. */
void live_enrol_reset_audio(LiveEnrol *e);

static inline const char *live_enrol_prompt(const LiveEnrol *e) {
        return e->state == ENROL_RECORDING && e->taken < e->n_prompts ? e->prompts[e->taken] : "";
}
