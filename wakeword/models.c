/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <pthread.h>

#include "decoder.h"
#include "grammar.h"
#include "log.h"
#include "macro.h"
#include "models.h"
#include "time-util.h"

int model_utterance_end(Model *m) {
        if (!m->in_utterance)
                return 0;
        m->in_utterance = false;
        return ps_end_utt(m->ps) < 0 ? -EIO : 0;
}

int model_utterance_start(Model *m, const char *search) {
        int k;

        k = model_utterance_end(m);
        if (k < 0)
                return k;
        if (!streq(m->search, search)) {
                if (ps_set_search(m->ps, search) < 0)
                        return -EIO;
                m->search = search;
        }
        if (ps_start_utt(m->ps) < 0)
                return -EIO;
        m->in_utterance = m->heard = true;
        return 0;
}

int model_second_look(Model *m, const char *search, const int16_t *samples, size_t n, const mfcc_t *mean) {
        cmn_t *cmn = cmn_of_decoder(m->ps);
        CmnState saved = {};
        int k;

        if (cmn) {
                cmn_save(cmn, &saved);
                if (mean)       /* one frame's worth, so that the look cannot shift the window mid-way */
                        cmn_set(cmn, mean, 1);
        }
        k = model_utterance_start(m, search);
        if (k >= 0 && ps_process_raw(m->ps, samples, n, FALSE, FALSE) < 0)
                k = -EIO;
        if (k >= 0)
                k = model_utterance_end(m);
        if (cmn)
                cmn_restore(cmn, &saved);
        return k;
}

int model_hear_again(Model *m, const char *search, const int16_t *samples, size_t n) {
        cmn_t *cmn = cmn_of_decoder(m->ps);
        CmnState saved = {};
        int k;

        k = model_utterance_start(m, search);
        if (k < 0)
                return k;
        if (cmn)
                cmn_save(cmn, &saved);
        if (n > 0 && ps_process_raw(m->ps, samples, n, FALSE, FALSE) < 0)
                k = -EIO;
        if (cmn)
                cmn_restore(cmn, &saved);
        return k;
}

int model_verify(Model *m, const char *keyphrase, const int16_t *samples, size_t n, const mfcc_t *mean,
                 WakeVerdict *ret) {
        usec_t cpu = now_usec(CLOCK_THREAD_CPUTIME_ID);
        const char *hyp;
        int k;

        *ret = (WakeVerdict) {};
        if (!m->heard) {        /* to no purpose: a front end that heard nothing reads it otherwise */
                k = model_second_look(m, SEARCH_VERIFY, samples, n, mean);
                if (k < 0)
                        return k;
        }
        k = model_second_look(m, SEARCH_VERIFY, samples, n, mean);
        if (k < 0)
                return k;
        hyp = ps_get_hyp(m->ps, NULL);
        ret->verified = hypothesis_verifies(hyp, keyphrase);
        path_score(m->ps, &ret->path);
        log_debug("Wake candidate %s: the window reads as '%s' (%.1f ms of CPU).", ret->verified ? "verified" : "not verified",
                  hyp ?: "", (double) (now_usec(CLOCK_THREAD_CPUTIME_ID) - cpu) / USEC_PER_MSEC);
        return 0;
}

typedef struct VerifyLook {
        Model *model;
        const char *keyphrase;
        const int16_t *samples;
        size_t n;
        const mfcc_t *mean;
        WakeVerdict *verdict;
        int result;
} VerifyLook;

static void *verify_look_run(void *userdata) {
        VerifyLook *l = userdata;

        l->result = model_verify(l->model, l->keyphrase, l->samples, l->n, l->mean, l->verdict);
        return NULL;
}

int models_verify(Models *m, const char *keyphrase, const int16_t *samples, size_t n, const mfcc_t *mean,
                  WakeVerdict *ret_stock, WakeVerdict *ret_adapted) {
        VerifyLook adapted = {
                .model = &m->adapted, .keyphrase = keyphrase, .samples = samples, .n = n, .mean = mean,
                .verdict = ret_adapted,
        };
        pthread_t thread;
        bool threaded;
        int k;

        *ret_adapted = (WakeVerdict) {};
        if (!models_adapted(m))
                return model_verify(&m->stock, keyphrase, samples, n, mean, ret_stock);
        /* The two decoders share nothing, and the wake waits for the slower look only. Without a
         * thread, one after the other. */
        threaded = pthread_create(&thread, NULL, verify_look_run, &adapted) == 0;
        if (!threaded)
                (void) verify_look_run(&adapted);
        k = model_verify(&m->stock, keyphrase, samples, n, mean, ret_stock);
        if (threaded)
                (void) pthread_join(thread, NULL);
        return adapted.result < 0 ? adapted.result : k;
}

void model_cmn_hand_over(Model *from, Model *to) {
        cmn_t *a = cmn_of_decoder(from->ps), *b = cmn_of_decoder(to->ps);
        CmnState s;

        if (from == to || !a || !b)
                return;
        cmn_save(a, &s);
        cmn_restore(b, &s);
}

static void model_done(Model *m) {
        if (!m->ps)
                return;
        (void) model_utterance_end(m);
        ps_free(m->ps);
        *m = (Model) {};
}

int models_init(Models *m, const RecognizerConfig *c, const char *keyphrase, char *const *fillers, bool verify,
                int dict_fd, char **ret_error) {
        RecognizerConfig stock = *c;
        int k;

        *m = (Models) {};
        stock.adaptation = NULL;
        k = decoder_new(&stock, keyphrase, fillers, true, verify, dict_fd, &m->stock.ps, ret_error);
        if (k < 0)
                return k;
        m->stock.search = SEARCH_WAKE;
        if (!c->adaptation)
                return 0;
        k = decoder_new(c, keyphrase, fillers, false, verify, dict_fd, &m->adapted.ps, ret_error);
        if (k < 0) {
                model_done(&m->stock);
                return k;
        }
        m->adapted.search = SEARCH_COMMAND;
        return 0;
}

void models_done(Models *m) {
        model_done(&m->adapted);
        model_done(&m->stock);
}
