/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pocketsphinx.h>
#include <stdio.h>
#include <string.h>

#include "cmn.h"
#include "decoder.h"
#include "dictionary.h"
#include "grammar.h"
#include "log.h"
#include "macro.h"
#include "models.h"
#include "recognizer.h"
#include "ring.h"
#include "score.h"
#include "strv.h"
#include "time-util.h"

#define SAMPLE_RATE 16000
#define HISTORY_SAMPLES (SAMPLE_RATE * 3)
/* Keyword spotting reports a detection -kws_delay frames (10 by default, 10 ms each) after the
 * phrase ended: that audio already belongs to the command. */
#define KWS_DELAY_SAMPLES (20 * SAMPLE_RATE / 100)
/* After a candidate the verification refused, the spotting starts over on the last second, which
 * a slowly said phrase fills. Without it, a candidate spotted before the phrase ended ("hey
 * clim…") leaves the rest of the phrase to a search that never heard its start. And the first
 * thing the new search reports is most often the refused candidate itself, a few frames later.
 * So it starts over only once RESPOT_DEFER_SAMPLES more have come, as many as the spotting waits
 * after a phrase's end before it reports it: the second look at the candidate it finds again then
 * reads a window that ends 100 ms later, with the rest of a phrase that was still being said.
 * Said slowly in noise, "hey climate" is spotted 0.3 s before its end, and read there as "think
 * my"; started over at once, the search re-found it 20 ms later, and the phrase was lost. */
#define RESPOT_SAMPLES (SAMPLE_RATE * 1)
#define RESPOT_DEFER_SAMPLES (10 * SAMPLE_RATE / 100)

typedef enum Stage {
        STAGE_WAKE,
        STAGE_COMMAND,
} Stage;

struct Recognizer {
        Models models;
        Model *active;                  /* the decoder of the stage: the stock one while spotting */
        CmnWindow *window;              /* for a window's own cepstral mean */
        int dict_fd;                    /* memfd the decoders read the dictionary from */
        char *keyphrase;
        Stage stage;
        bool respotted;                 /* the search started over on what it had heard */
        bool respot_pending;            /* … will, once RESPOT_DEFER_SAMPLES more have come */
        size_t respot_fresh;            /* the samples since the refused candidate */
        WakeModel verified_by;          /* the command stage: the model it runs with */
        WakeVerdict verdicts[2];        /* the stock and the adapted model's second look at its wake */
        bool enrolled_only;
        SpeakerLimits speaker_limits;
        const char *speaker_limits_from;

        uint64_t command_start_usec;
        bool command_heard_speech;
        int16_t *command_audio;         /* what the command stage heard, for the phone loop */
        size_t command_samples, command_samples_max;

        double command_timeout_sec, command_max_sec;
        CommandLimits limits;
        bool verify;
        size_t verify_samples;

        /* The latest audio of the wake stage: the command search starts on it, so a command said
         * without a pause after the phrase is not clipped. */
        int16_t history_data[HISTORY_SAMPLES];
        Ring history;
};

/* How much better, per frame, the adapted model must fit a wake's window for the wake to be taken
 * as the enrolled voice's (score.h: wake_model_by_fit()). Measured on the enrolment bench: the
 * enrolled voices' wakes fit the adaptation by 6 to 37, the other voices' by -11 to 8 (but one
 * voice in the enrolled voice's reverberant room, 15 to 30: the room's part of the adaptation). */
#define ENROLLED_VOICE_MIN_WAKE_FIT 9

void recognizer_config_init_defaults(RecognizerConfig *c) {
        *c = (RecognizerConfig) {
                .kws_threshold = 1e-60,
                .kws_beam = 1e-70,
                .verify_logprob = -4,
                .verify_filler_count = 100,
                .verify_window_sec = 1.5,
                .command_timeout_sec = 4.0,
                .command_max_sec = 6.0,
                .min_confidence = -40,
                .min_coverage = 0.6,
                .max_coverage = 2.0,
                .min_word_posterior = 0.6,
                /* on the bench, true commands' worst words score -3800 at least ("temperature"
                 * over 0.75 s of a flite voice), the words of look-alike sentences down to -6100 */
                .min_word_confidence = -4000,
                .filler_count = 400,
                .filler_logprob = -9,
                .enrolled_min_wake_fit = NAN,           /* from the enrolment */
                .enrolled_min_command_fit = NAN,
        };
}

