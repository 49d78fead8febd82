/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>

#include "fileio.h"
#include "macro.h"
#include "proc-asound.h"

int asound_status_parse(const char *text, AsoundSubstream *ret) {
        const char *p;

        if (strncmp(text, "closed", 6) == 0)
                return 0;

        p = strstr(text, "state:");
        if (!p)
                return -EINVAL;
        p += strlen("state:");
        p += strspn(p, " \t");
        (void) snprintf(ret->state, sizeof ret->state, "%.*s", (int) strcspn(p, " \t\n"), p);

        ret->owner_pid = 0;
        p = strstr(text, "owner_pid");
        if (p) {
                p = strchr(p, ':');
                if (p)
                        ret->owner_pid = (pid_t) strtol(p + 1, NULL, 10);
        }
        return 1;
}

int asound_capture_scan(const char *root, AsoundSubstream out[], unsigned max) {
        _cleanup_free_ char *pattern = NULL;
        glob_t g = {};
        unsigned n = 0;
        int r;

        if (asprintf(&pattern, "%s/card*/pcm*c/sub*/status", root) < 0)
                return -ENOMEM;
        r = glob(pattern, 0, NULL, &g);
        if (r == GLOB_NOMATCH)
                return 0;
        if (r != 0)
                return -EIO;

        for (size_t i = 0; i < g.gl_pathc && n < max; i++) {
                _cleanup_free_ char *text = NULL;
                const char *rel = g.gl_pathv[i] + strlen(root) + 1;
                AsoundSubstream s = {};

                if (read_full_file(g.gl_pathv[i], 4096, &text, NULL) < 0)
                        continue;       /* the card went away in between */
                if (asound_status_parse(text, &s) <= 0)
                        continue;
                (void) snprintf(s.id, sizeof s.id, "%.*s", (int) (strlen(rel) - strlen("/status")), rel);
                out[n++] = s;
        }
        globfree(&g);
        return (int) n;
}
