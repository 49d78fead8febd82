/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The recogniser: PocketSphinx keyword spotting for the wake phrase, then the JSGF command grammar
 * over a bounded window, then rejection gates, then the intent. It knows nothing of the bus or of
 * threads: it is fed blocks of 16 kHz mono samples with the time of their last sample, and says
 * what it heard. Times are counted from the samples fed, not from PocketSphinx's frame numbers
 * (it drops silence frames, so those are not stream time). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "intent.h"
#include "macro.h"

struct SpeakerCalibration;

typedef struct RecognizerConfig {
        char *hmm;                      /* acoustic model directory */
        char *dictionary;               /* pronunciations; only the words needed are loaded */
        char *phone_lm;                 /* phone language model for the rejection phone loop */
        char *keyphrase;
        double kws_threshold;
        double kws_beam;                /* keyword search beam; below ~1e-48 the threshold needs it wider */
        double verify_logprob;          /* second look at a wake: filler word prior (0: no second look) */
        double verify_window_sec;       /* audio before the detection it reads */
        unsigned verify_filler_count;   /* how many of the filler words it reads the audio as (at most filler_count) */
        char *grammar;                  /* JSGF file of the commands */
        char *filler_words;             /* common words, by frequency, that non-commands can take */
        unsigned filler_count;          /* how many of them (0: no filler loop) */
        double filler_logprob;          /* natural-log prior of each filler word */
        double command_timeout_sec;     /* no speech this long after the phrase: give up */
        double command_max_sec;         /* the longest command listened to */
        double min_confidence;          /* per-frame log-likelihood ratio grammar vs phone loop */
        double min_coverage;            /* share of the speech the command's words must explain */
        double max_coverage;            /* … and how far they may stretch over what is not speech */
        double min_word_posterior;      /* the least posterior probability of any word of the command */
        double min_word_confidence;     /* how badly its worst-fitting word may fit (score.h: word_confidence()) */
        bool enrolled_only;             /* act on a command only when an enrolled voice said it */
        /* … by how much better the adapted model must fit its wake and its command (score.h:
         * speaker_fit()); NaN, the default: as the enrolment's calibration says (score.h:
         * speaker_limits_choose()) */
        double enrolled_min_wake_fit;
        double enrolled_min_command_fit;
        const char *adaptation;         /* the speaker and room adaptation (adaptation.h); NULL: none. Not from the file */
        const struct SpeakerCalibration *calibration; /* the adaptation's calibration; NULL: none. Not from the file */
} RecognizerConfig;

void recognizer_config_init_defaults(RecognizerConfig *c);

typedef enum RecognizerEventType {
        RECOGNIZER_WAKE,
        RECOGNIZER_COMMAND,
        RECOGNIZER_REJECTED,            /* the command window ended without a command */
} RecognizerEventType;

typedef struct RecognizerEvent {
        RecognizerEventType type;
        char text[256];                 /* wake: the phrase; command/rejected: the words heard */
        double score;                   /* wake: kws score; command/rejected: confidence */
        uint64_t audio_usec;            /* time of the last sample heard for it */
        double coverage;                /* command/rejected: share of the speech in the words */
        double word_posterior;          /* command/rejected: the least posterior of the words */
        double word_confidence;         /* command/rejected: how the worst-fitting word fits its speech */
        Intent intent;                  /* RECOGNIZER_COMMAND */
        const char *reason;             /* RECOGNIZER_REJECTED: static string */
        /* With an adaptation loaded: the model that verified the wake and ran the command stage
         * ("stock", "adapted"; static string, NULL without one), and how much better the adapted
         * model fits the wake's window and the command's speech (score.h: speaker_fit()). */
        const char *model;
        double wake_fit, command_fit;
} RecognizerEvent;

typedef struct Recognizer Recognizer;

/* On failure *ret_error (malloc'd, may be NULL on OOM) says what was wrong: a missing model file,
 * a word without pronunciation, a grammar that does not parse; -EBADMSG: config->adaptation is
 * not an adaptation of the model. */
int recognizer_new(const RecognizerConfig *config, Recognizer **ret, char **ret_error);
Recognizer *recognizer_free(Recognizer *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(Recognizer *, recognizer_free);

/* Feeds samples whose last one was captured at end_usec. Returns 1 and fills *ret when something
 * was heard, 0 otherwise, < 0 on decoder failure. At most one event per call: feed blocks of a few
 * tens of milliseconds. */
int recognizer_process(Recognizer *r, const int16_t *samples, size_t n, uint64_t end_usec, RecognizerEvent *ret);

/* The audio paused (the energy gate closed, or the stream had a gap): in the wake stage the
 * utterance is ended, so the decoder holds no state across silence. In the command stage the
 * window goes on: silence is what ends a command. */
int recognizer_pause(Recognizer *r);

/* The audio ended (end of a file): a command in progress is decided on what was heard. Returns
 * 1 with *ret filled, or 0. */
int recognizer_flush(Recognizer *r, uint64_t end_usec, RecognizerEvent *ret);

/* Back to listening for the phrase, dropping any command in progress (mute, reconnect). */
int recognizer_reset(Recognizer *r);

bool recognizer_in_command(Recognizer *r);
const char *recognizer_keyphrase(Recognizer *r);
/* The enrolled_only margins in use, wake and command, and where they came from (a static string,
 * for the log). */
const char *recognizer_speaker_margins(Recognizer *r, double *ret_wake, double *ret_command);

/* The decoder's running cepstral mean: the daemon keeps it across restarts, so a new process
 * starts adapted to the microphone and room. */
#define RECOGNIZER_CMN_SIZE 13
int recognizer_get_cmn(Recognizer *r, float ret[static RECOGNIZER_CMN_SIZE]);
/* weight_frames: how many frames of speech the mean counts as against what is heard next. */
#define RECOGNIZER_CMN_GUESS_FRAMES 500         /* the built-in typical mean: 5 s */
#define RECOGNIZER_CMN_KEPT_FRAMES 500          /* a mean this microphone gave before: 5 s */
int recognizer_set_cmn(Recognizer *r, const float v[static RECOGNIZER_CMN_SIZE], unsigned weight_frames);

