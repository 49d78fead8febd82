/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The pieces around the decoder that need no audio: the filler word list, the hypothesis tests of
 * the command and verification searches, the verification grammar, the temperatures the command
 * grammar allows, the kept cepstral mean, and a recogniser built with the filler loop and the
 * second look at the phrase (when the model is installed). */

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmn-state.h"
#include "grammar.h"
#include "harness.h"
#include "recognizer.h"
#include "strv.h"

#define MODEL "/usr/share/pocketsphinx/model/en-us"

static void test_split(void) {
        _cleanup_(strv_freep) char **w = NULL;

        require(strv_split_words("  hey \t climate ", &w) == 0, "split");
        check(w[0] && streq(w[0], "hey") && w[1] && streq(w[1], "climate") && !w[2], "two words");
        check(strv_contains(w, "climate") && !strv_contains(w, "clim"), "contains");
}

static void test_fillers(void) {
        _cleanup_free_ char *path = test_tmp_path("fillers.txt"), *error = NULL;
        _cleanup_(strv_freep) char **l = NULL;

        require(test_write_file(path, "# comment\nThe\n\n  to  # trailing\nand\nof\n") == 0, "write");
        require(filler_words_read(path, 3, &l, &error) == 0, "read: %s", error ?: "");
        check(l[0] && streq(l[0], "the") && l[1] && streq(l[1], "to") && l[2] && streq(l[2], "and") && !l[3],
              "first three words, lower case, comments skipped");
        check(filler_words_read("/nonexistent/fillers", 10, &l, &error) < 0 && error && strstr(error, "/nonexistent/fillers"),
              "a missing list is an error naming it");
}

static void test_hypotheses(void) {
        check(hypothesis_is_filler("~the ~weather"), "filler");
        check(hypothesis_is_filler("set ~the"), "partly filler");
        check(!hypothesis_is_filler("set the temperature to twenty"), "command");
        check(!hypothesis_is_filler(NULL), "none");
        {
                char buf[16];

                hypothesis_plain_words("~the ~cat sat", buf, sizeof buf);
                check(streq(buf, "the cat sat"), "filler marks dropped: '%s'", buf);
                hypothesis_plain_words("set ~the temperature to twenty", buf, sizeof buf);
                check(streq(buf, "set the tempera"), "truncated to the buffer: '%s'", buf);
        }

        check(hypothesis_verifies("hey climate", "hey climate"), "just the phrase");
        check(hypothesis_verifies("~okay ~so hey climate", "hey climate"), "after fillers");
        check(hypothesis_verifies("hey climate ~set", "hey climate"), "one word of what follows");
        check(!hypothesis_verifies("hey climate ~change ~is", "hey climate"), "not near the end");
        check(!hypothesis_verifies("~they climate", "hey climate"), "word boundary");
        check(!hypothesis_verifies("~they climate ~set", "hey climate"), "word boundary, then a word");
        check(!hypothesis_verifies("~hey ~climb", "hey climate"), "fillers only");
        check(!hypothesis_verifies("~climate", "hey climate"), "shorter than the phrase");
        check(!hypothesis_verifies("", "hey climate") && !hypothesis_verifies(NULL, "hey climate"), "empty");
}

/* Counts the arcs from state "from" to state "to" that carry "word". */
static unsigned arcs(fsg_model_t *fsg, int32 from, int32 to, const char *word) {
        unsigned n = 0;

        for (fsg_arciter_t *it = fsg_model_arcs(fsg, from); it; it = fsg_arciter_next(it)) {
                fsg_link_t *l = fsg_arciter_get(it);

                if (fsg_link_wid(l) >= 0 && fsg_link_to_state(l) == to && streq(fsg_model_word_str(fsg, fsg_link_wid(l)), word))
                        n++;
        }
        return n;
}

/* The verification reads the phrase against common words and against the phrase's own words one
 * by one: "the climate" can be "~the ~climate". */
static void test_verify_fsg(void) {
        char *fillers[] = { (char *) "the", (char *) "to", (char *) "hey", (char *) "okay", NULL };
        logmath_t *lmath = logmath_init(1.0001, 0, 0);
        fsg_model_t *fsg = NULL;

        require(lmath, "logmath");
        require(verify_fsg_new(lmath, 6.5f, "hey climate", fillers, 3, -4, &fsg) == 0 && fsg, "verification grammar");
        check(arcs(fsg, 0, 0, "~the") == 1 && arcs(fsg, 0, 0, "~to") == 1, "common words loop");
        check(arcs(fsg, 0, 0, "~hey") == 1 && arcs(fsg, 0, 0, "~climate") == 1, "the phrase's words loop, once each");
        check(arcs(fsg, 0, 0, "~okay") == 0, "only the first max_fillers common words");
        check(arcs(fsg, 0, 1, "hey") == 1 && arcs(fsg, 1, 2, "climate") == 1, "the phrase");
        check(arcs(fsg, 2, 3, "~the") == 1 && arcs(fsg, 2, 3, "~hey") == 0, "one word after the phrase, not its own");
        fsg_model_free(fsg);
        logmath_free(lmath);
}

