/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "grammar.h"
#include "message.h"
#include "strv.h"

int filler_words_read(const char *path, unsigned max, char ***ret, char **ret_error) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *line = NULL;
        _cleanup_(strv_freep) char **l = NULL;
        size_t cap = 0, n = 0;

        *ret_error = NULL;
        f = fopen(path, "re");
        if (!f) {
                int r = negative_errno();
                *ret_error = message_new("cannot open filler word list '%s': %s", path, strerror(-r));
                return r;
        }
        l = calloc(max + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        while (n < max && getline(&line, &cap, f) > 0) {
                char *w = line + strspn(line, " \t");

                w[strcspn(w, " \t\r\n#")] = '\0';
                if (isempty(w))
                        continue;
                for (char *p = w; *p; p++)
                        *p = (char) tolower((unsigned char) *p);
                l[n] = strdup(w);
                if (!l[n++])
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* Whether the word starting at "word" came through the filler loop. */
static bool word_is_filler(const char *word) {
        return strncmp(word, FILLER_PREFIX, strlen(FILLER_PREFIX)) == 0;
}

bool hypothesis_is_filler(const char *hyp) {
        return hyp && (word_is_filler(hyp) || strstr(hyp, " " FILLER_PREFIX));
}

DEFINE_TRIVIAL_CLEANUP_FUNC(jsgf_t *, jsgf_grammar_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(fsg_model_t *, fsg_model_free);

/* Copies every arc of "from" into "to", whose states are numbered the same. */
static void fsg_copy_arcs(fsg_model_t *from, fsg_model_t *to) {
        for (int32 s = 0; s < fsg_model_n_state(from); s++) {
                fsg_arciter_t *it;

                for (it = fsg_model_arcs(from, s); it; it = fsg_arciter_next(it)) {
                        fsg_link_t *link = fsg_arciter_get(it);
                        int32 wid = fsg_link_wid(link);

                        if (wid < 0)
                                fsg_model_null_trans_add(to, fsg_link_from_state(link), fsg_link_to_state(link),
                                                         fsg_link_logs2prob(link));
                        else
                                fsg_model_trans_add(to, fsg_link_from_state(link), fsg_link_to_state(link),
                                                    fsg_link_logs2prob(link),
                                                    fsg_model_word_add(to, fsg_model_word_str(from, wid)));
                }
        }
}

static int32 filler_logp(fsg_model_t *fsg, double logprob);

/* Arcs from "from" to "to" (a loop when they are the same), one per filler word not in "except",
 * from the first "max" filler words. */
static int filler_arcs_add(fsg_model_t *fsg, int32 from, int32 to, char *const *fillers, unsigned max,
                           char *const *except, int32 logp) {
        for (char *const *w = fillers; w && *w && (size_t) (w - fillers) < max; w++) {
                _cleanup_free_ char *name = NULL;

                if (strv_contains(except, *w))
                        continue;
                name = message_new(FILLER_PREFIX "%s", *w);
                if (!name)
                        return -ENOMEM;
                fsg_model_trans_add(fsg, from, to, logp, fsg_model_word_add(fsg, name));
        }
        return 0;
}

int command_fsg_new(ps_decoder_t *ps, const char *grammar, char *const *fillers, double filler_logprob,
                    fsg_model_t **ret, char **ret_error) {
        _cleanup_(jsgf_grammar_freep) jsgf_t *jsgf = NULL;
        _cleanup_(fsg_model_freep) fsg_model_t *commands = NULL, *fsg = NULL;
        logmath_t *lmath = ps_get_logmath(ps);
        float32 lw = cmd_ln_float32_r(ps_get_config(ps), "-lw");
        jsgf_rule_t *rule;
        int32 loop;
        int r;

        *ret_error = NULL;
        jsgf = jsgf_parse_file(grammar, NULL);
        if (!jsgf) {
                *ret_error = message_new("cannot parse command grammar '%s'", grammar);
                return -EINVAL;
        }
        rule = jsgf_get_public_rule(jsgf);
        if (!rule) {
                *ret_error = message_new("command grammar '%s' has no public rule", grammar);
                return -EINVAL;
        }
        commands = jsgf_build_fsg(jsgf, rule, lmath, lw);
        if (!commands) {
                *ret_error = message_new("cannot build the command grammar '%s'", grammar);
                return -EINVAL;
        }
        if (!fillers || !fillers[0]) {
                *ret = TAKE_PTR(commands);
                return 0;
        }

        /* One more state: the loop, entered from the start and left to the end. */
        fsg = fsg_model_init("command", lmath, lw, fsg_model_n_state(commands) + 1);
        if (!fsg)
                return -ENOMEM;
        fsg->start_state = fsg_model_start_state(commands);
        fsg->final_state = fsg_model_final_state(commands);
        fsg_copy_arcs(commands, fsg);
        loop = fsg_model_n_state(commands);
        fsg_model_null_trans_add(fsg, fsg->start_state, loop, 0);
        fsg_model_null_trans_add(fsg, loop, fsg->final_state, 0);
        r = filler_arcs_add(fsg, loop, loop, fillers, UINT_MAX, NULL, filler_logp(fsg, filler_logprob));
        if (r < 0)
                return r;
        glist_free(fsg_model_null_trans_closure(fsg, NULL));
        *ret = TAKE_PTR(fsg);
        return 0;
}

static int32 filler_logp(fsg_model_t *fsg, double logprob) {
        /* logmath works in its own base; the FSG scores are scaled by the language weight. */
        return (int32) (logprob / log(logmath_get_base(fsg->lmath)) * fsg->lw);
}

int verify_fsg_new(logmath_t *lmath, float32 lw, const char *keyphrase, char *const *fillers, unsigned max_fillers,
                   double filler_logprob, fsg_model_t **ret) {
        _cleanup_(fsg_model_freep) fsg_model_t *fsg = NULL;
        _cleanup_(strv_freep) char **words = NULL;
        size_t n = 0;
        int32 state;
        int r;

        r = strv_split_words(keyphrase, &words);
        if (r < 0)
                return r;
        for (n = 0; words[n]; n++)
                ;
        if (n == 0)
                return -EINVAL;
        /* state 0: the loop (and start); 1..n-1: inside the phrase; n: the phrase said; n+1: final,
         * reached from n directly or through one word more (the start of what follows). The loop
         * has the phrase's words one by one too, at a filler word's cost: "the climate" must
         * then beat "~the ~climate", where the phrase's own words can no longer help it. */
        fsg = fsg_model_init("verify", lmath, lw, (int32) n + 2);
        if (!fsg)
                return -ENOMEM;
        fsg->start_state = 0;
        fsg->final_state = (int32) n + 1;
        r = filler_arcs_add(fsg, 0, 0, fillers, max_fillers, words, filler_logp(fsg, filler_logprob));
        if (r < 0)
                return r;
        r = filler_arcs_add(fsg, 0, 0, words, UINT_MAX, NULL, filler_logp(fsg, filler_logprob));
        if (r < 0)
                return r;
        fsg_model_null_trans_add(fsg, 0, fsg->final_state, 0);
        state = 0;
        for (size_t i = 0; i < n; i++, state++)
                fsg_model_trans_add(fsg, state, state + 1, 0, fsg_model_word_add(fsg, words[i]));
        fsg_model_null_trans_add(fsg, (int32) n, fsg->final_state, 0);
        r = filler_arcs_add(fsg, (int32) n, fsg->final_state, fillers, max_fillers, words, filler_logp(fsg, filler_logprob));
        if (r < 0)
                return r;
        glist_free(fsg_model_null_trans_closure(fsg, NULL));
        *ret = TAKE_PTR(fsg);
        return 0;
}

bool hypothesis_verifies(const char *hyp, const char *phrase) {
        const char *end, *last;
        size_t p;

        if (!hyp || !phrase)
                return false;
        p = strlen(phrase);
        end = hyp + strlen(hyp);
        /* one filler word after the phrase: the start of what was said next */
        last = strrchr(hyp, ' ');
        if (last && word_is_filler(last + 1))
                end = last;
        return p > 0 && (size_t) (end - hyp) >= p && strncmp(end - p, phrase, p) == 0 &&
                (end - p == hyp || end[-p - 1] == ' ');
}

/* The words heard, without the marks of the filler loop ("~the ~cat" → "the cat"). */
void hypothesis_plain_words(const char *text, char *buf, size_t size) {
        size_t n = 0;

        for (const char *p = text; *p && n + 1 < size; ) {
                if ((p == text || p[-1] == ' ') && word_is_filler(p)) {
                        p += strlen(FILLER_PREFIX);
                        continue;
                }
                buf[n++] = *p++;
        }
        buf[n] = 0;
}
