/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "fit-meter.h"
#include "listener.h"
#include "time-util.h"
#include "wav.h"

struct FitMeter {
        Recognizer *recognizer;
        Listener listener;
};

int fit_meter_new(const WakewordConfig *config, const char *adaptation, FitMeter **ret, char **ret_error) {
        RecognizerConfig c = config->recognizer;
        FitMeter *m;
        int k;

        *ret_error = NULL;
        m = calloc(1, sizeof *m);
        if (!m)
                return -ENOMEM;
        /* every command measured, none refused for its fit */
        c.adaptation = adaptation;
        c.enrolled_only = true;
        c.enrolled_min_wake_fit = -INFINITY;
        c.enrolled_min_command_fit = -INFINITY;
        c.calibration = NULL;
        k = recognizer_new(&c, &m->recognizer, ret_error);
        if (k < 0) {
                free(m);
                return k;
        }
        listener_init(&m->listener, m->recognizer, config->vad_threshold_db, config->vad_hangover_msec);
        *ret = m;
        return 0;
}

FitMeter *fit_meter_free(FitMeter *m) {
        if (!m)
                return NULL;
        recognizer_free(m->recognizer);
        free(m);
        return NULL;
}

/* speaker_fit()'s ±1e9, one model finding no path at all, is kept as the most a fit can say:
 * the calibration is read by its order. */
static void fit_add(double *fits, size_t *n, double v) {
        if (*n < SPEAKER_FITS_MAX && !isnan(v))
                fits[(*n)++] = CLAMP(v, -SPEAKER_FIT_ABS_MAX, SPEAKER_FIT_ABS_MAX);
}

/* The end of a command window: the wake before it was read by both models, and the command, when
 * there was one, too. */
static void event_collect(const RecognizerEvent *e, void *userdata) {
        SpeakerCalibration *cal = userdata;

        if (e->type == RECOGNIZER_WAKE || !e->model)
                return;
        fit_add(cal->wake, &cal->n_wake, e->wake_fit);
        if (e->type == RECOGNIZER_COMMAND)
                fit_add(cal->command, &cal->n_command, e->command_fit);
}

int fit_meter_feed(FitMeter *m, const int16_t *samples, size_t n, SpeakerCalibration *cal) {
        int k;

        k = listener_reset(&m->listener);
        if (k >= 0)
                k = listener_feed(&m->listener, samples, n, 0, event_collect, cal);
        if (k >= 0)
                k = listener_flush(&m->listener, (uint64_t) n * USEC_PER_SEC / WAV_RATE, event_collect, cal);
        return k;
}
