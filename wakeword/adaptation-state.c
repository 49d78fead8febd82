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

void state_file_set_aside(const char *path, const char *what) {
        _cleanup_free_ char *aside = NULL;
        int k;

        k = move_aside(path, &aside);
        if (k < 0)
                log_warning_errno(k, "%s is not %s, and cannot be moved aside: %m", path, what);
        else
                log_warning("%s is not %s: moved aside to %s.", path, what, aside);
}

/* Where state_file_path() puts it, without creating the directory: reading makes nothing. */
static int adaptation_path(char **ret) {
        const char *e = getenv("STATE_DIRECTORY");

        if (!isempty(e))
                return asprintf(ret, "%.*s/%s", (int) strcspn(e, ":"), e, ADAPTATION_STATE_FILE) < 0 ? -ENOMEM : 0;
        return asprintf(ret, "/var/lib/voicehvac/%s", ADAPTATION_STATE_FILE) < 0 ? -ENOMEM : 0;
}

/* The state directory's adaptation when it is one of the configured model; NULL otherwise. */
static char *adaptation_find(const RecognizerConfig *c) {
        _cleanup_free_ char *path = NULL;
        Adaptation a;
        int k;

        if (adaptation_path(&path) < 0)
                return NULL;
        k = adaptation_open(path, c->hmm, &a);
        if (k == -ENOENT)
                return NULL;
        if (k == -EBADMSG) {
                state_file_set_aside(path, "an adaptation of the acoustic model");
                return NULL;
        }
        if (k < 0) {
                log_warning_errno(k, "Cannot read %s, using the stock acoustic model: %m", path);
                return NULL;
        }
        adaptation_close(&a);
        return TAKE_PTR(path);
}

int recognizer_new_from_state(const RecognizerConfig *c, bool use, Recognizer **ret, char **ret_error) {
        _cleanup_free_ char *path = use ? adaptation_find(c) : NULL;
        RecognizerConfig adapted = *c;
        int k;

        adapted.adaptation = path;
        k = recognizer_new(&adapted, ret, ret_error);
        if (k >= 0 && path)
                log_info("Using the speaker and room adaptation in %s.", path);
        return k;
}
