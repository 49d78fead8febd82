/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the command stage measures of a hypothesis, and the gate that decides on those figures
 * whether it is a command. The gate is pure: the same words and figures give the same verdict. */

#include <pocketsphinx.h>
#include <stdbool.h>
#include <stdint.h>

#include "intent.h"

/* The best path of the decoder's last utterance: its acoustic score, its frames, and how many of
 * those went to words (or phones) rather than to silence and fillers. */
typedef struct PathScore {
        int64_t ascr;
        int frames;
        int word_frames;
} PathScore;

bool word_is_silence(const char *word);
void path_score(ps_decoder_t *ps, PathScore *ret);

/* A segment of a best path: its frames and their acoustic score. */
typedef struct PathSpan {
        int sf, ef;
        int64_t ascr;
} PathSpan;

/* The words of a command's best path (not silence, not the filler loop's; at most
 * WORD_SPANS_MAX). */
#define WORD_SPANS_MAX 64
typedef struct WordSpans {
        PathSpan word[WORD_SPANS_MAX];
        size_t n;
} WordSpans;

void path_words(ps_decoder_t *ps, WordSpans *ret);

/* How badly the command's worst-fitting word fits its own stretch of the audio: the least acoustic
 * score of any of its words, summed over the word's frames (log base 1.0001). A sum, not a mean: a
 * command word laid over a second of other speech ("auto" over "turn the music down") fits only
 * a little worse in each frame than a true word does, but over two or three times the frames. A
 * true word drawn out far beyond its length (very slow speech, a long echo) comes near the limit
 * too. It is not weighed against the phone loop over the same frames: measured so, a word laid
 * over other speech scores as a true word does (the phone loop fits poor audio poorly too), and
 * the gate would tell them apart no better. 0 without words. */
double word_confidence(const WordSpans *w);

/* The posterior probability of the least certain word of the best path through the last
 * utterance's word lattice (see score.c); 1 when there is no lattice to ask. */
double word_posterior(ps_decoder_t *ps);
/* The same over the words that are not the filler loop's: in the verification, how clearly the
 * phrase beat the other readings of its window. 0 when the best path has no such word. */

typedef struct CommandScores {
        double confidence;              /* per-frame log-likelihood ratio grammar vs phone loop */
        double coverage;                /* the command's words against the speech the phone loop heard */
        double word_posterior;
        double word_confidence;         /* word_confidence() */
} CommandScores;

/* Confidence and coverage from the grammar's path and the phone loop's over the same audio. */
void command_scores_compare(const PathScore *grammar, const PathScore *phones, CommandScores *ret);

typedef struct CommandLimits {
        double min_confidence;
        double min_coverage;
        double max_coverage;
        double min_word_posterior;
        double min_word_confidence;
} CommandLimits;

/* NULL when the hypothesis "text" is a command, with *ret_intent filled; else why it is not
 * (a static string). */
const char *command_gate(const char *text, const CommandScores *s, const CommandLimits *l, Intent *ret_intent);

/* Which model verified a wake, and runs the command after it. */
typedef enum WakeModel {
        WAKE_MODEL_NONE,
        WAKE_MODEL_STOCK,
        WAKE_MODEL_ADAPTED,
} WakeModel;

const char *wake_model_to_string(WakeModel m);

/* One model's second look at a wake candidate. */
typedef struct WakeVerdict {
        bool verified;                  /* the phrase beat the reading as common words */
        PathScore path;                 /* the verification's best path */
} WakeVerdict;

/* The adapted model speaks for the enrolled voice, the stock model for everyone
 * else. The wake's window is the enrolled voice's when the adapted model fits it better than the
 * stock one by "min_fit" per frame (speaker_fit() of the two verifications' paths). A wake the
 * stock model verified is one, as without an adaptation; one only the adapted model verified is
 * one only for the enrolled voice. The command after it is heard with the adapted model for the
 * enrolled voice, with the stock one for everyone else. adapted NULL: no adaptation loaded.
 * WAKE_MODEL_NONE: no wake. */
WakeModel wake_model_by_fit(const WakeVerdict *stock, const WakeVerdict *adapted, double min_fit);

/* How much better the adapted model fits the same audio than the stock one: the difference of
 * their best paths' acoustic scores per frame (log base 1.0001, as PocketSphinx counts). Each
 * path is over the same audio, so the difference is the speaker's, not the words'. -1e9 when the
 * adapted path is empty, 1e9 when only the stock one is (its search found no way through). */
double speaker_fit(const PathScore *adapted, const PathScore *stock);

/* What the enrolled-only gate knows of a command: whether an adaptation is loaded, and how much
 * better the adapted model fits the wake's window and the command's speech than the stock one
 * (speaker_fit()), whichever model heard it. */
typedef struct SpeakerScores {
        bool has_adaptation;
        double wake_fit;
        double command_fit;
} SpeakerScores;

typedef struct SpeakerLimits {
        double min_wake_fit;
        double min_command_fit;
} SpeakerLimits;

/* What the enrolment measured of the enrolled voice: the wake fits and command fits of its clips,
 * each read with an adaptation that was not estimated on it (enrol.c), in the order measured. */
#define SPEAKER_FITS_MAX 64
#define SPEAKER_FIT_ABS_MAX 1e4         /* a fit beyond this is not a measurement (speaker_fit()'s 1e9) */
#define SPEAKER_CALIBRATION_FITS_MIN 4  /* a calibration speaks for the voice with this many fits of each kind */
typedef struct SpeakerCalibration {
        double wake[SPEAKER_FITS_MAX];
        size_t n_wake;
        double command[SPEAKER_FITS_MAX];
        size_t n_command;
} SpeakerCalibration;

/* The enrolled-only gate's margins: min_wake_fit and min_command_fit as configured, each NaN where
 * the configuration leaves it to the enrolment. Such a margin is calibrated from c: half the
 * least fit of that kind the enrolled voice showed on its own held-out clips, and at least 0 (the
 * adapted model must fit better than the stock one); where c is NULL or holds fewer than
 * SPEAKER_CALIBRATION_FITS_MIN fits of either kind, both are the fixed ones, 5 for the wake and 3 for the command. Returns where
 * the margins came from, for the log (a static string). */
const char *speaker_limits_choose(const SpeakerCalibration *c, double min_wake_fit, double min_command_fit,
                                  SpeakerLimits *ret);

/* NULL when a command may be acted on under enrolled_only, else why not (a static string). Both
 * fits must pass: in a room where every voice gains from the room's adaptation, the wake's
 * window, a second and a half, does not tell two voices apart, the command's words do; in noise,
 * where the command's fit shrinks for everyone, the wake's still does. */
const char *enrolled_gate(const SpeakerScores *s, const SpeakerLimits *l);
