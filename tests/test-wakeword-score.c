/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The command stage's figures and its gate, without a decoder: what the grammar's path and the
 * phone loop's make of the same audio, and which verdict each figure gives on its own. */

#include <math.h>
#include <string.h>

#include "harness.h"
#include "score.h"

static const CommandLimits limits = {
        .min_confidence = -40,
        .min_coverage = 0.6,
        .max_coverage = 2.0,
        .min_word_posterior = 0.6,
        .min_word_confidence = -4000,
};

static void test_compare(void) {
        CommandScores s;

        command_scores_compare(&(PathScore) { .ascr = -30000, .frames = 100, .word_frames = 80 },
                               &(PathScore) { .ascr = -28000, .frames = 100, .word_frames = 90 }, &s);
        check(fabs(s.confidence + 20) < 1e-9, "confidence per frame of the grammar: %g", s.confidence);
        check(fabs(s.coverage - 80.0 / 90) < 1e-9, "coverage against the phone loop's speech: %g", s.coverage);

        command_scores_compare(&(PathScore) { .ascr = -30000, .frames = 100, .word_frames = 80 },
                               &(PathScore) { .ascr = -28000, .frames = 100, .word_frames = 0 }, &s);
        check(s.confidence <= -1e9 && s.coverage == 0, "no speech heard by the phone loop: no confidence (%g, %g)",
              s.confidence, s.coverage);
        command_scores_compare(&(PathScore) {}, &(PathScore) { .ascr = -1, .frames = 1, .word_frames = 1 }, &s);
        check(s.confidence <= -1e9, "an empty grammar path has no confidence");
}

static void test_word_confidence(void) {
        /* "make it warmer": three words, each with its score summed over its frames */
        const WordSpans words = { .n = 3, .word = {
                { .sf = 10, .ef = 29, .ascr = -2000 },          /* make */
                { .sf = 30, .ef = 39, .ascr = -900 },           /* it */
                { .sf = 40, .ef = 79, .ascr = -5000 },          /* warmer */
        } }, none = {};
        double c;

        c = word_confidence(&words);
        check(fabs(c + 5000) < 1e-9, "the worst-fitting word's score: %g", c);
        check(word_confidence(&none) == 0, "no words: nothing to hold against them");
}

static void test_gate(void) {
        const CommandScores good = { .confidence = -20, .coverage = 1.0, .word_posterior = 0.95, .word_confidence = -1500 };
        CommandScores s;
        Intent intent;
        const char *why;

        why = command_gate("set the temperature to twenty four degrees", &good, &limits, &intent);
        check(!why, "a clear command passes: %s", why ?: "");
        check(intent.action == INTENT_SET_TEMPERATURE && intent.temperature == 24, "with its intent");

        why = command_gate("~the ~cat ~sat", &good, &limits, &intent);
        check(why && streq(why, "not a command"), "the filler loop is not a command: %s", why ?: "accepted");
        why = command_gate("set the", &good, &limits, &intent);
        check(why && streq(why, "not a command"), "words without an intent: %s", why ?: "accepted");

        s = good;
        s.confidence = -40.5;
        why = command_gate("make it warmer", &s, &limits, &intent);
        check(why && streq(why, "low confidence"), "low confidence: %s", why ?: "accepted");
        s.confidence = -40;
        check(!command_gate("make it warmer", &s, &limits, &intent), "the limit itself passes");

        s = good;
        s.coverage = 0.59;
        why = command_gate("make it warmer", &s, &limits, &intent);
        check(why && streq(why, "command covers too little of the speech"), "coverage too low: %s", why ?: "accepted");
        s.coverage = 2.01;
        why = command_gate("make it warmer", &s, &limits, &intent);
        check(why && streq(why, "command stretched over what is not speech"), "coverage too high: %s", why ?: "accepted");

        s = good;
        s.word_posterior = 0.5;
        why = command_gate("make it warmer", &s, &limits, &intent);
        check(why && streq(why, "a word of the command is uncertain"), "uncertain word: %s", why ?: "accepted");

        s = good;
        s.word_confidence = -4001;
        why = command_gate("make it warmer", &s, &limits, &intent);
        check(why && streq(why, "a word of the command does not fit its speech"), "a word laid over other speech: %s",
              why ?: "accepted");
        s.word_confidence = -4000;
        check(!command_gate("make it warmer", &s, &limits, &intent), "the word limit itself passes");

        /* the order: what the words are decides before any figure */
        s = (CommandScores) { .confidence = -100, .coverage = 0, .word_posterior = 0 };
        why = command_gate("~hello", &s, &limits, &intent);
        check(why && streq(why, "not a command"), "filler first: %s", why ?: "accepted");
        why = command_gate("make it warmer", &s, &limits, &intent);
        check(why && streq(why, "low confidence"), "then confidence: %s", why ?: "accepted");
}

static void test_silence_words(void) {
        check(word_is_silence(NULL) && word_is_silence("<sil>") && word_is_silence("+NOISE+") &&
              word_is_silence("[NOISE]") && word_is_silence("SIL") && word_is_silence("</s>"),
              "silence and noise markers");
        check(!word_is_silence("climate") && !word_is_silence("~the") && !word_is_silence("AH"), "words and phones");
}

