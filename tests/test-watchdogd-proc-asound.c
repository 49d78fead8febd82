/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* watchdogd's reading of /proc/asound (proc-asound.c): a substream's status file, and the open
 * capture substreams found in a tree laid out like /proc/asound. */

#include <stdlib.h>

#include "harness.h"
#include "proc-asound.h"

static void test_asound(void) {
        AsoundSubstream s = {}, subs[4];
        char *dir = test_tmp_path("asound"), *p;
        int n;

        check(asound_status_parse("closed\n", &s) == 0, "closed");
        check(asound_status_parse("state: RUNNING\nowner_pid   : 4242\ntrigger_time: 1.0\n", &s) == 1 &&
              streq(s.state, "RUNNING") && s.owner_pid == 4242, "running, owner %d, state %s", s.owner_pid, s.state);
        check(asound_status_parse("garbage", &s) < 0, "not understood");

        require(asprintf(&p, "mkdir -p %s/card0/pcm0c/sub0 %s/card0/pcm0p/sub0 %s/card1/pcm0c/sub0 "
                         "&& echo closed >%s/card1/pcm0c/sub0/status "
                         "&& printf 'state: XRUN\\nowner_pid   : 77\\n' >%s/card0/pcm0c/sub0/status "
                         "&& printf 'state: RUNNING\\nowner_pid   : 78\\n' >%s/card0/pcm0p/sub0/status",
                         dir, dir, dir, dir, dir, dir) > 0, "asprintf");
        {
                char *argv[] = { (char *) "/bin/sh", (char *) "-c", p, NULL };
                require(test_run(argv, NULL) == 0, "fake /proc/asound");
        }
        n = asound_capture_scan(dir, subs, ELEMENTSOF(subs));
        check(n == 1, "one open capture substream (playback and closed ones ignored): %d", n);
        check(n < 1 || (streq(subs[0].id, "card0/pcm0c/sub0") && subs[0].owner_pid == 77 && streq(subs[0].state, "XRUN")),
              "id %s owner %d state %s", subs[0].id, subs[0].owner_pid, subs[0].state);
        check(asound_capture_scan("/nonexistent", subs, 4) == 0, "no cards: none");
        free(p);
        free(dir);
}

int main(void) {
        test_asound();
        return test_result();
}
