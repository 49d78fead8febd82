/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* audiod's persisted mute: what loads, what is set aside as corrupt, what says "not saved", and
 * that saving round-trips. */

#include <fcntl.h>
#include <sys/stat.h>

#include "fileio.h"
#include "harness.h"
#include "mute-state.h"

/* content == NULL: no file; raw: written as it is, else wrapped in a valid record. */
static void expect(const char *content, bool raw, StateFileStatus want, bool want_muted) {
        _cleanup_free_ char *path = test_tmp_path("audiod-mute");
        _cleanup_(state_file_load_done) StateFileLoad load = {};
        char record[STATE_RECORD_SIZE];
        bool muted = !want_muted;

        (void) unlink(path);
        if (content && raw)
                require(test_write_file(path, content) == 0, "write");
        else if (content) {
                _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

                require(state_record_format(content, strlen(content), record) == 0, "format '%s'", content);
                require(fd >= 0 && write(fd, record, sizeof record) == (ssize_t) sizeof record, "write record");
        }
        check(mute_state_load(path, &muted, &load) == 0, "load '%s'", content);
        check(load.status == want, "'%s' loads as %d, expected %d (%s)", content, load.status, want, load.problem);
        if (want == STATE_FILE_LOADED)
                check(muted == want_muted, "'%s' gives muted=%d", content, muted);
        if (want == STATE_FILE_CORRUPT) {
                check(load.aside && access(load.aside, F_OK) == 0, "'%s' was moved aside (%s)", content, load.aside);
                check(access(path, F_OK) < 0, "and is gone from its place");
                if (load.aside)
                        (void) unlink(load.aside);
        }
        if (want == STATE_FILE_UNSAVED)
                check(access(path, F_OK) == 0, "an empty record stays where it is");
}

int main(void) {
        _cleanup_free_ char *path = test_tmp_path("saved"), *text = NULL;
        _cleanup_(state_file_load_done) StateFileLoad load = {};
        bool muted = false;
        struct stat st;
        size_t size;

        expect(NULL, false, STATE_FILE_MISSING, false);
        expect("{\"muted\": true}\n", false, STATE_FILE_LOADED, true);
        expect("{ \"muted\" : false }", false, STATE_FILE_LOADED, false);
        expect("", true, STATE_FILE_UNSAVED, false);
        expect("garbage", true, STATE_FILE_CORRUPT, false);
        /* The old plain JSON file is not a record: it cannot tell a stale state from a new one. */
        expect("{\"muted\": false}\n", true, STATE_FILE_CORRUPT, false);
        expect("garbage", false, STATE_FILE_CORRUPT, false);
        expect("{\"muted\": true} junk", false, STATE_FILE_CORRUPT, false);
        expect("{\"muted\": true,}", false, STATE_FILE_CORRUPT, false);
        expect("{\"muted\": 1}", false, STATE_FILE_CORRUPT, false);
        expect("{\"muted\": true, \"extra\": 1}", false, STATE_FILE_CORRUPT, false);
        expect("{\"muted\": false, \"muted\": true}", false, STATE_FILE_CORRUPT, false);
        expect("{}", false, STATE_FILE_CORRUPT, false);
        expect("[true]", false, STATE_FILE_CORRUPT, false);

        check(mute_state_save(path, true) == 0, "save");
        check(mute_state_load(path, &muted, &load) == 0 && load.status == STATE_FILE_LOADED && muted, "round trip");
        check(stat(path, &st) == 0 && st.st_size == STATE_RECORD_SIZE, "a record of %d bytes", STATE_RECORD_SIZE);
        check(mute_state_save(path, false) == 0, "rewrite");
        check(mute_state_load(path, &muted, &load) == 0 && load.status == STATE_FILE_LOADED && !muted, "round trip");
        check(read_full_file(path, 4096, &text, &size) == 0 && size == STATE_RECORD_SIZE &&
              strstr(text, "{\"muted\": false}"), "readable: %s", text);
        return test_result();
}
