/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>

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

int adaptation_state_load(Recognizer *r) {
        _cleanup_free_ char *path = NULL;
        int k;

        k = state_file_path(ADAPTATION_STATE_FILE, &path);
        if (k < 0) {
                log_debug_errno(k, "No state directory, so no adaptation: %m");
                return 0;
        }
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
