/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fileio.h"
#include "macro.h"
#include "state-file.h"

void state_file_load_done(StateFileLoad *l) {
        free(l->problem);
        free(l->aside);
        *l = (StateFileLoad) {};
}

static int problem_set(char **ret_problem, const char *format, ...) _printf_(2, 3);
static int problem_set(char **ret_problem, const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = vasprintf(ret_problem, format, ap);
        va_end(ap);
        if (r < 0) {
                *ret_problem = NULL;
                return -ENOMEM;
        }
        return -EBADMSG;
}

static const char *file_type_name(mode_t mode) {
        if (S_ISLNK(mode))
                return "a symbolic link, which is never followed";
        if (S_ISDIR(mode))
                return "a directory";
        if (S_ISFIFO(mode))
                return "a FIFO";
        if (S_ISSOCK(mode))
                return "a socket";
        if (S_ISCHR(mode) || S_ISBLK(mode))
                return "a device node";
        return "not a regular file";
}

int state_file_read(const char *path, size_t max, char **ret, size_t *ret_size, char **ret_problem) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        int r;

        if (lstat(path, &st) < 0)
                return negative_errno();
        if (!S_ISREG(st.st_mode))
                return problem_set(ret_problem, "%s", file_type_name(st.st_mode));

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0) {
                if (errno == ELOOP)
                        return problem_set(ret_problem, "%s", file_type_name(S_IFLNK));
                return negative_errno();
        }
        /* Swapped between the lstat() and the open()? */
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (!S_ISREG(st.st_mode))
                return problem_set(ret_problem, "%s", file_type_name(st.st_mode));

        r = read_full_fd(fd, max, ret, ret_size);
        if (r == -EFBIG)
                return problem_set(ret_problem, "larger than %zu bytes", max);
        return r;
}

/* A crash between write_file_atomic()'s mkostemp() and its rename() leaves "<name>.tmp-XXXXXX"
 * behind, and on a small state file system those add up. The daemon owns its file: at load,
 * before it writes, any such regular file is its own leftover. */
static void remove_stale_temporaries(const char *path) {
        _cleanup_free_ char *dir = NULL, *prefix = NULL;
        const char *slash = strrchr(path, '/');
        DIR *d;
        struct dirent *de;

        dir = slash ? strndup(path, (size_t) (slash - path) ?: 1) : strdup(".");
        if (!dir || asprintf(&prefix, "%s.tmp-", slash ? slash + 1 : path) < 0)
                return;
        d = opendir(dir);
        if (!d)
                return;
        while ((de = readdir(d)))
                if (strncmp(de->d_name, prefix, strlen(prefix)) == 0 && strlen(de->d_name) == strlen(prefix) + 6 &&
                    de->d_type == DT_REG)
                        (void) unlinkat(dirfd(d), de->d_name, 0);
        closedir(d);
}

int state_file_load(const char *path, size_t max, state_file_parse_t parse, void *userdata, StateFileLoad *ret) {
        _cleanup_free_ char *text = NULL, *problem = NULL;
        size_t size = 0;
        int r;

        assert(path);
        assert(parse);
        assert(ret);

        *ret = (StateFileLoad) {};
        remove_stale_temporaries(path);

        r = state_file_read(path, max, &text, &size, &problem);
        if (r == -ENOENT) {
                ret->status = STATE_FILE_MISSING;
                return 0;
        }
        if (r >= 0)
                r = parse(text, size, userdata, &problem);
        if (r >= 0) {
                ret->status = STATE_FILE_LOADED;
                return 0;
        }
        if (r != -EBADMSG)
                return r;

        ret->status = STATE_FILE_CORRUPT;
        ret->problem = TAKE_PTR(problem);
        r = move_aside(path, &ret->aside);
        if (r == -ENOMEM)
                return r;
        ret->aside_error = r < 0 ? r : 0;
        return 0;
}

/* ---- records -------------------------------------------------------------------------------
 *
 * Why a fixed-size record rewritten in place, for state whose loss is not safe (audiod's mute):
 *
 * A file replaced through a temporary file needs new blocks for every write. On a full file
 * system that write fails, and the old content (an unmuted microphone, say) stays behind for
 * the next start to believe. A record of one fixed size, written once in full (so its block is
 * allocated, not sparse), is afterwards rewritten with pwrite() over its own block: that needs no
 * new space on the file systems state lives on here (ext4, f2fs, tmpfs), so the mute a person
 * asks for is on disk even when the disk is full.
 *
 * An in-place write is not atomic the way a rename is: power lost in the middle can leave a torn
 * record. The checksum makes a torn (or zeroed, or truncated) record "corrupt", never a stale
 * value; the caller then starts from its safe value.
 *
 * Where the in-place write cannot be done (no record yet, a copy-on-write file system, an I/O
 * error) and a replacement cannot be written either, the record is emptied or created empty:
 * truncating frees blocks and an empty file needs none. An empty record loads as UNSAVED, which
 * the caller also treats as "start from the safe value". So after a failed save the file holds
 * either the state last asked for or a mark that says it does not, never an older state. */

#define RECORD_MAGIC "vhstate1"

