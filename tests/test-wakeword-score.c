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

static void test_gate(void) {
        const CommandScores good = { .confidence = -20, .coverage = 1.0, .word_posterior = 0.95 };
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

int main(void) {
        test_compare();
        test_gate();
        test_silence_words();
        return test_result();
}
