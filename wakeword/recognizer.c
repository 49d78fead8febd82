/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <ctype.h>
#include <errno.h>
#include <pocketsphinx.h>
#include <stdio.h>
#include <string.h>

#include "cmn.h"
#include "decoder.h"
#include "dictionary.h"
#include "grammar.h"
#include "log.h"
#include "macro.h"
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

typedef enum Stage {
        STAGE_WAKE,
        STAGE_COMMAND,
} Stage;

struct Recognizer {
        ps_decoder_t *ps;
        CmnWindow *window;              /* for a window's own cepstral mean */
        int dict_fd;                    /* memfd the decoder reads the dictionary from */
        char *keyphrase;
        Stage stage;
        bool in_utterance;
        /* The search in use. Kept here because pocketsphinx 0.8's ps_get_search() leaks a hash
         * table iterator on every call. */
        const char *search;

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
                .filler_count = 400,
                .filler_logprob = -9,
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
        r_ = decoder_new(c, r->keyphrase, fillers, r->verify, r->dict_fd, &r->ps, ret_error);
        if (r_ < 0)
                return r_;
        r->search = SEARCH_WAKE;
        r_ = cmn_window_new(r->ps, &r->window);
        if (r_ < 0)
                return r_;
        (void) recognizer_set_cmn(r, cmn_typical, RECOGNIZER_CMN_GUESS_FRAMES);
        *ret = TAKE_PTR(r);
        return 0;
}