int recognizer_new(const RecognizerConfig *c, Recognizer **ret, char **ret_error) {
        _cleanup_(recognizer_freep) Recognizer *r = NULL;
        _cleanup_(strv_freep) char **fillers = NULL;
        int r_;

        *ret_error = NULL;
        r = calloc(1, sizeof *r);
        if (!r)
                return -ENOMEM;
        r->dict_fd = -EBADF;
        r->keyphrase = strdup(c->keyphrase);
        if (!r->keyphrase)
                return -ENOMEM;
        for (char *p = r->keyphrase; *p; p++)
                *p = (char) tolower((unsigned char) *p);
        r->command_timeout_sec = c->command_timeout_sec;
        r->command_max_sec = c->command_max_sec;
        r->limits = (CommandLimits) {
                .min_confidence = c->min_confidence,
                .min_coverage = c->min_coverage,
                .max_coverage = c->max_coverage,
                .min_word_posterior = c->min_word_posterior,
                .min_word_confidence = c->min_word_confidence,
        };
        r->verify = c->verify_logprob < 0 && c->filler_count > 0;
        r->verify_samples = MIN((size_t) (c->verify_window_sec * SAMPLE_RATE), (size_t) HISTORY_SAMPLES);
        ring_init(&r->history, r->history_data, HISTORY_SAMPLES);
        r->command_samples_max = (size_t) (c->command_max_sec * SAMPLE_RATE) + SAMPLE_RATE;
        r->command_audio = malloc(r->command_samples_max * sizeof(int16_t));
        if (!r->command_audio)
                return -ENOMEM;

        if (c->filler_count > 0 && c->filler_words) {
                r_ = filler_words_read(c->filler_words, c->filler_count, &fillers, ret_error);
                if (r_ < 0)
                        return r_;
        }
        r_ = dictionary_extract(c->dictionary, r->keyphrase, c->grammar, fillers, &r->dict_fd, ret_error);
        if (r_ < 0)
                return r_;
        r_ = models_init(&r->models, c, r->keyphrase, fillers, r->verify, r->dict_fd, ret_error);
        if (r_ < 0)
                return r_;
        r->active = &r->models.stock;
        r->enrolled_only = c->enrolled_only;
        r->speaker_limits_from = speaker_limits_choose(c->calibration, c->enrolled_min_wake_fit,
                                                       c->enrolled_min_command_fit, &r->speaker_limits);
        r_ = cmn_window_new(r->models.stock.ps, &r->window);
        if (r_ < 0)
                return r_;
        (void) recognizer_set_cmn(r, cmn_typical, RECOGNIZER_CMN_GUESS_FRAMES);
        *ret = TAKE_PTR(r);
        return 0;
}

Recognizer *recognizer_free(Recognizer *r) {
        if (!r)
                return NULL;
        models_done(&r->models);
        cmn_window_free(r->window);
        safe_close(r->dict_fd);
        free(r->command_audio);
        free(r->keyphrase);
        free(r);
        return NULL;
}

const char *recognizer_keyphrase(Recognizer *r) {
        return r->keyphrase;
}

const char *recognizer_speaker_margins(Recognizer *r, double *ret_wake, double *ret_command) {
        *ret_wake = r->speaker_limits.min_wake_fit;
        *ret_command = r->speaker_limits.min_command_fit;
        return r->speaker_limits_from;
}

bool recognizer_in_command(Recognizer *r) {
        return r->stage == STAGE_COMMAND;
}

static int utterance_end(Recognizer *r) {
        return model_utterance_end(r->active);
}

/* Enters "stage"; the command stage runs with the model that verified its wake, the wake stage
 * with the stock one, each decoder taking the stream's cepstral mean over from the other. */
static int stage_enter(Recognizer *r, Stage stage, WakeModel model, uint64_t now_usec) {
        Model *next = stage == STAGE_COMMAND ? models_get(&r->models, model) : &r->models.stock;
        int k;

        r->stage = stage;
        r->respot_pending = false;
        r->verified_by = stage == STAGE_COMMAND ? model : WAKE_MODEL_NONE;
        r->command_samples = 0;
        r->command_heard_speech = false;
        r->command_start_usec = now_usec;
        k = utterance_end(r);
        if (k < 0)
                return k;
        model_cmn_hand_over(r->active, next);
        r->active = next;
        if (stage == STAGE_WAKE) {
                ring_clear(&r->history);
                return 0;       /* restarted lazily with the next audio */
        }
        return model_utterance_start(r->active, SEARCH_COMMAND);
}