/* Whether the grammar "fsg" takes the words "text", from its start state to its final one. */
static bool fsg_accepts(fsg_model_t *fsg, const char *text) {
        _cleanup_(strv_freep) char **words = NULL;
        size_t n = (size_t) MAX(fsg_model_n_state(fsg), 0);
        _cleanup_free_ bool *at = calloc(n, sizeof(bool)), *next = calloc(n, sizeof(bool));

        require(at && next && strv_split_words(text, &words) == 0, "out of memory");
        at[fsg_model_start_state(fsg)] = true;
        for (char **w = words;; w++) {
                /* through null transitions first, to a fixed point */
                for (bool more = true; more;) {
                        more = false;
                        for (size_t s = 0; s < n; s++)
                                for (fsg_arciter_t *it = at[s] ? fsg_model_arcs(fsg, (int32) s) : NULL; it; it = fsg_arciter_next(it)) {
                                        fsg_link_t *l = fsg_arciter_get(it);

                                        if (fsg_link_wid(l) < 0 && !at[fsg_link_to_state(l)])
                                                more = at[fsg_link_to_state(l)] = true;
                                }
                }
                if (!*w)
                        return at[fsg_model_final_state(fsg)];
                memset(next, 0, n * sizeof(bool));
                for (size_t s = 0; s < n; s++)
                        for (fsg_arciter_t *it = at[s] ? fsg_model_arcs(fsg, (int32) s) : NULL; it; it = fsg_arciter_next(it)) {
                                fsg_link_t *l = fsg_arciter_get(it);

                                if (fsg_link_wid(l) >= 0 && streq(fsg_model_word_str(fsg, fsg_link_wid(l)), *w))
                                        next[fsg_link_to_state(l)] = true;
                        }
                memcpy(at, next, n * sizeof(bool));
        }
}

/* The temperatures the command grammar can say are hvacd's default range, MinTemperature 16 to
 * MaxTemperature 30 in steps of 0.5, and no more: "thirty and a half" is above it. */
static void test_command_temperatures(void) {
        static const char *const units[] = { "", " one", " two", " three", " four", " five", " six", " seven", " eight", " nine" };
        static const char *const teens[] = { "sixteen", "seventeen", "eighteen", "nineteen" };
        _cleanup_free_ char *path = test_src_path("wakeword/commands.gram");
        logmath_t *lmath = logmath_init(1.0001, 0, 0);
        jsgf_t *jsgf;
        fsg_model_t *fsg;

        require(lmath, "logmath");
        jsgf = jsgf_parse_file(path, NULL);
        require(jsgf && jsgf_get_public_rule(jsgf), "%s parses", path);
        fsg = jsgf_build_fsg(jsgf, jsgf_get_public_rule(jsgf), lmath, 6.5f);
        require(fsg, "grammar built");
        for (int t = 16; t <= 30; t++) {
                char number[32], text[96];

                if (t < 20)
                        snprintf(number, sizeof number, "%s", teens[t - 16]);
                else
                        snprintf(number, sizeof number, "%s%s", t < 30 ? "twenty" : "thirty", units[t % 10]);
                snprintf(text, sizeof text, "set the temperature to %s degrees", number);
                check(fsg_accepts(fsg, text), "'%s' is in the grammar", text);
                snprintf(text, sizeof text, "make it %s and a half", number);
                check(fsg_accepts(fsg, text) == (t < 30), "'%s' %s", text, t < 30 ? "is in the grammar" : "is above 30");
                snprintf(text, sizeof text, "set it to %s point five", number);
                check(fsg_accepts(fsg, text) == (t < 30), "'%s' %s", text, t < 30 ? "is in the grammar" : "is above 30");
        }
        check(!fsg_accepts(fsg, "make it thirty one") && !fsg_accepts(fsg, "make it fifteen"), "outside the range");
        check(!fsg_accepts(fsg, "set the temperature to"), "no number");
        check(fsg_accepts(fsg, "turn off the air conditioner"), "another command");
        fsg_model_free(fsg);
        jsgf_grammar_free(jsgf);
        logmath_free(lmath);
}

