/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* mute_state_load() on arbitrary files: the input as the whole file when its first byte is even,
 * else the rest wrapped in a valid record (so the payload parser is reached; the seeds start
 * with "w" for that). What must hold: it
 * never fails for content; an empty file is "unsaved" and stays; a file it cannot use is moved
 * aside, not left to be misread again; a file it accepted is left in place; and what
 * mute_state_save() writes loads back to the same value. */

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "fuzz-util.h"
#include "mute-state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char path[128], record[STATE_RECORD_SIZE];
        StateFileLoad load = {};
        bool muted = false, again;
        int r;

        snprintf(path, sizeof(path), "%s/mute", fuzz_scratch_dir());
        if (size > 0 && data[0] % 2 == 1 && state_record_format(data + 1, size - 1, record) == 0)
                fuzz_write_file(path, (const uint8_t *) record, sizeof record);
        else
                fuzz_write_file(path, data, size);

        r = mute_state_load(path, &muted, &load);
        fuzz_assert(r == 0, "content never makes loading fail (%d)", r);
        if (load.status == STATE_FILE_CORRUPT) {
                fuzz_assert(load.aside, "a corrupt file says where it went");
                fuzz_assert(access(path, F_OK) < 0 && access(load.aside, F_OK) == 0, "moved aside to %s", load.aside);
                (void) unlink(load.aside);
        } else {
                fuzz_assert(load.status == STATE_FILE_LOADED || load.status == STATE_FILE_UNSAVED, "status %d",
                            (int) load.status);
                fuzz_assert(!load.aside, "nothing moved aside");
                fuzz_assert(access(path, F_OK) == 0, "an accepted file stays");
        }
        state_file_load_done(&load);

        fuzz_assert(mute_state_save(path, !muted) == 0, "save");
        r = mute_state_load(path, &again, &load);
        fuzz_assert(r == 0 && load.status == STATE_FILE_LOADED && again == !muted && !load.aside, "round trip");
        state_file_load_done(&load);
        (void) unlink(path);
        return 0;
}
