/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <math.h>

#include "grammar.h"
#include "macro.h"
#include "score.h"

bool word_is_silence(const char *word) {
        return !word || word[0] == '<' || word[0] == '+' || word[0] == '[' || streq(word, "SIL");
}

static PathSpan seg_span(ps_seg_t *s) {
        PathSpan p = {};
        int32 ascr = 0, lscr, lback;

        (void) ps_seg_prob(s, &ascr, &lscr, &lback);
        ps_seg_frames(s, &p.sf, &p.ef);
        p.ascr = ascr;
        return p;
}

void path_score(ps_decoder_t *ps, PathScore *ret) {
        *ret = (PathScore) {};
        for (ps_seg_t *s = ps_seg_iter(ps); s; s = ps_seg_next(s)) {
                PathSpan p = seg_span(s);

                ret->ascr += p.ascr;
                ret->frames += p.ef - p.sf + 1;
                if (!word_is_silence(ps_seg_word(s)))
                        ret->word_frames += p.ef - p.sf + 1;
        }
}

void path_words(ps_decoder_t *ps, WordSpans *ret) {
        *ret = (WordSpans) {};
        for (ps_seg_t *s = ps_seg_iter(ps); s; s = ps_seg_next(s)) {
                const char *word = ps_seg_word(s);

                if (word_is_silence(word) || hypothesis_is_filler(word))
                        continue;
                if (ret->n >= WORD_SPANS_MAX) {
                        ps_seg_free(s);
                        break;
                }
                ret->word[ret->n++] = seg_span(s);
        }
}

double word_confidence(const WordSpans *w) {
        double least = 0;

        for (size_t i = 0; i < w->n; i++)
                if (i == 0 || w->word[i].ascr < least)
                        least = (double) w->word[i].ascr;
        return least;
}

#define POSTERIOR_WORDS_MAX 64

/* For each word of the best path, the share of all paths that have that word at an overlapping
 * time. Other commands and the filler loop are the competition, so a word that the audio fits
 * about as well as something else ("warmer" or "cooler", "four" or "five") scores low, however
 * well the command fits as a whole. Relative within one utterance, it means the same for every
 * voice and room, where acoustic scores do not. */
double word_posterior(ps_decoder_t *ps) {
        ps_lattice_t *dag = ps_get_lattice(ps);
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
        ascale = 1.0f / cmd_ln_float32_r(ps_get_config(ps), "-ascale");
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
void command_scores_compare(const PathScore *grammar, const PathScore *phones, CommandScores *ret) {
        /* the phone loop's words are its speech */
        if (grammar->frames <= 0 || phones->frames <= 0 || phones->word_frames <= 0) {
                ret->confidence = -1e9;
                ret->coverage = 0;
                return;
        }
        ret->confidence = (double) (grammar->ascr - phones->ascr) / grammar->frames;
        /* The phone loop says how much of the window was speech; a command that explains only a
         * small part of it was forced onto a longer, different sentence, and one whose words
         * reach far over what the phone loop hears as silence was stretched over a fragment.
         * Not every stretch is one: the phone loop hears fricatives and breathy onsets ("fan speed
         * high") as silence, and true commands reach 1.7 in a reverberant room; hence the default
         * of 2. */
        ret->coverage = (double) grammar->word_frames / phones->word_frames;
}

const char *command_gate(const char *text, const CommandScores *s, const CommandLimits *l, Intent *ret_intent) {
        if (hypothesis_is_filler(text))
                return "not a command";
        if (intent_parse(text, ret_intent) < 0)
                return "not a command";
        if (s->confidence < l->min_confidence)
                return "low confidence";
        if (s->coverage < l->min_coverage)
                return "command covers too little of the speech";
        if (s->coverage > l->max_coverage)
                return "command stretched over what is not speech";
        if (s->word_posterior < l->min_word_posterior)
                return "a word of the command is uncertain";
        if (s->word_confidence < l->min_word_confidence)
                return "a word of the command does not fit its speech";
        return NULL;
}

const char *wake_model_to_string(WakeModel m) {
        static const char *const names[] = {
                [WAKE_MODEL_NONE] = "none",
                [WAKE_MODEL_STOCK] = "stock",
                [WAKE_MODEL_ADAPTED] = "adapted",
        };
        return m < ELEMENTSOF(names) ? names[m] : NULL;
}

WakeModel wake_model_by_fit(const WakeVerdict *stock, const WakeVerdict *adapted, double min_fit) {
        bool enrolled;

        if (!adapted)
                return stock->verified ? WAKE_MODEL_STOCK : WAKE_MODEL_NONE;
        enrolled = speaker_fit(&adapted->path, &stock->path) >= min_fit;
        if (!stock->verified && !(adapted->verified && enrolled))
                return WAKE_MODEL_NONE;
        return enrolled ? WAKE_MODEL_ADAPTED : WAKE_MODEL_STOCK;
}

double speaker_fit(const PathScore *adapted, const PathScore *stock) {
        if (adapted->frames <= 0)
                return -1e9;
        if (stock->frames <= 0)         /* the stock model could not read the speech at all */
                return 1e9;
        return (double) adapted->ascr / adapted->frames - (double) stock->ascr / stock->frames;
}

const char *enrolled_gate(const SpeakerScores *s, const SpeakerLimits *l) {
        if (!s->has_adaptation)
                return "no one has enrolled";
        if (s->wake_fit < l->min_wake_fit || s->command_fit < l->min_command_fit)
                return "not an enrolled voice: the speech fits the adapted model too little better";
        return NULL;
}

/* The fixed margins: what enrolled_only uses with an adaptation that has no calibration (written
 * before enrolment measured one, or with too few fits in it). Fitted on the enrolment bench. */
#define FIXED_MIN_WAKE_FIT 5
#define FIXED_MIN_COMMAND_FIT 3

/* A margin from the enrolled voice's own fits: half the weakest of them, so that its speech
 * passes with room to spare, and another voice passes only if the adaptation suits it half as well
 * as the enrolled voice's least suited speech; never below 0, where the adapted model would fit no
 * better than the stock one. */
static double calibrated_margin(const double *fits, size_t n) {
        double least = fits[0];

        for (size_t i = 1; i < n; i++)
                least = MIN(least, fits[i]);
        return MAX(0.0, least / 2);
}

const char *speaker_limits_choose(const SpeakerCalibration *c, double min_wake_fit, double min_command_fit,
                                  SpeakerLimits *ret) {
        bool calibrated = c && c->n_wake >= SPEAKER_CALIBRATION_FITS_MIN && c->n_command >= SPEAKER_CALIBRATION_FITS_MIN;

        *ret = (SpeakerLimits) {
                .min_wake_fit = calibrated ? calibrated_margin(c->wake, c->n_wake) : FIXED_MIN_WAKE_FIT,
                .min_command_fit = calibrated ? calibrated_margin(c->command, c->n_command) : FIXED_MIN_COMMAND_FIT,
        };
        if (!isnan(min_wake_fit))
                ret->min_wake_fit = min_wake_fit;
        if (!isnan(min_command_fit))
                ret->min_command_fit = min_command_fit;
        if (!isnan(min_wake_fit) && !isnan(min_command_fit))
                return "set in the configuration";
        if (!isnan(min_wake_fit) || !isnan(min_command_fit))
                return calibrated ? "one set in the configuration, the other from the enrolment"
                                  : "one set in the configuration, the other fixed";
        if (calibrated)
                return "from the enrolment's own clips";
        return c && (c->n_wake > 0 || c->n_command > 0) ? "fixed: too few of the enrolment's clips measured"
                                                       : "fixed: the adaptation has no calibration";
}
