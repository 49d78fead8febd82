/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The speaker and room adaptation of the acoustic model: the model's Gaussian means and variances
 * and its transition matrices as sphinxtrain's map_adapt re-estimates them (MAP) from enrolment
 * clips, kept in the state directory beside the cepstral mean as one file, so that it is replaced
 * atomically. The rest of the model (its phone set, front end, mixture weights) stays the
 * configured one. The decoder is built with it, so the keyword spotter, the verification, the
 * command grammar and the phone loop all score audio with the adapted model.
 *
 * The file: "voicehvac-wakeword-adaptation 2\n", then a line "<part> <bytes>" for each part
 * (means, variances, transition_matrices), the enrolment's calibration of the enrolled-only gate
 * ("wake_fits" and "command_fits", each followed by the fits measured, as "%.2f" separated by
 * spaces; score.h: SpeakerCalibration), an empty line, then the parts one after the other. Each
 * part is an s3 parameter file without a checksum, of the same dimensions as the model's own.
 * Version 1, written before the calibration existed, has no fits lines and is read as a file
 * whose calibration is empty. */

#include <stddef.h>

#include "score.h"

#define ADAPTATION_STATE_FILE "wakeword-adaptation"
#define ADAPTATION_SIZE_MAX (16u << 20)

typedef enum AdaptationPart {
        ADAPTATION_MEANS,
        ADAPTATION_VARIANCES,
        ADAPTATION_TRANSITIONS,
        _ADAPTATION_PART_MAX,
} AdaptationPart;

/* The model file a part replaces ("means", …) and the decoder option that loads it ("-mean", …). */
const char *adaptation_part_file(AdaptationPart p);
const char *adaptation_part_option(AdaptationPart p);

/* The file made from map_adapt's output in dir (dir/means, …), checked against the model in hmm,
 * with the calibration (NULL: an empty one). On failure *ret_error (malloc'd, may be NULL on OOM)
 * says what was wrong. */
int adaptation_bundle(const char *dir, const char *hmm, const SpeakerCalibration *calibration, char **ret_data,
                      size_t *ret_size, char **ret_error);

/* The calibration of a file (empty for one of version 1). -EBADMSG: not a file's header, or a
 * malformed calibration (adaptation_check() refuses such a file too). */
int adaptation_calibration(const char *data, size_t size, SpeakerCalibration *ret);

/* Checks a file's content against the model in hmm: the header, each part's dimensions equal to
 * the model's own file, every value finite, variances positive, transition probabilities in
 * [0, 1]. 0, -EBADMSG, or -errno when the model's own files cannot be read. */
int adaptation_check(const char *data, size_t size, const char *hmm);

/* The parts of a checked file as files the decoder can load: path[p] names a memfd. */
typedef struct Adaptation {
        int fd[_ADAPTATION_PART_MAX];
        char path[_ADAPTATION_PART_MAX][32];
} Adaptation;

/* -ENOENT: no file; -EBADMSG: not an adaptation of this model. */
int adaptation_open(const char *file, const char *hmm, Adaptation *ret);
void adaptation_close(Adaptation *a);