int recognizer_reset(Recognizer *r) {
        return stage_enter(r, STAGE_WAKE, WAKE_MODEL_NONE, 0);
}

int recognizer_pause(Recognizer *r) {
        if (r->stage == STAGE_WAKE)
                return utterance_end(r);
        return 0;
}

/* The phone loop over the command's audio, compared with the grammar's path as a whole; and the
 * grammar's words one by one. */
static int command_scores(Recognizer *r, const PathScore *grammar, const WordSpans *words, CommandScores *ret) {
        PathScore phones;
        int k;

        k = model_second_look(r->active, SEARCH_PHONES, r->command_audio, r->command_samples, NULL);
        if (k < 0)
                return k;
        path_score(r->active->ps, &phones);
        command_scores_compare(grammar, &phones, ret);
        ret->word_confidence = word_confidence(words);
        for (size_t i = 0; i < words->n; i++)
                log_debug("Command word %zu: frames %i-%i, acoustic score %" PRIi64 ".", i + 1,
                          words->word[i].sf, words->word[i].ef, words->word[i].ascr);
        return 0;
}

/* How much better the adapted model fits the command's speech than the stock one: the command
 * search of the model that did not hear it over the same audio, its best path against the one
 * that did. The phone loop cannot tell: the enrolment moved the sounds in the context of their
 * neighbours, which the loop's context-independent phones do not use. */
static int command_fit(Recognizer *r, const PathScore *heard, double *ret) {
        bool by_adapted = r->active == &r->models.adapted;
        Model *other = by_adapted ? &r->models.stock : &r->models.adapted;
        PathScore path;
        int k;

        model_cmn_hand_over(r->active, other);
        k = model_second_look(other, SEARCH_COMMAND, r->command_audio, r->command_samples, NULL);
        if (k < 0)
                return k;
        path_score(other->ps, &path);
        *ret = by_adapted ? speaker_fit(heard, &path) : speaker_fit(&path, heard);
        return 0;
}

static int command_finish(Recognizer *r, uint64_t end_usec, RecognizerEvent *ret) {
        const char *hyp;
        int k;

        k = utterance_end(r);
        if (k < 0)
                return k;
        *ret = (RecognizerEvent) { .type = RECOGNIZER_REJECTED, .audio_usec = end_usec,
                                   .model = models_adapted(&r->models) ? wake_model_to_string(r->verified_by) : NULL };
        if (models_adapted(&r->models) && r->verdicts[0].path.frames > 0)     /* both models looked */
                ret->wake_fit = speaker_fit(&r->verdicts[1].path, &r->verdicts[0].path);
        hyp = ps_get_hyp(r->active->ps, NULL);
        if (hyp)
                snprintf(ret->text, sizeof ret->text, "%s", hyp);
        if (isempty(hyp))
                ret->reason = r->command_heard_speech ? "nothing recognized" : "nothing heard";
        else {
                CommandScores s = {};
                PathScore grammar;
                WordSpans words;

                /* the lattice and the path first: the phone loop below replaces them */
                s.word_posterior = word_posterior(r->active->ps);
                path_score(r->active->ps, &grammar);
                path_words(r->active->ps, &words);
                k = command_scores(r, &grammar, &words, &s);
                if (k < 0)
                        return k;
                ret->score = s.confidence;
                ret->coverage = s.coverage;
                ret->word_posterior = s.word_posterior;
                ret->word_confidence = s.word_confidence;
                ret->reason = command_gate(ret->text, &s, &r->limits, &ret->intent);
                /* a command's own look with the other model, only where it can decide */
                if (!ret->reason && r->enrolled_only && models_adapted(&r->models)) {
                        k = command_fit(r, &grammar, &ret->command_fit);
                        if (k < 0)
                                return k;
                }
                if (!ret->reason && r->enrolled_only)
                        ret->reason = enrolled_gate(&(SpeakerScores) {
                                                            .has_adaptation = models_adapted(&r->models),
                                                            .wake_fit = ret->wake_fit,
                                                            .command_fit = ret->command_fit,
                                                    }, &r->speaker_limits);
                if (!ret->reason)
                        ret->type = RECOGNIZER_COMMAND;
        }
        k = stage_enter(r, STAGE_WAKE, WAKE_MODEL_NONE, end_usec);
        return k < 0 ? k : 1;
}