static void test_cmn_parse(void) {
        float v[RECOGNIZER_CMN_SIZE];

        check(cmn_state_parse("55.4 1.5 -2.8 16.6 -7.9 -3.2 -1.5 -13.4 -4.5 -5.1 3.5 -1.8 -6.0\n", v) == 0 &&
              fabsf(v[0] - 55.4f) < 1e-4 && fabsf(v[12] + 6.0f) < 1e-4, "13 numbers");
        check(cmn_state_parse("1 2 3", v) == -EINVAL, "too few");
        check(cmn_state_parse("1 2 3 4 5 6 7 8 9 10 11 12 13 14", v) == -EINVAL, "too many");
        check(cmn_state_parse("1 2 3 4 5 6 7 8 9 10 11 12 nan", v) == -EINVAL, "not finite");
        check(cmn_state_parse("1e9 2 3 4 5 6 7 8 9 10 11 12 13", v) == -EINVAL, "implausible");
}

/* A recogniser with the filler loop and the verification search comes up, and its cepstral mean
 * goes to a file and comes back. */
static void test_recognizer(void) {
        _cleanup_free_ char *grammar = test_src_path("wakeword/commands.gram"), *fillers = test_src_path("wakeword/filler-words.txt"),
                            *state = test_tmp_path("cmn"), *error = NULL;
        _cleanup_(recognizer_freep) Recognizer *r = NULL;
        RecognizerConfig c;
        float a[RECOGNIZER_CMN_SIZE], b[RECOGNIZER_CMN_SIZE];
        _cleanup_(state_file_load_done) StateFileLoad load = {};

        recognizer_config_init_defaults(&c);
        c.hmm = (char *) MODEL "/en-us";
        c.dictionary = (char *) MODEL "/cmudict-en-us.dict";
        c.phone_lm = (char *) MODEL "/en-us-phone.lm.bin";
        c.keyphrase = (char *) "Hey Climate";
        c.grammar = grammar;
        c.filler_words = fillers;
        c.verify_logprob = -8;
        if (!check(recognizer_new(&c, &r, &error) == 0, "recogniser: %s", error ?: "?"))
                return;
        check(streq(recognizer_keyphrase(r), "hey climate"), "phrase lower-cased");

        require(recognizer_get_cmn(r, a) == 0, "get mean");
        a[0] += 1.5f;
        require(recognizer_set_cmn(r, a, RECOGNIZER_CMN_KEPT_FRAMES) == 0, "set mean");
        require(cmn_state_save(r, state) == 0, "save");
        a[0] -= 1.5f;
        require(recognizer_set_cmn(r, a, RECOGNIZER_CMN_KEPT_FRAMES) == 0, "set mean");
        require(cmn_state_load(r, state, &load) == 0 && load.status == STATE_FILE_LOADED, "load");
        require(recognizer_get_cmn(r, b) == 0, "get mean");
        check(fabsf(b[0] - (a[0] + 1.5f)) < 0.01f && fabsf(b[5] - a[5]) < 0.01f, "mean kept: %f vs %f", b[0], a[0] + 1.5f);
        require(test_write_file(state, "garbage\n") == 0, "write");
        check(cmn_state_load(r, state, &load) == 0 && load.status == STATE_FILE_CORRUPT && load.aside &&
              access(load.aside, F_OK) == 0, "a garbled file is refused and moved aside");
        state_file_load_done(&load);
        check(cmn_state_load(r, state, &load) == 0 && load.status == STATE_FILE_MISSING, "no file yet");

        /* A filler word the dictionary does not know is named. */
        r = recognizer_free(r);
        free(error);
        error = NULL;
        {
                _cleanup_free_ char *bad = test_tmp_path("bad-fillers.txt");
                require(test_write_file(bad, "the\nqwzxjk\n") == 0, "write");
                c.filler_words = bad;
                check(recognizer_new(&c, &r, &error) < 0 && error && strstr(error, "qwzxjk"), "unknown filler word named: %s",
                      error ?: "?");
        }
}

int main(void) {
        /* Before any check: the model is a package (tools/deps.sh), not part of the tree. */
        if (access(MODEL "/en-us/mdef", R_OK) < 0)
                test_skip("pocketsphinx-en-us is not installed (" MODEL "/en-us/mdef)");

        test_split();
        test_fillers();
        test_hypotheses();
        test_verify_fsg();
        test_command_temperatures();
        test_cmn_parse();
        test_recognizer();
        return test_result();
}
