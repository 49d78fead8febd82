/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "macro.h"
#include "psi.h"

int psi_parse(const char *text, const char *kind, PsiLine *ret) {
        size_t l = strlen(kind);

        for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
                PsiLine p = {};

                if (strncmp(line, kind, l) != 0 || line[l] != ' ')
                        continue;
                if (sscanf(line + l, " avg10=%lf avg60=%lf avg300=%lf total=%" SCNu64,
                           &p.avg10, &p.avg60, &p.avg300, &p.total_usec) != 4)
                        return -EINVAL;
                *ret = p;
                return 0;
        }
        return -ENOENT;
}

int psi_read(const char *path, const char *kind, PsiLine *ret) {
        _cleanup_free_ char *text = NULL;
        int r;

        r = read_full_file(path, 4096, &text, NULL);
        if (r < 0)
                return r;
        return psi_parse(text, kind, ret);
}

int psi_trigger_open(const char *path, const char *kind, uint64_t stall_usec, uint64_t window_usec) {
        _cleanup_close_ int fd = -EBADF;
        char text[96];
        int n;

        fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        n = snprintf(text, sizeof text, "%s %" PRIu64 " %" PRIu64, kind, stall_usec, window_usec);
        /* The trigger includes the terminating NUL, as the kernel documentation writes it. */
        if (write(fd, text, (size_t) n + 1) < 0)
                return negative_errno();
        return TAKE_FD(fd);
}

int psi_hub_cgroup(const char *proc_self_cgroup, char **ret) {
        static const char slice[] = "/voicehvac.slice";
        const char *line, *end, *hit;

        for (line = proc_self_cgroup; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
                if (strncmp(line, "0::", 3) == 0)
                        break;
        if (!line || !*line)
                return -ENOENT;
        line += 3;
        end = strchrnul(line, '\n');
        hit = memmem(line, (size_t) (end - line), slice, sizeof slice - 1);
        if (!hit || (hit[sizeof slice - 1] != '/' && hit + sizeof slice - 1 != end))
                return -ENOENT;
        *ret = strndup(line, (size_t) (hit - line) + sizeof slice - 1);
        return *ret ? 0 : -ENOMEM;
}