static int process_command(Recognizer *r, const int16_t *samples, size_t n, uint64_t end_usec, RecognizerEvent *ret) {
        uint64_t elapsed = end_usec - r->command_start_usec;
        bool in_speech;

        if (ps_process_raw(r->active->ps, samples, n, FALSE, FALSE) < 0)
                return -EIO;
        n = MIN(n, r->command_samples_max - r->command_samples);
        memcpy(r->command_audio + r->command_samples, samples, n * sizeof(int16_t));
        r->command_samples += n;

        in_speech = ps_get_in_speech(r->active->ps);
        if (in_speech)
                r->command_heard_speech = true;
        if ((r->command_heard_speech && !in_speech) ||
            (!r->command_heard_speech && elapsed >= r->command_timeout_sec * USEC_PER_SEC) ||
            elapsed >= r->command_max_sec * USEC_PER_SEC)
                return command_finish(r, end_usec, ret);
        return 0;
}

/* A second, slower look at a wake candidate: the window before it read against ordinary words.
 * Keyword spotting compares the phrase with a phone loop only, which any similar-sounding word
 * passes; here the phrase must beat a reading of the same audio as common words. With an
 * adaptation loaded, both models verify each wake, and how much better the adapted one fits its
 * window says whose voice it is: the enrolled voice's wake and command are the adapted model's,
 * everyone else's the stock model's (score.h: wake_model_by_fit()). The model chosen is what the
 * command stage runs with. */
static int wake_verify(Recognizer *r, WakeModel *ret) {
        _cleanup_free_ int16_t *buf = NULL;
        mfcc_t mean_buf[RECOGNIZER_CMN_SIZE];
        const mfcc_t *mean;
        bool adapted = models_adapted(&r->models);
        size_t n;
        int k;

        r->verdicts[0] = r->verdicts[1] = (WakeVerdict) {};
        if (!r->verify) {
                *ret = adapted ? WAKE_MODEL_ADAPTED : WAKE_MODEL_STOCK;
                return 0;
        }
        buf = malloc(r->verify_samples * sizeof(int16_t));
        if (!buf)
                return -ENOMEM;
        n = ring_copy_last(&r->history, r->verify_samples, buf);
        mean = cmn_verify_mean(r->window, cmn_of_decoder(r->models.stock.ps), buf, n, mean_buf);
        k = models_verify(&r->models, r->keyphrase, buf, n, mean, &r->verdicts[0], &r->verdicts[1]);
        if (k < 0)
                return k;
        *ret = wake_model_by_fit(&r->verdicts[0], adapted ? &r->verdicts[1] : NULL, ENROLLED_VOICE_MIN_WAKE_FIT);
        return 0;
}

/* Starts the command search on the last "samples" of the wake stage. */
static int history_replay(Recognizer *r, size_t samples) {
        int16_t buf[HISTORY_SAMPLES];
        size_t n = ring_copy_last(&r->history, samples, buf);

        ring_clear(&r->history);
        if (n == 0)
                return 0;
        if (ps_process_raw(r->active->ps, buf, n, FALSE, FALSE) < 0)
                return -EIO;
        memcpy(r->command_audio, buf, n * sizeof(int16_t));
        r->command_samples = n;
        return 0;
}

/* Spotting starts over on the last RESPOT_SAMPLES of the stream before the "fresh" samples the
 * decoder has not heard yet, then on those; the history holds both. process_wake() does it once
 * only: a candidate refused after that starts the search afresh with the next audio, so speech
 * that keeps resembling the phrase is not read over and over. */
static int wake_respot(Recognizer *r, size_t fresh) {
        _cleanup_free_ int16_t *buf = NULL;
        size_t n, old;
        int k;

        buf = malloc((RESPOT_SAMPLES + fresh) * sizeof(int16_t));
        if (!buf)
                return -ENOMEM;
        n = ring_copy_last(&r->history, RESPOT_SAMPLES + fresh, buf);
        old = n > fresh ? n - fresh : 0;
        /* Counted twice, that audio would lean the cepstral mean towards the refused speech, and
         * the command after a wake would be read with it. */
        k = model_hear_again(r->active, SEARCH_WAKE, buf, old);
        if (k < 0)
                return k;
        if (n > old && ps_process_raw(r->active->ps, buf + old, n - old, FALSE, FALSE) < 0)
                return -EIO;
        r->respotted = true;
        return 0;
}