static void test_wake_model_names(void) {
        check(streq(wake_model_to_string(WAKE_MODEL_STOCK), "stock") &&
              streq(wake_model_to_string(WAKE_MODEL_ADAPTED), "adapted") && streq(wake_model_to_string(WAKE_MODEL_NONE), "none"),
              "model names");
}

/* the enrolled voice's wake is the adapted model's, everyone else's the stock model's */
static void test_wake_model_by_fit(void) {
        /* per frame, the adapted path fits 100 better than "base", 3 better than "close" */
        const PathScore adapted_path = { .ascr = -90000, .frames = 100 }, base = { .ascr = -100000, .frames = 100 },
                        close = { .ascr = -90300, .frames = 100 };
        WakeVerdict s_yes = { .verified = true, .path = base }, s_no = { .path = base },
                    a_yes = { .verified = true, .path = adapted_path }, a_no = { .path = adapted_path };

        check(wake_model_by_fit(&s_yes, NULL, 5) == WAKE_MODEL_STOCK, "no adaptation: the stock verdict");
        check(wake_model_by_fit(&s_no, NULL, 5) == WAKE_MODEL_NONE, "no adaptation: no wake");

        /* the enrolled voice (fit 100 >= 5) */
        check(wake_model_by_fit(&s_yes, &a_yes, 5) == WAKE_MODEL_ADAPTED, "enrolled, both verified: adapted");
        check(wake_model_by_fit(&s_no, &a_yes, 5) == WAKE_MODEL_ADAPTED, "enrolled, adapted only: a wake");
        check(wake_model_by_fit(&s_yes, &a_no, 5) == WAKE_MODEL_ADAPTED,
              "enrolled, stock only: a wake, the command heard with the adapted model");
        check(wake_model_by_fit(&s_no, &a_no, 5) == WAKE_MODEL_NONE, "enrolled, neither: no wake");
        check(wake_model_by_fit(&s_no, &a_yes, 100) == WAKE_MODEL_ADAPTED, "the margin itself passes");

        /* everyone else (fit 3 < 5): as without an adaptation */
        s_yes.path = s_no.path = close;
        check(wake_model_by_fit(&s_yes, &a_yes, 5) == WAKE_MODEL_STOCK, "another voice, both verified: stock");
        check(wake_model_by_fit(&s_no, &a_yes, 5) == WAKE_MODEL_NONE, "another voice, adapted only: no wake");
        check(wake_model_by_fit(&s_yes, &a_no, 5) == WAKE_MODEL_STOCK, "another voice, stock only: stock");
        check(wake_model_by_fit(&s_no, &a_no, 5) == WAKE_MODEL_NONE, "another voice, neither: no wake");
        for (int a = 0; a < 2; a++)
                for (int st = 0; st < 2; st++) {
                        WakeVerdict va = a ? a_yes : a_no, vs = st ? s_yes : s_no;

                        check((wake_model_by_fit(&vs, &va, 5) != WAKE_MODEL_NONE) == (wake_model_by_fit(&vs, NULL, 5) != WAKE_MODEL_NONE),
                              "another voice wakes as without an adaptation (adapted %d, stock %d)", a, st);
                }

        /* the stock search found no way through: the adapted one fits better by any margin */
        check(wake_model_by_fit(&(WakeVerdict) {}, &a_yes, 1000) == WAKE_MODEL_ADAPTED, "stock path empty");
        check(wake_model_by_fit(&s_yes, &(WakeVerdict) { .verified = true }, 5) == WAKE_MODEL_STOCK,
              "adapted path empty: not the enrolled voice");
}

static void test_speaker_fit(void) {
        double fit;

        fit = speaker_fit(&(PathScore) { .ascr = -90000, .frames = 100 }, &(PathScore) { .ascr = -100000, .frames = 100 });
        check(fabs(fit - 100) < 1e-9, "adapted fits better by 100 a frame: %g", fit);
        /* per frame of each path: the paths may end a frame apart */
        fit = speaker_fit(&(PathScore) { .ascr = -50000, .frames = 50 }, &(PathScore) { .ascr = -99000, .frames = 99 });
        check(fabs(fit) < 1e-9, "the same fit per frame: %g", fit);
        fit = speaker_fit(&(PathScore) { .ascr = -120000, .frames = 100 }, &(PathScore) { .ascr = -100000, .frames = 100 });
        check(fabs(fit + 200) < 1e-9, "the stock model fits better: %g", fit);
        check(speaker_fit(&(PathScore) {}, &(PathScore) { .ascr = -1, .frames = 1 }) <= -1e9, "an empty path has no fit");
        check(speaker_fit(&(PathScore) { .ascr = -1, .frames = 1 }, &(PathScore) {}) >= 1e9,
              "only the stock model found no way through: the adapted one fits better");
}

