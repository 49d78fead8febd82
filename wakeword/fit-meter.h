/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The enrolment's measure of its own voice for the enrolled-only gate: the recogniser, with an
 * adaptation beside the stock model as the daemon runs it, hears clips one by one, and the fits
 * of each wake and command it heard (score.h: speaker_fit()) are added to a calibration. The
 * figures are the gate's own, taken where the gate takes them. */

#include <stddef.h>
#include <stdint.h>

#include "macro.h"
#include "score.h"
#include "wakeword-config.h"

typedef struct FitMeter FitMeter;

/* adaptation: an adaptation file (adaptation.h). Errors as recognizer_new(). */
int fit_meter_new(const WakewordConfig *config, const char *adaptation, FitMeter **ret, char **ret_error);
FitMeter *fit_meter_free(FitMeter *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(FitMeter *, fit_meter_free);

/* One clip of 16 kHz samples, heard from a fresh start; its fits are added to *cal (as many as
 * it has room for). < 0: the decoder failed. */
int fit_meter_feed(FitMeter *m, const int16_t *samples, size_t n, SpeakerCalibration *cal);
