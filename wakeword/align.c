/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <pocketsphinx.h>
#include <stdlib.h>

#include "align.h"
#include "decoder.h"
#include "macro.h"
#include "message.h"
#include "score.h"

#define SEARCH_ALIGN "align"
#define PRONUNCIATIONS_MAX 16

struct Aligner {
        ps_decoder_t *ps;
};

int aligner_new(const RecognizerConfig *c, Aligner **ret, char **ret_error) {
        _cleanup_(aligner_freep) Aligner *a = NULL;
        int k;

        *ret_error = NULL;
        a = calloc(1, sizeof *a);
        if (!a)
                return -ENOMEM;
        /* The whole dictionary: a transcript may have any words. */
        k = decoder_init(c, c->dictionary, &a->ps, ret_error);
        if (k < 0)
                return k;
        if (ps_set_allphone_file(a->ps, SEARCH_PHONES, c->phone_lm) < 0) {
                *ret_error = message_new("cannot load phone language model '%s'", c->phone_lm);
                return -EINVAL;
        }
        *ret = TAKE_PTR(a);
        return 0;
}

Aligner *aligner_free(Aligner *a) {
        if (!a)
                return NULL;
        if (a->ps)
                ps_free(a->ps);
        free(a);
        return NULL;
}

const char *aligner_unknown_word(Aligner *a, char *const *words) {
        for (char *const *w = words; *w; w++) {
                _cleanup_free_ char *phones = ps_lookup_word(a->ps, *w);

                if (!phones)
                        return *w;
        }
        return NULL;
}

int aligner_write_dictionary(Aligner *a, char *const *words, FILE *f) {
        for (char *const *w = words; *w; w++) {
                bool seen = false;

                for (char *const *v = words; v < w; v++)
                        if (streq(*v, *w))
                                seen = true;
                if (seen)
                        continue;
                for (unsigned i = 1; i <= PRONUNCIATIONS_MAX; i++) {
                        _cleanup_free_ char *name = NULL, *phones = NULL;

                        if ((i == 1 ? asprintf(&name, "%s", *w) : asprintf(&name, "%s(%u)", *w, i)) < 0)
                                return -ENOMEM;
                        phones = ps_lookup_word(a->ps, name);
                        if (!phones)
                                break;
                        fprintf(f, "%s %s\n", name, phones);
                }
        }
        return fflush(f) == 0 ? 0 : -EIO;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(fsg_model_t *, fsg_model_free);

/* One state a word, in order; the search adds optional silence and fillers between them. */
static int align_search_set(Aligner *a, char *const *words) {
        _cleanup_(fsg_model_freep) fsg_model_t *fsg = NULL;
        int32 n = 0;

        while (words[n])
                n++;
        if (n == 0)
                return -EINVAL;
        fsg = fsg_model_init(SEARCH_ALIGN, ps_get_logmath(a->ps), cmd_ln_float32_r(ps_get_config(a->ps), "-lw"), n + 1);
        if (!fsg)
                return -ENOMEM;
        fsg->start_state = 0;
        fsg->final_state = n;
        for (int32 i = 0; i < n; i++)
                fsg_model_trans_add(fsg, i, i + 1, 0, fsg_model_word_add(fsg, words[i]));
        if (ps_set_fsg(a->ps, SEARCH_ALIGN, fsg) < 0)
                return -EINVAL;
        return 0;
}

/* The whole clip as one utterance, its cepstral mean its own, as bw reads it. */
static int decode_whole(Aligner *a, const char *search, const int16_t *samples, size_t n) {
        /* a new stream: the front end's noise estimate starts afresh, so a clip's score does
         * not depend on the clips before it */
        if (ps_set_search(a->ps, search) < 0 || ps_start_stream(a->ps) < 0 || ps_start_utt(a->ps) < 0)
                return -EIO;
        if (ps_process_raw(a->ps, samples, n, FALSE, TRUE) < 0) {
                (void) ps_end_utt(a->ps);
                return -EIO;
        }
        if (ps_end_utt(a->ps) < 0)
                return -EIO;
        return ps_get_hyp(a->ps, NULL) ? 0 : -ENOMSG;
}

int aligner_align(Aligner *a, const int16_t *samples, size_t n, char *const *words, Alignment *ret) {
        PathScore forced, loop;
        int k;

        k = align_search_set(a, words);
        if (k < 0)
                return k;
        k = decode_whole(a, SEARCH_PHONES, samples, n);
        if (k < 0)
                return k;
        path_score(a->ps, &loop);
        k = decode_whole(a, SEARCH_ALIGN, samples, n);
        if (k < 0)
                return k;
        path_score(a->ps, &forced);
        if (forced.frames <= 0 || forced.word_frames <= 0)
                return -ENOMSG;
        *ret = (Alignment) {
                .ascr_per_frame = (double) forced.ascr / forced.frames,
                .confidence = (double) (forced.ascr - loop.ascr) / forced.frames,
                .frames = forced.frames,
        };
        return 0;
}
