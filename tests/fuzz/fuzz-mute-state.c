/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* mute_state_load() on arbitrary files. What must hold: it never fails for content (only a
 * missing or unusable file, and then it says which); a file it cannot use is moved aside, not
 * left to be misread again; a file it accepted is left in place; and what mute_state_save()
 * writes loads back to the same value. */

#include <errno.h>
#include <sys/stat.h>

#include "fuzz-util.h"
#include "mute-state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char path[128];
        char *aside = NULL;
        MuteStateLoad how;
        bool muted = false, again;
        int r;

        snprintf(path, sizeof(path), "%s/mute.json", fuzz_scratch_dir());
        fuzz_write_file(path, data, size);

        r = mute_state_load(path, &muted, &how, &aside);
        fuzz_assert(r == 0, "content never makes loading fail (%d)", r);
        fuzz_assert(how == MUTE_STATE_LOADED || how == MUTE_STATE_CORRUPT, "how %d", (int) how);
        if (how == MUTE_STATE_CORRUPT) {
                fuzz_assert(aside, "a corrupt file says where it went");
                fuzz_assert(access(path, F_OK) < 0 && access(aside, F_OK) == 0, "moved aside to %s", aside);
                (void) unlink(aside);
        } else {
                fuzz_assert(!aside, "nothing moved aside");
                fuzz_assert(access(path, F_OK) == 0, "an accepted file stays");
        }
        free(aside);

        fuzz_assert(mute_state_save(path, !muted) == 0, "save");
        aside = NULL;
        r = mute_state_load(path, &again, &how, &aside);
        fuzz_assert(r == 0 && how == MUTE_STATE_LOADED && again == !muted && !aside, "round trip");
        (void) unlink(path);
        return 0;
}
