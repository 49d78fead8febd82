/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adaptation.h"
#include "adaptation-state.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "state-file.h"

typedef struct AdaptationLoad {
        const RecognizerConfig *config;
        SpeakerCalibration *calibration;
} AdaptationLoad;

static int adaptation_parse(const char *text, size_t size, void *userdata, char **ret_problem) {
        AdaptationLoad *l = userdata;
        int k;

        k = adaptation_check(text, size, l->config->hmm);
        if (k >= 0)
                k = adaptation_calibration(text, size, l->calibration);
        if (k == -EBADMSG) {
                *ret_problem = strdup("not an adaptation of the configured acoustic model");
                if (!*ret_problem)
                        return -ENOMEM;
        }
        return k;
}

/* The state directory's adaptation when it is one of the configured model, with its calibration;
 * NULL otherwise. Read by the common state file rule (state-file.h): a symbolic link is not
 * followed, and anything unusable is moved aside. Reading creates no directory. */
static char *adaptation_find(const RecognizerConfig *c, SpeakerCalibration *ret_calibration) {
        _cleanup_(state_file_load_done) StateFileLoad load = {};
        _cleanup_free_ char *dir = NULL, *path = NULL;
        int k;

        if (state_directory_name(&dir) < 0 || asprintf(&path, "%s/%s", dir, ADAPTATION_STATE_FILE) < 0)
                return NULL;
        k = state_file_load(path, ADAPTATION_SIZE_MAX, adaptation_parse,
                            &(AdaptationLoad) { .config = c, .calibration = ret_calibration }, &load);
        if (k < 0) {
                log_warning_errno(k, "Cannot read %s, using the stock acoustic model: %m", path);
                return NULL;
        }
        if (load.status == STATE_FILE_CORRUPT) {
                log_state_file_unusable("Adaptation file", path, &load, "using the stock acoustic model");
                return NULL;
        }
        return load.status == STATE_FILE_LOADED ? TAKE_PTR(path) : NULL;
}

int recognizer_new_from_state(const RecognizerConfig *c, bool use, Recognizer **ret, char **ret_error) {
        _cleanup_free_ SpeakerCalibration *calibration = calloc(1, sizeof *calibration);
        _cleanup_free_ char *path = NULL;
        RecognizerConfig adapted = *c;
        double min_wake, min_command;
        const char *from;
        int k;

        if (!calibration)
                return -ENOMEM;
        path = use ? adaptation_find(c, calibration) : NULL;
        adapted.adaptation = path;
        adapted.calibration = path ? calibration : NULL;
        k = recognizer_new(&adapted, ret, ret_error);
        if (k < 0)
                return k;
        from = recognizer_speaker_margins(*ret, &min_wake, &min_command);
        if (path && c->enrolled_only)
                log_info("Using the speaker and room adaptation in %s; only the voices that enrolled are obeyed "
                         "(enrolled_only): wake fit at least %.1f, command fit at least %.1f (%s).",
                         path, min_wake, min_command, from);
        else if (path)
                log_info("Using the speaker and room adaptation in %s.", path);
        else if (c->enrolled_only)
                log_warning("enrolled_only is set but %s: every command is refused until someone enrols.",
                            use ? "no one has enrolled" : "the adaptation is not used");
        return k;
}
