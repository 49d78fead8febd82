/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <ctype.h>
#include <errno.h>
#include <pocketsphinx.h>
#include <sphinxbase/ckd_alloc.h>
#include <sphinxbase/fe.h>
#include <sphinxbase/feat.h>
#include <stdio.h>
#include <string.h>

#include "dictionary.h"
#include "fileio.h"
#include "grammar.h"
#include "log.h"
#include "macro.h"
#include "message.h"
#include "recognizer.h"
#include "strv.h"
#include "time-util.h"

#define SAMPLE_RATE 16000
#define SEARCH_WAKE "wake"
#define SEARCH_COMMAND "command"
#define SEARCH_PHONES "phones"
#define SEARCH_VERIFY "verify"
#define HISTORY_SAMPLES (SAMPLE_RATE * 3)
/* Cepstra computed at a time for a window's own mean, and the least window that has one. */
#define WINDOW_CEP_BLOCK 32
#define WINDOW_MEAN_FRAMES_MIN 50
/* Keyword spotting reports a detection -kws_delay frames (10 by default, 10 ms each) after the
 * phrase ended: that audio already belongs to the command. */
#define KWS_DELAY_SAMPLES (20 * SAMPLE_RATE / 100)

typedef enum Stage {
        STAGE_WAKE,
        STAGE_COMMAND,
} Stage;

struct Recognizer {
        ps_decoder_t *ps;
        fe_t *window_fe;                /* the decoder's front end once more, for a window's own mean */
        mfcc_t **window_cep;
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

        double command_timeout_sec, command_max_sec, min_confidence, min_coverage, max_coverage, min_word_posterior;
        bool verify;
        size_t verify_samples;
        double beam;                    /* the decoder's default beam */

        /* The latest audio of the wake stage: the command search starts on it, so a command said
         * without a pause after the phrase is not clipped. */
        int16_t history[HISTORY_SAMPLES];
        size_t history_head, history_fill;
};

/* The cepstral mean of ordinary speech at a moderate level (what the decoder settles on after a
 * few minutes of the benchmark's ordinary speech): a better start than the model's, which is
 * tuned to quieter audio and takes the first utterances to adapt. */
