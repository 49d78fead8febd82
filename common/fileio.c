/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

#include "fileio.h"
#include "macro.h"

int read_full_fd(int fd, size_t max, char **ret, size_t *ret_size) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, alloc = 0;

        assert(fd >= 0);
        assert(ret);

        for (;;) {
                ssize_t n;

                if (size + 1 >= alloc) {
                        size_t na = alloc ? alloc * 2 : 4096;
                        char *nb;

                        if (alloc > max + 1)
                                return -EFBIG;
                        nb = realloc(buf, na);
                        if (!nb)
                                return -ENOMEM;
                        buf = nb;
                        alloc = na;
                }
                n = read(fd, buf + size, alloc - size - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (n == 0)
                        break;
                size += (size_t) n;
                if (size > max)
                        return -EFBIG;
        }

        buf[size] = '\0';
        *ret = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = size;
        return 0;
}

int read_full_file(const char *path, size_t max, char **ret, size_t *ret_size) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        assert(path);
        assert(ret);

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        return read_full_fd(fd, max, ret, ret_size);
}

int fsync_directory_of(const char *path) {
        _cleanup_free_ char *dir = strdup(path);
        _cleanup_close_ int fd = -EBADF;
        char *slash;

        if (!dir)
                return -ENOMEM;
        slash = strrchr(dir, '/');
        if (!slash)
                strcpy(dir, ".");
        else if (slash == dir)
                slash[1] = '\0';
        else
                *slash = '\0';

        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        return RET_NERRNO(fsync(fd));
}

int write_file_atomic(const char *path, const void *data, size_t size, mode_t mode) {
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *p = data;
        int r;

        assert(path);
        assert(data || size == 0);

        if (asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0)
                return -ENOMEM;

        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return negative_errno();

        while (size > 0) {
                ssize_t n = write(fd, p, size);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        r = negative_errno();
                        goto fail;
                }
                p += n;
                size -= (size_t) n;
        }

        if (fchmod(fd, mode) < 0 || fsync(fd) < 0) {
                r = negative_errno();
                goto fail;
        }
        fd = safe_close(fd);

        if (rename(tmp, path) < 0) {
                r = negative_errno();
                goto fail;
        }

        (void) fsync_directory_of(path);
        return 0;

fail:
        (void) unlink(tmp);
        return r;
}

int move_aside(const char *path, char **ret_new_path) {
        long long now = (long long) time(NULL);

        /* Never over an earlier one: two bad starts within a second keep both. */
        for (unsigned i = 0; i < 100; i++) {
                _cleanup_free_ char *n = NULL;
                int r;

                if ((i == 0 ? asprintf(&n, "%s.corrupt-%lld", path, now)
                            : asprintf(&n, "%s.corrupt-%lld-%u", path, now, i)) < 0)
                        return -ENOMEM;
                r = renameat2(AT_FDCWD, path, AT_FDCWD, n, RENAME_NOREPLACE);
                if (r < 0 && (errno == EINVAL || errno == ENOSYS)) {
                        /* A file system without RENAME_NOREPLACE: look first. */
                        struct stat st;

                        if (lstat(n, &st) >= 0)
                                continue;
                        r = rename(path, n);
                }
                if (r < 0 && errno == EEXIST)
                        continue;
                if (r < 0)
                        return negative_errno();
                (void) fsync_directory_of(path);
                if (ret_new_path)
                        *ret_new_path = TAKE_PTR(n);
                return 0;
        }
        return -EEXIST;
}

int mkdir_p(const char *path, mode_t mode) {
        _cleanup_free_ char *p = strdup(path);

        if (!p)
                return -ENOMEM;

        for (char *s = p + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = '\0';
                if (mkdir(p, mode) < 0 && errno != EEXIST)
                        return negative_errno();
                *s = '/';
        }
        if (mkdir(p, mode) < 0 && errno != EEXIST)
                return negative_errno();
        return 0;
}

int state_directory_name(char **ret) {
        const char *e = getenv("STATE_DIRECTORY");
        char *d;

        if (!isempty(e))
                d = strndup(e, strcspn(e, ":"));
        else
                d = strdup("/var/lib/voicehvac");
        if (!d)
                return -ENOMEM;
        *ret = d;
        return 0;
}

int state_directory(char **ret) {
        char *d;
        int r;

        r = state_directory_name(&d);
        if (r < 0)
                return r;
        r = mkdir_p(d, 0755);
        if (r < 0) {
                free(d);
                return r;
        }
        *ret = d;
        return 0;
}

int state_file_path(const char *name, char **ret) {
        _cleanup_free_ char *d = NULL;
        int r;

        r = state_directory(&d);
        if (r < 0)
                return r;
        if (asprintf(ret, "%s/%s", d, name) < 0)
                return -ENOMEM;
        return 0;
}

int memfd_new_stream(const char *name, int *ret_fd, FILE **ret_stream) {
        _cleanup_close_ int fd = -EBADF, copy = -EBADF;
        FILE *f;

        fd = memfd_create(name, MFD_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (copy < 0)
                return negative_errno();
        f = fdopen(copy, "w");
        if (!f)
                return negative_errno();
        TAKE_FD(copy);
        *ret_fd = TAKE_FD(fd);
        *ret_stream = f;
        return 0;
}