static void test_enrolled_gate(void) {
        const SpeakerLimits l = { .min_wake_fit = 5, .min_command_fit = 3 };
        const SpeakerScores good = { .has_adaptation = true, .wake_fit = 20, .command_fit = 8 };
        SpeakerScores s;
        const char *why;

        check(!enrolled_gate(&good, &l), "an enrolled voice, clearly better");
        s = good;
        s.wake_fit = 5;
        s.command_fit = 3;
        check(!enrolled_gate(&s, &l), "the limits themselves pass");

        s = good;
        s.has_adaptation = false;
        why = enrolled_gate(&s, &l);
        check(why && streq(why, "no one has enrolled"), "no adaptation: nothing passes: %s", why ?: "accepted");

        /* each fit alone refuses: a voice in the same room fits the wake's window as well */
        s = good;
        s.command_fit = 2.9;
        why = enrolled_gate(&s, &l);
        check(why && strstr(why, "too little better"), "the command fits too little better: %s", why ?: "accepted");
        s = good;
        s.wake_fit = 4.9;
        s.command_fit = 1e9;
        why = enrolled_gate(&s, &l);
        check(why && strstr(why, "too little better"), "the wake fits too little better: %s", why ?: "accepted");
        s = good;
        s.command_fit = -1e9;
        why = enrolled_gate(&s, &l);
        check(why && strstr(why, "too little better"), "no fit at all: %s", why ?: "accepted");
}

/* The margins: calibrated from the enrolled voice's own fits, fixed without a calibration, and
 * overridden by the configuration. */
static void test_speaker_limits(void) {
        SpeakerCalibration c = {
                .wake = { 18, 12.5, 30, 22 }, .n_wake = 4,
                .command = { 9, 7, 16, 11, 14 }, .n_command = 5,
        };
        SpeakerLimits l;
        const char *from;

        from = speaker_limits_choose(NULL, NAN, NAN, &l);
        check(l.min_wake_fit == 5 && l.min_command_fit == 3, "no calibration: the fixed margins (%g, %g)", l.min_wake_fit,
              l.min_command_fit);
        check(from && strstr(from, "no calibration"), "and says so: %s", from ?: "");
        from = speaker_limits_choose(&(SpeakerCalibration) {}, NAN, NAN, &l);
        check(l.min_wake_fit == 5 && l.min_command_fit == 3 && strstr(from, "no calibration"),
              "an empty calibration (a file of version 1): fixed (%g, %g)", l.min_wake_fit, l.min_command_fit);

        from = speaker_limits_choose(&c, NAN, NAN, &l);
        check(fabs(l.min_wake_fit - 6.25) < 1e-9 && fabs(l.min_command_fit - 3.5) < 1e-9,
              "calibrated: half the least fit of each kind (%g, %g)", l.min_wake_fit, l.min_command_fit);
        check(from && strstr(from, "enrolment"), "and says so: %s", from ?: "");

        c.command[1] = -2;
        (void) speaker_limits_choose(&c, NAN, NAN, &l);
        check(l.min_command_fit == 0 && fabs(l.min_wake_fit - 6.25) < 1e-9,
              "a held-out fit below 0: the margin is 0, the adapted model must still fit better (%g)", l.min_command_fit);
        c.command[1] = 7;

        c.wake[0] = SPEAKER_FIT_ABS_MAX;        /* no stock path at all: the most a fit says */
        (void) speaker_limits_choose(&c, NAN, NAN, &l);
        check(fabs(l.min_wake_fit - 6.25) < 1e-9, "a fit at the end of the scale changes nothing below it (%g)",
              l.min_wake_fit);

        c.n_command = 3;
        from = speaker_limits_choose(&c, NAN, NAN, &l);
        check(l.min_wake_fit == 5 && l.min_command_fit == 3 && strstr(from, "too few"),
              "three command fits are too few: both fixed (%g, %g): %s", l.min_wake_fit, l.min_command_fit, from);
        c.n_command = 5;

        from = speaker_limits_choose(&c, 8, 1.5, &l);
        check(l.min_wake_fit == 8 && l.min_command_fit == 1.5 && strstr(from, "configuration"),
              "both set in the configuration: those (%g, %g): %s", l.min_wake_fit, l.min_command_fit, from);
        from = speaker_limits_choose(&c, NAN, -1, &l);
        check(fabs(l.min_wake_fit - 6.25) < 1e-9 && l.min_command_fit == -1 && strstr(from, "the other from the enrolment"),
              "one set: the other calibrated (%g, %g): %s", l.min_wake_fit, l.min_command_fit, from);
        from = speaker_limits_choose(NULL, 7, NAN, &l);
        check(l.min_wake_fit == 7 && l.min_command_fit == 3 && strstr(from, "the other fixed"),
              "one set, no calibration: the other fixed (%g, %g): %s", l.min_wake_fit, l.min_command_fit, from);
}

int main(void) {
        test_compare();
        test_word_confidence();
        test_gate();
        test_silence_words();
        test_wake_model_names();
        test_speaker_fit();
        test_wake_model_by_fit();
        test_enrolled_gate();
        test_speaker_limits();
        return test_result();
}
