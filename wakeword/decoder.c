/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "adaptation.h"
#include "decoder.h"
#include "fileio.h"
#include "grammar.h"
#include "macro.h"
#include "message.h"
#include "strv.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(cmd_ln_t *, cmd_ln_free_r);

int decoder_init(const RecognizerConfig *c, const char *dictionary, ps_decoder_t **ret, char **ret_error) {
        _cleanup_(cmd_ln_free_rp) cmd_ln_t *config = NULL;
        Adaptation adaptation;
        char threshold[32];
        int k;

        snprintf(threshold, sizeof threshold, "%g", c->kws_threshold);
        /* feat.params of the model overrides front-end options, so only search options here.
         * The phone loop uses context-independent phones: with triphones it costs seconds of CPU
         * and hundreds of MB per window. */
        config = cmd_ln_init(NULL, ps_args(), TRUE,
                             "-hmm", c->hmm,
                             "-dict", dictionary,
                             "-kws_threshold", threshold,
                             "-allphone_ci", "yes",
                             "-logfn", "/dev/null",
                             NULL);
        if (!config) {
                *ret_error = message_new("invalid decoder configuration (model '%s')", c->hmm);
                return -EINVAL;
        }
        if (c->adaptation) {
                k = adaptation_open(c->adaptation, c->hmm, &adaptation);
                if (k < 0) {
                        *ret_error = k == -EBADMSG ? message_new("%s is not an adaptation of the model '%s'", c->adaptation, c->hmm)
                                                   : message_new("cannot read %s: %s", c->adaptation, strerror(-k));
                        return k;
                }
                for (AdaptationPart p = 0; p < _ADAPTATION_PART_MAX; p++)
                        cmd_ln_set_str_r(config, adaptation_part_option(p), adaptation.path[p]);
        }
        *ret = ps_init(config);
        if (c->adaptation)
                adaptation_close(&adaptation);         /* read by now */
        if (!*ret) {
                *ret_error = message_new("cannot load the acoustic model '%s'%s%s or dictionary '%s'", c->hmm,
                                         c->adaptation ? " adapted by " : "", c->adaptation ?: "", dictionary);
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

static int searches_add(ps_decoder_t *ps, const RecognizerConfig *c, const char *keyphrase, char *const *fillers,
                        bool spot, bool verify, char **ret_error) {
        _cleanup_(fsg_model_freep) fsg_model_t *fsg = NULL;
        _cleanup_close_ int kws_fd = -EBADF;
        char kws_path[64];
        double beam = cmd_ln_float_r(ps_get_config(ps), "-beam");
        int k;

        if (spot) {
                /* A search takes its beams from the configuration when it is set up: the keyword search
                 * gets its own, wider one (below ~1e-48 the threshold does nothing without it), the
                 * grammars the default, which keeps the word loops cheap. */
                k = keyphrase_list_new(ps, keyphrase, c->kws_threshold, &kws_fd);
                if (k < 0) {
                        *ret_error = message_new("cannot list the pronunciations of '%s': %s", keyphrase, strerror(-k));
                        return k;
                }
                snprintf(kws_path, sizeof kws_path, "/proc/self/fd/%i", kws_fd);
                cmd_ln_set_float_r(ps_get_config(ps), "-beam", c->kws_beam);
                k = ps_set_kws(ps, SEARCH_WAKE, kws_path);
                cmd_ln_set_float_r(ps_get_config(ps), "-beam", beam);
                if (k < 0) {
                        *ret_error = message_new("cannot set up keyword search for '%s'", keyphrase);
                        return -EINVAL;
                }
        }
        k = command_fsg_new(ps, c->grammar, fillers, c->filler_logprob, &fsg, ret_error);
        if (k < 0)
                return k;
        if (ps_set_fsg(ps, SEARCH_COMMAND, fsg) < 0) {
                *ret_error = message_new("cannot set up the command search of '%s'", c->grammar);
                return -EINVAL;
        }
        if (verify) {
                _cleanup_(fsg_model_freep) fsg_model_t *verify_fsg = NULL;

                k = verify_fsg_new(ps_get_logmath(ps), cmd_ln_float32_r(ps_get_config(ps), "-lw"),
                                   keyphrase, fillers, c->verify_filler_count, c->verify_logprob, &verify_fsg);
                if (k < 0 || ps_set_fsg(ps, SEARCH_VERIFY, verify_fsg) < 0) {
                        *ret_error = message_new("cannot set up the verification of '%s'", keyphrase);
                        return k < 0 ? k : -EINVAL;
                }
        }
        if (ps_set_allphone_file(ps, SEARCH_PHONES, c->phone_lm) < 0) {
                *ret_error = message_new("cannot load phone language model '%s'", c->phone_lm);
                return -EINVAL;
        }
        if (ps_set_search(ps, spot ? SEARCH_WAKE : SEARCH_COMMAND) < 0) {
                *ret_error = message_new("cannot select the %s search", spot ? "keyword" : "command");
                return -EINVAL;
        }
        return 0;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(ps_decoder_t *, ps_free);

int decoder_new(const RecognizerConfig *c, const char *keyphrase, char *const *fillers, bool spot, bool verify,
                int dict_fd, ps_decoder_t **ret, char **ret_error) {
        _cleanup_(ps_freep) ps_decoder_t *ps = NULL;
        char dict_path[64];
        int k;

        snprintf(dict_path, sizeof dict_path, "/proc/self/fd/%i", dict_fd);
        k = decoder_init(c, dict_path, &ps, ret_error);
        if (k < 0)
                return k;
        k = searches_add(ps, c, keyphrase, fillers, spot, verify, ret_error);
        if (k < 0)
                return k;
        *ret = TAKE_PTR(ps);
        return 0;
}
