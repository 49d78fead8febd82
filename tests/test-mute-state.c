/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* audiod's persisted mute: what loads, what is set aside as corrupt, and that saving round-trips. */

#include "fileio.h"
#include "harness.h"
#include "mute-state.h"

static void expect(const char *content, MuteStateLoad want_how, bool want_muted) {
        _cleanup_free_ char *path = test_tmp_path("audiod-mute.json"), *aside = NULL;
        MuteStateLoad how;
        bool muted = !want_muted;

        (void) unlink(path);
        if (content)
                require(test_write_file(path, content) == 0, "write");
        check(mute_state_load(path, &muted, &how, &aside) == 0, "load '%s'", content);
        check(how == want_how, "'%s' loads as %d, expected %d", content, how, want_how);
        if (want_how == MUTE_STATE_LOADED)
                check(muted == want_muted, "'%s' gives muted=%d", content, muted);
        if (want_how == MUTE_STATE_CORRUPT) {
                check(aside && access(aside, F_OK) == 0, "'%s' was moved aside (%s)", content, aside);
                check(access(path, F_OK) < 0, "and is gone from its place");
                if (aside)
                        (void) unlink(aside);
        }
}

int main(void) {
        _cleanup_free_ char *path = test_tmp_path("saved.json"), *aside = NULL;
        MuteStateLoad how;
        bool muted = false;

        expect(NULL, MUTE_STATE_MISSING, false);
        expect("{\"muted\": true}\n", MUTE_STATE_LOADED, true);
        expect("{ \"muted\" : false }", MUTE_STATE_LOADED, false);
        expect("", MUTE_STATE_CORRUPT, false);
        expect("garbage", MUTE_STATE_CORRUPT, false);
        expect("{\"muted\": true} junk", MUTE_STATE_CORRUPT, false);
        expect("{\"muted\": true,}", MUTE_STATE_CORRUPT, false);
        expect("{\"muted\": 1}", MUTE_STATE_CORRUPT, false);
        expect("{\"muted\": true, \"extra\": 1}", MUTE_STATE_CORRUPT, false);
        expect("{}", MUTE_STATE_CORRUPT, false);
        expect("[true]", MUTE_STATE_CORRUPT, false);

        check(mute_state_save(path, true) == 0, "save");
        check(mute_state_load(path, &muted, &how, &aside) == 0 && how == MUTE_STATE_LOADED && muted, "round trip");
        return test_result();
}