static int process_wake(Recognizer *r, const int16_t *samples, size_t n, uint64_t end_usec, RecognizerEvent *ret) {
        const char *hyp;
        int32 score = 0;
        usec_t verify_start, verify_cpu;
        WakeModel model;
        int k;

        if (r->respot_pending) {
                ring_push(&r->history, samples, n);
                r->respot_fresh += n;
                if (r->respot_fresh < RESPOT_DEFER_SAMPLES)
                        return 0;
                r->respot_pending = false;
                k = wake_respot(r, r->respot_fresh);
                if (k < 0)
                        return k;
        } else {
                if (!r->active->in_utterance) {
                        k = model_utterance_start(r->active, SEARCH_WAKE);
                        if (k < 0)
                                return k;
                        r->respotted = false;
                }
                if (ps_process_raw(r->active->ps, samples, n, FALSE, FALSE) < 0)
                        return -EIO;
                ring_push(&r->history, samples, n);
        }
        hyp = ps_get_hyp(r->active->ps, NULL);
        if (isempty(hyp))
                return 0;
        /* The detection's score (path against the phone loop) is on its segment. */
        for (ps_seg_t *s = ps_seg_iter(r->active->ps); s; s = ps_seg_next(s)) {
                int32 ascr, lscr, lback;

                score = ps_seg_prob(s, &ascr, &lscr, &lback);
        }

        log_debug("Wake candidate '%s' at %.2f s, score %i.", hyp, (double) end_usec / USEC_PER_SEC, score);
        k = utterance_end(r);
        if (k < 0)
                return k;
        verify_start = now_usec(CLOCK_MONOTONIC);
        verify_cpu = now_usec(CLOCK_PROCESS_CPUTIME_ID);
        k = wake_verify(r, &model);
        if (k < 0)
                return k;
        log_debug("Wake candidate %s in %.1f ms (%.1f ms of CPU)%s%s.", model != WAKE_MODEL_NONE ? "verified" : "rejected",
                  (double) (now_usec(CLOCK_MONOTONIC) - verify_start) / USEC_PER_MSEC,
                  (double) (now_usec(CLOCK_PROCESS_CPUTIME_ID) - verify_cpu) / USEC_PER_MSEC,
                  models_adapted(&r->models) && model != WAKE_MODEL_NONE ? ", by the model: " : "",
                  models_adapted(&r->models) && model != WAKE_MODEL_NONE ? wake_model_to_string(model) : "");
        if (model == WAKE_MODEL_NONE) {
                if (r->respotted)
                        return 0;       /* the kws search restarts with the next audio */
                r->respot_pending = true;
                r->respot_fresh = 0;
                return 0;
        }

        *ret = (RecognizerEvent) { .type = RECOGNIZER_WAKE, .score = score, .audio_usec = end_usec,
                                   .model = models_adapted(&r->models) ? wake_model_to_string(model) : NULL };
        snprintf(ret->text, sizeof ret->text, "%s", r->keyphrase);
        k = stage_enter(r, STAGE_COMMAND, model, end_usec);
        if (k < 0)
                return k;
        k = history_replay(r, KWS_DELAY_SAMPLES);
        return k < 0 ? k : 1;
}

int recognizer_process(Recognizer *r, const int16_t *samples, size_t n, uint64_t end_usec, RecognizerEvent *ret) {
        assert(r);
        assert(ret);

        if (r->stage == STAGE_COMMAND)
                return process_command(r, samples, n, end_usec, ret);
        return process_wake(r, samples, n, end_usec, ret);
}

int recognizer_flush(Recognizer *r, uint64_t end_usec, RecognizerEvent *ret) {
        if (r->stage != STAGE_COMMAND)
                return 0;
        return command_finish(r, end_usec, ret);
}

int recognizer_get_cmn(Recognizer *r, float ret[static RECOGNIZER_CMN_SIZE]) {
        cmn_t *cmn = cmn_of_decoder(r->active->ps);
        mfcc_t v[RECOGNIZER_CMN_SIZE];

        if (!cmn)
                return -EOPNOTSUPP;
        cmn_live_get(cmn, v);
        for (size_t i = 0; i < RECOGNIZER_CMN_SIZE; i++)
                ret[i] = (float) v[i];
        return 0;
}

int recognizer_set_cmn(Recognizer *r, const float v[static RECOGNIZER_CMN_SIZE], unsigned weight_frames) {
        cmn_t *cmn = cmn_of_decoder(r->active->ps);
        mfcc_t m[RECOGNIZER_CMN_SIZE];

        if (!cmn || weight_frames == 0)
                return -EOPNOTSUPP;
        for (size_t i = 0; i < RECOGNIZER_CMN_SIZE; i++)
                m[i] = (mfcc_t) v[i];
        cmn_set(cmn, m, (int32) weight_frames);
        return 0;
}
