/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <sphinxbase/ckd_alloc.h>
#include <sphinxbase/feat.h>
#include <stdlib.h>
#include <string.h>

#include "cmn.h"
#include "macro.h"

/* Cepstra computed at a time for a window's own mean, and the least window that has one. */
#define WINDOW_CEP_BLOCK 32
#define WINDOW_MEAN_FRAMES_MIN 50

/* The cepstral mean of ordinary speech at a moderate level (what the decoder settles on after a
 * few minutes of the benchmark's ordinary speech): a better start than the model's, which is
 * tuned to quieter audio and takes the first utterances to adapt. */
const float cmn_typical[RECOGNIZER_CMN_SIZE] = {
        55.42, 1.49, -2.80, 16.62, -7.85, -3.21, -1.54, -13.42, -4.53, -5.09, 3.47, -1.79, -5.97,
};

struct CmnWindow {
        fe_t *fe;
        mfcc_t **cep;
};

cmn_t *cmn_of_decoder(ps_decoder_t *ps) {
        feat_t *f = ps_get_feat(ps);
        cmn_t *cmn = f ? f->cmn_struct : NULL;

        return cmn && cmn->veclen == RECOGNIZER_CMN_SIZE ? cmn : NULL;
}

void cmn_save(const cmn_t *cmn, CmnState *s) {
        memcpy(s->mean, cmn->cmn_mean, sizeof s->mean);
        memcpy(s->sum, cmn->sum, sizeof s->sum);
        s->nframe = cmn->nframe;
}

void cmn_restore(cmn_t *cmn, const CmnState *s) {
        memcpy(cmn->cmn_mean, s->mean, sizeof s->mean);
        memcpy(cmn->sum, s->sum, sizeof s->sum);
        cmn->nframe = s->nframe;
}

void cmn_set(cmn_t *cmn, const mfcc_t mean[static RECOGNIZER_CMN_SIZE], int32 weight_frames) {
        for (size_t i = 0; i < RECOGNIZER_CMN_SIZE; i++) {
                cmn->cmn_mean[i] = mean[i];
                cmn->sum[i] = mean[i] * (mfcc_t) weight_frames;
        }
        cmn->nframe = weight_frames;
}

int cmn_window_new(ps_decoder_t *ps, CmnWindow **ret) {
        _cleanup_(cmn_window_freep) CmnWindow *w = NULL;

        w = calloc(1, sizeof *w);
        if (!w)
                return -ENOMEM;
        w->fe = fe_init_auto_r(ps_get_config(ps));      /* takes a reference of its own */
        if (!w->fe)
                return -ENOMEM;
        w->cep = (mfcc_t **) ckd_calloc_2d(WINDOW_CEP_BLOCK, fe_get_output_size(w->fe), sizeof(mfcc_t));
        *ret = TAKE_PTR(w);
        return 0;
}

CmnWindow *cmn_window_free(CmnWindow *w) {
        if (!w)
                return NULL;
        if (w->cep)
                ckd_free_2d(w->cep);
        if (w->fe)
                fe_free(w->fe);
        free(w);
        return NULL;
}

static void cep_add(double sum[static RECOGNIZER_CMN_SIZE], mfcc_t **cep, int32 frames) {
        for (int32 f = 0; f < frames; f++)
                for (size_t i = 0; i < RECOGNIZER_CMN_SIZE; i++)
                        sum[i] += cep[f][i];
}

int cmn_window_mean(CmnWindow *w, const int16_t *samples, size_t n, mfcc_t ret[static RECOGNIZER_CMN_SIZE]) {
        double sum[RECOGNIZER_CMN_SIZE] = {};
        int32 frames = 0, nfr, first;

        if (fe_get_output_size(w->fe) != RECOGNIZER_CMN_SIZE)
                return -EOPNOTSUPP;
        fe_start_stream(w->fe);
        if (fe_start_utt(w->fe) < 0)
                return -EIO;
        for (;;) {
                size_t before = n;

                nfr = WINDOW_CEP_BLOCK;
                if (fe_process_frames(w->fe, &samples, &n, w->cep, &nfr, &first) < 0)
                        return -EIO;
                cep_add(sum, w->cep, nfr);
                frames += nfr;
                if (nfr == 0 && n == before)
                        break;
        }
        if (fe_end_utt(w->fe, w->cep[0], &nfr) < 0)
                return -EIO;
        cep_add(sum, w->cep, nfr);
        frames += nfr;
        if (frames < WINDOW_MEAN_FRAMES_MIN)
                return -ENODATA;
        for (size_t i = 0; i < RECOGNIZER_CMN_SIZE; i++)
                ret[i] = (mfcc_t) (sum[i] / frames);
        return 0;
}

/* Halfway between the stream's mean and the window's own. The stream's mean moves only when an
 * utterance ends and follows the last seconds of speech, so it lags behind a new voice, a louder
 * one, or a fan that just came on; the window's own mean is current, but from a second and a half
 * of audio that is mostly the phrase: alone, it lost true wakes in reverberant rooms and let more
 * near-misses through to a command. */
const mfcc_t *cmn_verify_mean(CmnWindow *w, cmn_t *cmn, const int16_t *samples, size_t n,
                              mfcc_t buf[static RECOGNIZER_CMN_SIZE]) {
        if (!cmn || cmn_window_mean(w, samples, n, buf) < 0)
                return NULL;
        for (size_t i = 0; i < RECOGNIZER_CMN_SIZE; i++)
                buf[i] = (buf[i] + cmn->cmn_mean[i]) / 2;
        return buf;
}
