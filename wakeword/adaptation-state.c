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

int adaptation_state_load(Recognizer *r) {
        _cleanup_free_ char *path = NULL;
        int k;

        k = adaptation_path(&path);
        if (k < 0)
                return log_oom();
        k = recognizer_adapt(r, path);
        if (k == -ENOENT)
                return 0;
        if (k == -EBADMSG) {
                state_file_set_aside(path, "an adaptation of this acoustic model");
                return 0;
        }
        if (k < 0) {
                log_warning_errno(k, "Cannot read %s, using the stock acoustic model: %m", path);
                return 0;
        }
        log_info("Using the speaker and room adaptation in %s.", path);
        return 1;
}