static const float typical_cmn[RECOGNIZER_CMN_SIZE] = {
        55.42, 1.49, -2.80, 16.62, -7.85, -3.21, -1.54, -13.42, -4.53, -5.09, 3.47, -1.79, -5.97,
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

DEFINE_TRIVIAL_CLEANUP_FUNC(cmd_ln_t *, cmd_ln_free_r);

static int decoder_create(const RecognizerConfig *c, int dict_fd, ps_decoder_t **ret, char **ret_error) {
        _cleanup_(cmd_ln_free_rp) cmd_ln_t *config = NULL;
        char dict_path[64], threshold[32];

        snprintf(dict_path, sizeof dict_path, "/proc/self/fd/%i", dict_fd);
        snprintf(threshold, sizeof threshold, "%g", c->kws_threshold);
        /* feat.params of the model overrides front-end options, so only search options here.
         * The phone loop uses context-independent phones: with triphones it costs seconds of CPU
         * and hundreds of MB per window. */
        config = cmd_ln_init(NULL, ps_args(), TRUE,
                             "-hmm", c->hmm,
                             "-dict", dict_path,
                             "-kws_threshold", threshold,
                             "-allphone_ci", "yes",
                             "-logfn", "/dev/null",
                             NULL);
        if (!config) {
                *ret_error = message_new("invalid decoder configuration (model '%s')", c->hmm);
                return -EINVAL;
        }
        *ret = ps_init(config);
        if (!*ret) {
                *ret_error = message_new("cannot load the acoustic model '%s' or dictionary '%s'", c->hmm, c->dictionary);
                return -ENOENT;
        }
        return 0;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(fsg_model_t *, fsg_model_free);

#define KEYPHRASE_WORDS_MAX 8
#define KEYPHRASE_VARIANTS_MAX 32

/* How many pronunciations the decoder's dictionary has for a word: "climate", "climate(2)", … */
static unsigned pronunciations(ps_decoder_t *ps, const char *word) {
        unsigned n = 0;

        for (;;) {
                _cleanup_free_ char *name = NULL, *phones = NULL;

                if ((n == 0 ? asprintf(&name, "%s", word) : asprintf(&name, "%s(%u)", word, n + 1)) < 0)
                        break;
                phones = ps_lookup_word(ps, name);
                if (!phones)
                        break;
                n++;
        }
        return n;
}

/* Keyword spotting takes the first pronunciation of each word only, and misses everyone who says
 * the phrase the other way ("climate" as K L AY M IH T, as much of Britain does). So the search
 * gets one keyphrase per combination of the dictionary's pronunciations, written to a memfd in
 * the keyphrase-list format ("hey climate(2) /1e-50/"). */
static int keyphrase_list_new(ps_decoder_t *ps, const char *keyphrase, double threshold, int *ret_fd) {
        _cleanup_(strv_freep) char **words = NULL;
        _cleanup_fclose_ FILE *out = NULL;
        _cleanup_close_ int fd = -EBADF;
        unsigned counts[KEYPHRASE_WORDS_MAX], choice[KEYPHRASE_WORDS_MAX] = {}, n_words = 0, total = 1;
        int k;

        k = strv_split_words(keyphrase, &words);
        if (k < 0)
                return k;
        for (; words[n_words]; n_words++) {
                if (n_words >= KEYPHRASE_WORDS_MAX)
                        return -E2BIG;
                counts[n_words] = MAX(pronunciations(ps, words[n_words]), 1u);
                total *= counts[n_words];
        }
        k = memfd_new_stream("wakeword-keyphrases", &fd, &out);
        if (k < 0)
                return k;
        for (unsigned v = 0; v < MIN(total, (unsigned) KEYPHRASE_VARIANTS_MAX); v++) {
                for (unsigned i = 0; i < n_words; i++) {
                        if (choice[i] == 0)
                                fprintf(out, "%s%s", i > 0 ? " " : "", words[i]);
                        else
                                fprintf(out, "%s%s(%u)", i > 0 ? " " : "", words[i], choice[i] + 1);
                }
                fprintf(out, " /%g/\n", threshold);
                /* next combination, the last word's pronunciation turning fastest */
                for (unsigned i = n_words; i-- > 0; ) {
                        if (++choice[i] < counts[i])
                                break;
                        choice[i] = 0;
                }
        }
        if (fflush(out) != 0)
                return negative_errno();
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static int searches_add(Recognizer *r, const RecognizerConfig *c, char *const *fillers, char **ret_error) {
        _cleanup_(fsg_model_freep) fsg_model_t *fsg = NULL;
        _cleanup_close_ int kws_fd = -EBADF;
        char kws_path[64];
        int k;

        /* A search takes its beams from the configuration when it is set up: the keyword search
         * gets its own, wider one (below ~1e-48 the threshold does nothing without it), the
         * grammars the default, which keeps the word loops cheap. */
        k = keyphrase_list_new(r->ps, r->keyphrase, c->kws_threshold, &kws_fd);
        if (k < 0) {
                *ret_error = message_new("cannot list the pronunciations of '%s': %s", r->keyphrase, strerror(-k));
                return k;
        }
        snprintf(kws_path, sizeof kws_path, "/proc/self/fd/%i", kws_fd);
        cmd_ln_set_float_r(ps_get_config(r->ps), "-beam", c->kws_beam);
        k = ps_set_kws(r->ps, SEARCH_WAKE, kws_path);
        cmd_ln_set_float_r(ps_get_config(r->ps), "-beam", r->beam);
        if (k < 0) {
                *ret_error = message_new("cannot set up keyword search for '%s'", r->keyphrase);
                return -EINVAL;
        }
        k = command_fsg_new(r->ps, c->grammar, fillers, c->filler_logprob, &fsg, ret_error);
        if (k < 0)
                return k;
        if (ps_set_fsg(r->ps, SEARCH_COMMAND, fsg) < 0) {
                *ret_error = message_new("cannot set up the command search of '%s'", c->grammar);
                return -EINVAL;
        }
        if (r->verify) {
                _cleanup_(fsg_model_freep) fsg_model_t *verify = NULL;

                k = verify_fsg_new(ps_get_logmath(r->ps), cmd_ln_float32_r(ps_get_config(r->ps), "-lw"),
                                   r->keyphrase, fillers, c->verify_filler_count, c->verify_logprob, &verify);
                if (k < 0 || ps_set_fsg(r->ps, SEARCH_VERIFY, verify) < 0) {
                        *ret_error = message_new("cannot set up the verification of '%s'", r->keyphrase);
                        return k < 0 ? k : -EINVAL;
                }
        }
        if (ps_set_allphone_file(r->ps, SEARCH_PHONES, c->phone_lm) < 0) {
                *ret_error = message_new("cannot load phone language model '%s'", c->phone_lm);
                return -EINVAL;
        }
        if (ps_set_search(r->ps, SEARCH_WAKE) < 0) {
                *ret_error = message_new("cannot select keyword search");
                return -EINVAL;
        }
        r->search = SEARCH_WAKE;
        return 0;
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
        r->min_confidence = c->min_confidence;
        r->min_coverage = c->min_coverage;
        r->max_coverage = c->max_coverage;
        r->min_word_posterior = c->min_word_posterior;
        r->verify = c->verify_logprob < 0 && c->filler_count > 0;
        r->verify_samples = MIN((size_t) (c->verify_window_sec * SAMPLE_RATE), (size_t) HISTORY_SAMPLES);
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
        r_ = decoder_create(c, r->dict_fd, &r->ps, ret_error);
        if (r_ < 0)
                return r_;
        r->beam = cmd_ln_float_r(ps_get_config(r->ps), "-beam");
        r_ = searches_add(r, c, fillers, ret_error);
        if (r_ < 0)
                return r_;
        r->window_fe = fe_init_auto_r(ps_get_config(r->ps));     /* takes a reference of its own */
        if (!r->window_fe)
                return -ENOMEM;
        r->window_cep = (mfcc_t **) ckd_calloc_2d(WINDOW_CEP_BLOCK, fe_get_output_size(r->window_fe), sizeof(mfcc_t));
        (void) recognizer_set_cmn(r, typical_cmn, RECOGNIZER_CMN_GUESS_FRAMES);
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
        if (r->window_cep)
                ckd_free_2d(r->window_cep);
        if (r->window_fe)
                fe_free(r->window_fe);
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
                r->history_fill = 0;
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

/* The decoder's running cepstral mean, or NULL when the model's front end keeps none of the
 * size we know. */
static cmn_t *decoder_cmn(Recognizer *r) {
        feat_t *f = ps_get_feat(r->ps);
        cmn_t *cmn = f ? f->cmn_struct : NULL;

        return cmn && cmn->veclen == RECOGNIZER_CMN_SIZE ? cmn : NULL;
}

/* All of the running mean's state, kept aside across a second look at audio the stream already
 * gave the decoder: the mean follows the stream, and would otherwise count that audio twice. */
typedef struct CmnState {
        mfcc_t mean[RECOGNIZER_CMN_SIZE], sum[RECOGNIZER_CMN_SIZE];
        int32 nframe;
} CmnState;

static void cmn_save(const cmn_t *cmn, CmnState *s) {
        memcpy(s->mean, cmn->cmn_mean, sizeof s->mean);
        memcpy(s->sum, cmn->sum, sizeof s->sum);
        s->nframe = cmn->nframe;
}

static void cmn_restore(cmn_t *cmn, const CmnState *s) {
        memcpy(cmn->cmn_mean, s->mean, sizeof s->mean);
        memcpy(cmn->sum, s->sum, sizeof s->sum);
        cmn->nframe = s->nframe;
}

/* Sets the running mean to "mean", worth "weight_frames" frames of speech against what follows
 * (cmn_live_set() always counts it as 5 s). */
static void cmn_set(cmn_t *cmn, const mfcc_t mean[static RECOGNIZER_CMN_SIZE], int32 weight_frames) {
        for (size_t i = 0; i < RECOGNIZER_CMN_SIZE; i++) {
                cmn->cmn_mean[i] = mean[i];
                cmn->sum[i] = mean[i] * (mfcc_t) weight_frames;
        }
        cmn->nframe = weight_frames;
}

/* Runs "search" over audio the stream already gave the decoder (a wake's window, a command),
 * as one utterance of its own, with the cepstral mean "mean" (NULL: the stream's); the running
 * mean is left as the stream made it. */
static int second_look(Recognizer *r, const char *search, const int16_t *samples, size_t n, const mfcc_t *mean) {
        cmn_t *cmn = decoder_cmn(r);
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

static bool word_is_silence(const char *word) {
        return !word || word[0] == '<' || word[0] == '+' || word[0] == '[' || streq(word, "SIL");
}

/* Sum of acoustic scores and frames over the best path of the last utterance, and how many of
 * those frames went to words (or phones) rather than to silence and fillers. */
static void path_score(Recognizer *r, int64_t *ret_ascr, int *ret_frames, int *ret_word_frames) {
        int64_t total = 0;
        int frames = 0, word_frames = 0;

        for (ps_seg_t *s = ps_seg_iter(r->ps); s; s = ps_seg_next(s)) {
                const char *word = ps_seg_word(s);
                int32 ascr = 0, lscr, lback;
                int sf, ef;

                (void) ps_seg_prob(s, &ascr, &lscr, &lback);
                ps_seg_frames(s, &sf, &ef);
                total += ascr;
                frames += ef - sf + 1;
                if (!word_is_silence(word))
                        word_frames += ef - sf + 1;
        }
        *ret_ascr = total;
        *ret_frames = frames;
        *ret_word_frames = word_frames;
}

#define POSTERIOR_WORDS_MAX 64

/* The posterior probability of the least certain word of the best path through the last
 * utterance's word lattice: for each word, the share of all paths that have that word at an
 * overlapping time. Other commands and the filler loop are the competition, so a word that the
 * audio fits about as well as something else ("warmer" or "cooler", "four" or "five") scores low,
 * however well the command fits as a whole. Relative within one utterance, it means the same for
 * every voice and room, where acoustic scores do not. 1 when there is no lattice to ask. */
static double word_posterior(Recognizer *r) {
        ps_lattice_t *dag = ps_get_lattice(r->ps);
        struct {
                const char *word;
                int16 sf, ef;
                double sum;
        } best[POSTERIOR_WORDS_MAX];
        size_t n = 0;
        logmath_t *lmath;
        float32 ascale;
        double least = 1;

        if (!dag)
                return 1;
        lmath = ps_lattice_get_logmath(dag);
        ascale = 1.0f / cmd_ln_float32_r(ps_get_config(r->ps), "-ascale");
        for (ps_latlink_t *l = ps_lattice_bestpath(dag, NULL, 1.0, ascale); l && n < ELEMENTSOF(best); l = ps_latlink_pred(l)) {
                const char *word = ps_latlink_baseword(dag, l);

                if (word_is_silence(word))
                        continue;
                best[n].word = word;
                best[n].ef = (int16) ps_latlink_times(l, &best[n].sf);
                best[n].sum = 0;
                n++;
        }
        if (n == 0)
                return 1;
        (void) ps_lattice_posterior(dag, NULL, ascale);
        /* one pass over the lattice, each link counted for the best-path words it overlaps */
        for (ps_latlink_t *l = ps_lattice_traverse_edges(dag, NULL, NULL); l; l = ps_lattice_traverse_next(dag, NULL)) {
                const char *word = ps_latlink_baseword(dag, l);
                int16 sf, ef = (int16) ps_latlink_times(l, &sf);

                if (word_is_silence(word))
                        continue;
                for (size_t i = 0; i < n; i++)
                        if (streq(word, best[i].word) && sf <= best[i].ef && ef >= best[i].sf)
                                best[i].sum += logmath_exp(lmath, ps_latlink_prob(dag, l, NULL));
        }
        for (size_t i = 0; i < n; i++)
                least = MIN(least, best[i].sum);
        return least;
}

/* How much better the command grammar explains the audio than free phone recognition does, per
 * frame. Speech that is not a command fits the grammar poorly but phones well, so this stays
 * meaningful across voices and rooms, where an absolute score per second does not. */
static int command_confidence(Recognizer *r, int64_t grammar_ascr, int grammar_frames, int word_frames,
                              double *ret_confidence, double *ret_coverage) {
        int64_t phones_ascr;
        int phones_frames, speech_frames, k;

        k = second_look(r, SEARCH_PHONES, r->command_audio, r->command_samples, NULL);
        if (k < 0)
                return k;
        path_score(r, &phones_ascr, &phones_frames, &speech_frames);
        if (grammar_frames <= 0 || phones_frames <= 0 || speech_frames <= 0) {
                *ret_confidence = -1e9;
                *ret_coverage = 0;
                return 0;
        }
        *ret_confidence = (double) (grammar_ascr - phones_ascr) / grammar_frames;
        /* The phone loop says how much of the window was speech; a command that explains only a
         * small part of it was forced onto a longer, different sentence, and one whose words
         * reach far over what the phone loop hears as silence was stretched over a fragment.
         * Not every stretch is one: the phone loop hears fricatives and breathy onsets ("fan speed
         * high") as silence, and true commands reach 1.7 in a reverberant room; hence the default
         * of 2. */
        *ret_coverage = (double) word_frames / speech_frames;
        return 0;
}

static int command_finish(Recognizer *r, uint64_t end_usec, RecognizerEvent *ret) {
        const char *hyp;
        int64_t ascr = 0;
        int frames = 0, word_frames = 0, k;
        double confidence = -1e9, coverage = 0;

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
                /* the lattice first: the phone loop below replaces it */
                ret->word_posterior = word_posterior(r);
                path_score(r, &ascr, &frames, &word_frames);
                k = command_confidence(r, ascr, frames, word_frames, &confidence, &coverage);
                if (k < 0)
                        return k;
                ret->score = confidence;
                ret->coverage = coverage;
                if (hypothesis_is_filler(ret->text))
                        ret->reason = "not a command";
                else if (intent_parse(ret->text, &ret->intent) < 0)
                        ret->reason = "not a command";
                else if (confidence < r->min_confidence)
                        ret->reason = "low confidence";
                else if (coverage < r->min_coverage)
                        ret->reason = "command covers too little of the speech";
                else if (coverage > r->max_coverage)
                        ret->reason = "command stretched over what is not speech";
                else if (ret->word_posterior < r->min_word_posterior)
                        ret->reason = "a word of the command is uncertain";
                else
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

static void history_push(Recognizer *r, const int16_t *samples, size_t n) {
        for (size_t i = 0; i < n; i++) {
                r->history[r->history_head] = samples[i];
                r->history_head = (r->history_head + 1) % HISTORY_SAMPLES;
        }
        r->history_fill = MIN(r->history_fill + n, (size_t) HISTORY_SAMPLES);
}

/* Copies the last "samples" of the wake stage into buf; returns how many there were. */
static size_t history_copy(Recognizer *r, size_t samples, int16_t *buf) {
        size_t n = MIN(samples, r->history_fill);
        size_t start = (r->history_head + HISTORY_SAMPLES - n) % HISTORY_SAMPLES;

        for (size_t i = 0; i < n; i++)
                buf[i] = r->history[(start + i) % HISTORY_SAMPLES];
        return n;
}

static void cep_add(double sum[static RECOGNIZER_CMN_SIZE], mfcc_t **cep, int32 frames) {
        for (int32 f = 0; f < frames; f++)
                for (size_t i = 0; i < RECOGNIZER_CMN_SIZE; i++)
                        sum[i] += cep[f][i];
}

/* The cepstral mean of "samples" alone, as the decoder's front end computes the cepstra. */
static int window_mean(Recognizer *r, const int16_t *samples, size_t n, mfcc_t ret[static RECOGNIZER_CMN_SIZE]) {
        double sum[RECOGNIZER_CMN_SIZE] = {};
        int32 frames = 0, nfr, first;

        if (fe_get_output_size(r->window_fe) != RECOGNIZER_CMN_SIZE)
                return -EOPNOTSUPP;
        fe_start_stream(r->window_fe);
        if (fe_start_utt(r->window_fe) < 0)
                return -EIO;
        for (;;) {
                size_t before = n;

                nfr = WINDOW_CEP_BLOCK;
                if (fe_process_frames(r->window_fe, &samples, &n, r->window_cep, &nfr, &first) < 0)
                        return -EIO;
                cep_add(sum, r->window_cep, nfr);
                frames += nfr;
                if (nfr == 0 && n == before)
                        break;
        }
        if (fe_end_utt(r->window_fe, r->window_cep[0], &nfr) < 0)
                return -EIO;
        cep_add(sum, r->window_cep, nfr);
        frames += nfr;
        if (frames < WINDOW_MEAN_FRAMES_MIN)
                return -ENODATA;
        for (size_t i = 0; i < RECOGNIZER_CMN_SIZE; i++)
                ret[i] = (mfcc_t) (sum[i] / frames);
        return 0;
}

/* The cepstral mean the verification reads its window with: halfway between the stream's and
 * the window's own. The stream's mean moves only when an utterance ends and follows the last
 * seconds of speech, so it lags behind a new voice, a louder one, or a fan that just came on; the
 * window's own mean is current, but from a second and a half of audio that is mostly the phrase:
 * alone, it lost true wakes in reverberant rooms and let more near-misses through to a command. */
static const mfcc_t *verify_mean(Recognizer *r, const int16_t *samples, size_t n, mfcc_t buf[static RECOGNIZER_CMN_SIZE]) {
        cmn_t *cmn = decoder_cmn(r);

        if (!cmn || window_mean(r, samples, n, buf) < 0)
                return NULL;
        for (size_t i = 0; i < RECOGNIZER_CMN_SIZE; i++)
                buf[i] = (buf[i] + cmn->cmn_mean[i]) / 2;
        return buf;
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
        n = history_copy(r, r->verify_samples, buf);
        k = second_look(r, SEARCH_VERIFY, buf, n, verify_mean(r, buf, n, mean));
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
        size_t n = history_copy(r, samples, buf);

        r->history_fill = 0;
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
        history_push(r, samples, n);
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
        cmn_t *cmn = decoder_cmn(r);
        mfcc_t v[RECOGNIZER_CMN_SIZE];

        if (!cmn)
                return -EOPNOTSUPP;
        cmn_live_get(cmn, v);
        for (size_t i = 0; i < RECOGNIZER_CMN_SIZE; i++)
                ret[i] = (float) v[i];
        return 0;
}

int recognizer_set_cmn(Recognizer *r, const float v[static RECOGNIZER_CMN_SIZE], unsigned weight_frames) {
        cmn_t *cmn = decoder_cmn(r);
        mfcc_t m[RECOGNIZER_CMN_SIZE];

        if (!cmn || weight_frames == 0)
                return -EOPNOTSUPP;
        for (size_t i = 0; i < RECOGNIZER_CMN_SIZE; i++)
                m[i] = (mfcc_t) v[i];
        cmn_set(cmn, m, (int32) weight_frames);
        return 0;
}