static uint32_t crc32_ieee(const void *data, size_t size) {
        const uint8_t *p = data;
        uint32_t crc = 0xFFFFFFFFu;

        for (size_t i = 0; i < size; i++) {
                crc ^= p[i];
                for (unsigned k = 0; k < 8; k++)
                        crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1u));
        }
        return ~crc;
}

int state_record_format(const void *payload, size_t size, char ret[static STATE_RECORD_SIZE]) {
        int n;

        if (size > STATE_RECORD_PAYLOAD_MAX || memchr(payload, '\0', size))
                return -EINVAL;
        memset(ret, 0, STATE_RECORD_SIZE);
        n = snprintf(ret, STATE_RECORD_SIZE, RECORD_MAGIC " %08" PRIx32 " %zu\n", crc32_ieee(payload, size), size);
        assert(n > 0 && (size_t) n + size < STATE_RECORD_SIZE);
        memcpy(ret + n, payload, size);
        return 0;
}

static int record_check(const char *text, size_t size, size_t *ret_offset, size_t *ret_length, char **ret_problem) {
        char header[64];
        const char *nl;
        size_t length, offset;
        uint32_t crc;
        int n;

        if (size != STATE_RECORD_SIZE)
                return problem_set(ret_problem, "%zu bytes, not a record of %u", size, STATE_RECORD_SIZE);
        nl = memchr(text, '\n', 40);
        if (!nl || sscanf(text, RECORD_MAGIC " %8" SCNx32 " %zu", &crc, &length) != 2)
                return problem_set(ret_problem, "no record header");
        /* The header exactly as written, nothing more lenient. */
        n = snprintf(header, sizeof header, RECORD_MAGIC " %08" PRIx32 " %zu\n", crc, length);
        offset = (size_t) (nl - text) + 1;
        if (n < 0 || (size_t) n != offset || memcmp(header, text, offset) != 0 || length > STATE_RECORD_PAYLOAD_MAX ||
            offset + length >= size)
                return problem_set(ret_problem, "malformed record header");
        if (memchr(text + offset, '\0', length) || crc32_ieee(text + offset, length) != crc)
                return problem_set(ret_problem, "record checksum mismatch (torn or damaged)");
        for (size_t i = offset + length; i < size; i++)
                if (text[i] != '\0')
                        return problem_set(ret_problem, "garbage after the record");
        *ret_offset = offset;
        *ret_length = length;
        return 0;
}

typedef struct RecordParse {
        state_file_parse_t parse;
        void *userdata;
        bool empty;
} RecordParse;

static int record_parse(const char *text, size_t size, void *userdata, char **ret_problem) {
        RecordParse *p = userdata;
        _cleanup_free_ char *payload = NULL;
        size_t offset = 0, length = 0;
        int r;

        if (size == 0) {
                p->empty = true;
                return 0;
        }
        r = record_check(text, size, &offset, &length, ret_problem);
        if (r < 0)
                return r;
        payload = strndup(text + offset, length);
        if (!payload)
                return -ENOMEM;
        return p->parse(payload, length, p->userdata, ret_problem);
}

int state_record_load(const char *path, state_file_parse_t parse, void *userdata, StateFileLoad *ret) {
        RecordParse p = { .parse = parse, .userdata = userdata };
        int r;

        r = state_file_load(path, STATE_RECORD_SIZE, record_parse, &p, ret);
        if (r >= 0 && ret->status == STATE_FILE_LOADED && p.empty)
                ret->status = STATE_FILE_UNSAVED;
        return r;
}

static int write_all_at(int fd, const char *data, size_t size) {
        for (size_t done = 0; done < size;) {
                ssize_t n = pwrite(fd, data + done, size - done, (off_t) done);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                done += (size_t) n;
        }
        return 0;
}

static int record_rewrite_in_place(const char *path, const char record[static STATE_RECORD_SIZE]) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        int r;

        fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        /* Only our own record, with its block allocated; never a file linked from elsewhere. */
        if (!S_ISREG(st.st_mode) || st.st_size != STATE_RECORD_SIZE || st.st_nlink != 1 ||
            (uint64_t) st.st_blocks * 512 < STATE_RECORD_SIZE)
                return -EBADMSG;
        r = write_all_at(fd, record, STATE_RECORD_SIZE);
        if (r < 0)
                return r;
        return RET_NERRNO(fdatasync(fd));
}

static int record_mark_unsaved(const char *path) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK, 0644);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (!S_ISREG(st.st_mode) || st.st_nlink != 1)
                return -EBADMSG;
        if (ftruncate(fd, 0) < 0 || fsync(fd) < 0)
                return negative_errno();
        (void) fsync_directory_of(path);
        return 0;
}

int state_record_save(const char *path, const void *payload, size_t size) {
        char record[STATE_RECORD_SIZE];
        int r;

        assert(path);

        r = state_record_format(payload, size, record);
        if (r < 0)
                return r;
        if (record_rewrite_in_place(path, record) >= 0)
                return 0;
        r = write_file_atomic(path, record, sizeof record, 0644);
        if (r >= 0)
                return 0;
        (void) record_mark_unsaved(path);
        return r;
}
