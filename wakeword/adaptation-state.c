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

static int adaptation_parse(const char *text, size_t size, void *userdata, char **ret_problem) {
        const RecognizerConfig *c = userdata;
        int k;

        k = adaptation_check(text, size, c->hmm);
        if (k == -EBADMSG) {
                *ret_problem = strdup("not an adaptation of the configured acoustic model");
                if (!*ret_problem)
                        return -ENOMEM;
        }
        return k;
}

/* The state directory's adaptation when it is one of the configured model; NULL otherwise.
 * Read by the common state file rule (state-file.h): a symbolic link is not followed, and
 * anything unusable is moved aside. Reading creates no directory. */
static char *adaptation_find(const RecognizerConfig *c) {
        _cleanup_(state_file_load_done) StateFileLoad load = {};
        _cleanup_free_ char *dir = NULL, *path = NULL;
        int k;

        if (state_directory_name(&dir) < 0 || asprintf(&path, "%s/%s", dir, ADAPTATION_STATE_FILE) < 0)
                return NULL;
        k = state_file_load(path, ADAPTATION_SIZE_MAX, adaptation_parse, (void *) c, &load);
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
        _cleanup_free_ char *path = use ? adaptation_find(c) : NULL;
        RecognizerConfig adapted = *c;
        int k;

        adapted.adaptation = path;
        k = recognizer_new(&adapted, ret, ret_error);
        if (k < 0)
                return k;
        if (path)
                log_info("Using the speaker and room adaptation in %s%s.", path,
                         c->enrolled_only ? "; only the voices that enrolled are obeyed (enrolled_only)" : "");
        else if (c->enrolled_only)
                log_warning("enrolled_only is set but %s: every command is refused until someone enrols.",
                            use ? "no one has enrolled" : "the adaptation is not used");
        return k;
}
