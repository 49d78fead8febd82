/*
 * The capture switch of the vhtest "card", shared by pcm_vhtest.c and ctl_vhtest.c.
 *
 * It lives in a small text file, "1\n" = capture on, "0\n" = capture off (muted), so the
 * test, amixer, arecord and audiod — separate processes — all see one value. Writers
 * replace the file with rename(), so a reader never sees it half written; readers open
 * it afresh each time, so they follow the rename. A hand-written "echo 0 > FILE" works
 * as well: a reader that catches it truncated gets -ENODATA and keeps its last value.
 */
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Returns 1 (on), 0 (off) or -errno; -ENODATA for an empty or unreadable value. */
static inline int switch_file_read(const char *path) {
        char buf[16];
        ssize_t n;
        int fd;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        n = read(fd, buf, sizeof buf - 1);
        if (n < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        close(fd);

        for (ssize_t i = 0; i < n; i++) {
                if (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n')
                        continue;
                if (buf[i] == '1')
                        return 1;
                if (buf[i] == '0')
                        return 0;
                break;
        }
        return -ENODATA;
}

/* Writes the value to a fresh temporary file beside PATH; its name is left in tmp. */
static inline int switch_file_write_tmp(const char *path, bool on, char *tmp, size_t tmp_size) {
        const char *slash = strrchr(path, '/');
        const char *text = on ? "1\n" : "0\n";
        int fd, n;

        if (slash)
                n = snprintf(tmp, tmp_size, "%.*s/.%s.XXXXXX", (int) (slash - path), path, slash + 1);
        else
                n = snprintf(tmp, tmp_size, ".%s.XXXXXX", path);
        if (n < 0 || (size_t) n >= tmp_size)
                return -ENAMETOOLONG;

        fd = mkstemp(tmp);
        if (fd < 0)
                return -errno;
        /* mkstemp() makes it 0600; other users' tools (amixer as a test user) must read it. */
        if (fchmod(fd, 0644) < 0 ||
            write(fd, text, 2) != 2 ||
            fsync(fd) < 0) {
                int r = errno > 0 ? -errno : -EIO;
                close(fd);
                unlink(tmp);
                return r;
        }
        if (close(fd) < 0) {
                int r = -errno;
                unlink(tmp);
                return r;
        }
        return 0;
}

static inline int switch_file_write(const char *path, bool on) {
        char tmp[PATH_MAX];
        int r;

        r = switch_file_write_tmp(path, on, tmp, sizeof tmp);
        if (r < 0)
                return r;
        if (rename(tmp, path) < 0) {
                r = -errno;
                unlink(tmp);
                return r;
        }
        return 0;
}

/* Creates PATH holding "1\n" unless it exists; link() makes the creation race-free
 * against the other plugin and against a test writing its own value. */
static inline int switch_file_ensure(const char *path) {
        char tmp[PATH_MAX];
        int r;

        if (access(path, F_OK) == 0)
                return 0;
        r = switch_file_write_tmp(path, true, tmp, sizeof tmp);
        if (r < 0)
                return r;
        r = link(tmp, path) < 0 && errno != EEXIST ? -errno : 0;
        unlink(tmp);
        return r;
}