Recognizer *recognizer_free(Recognizer *r) {
        if (!r)
                return NULL;
        if (r->ps) {
                if (r->in_utterance)
                        (void) ps_end_utt(r->ps);
                ps_free(r->ps);
        }
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

bool recognizer_in_command(Recognizer *r) {
        return r->stage == STAGE_COMMAND;
}

static int utterance_end(Recognizer *r) {
        if (!r->in_utterance)
                return 0;
        r->in_utterance = false;
        return ps_end_utt(r->ps) < 0 ? -EIO : 0;
}

static int utterance_start(Recognizer *r, const char *search) {
        int k;

        k = utterance_end(r);
        if (k < 0)
                return k;
        if (!streq(r->search, search)) {
                if (ps_set_search(r->ps, search) < 0)
                        return -EIO;
                r->search = search;
        }
        if (ps_start_utt(r->ps) < 0)
                return -EIO;
        r->in_utterance = true;
        return 0;
}

static int stage_enter(Recognizer *r, Stage stage, uint64_t now_usec) {
        r->stage = stage;
        r->command_samples = 0;
        r->command_heard_speech = false;
        r->command_start_usec = now_usec;
        if (stage == STAGE_WAKE) {
                ring_clear(&r->history);
                return utterance_end(r);
        }        /* restarted lazily with the next audio */
        return utterance_start(r, SEARCH_COMMAND);
}

int recognizer_reset(Recognizer *r) {
        return stage_enter(r, STAGE_WAKE, 0);
}

int recognizer_pause(Recognizer *r) {
        if (r->stage == STAGE_WAKE)
                return utterance_end(r);
        return 0;
}

/* Runs "search" over audio the stream already gave the decoder (a wake's window, a command),
 * as one utterance of its own, with the cepstral mean "mean" (NULL: the stream's); the running
 * mean is left as the stream made it. */
static int second_look(Recognizer *r, const char *search, const int16_t *samples, size_t n, const mfcc_t *mean) {
        cmn_t *cmn = cmn_of_decoder(r->ps);
        CmnState saved = {};
        int k;

        if (cmn) {
                cmn_save(cmn, &saved);
                if (mean)       /* one frame's worth, so that the look cannot shift the window mid-way */
                        cmn_set(cmn, mean, 1);
        }
        k = utterance_start(r, search);
        if (k >= 0 && ps_process_raw(r->ps, samples, n, FALSE, FALSE) < 0)
                k = -EIO;
        if (k >= 0)
                k = utterance_end(r);
        if (cmn)
                cmn_restore(cmn, &saved);
        return k;
}

/* The phone loop over the command's audio, compared with the grammar's path. */
static int command_scores(Recognizer *r, const PathScore *grammar, CommandScores *ret) {
        PathScore phones;
        int k;

        k = second_look(r, SEARCH_PHONES, r->command_audio, r->command_samples, NULL);
        if (k < 0)
                return k;
        path_score(r->ps, &phones);
        command_scores_compare(grammar, &phones, ret);
        return 0;
}

static int command_finish(Recognizer *r, uint64_t end_usec, RecognizerEvent *ret) {
        const char *hyp;
        int k;

        k = utterance_end(r);
        if (k < 0)
                return k;
        *ret = (RecognizerEvent) { .type = RECOGNIZER_REJECTED, .audio_usec = end_usec };
        hyp = ps_get_hyp(r->ps, NULL);
        if (hyp)
                snprintf(ret->text, sizeof ret->text, "%s", hyp);
        if (isempty(hyp))
                ret->reason = r->command_heard_speech ? "nothing recognized" : "nothing heard";
        else {
                CommandScores s = {};
                PathScore grammar;

                /* the lattice first: the phone loop below replaces it */
                s.word_posterior = word_posterior(r->ps);
                path_score(r->ps, &grammar);
                k = command_scores(r, &grammar, &s);
                if (k < 0)
                        return k;
                ret->score = s.confidence;
                ret->coverage = s.coverage;
                ret->word_posterior = s.word_posterior;
                ret->reason = command_gate(ret->text, &s, &r->limits, &ret->intent);
                if (!ret->reason)
                        ret->type = RECOGNIZER_COMMAND;
        }
        k = stage_enter(r, STAGE_WAKE, end_usec);
        return k < 0 ? k : 1;
}

static int process_command(Recognizer *r, const int16_t *samples, size_t n, uint64_t end_usec, RecognizerEvent *ret) {
        uint64_t elapsed = end_usec - r->command_start_usec;
        bool in_speech;

        if (ps_process_raw(r->ps, samples, n, FALSE, FALSE) < 0)
                return -EIO;
        n = MIN(n, r->command_samples_max - r->command_samples);
        memcpy(r->command_audio + r->command_samples, samples, n * sizeof(int16_t));
        r->command_samples += n;

        in_speech = ps_get_in_speech(r->ps);
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
 * passes; here the phrase must beat a reading of the same audio as common words. */
static int wake_verify(Recognizer *r, bool *ret_ok) {
        _cleanup_free_ int16_t *buf = NULL;
        mfcc_t mean[RECOGNIZER_CMN_SIZE];
        const char *hyp;
        size_t n;
        int k;

        if (!r->verify) {
                *ret_ok = true;
                return 0;
        }
        buf = malloc(r->verify_samples * sizeof(int16_t));
        if (!buf)
                return -ENOMEM;
        n = ring_copy_last(&r->history, r->verify_samples, buf);
        k = second_look(r, SEARCH_VERIFY, buf, n, cmn_verify_mean(r->window, cmn_of_decoder(r->ps), buf, n, mean));
        if (k < 0)
                return k;
        hyp = ps_get_hyp(r->ps, NULL);
        *ret_ok = hypothesis_verifies(hyp, r->keyphrase);
        log_debug("Wake candidate %s: the window reads as '%s'.", *ret_ok ? "verified" : "not verified", hyp ? hyp : "");
        return 0;
}

/* Starts the command search on the last "samples" of the wake stage. */
static int history_replay(Recognizer *r, size_t samples) {
        int16_t buf[HISTORY_SAMPLES];
        size_t n = ring_copy_last(&r->history, samples, buf);

        ring_clear(&r->history);
        if (n == 0)
                return 0;
        if (ps_process_raw(r->ps, buf, n, FALSE, FALSE) < 0)
                return -EIO;
        memcpy(r->command_audio, buf, n * sizeof(int16_t));
        r->command_samples = n;
        return 0;
}

static int process_wake(Recognizer *r, const int16_t *samples, size_t n, uint64_t end_usec, RecognizerEvent *ret) {
        const char *hyp;
        int32 score = 0;
        usec_t verify_start;
        bool ok;
        int k;

        if (!r->in_utterance) {
                k = utterance_start(r, SEARCH_WAKE);
                if (k < 0)
                        return k;
        }
        if (ps_process_raw(r->ps, samples, n, FALSE, FALSE) < 0)
                return -EIO;
        ring_push(&r->history, samples, n);
        hyp = ps_get_hyp(r->ps, NULL);
        if (isempty(hyp))
                return 0;
        /* The detection's score (path against the phone loop) is on its segment. */
        for (ps_seg_t *s = ps_seg_iter(r->ps); s; s = ps_seg_next(s)) {
                int32 ascr, lscr, lback;
                score = ps_seg_prob(s, &ascr, &lscr, &lback);
        }

        log_debug("Wake candidate '%s' at %.2f s, score %i.", hyp, (double) end_usec / USEC_PER_SEC, score);
        k = utterance_end(r);
        if (k < 0)
                return k;
        verify_start = now_usec(CLOCK_MONOTONIC);
        k = wake_verify(r, &ok);
        if (k < 0)
                return k;
        log_debug("Wake candidate %s in %.1f ms.", ok ? "verified" : "rejected",
                  (double) (now_usec(CLOCK_MONOTONIC) - verify_start) / USEC_PER_MSEC);
        if (!ok)
                return 0;       /* the kws search restarts with the next audio */

        *ret = (RecognizerEvent) { .type = RECOGNIZER_WAKE, .score = score, .audio_usec = end_usec };
        snprintf(ret->text, sizeof ret->text, "%s", r->keyphrase);
        k = stage_enter(r, STAGE_COMMAND, end_usec);
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
        cmn_t *cmn = cmn_of_decoder(r->ps);
        mfcc_t v[RECOGNIZER_CMN_SIZE];

        if (!cmn)
                return -EOPNOTSUPP;
        cmn_live_get(cmn, v);
        for (size_t i = 0; i < RECOGNIZER_CMN_SIZE; i++)
                ret[i] = (float) v[i];
        return 0;
}

int recognizer_set_cmn(Recognizer *r, const float v[static RECOGNIZER_CMN_SIZE], unsigned weight_frames) {
        cmn_t *cmn = cmn_of_decoder(r->ps);
        mfcc_t m[RECOGNIZER_CMN_SIZE];

        if (!cmn || weight_frames == 0)
                return -EOPNOTSUPP;
        for (size_t i = 0; i < RECOGNIZER_CMN_SIZE; i++)
                m[i] = (mfcc_t) v[i];
        cmn_set(cmn, m, (int32) weight_frames);
        return 0;
}
