/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* common/state-file.c and state-saver.c: the one rule for state files (nothing followed, what is
 * unusable moved aside), records (checksummed, rewritten in place, emptied when they cannot be
 * written), and the saver's retries (back-off, events in the directory, news told once). The full
 * disk itself is tests/test-full-disk.c. */

#include <fcntl.h>
#include <sys/stat.h>

#include "fileio.h"
#include "harness.h"
#include "state-file.h"
#include "state-saver.h"

static int parse_hello(const char *text, size_t size, void *userdata, char **ret_problem) {
        if (!streq(text, "hello")) {
                *ret_problem = strdup("not hello");
                return -EBADMSG;
        }
        if (userdata)
                (*(unsigned *) userdata)++;
        return 0;
}

static void expect_corrupt(const char *path, const char *what, const char *problem) {
        _cleanup_(state_file_load_done) StateFileLoad load = {};
        struct stat st;

        check(state_file_load(path, 64, parse_hello, NULL, &load) == 0 && load.status == STATE_FILE_CORRUPT,
              "%s is corrupt (%d)", what, load.status);
        check(load.problem && strstr(load.problem, problem), "%s: problem '%s' names '%s'", what, load.problem, problem);
        check(load.aside && lstat(load.aside, &st) == 0 && lstat(path, &st) < 0, "%s moved aside to %s", what,
              load.aside);
}

static void test_load_rule(void) {
        _cleanup_free_ char *path = test_tmp_path("st"), *target = test_tmp_path("target"), *inside = NULL;
        _cleanup_(state_file_load_done) StateFileLoad load = {};
        unsigned loaded = 0;
        char big[200];

        check(state_file_load(path, 64, parse_hello, &loaded, &load) == 0 && load.status == STATE_FILE_MISSING, "missing");
        require(test_write_file(path, "hello") == 0, "write");
        check(state_file_load(path, 64, parse_hello, &loaded, &load) == 0 && load.status == STATE_FILE_LOADED &&
              loaded == 1 && access(path, F_OK) == 0, "a good file loads and stays");

        require(test_write_file(path, "garbage") == 0, "write");
        expect_corrupt(path, "garbage", "not hello");

        memset(big, 'x', sizeof big - 1);
        big[sizeof big - 1] = 0;
        require(test_write_file(path, big) == 0, "write");
        expect_corrupt(path, "an oversized file", "larger than 64 bytes");

        /* A link to a file that would parse: not followed, the link itself moved. */
        require(test_write_file(target, "hello") == 0 && symlink(target, path) == 0, "symlink");
        expect_corrupt(path, "a symbolic link", "symbolic link");
        check(access(target, F_OK) == 0, "its target stays");

        require(mkdir(path, 0755) == 0, "mkdir");
        inside = test_tmp_path("st/kept");
        require(test_write_file(inside, "x") == 0, "file in it");
        expect_corrupt(path, "a directory", "directory");

        /* Opening a FIFO for reading would block the start. */
        require(mkfifo(path, 0644) == 0, "mkfifo");
        expect_corrupt(path, "a FIFO", "FIFO");

        check(state_file_read(path, 64, NULL, NULL, NULL) == -ENOENT, "nothing left in place");

        /* What a crash in the middle of write_file_atomic() leaves is removed; nothing else. */
        {
                _cleanup_free_ char *stale = test_tmp_path("st.tmp-Ab12Cd"), *dir = test_tmp_path("st.tmp-Ef34Gh"),
                                    *other = test_tmp_path("st.tmp-x"), *mine = test_tmp_path("other.tmp-Ab12Cd");

                require(test_write_file(stale, "x") == 0 && mkdir(dir, 0755) == 0 && test_write_file(other, "x") == 0 &&
                        test_write_file(mine, "x") == 0, "temporary files");
                check(state_file_load(path, 64, parse_hello, NULL, &load) == 0 && load.status == STATE_FILE_MISSING,
                      "missing");
                check(access(stale, F_OK) < 0, "a stale temporary file is removed");
                check(access(dir, F_OK) == 0 && access(other, F_OK) == 0 && access(mine, F_OK) == 0,
                      "a directory, another name and another file's temporary stay");
        }
}

static void test_move_aside(void) {
        _cleanup_free_ char *path = test_tmp_path("twice"), *a = NULL, *b = NULL;

        require(test_write_file(path, "one") == 0, "write");
        check(move_aside(path, &a) == 0, "first");
        require(test_write_file(path, "two") == 0, "write");
        check(move_aside(path, &b) == 0, "second");
        check(a && b && !streq(a, b) && access(a, F_OK) == 0 && access(b, F_OK) == 0,
              "two in the same second keep both: %s, %s", a, b);
}

static void write_raw(const char *path, const void *data, size_t size) {
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

        require(fd >= 0 && write(fd, data, size) == (ssize_t) size, "write %s", path);
}

static void test_records(void) {
        _cleanup_free_ char *path = test_tmp_path("rec"), *linked = test_tmp_path("rec-link"), *text = NULL;
        _cleanup_(state_file_load_done) StateFileLoad load = {};
        char record[STATE_RECORD_SIZE], big[STATE_RECORD_PAYLOAD_MAX + 2];
        unsigned loaded = 0;
        struct stat st, st2;

        check(state_record_save(path, "hello", 5) == 0, "save");
        check(stat(path, &st) == 0 && st.st_size == STATE_RECORD_SIZE, "a fixed-size record");
        check(state_record_load(path, parse_hello, &loaded, &load) == 0 && load.status == STATE_FILE_LOADED && loaded == 1,
              "loads");
        check(state_record_save(path, "hello", 5) == 0 && stat(path, &st2) == 0 && st2.st_ino == st.st_ino,
              "rewritten in place (same inode)");

        /* Every single-byte change anywhere is caught. */
        require(state_record_format("hello", 5, record) == 0, "format");
        for (size_t i = 0; i < STATE_RECORD_SIZE; i += 7) {
                record[i] ^= 0x20;
                write_raw(path, record, sizeof record);
                state_file_load_done(&load);
                check(state_record_load(path, parse_hello, NULL, &load) == 0 && load.status == STATE_FILE_CORRUPT,
                      "byte %zu changed: corrupt", i);
                record[i] ^= 0x20;
                if (load.aside)
                        (void) unlink(load.aside);
        }
        write_raw(path, record, 100);
        state_file_load_done(&load);
        check(state_record_load(path, parse_hello, NULL, &load) == 0 && load.status == STATE_FILE_CORRUPT &&
              strstr(load.problem, "not a record"), "truncated: corrupt (%s)", load.problem);

        write_raw(path, "", 0);
        state_file_load_done(&load);
        check(state_record_load(path, parse_hello, NULL, &load) == 0 && load.status == STATE_FILE_UNSAVED &&
              access(path, F_OK) == 0, "empty: unsaved, left in place");

        /* Not in place: a sparse file, and a file with another name linked to it. */
        require(truncate(path, STATE_RECORD_SIZE) == 0, "sparse");
        check(state_record_save(path, "hello", 5) == 0 && stat(path, &st) == 0 && st.st_blocks > 0, "sparse: replaced");
        require(link(path, linked) == 0, "hard link");
        check(state_record_save(path, "hello", 5) == 0 && stat(path, &st2) == 0 && st2.st_ino != st.st_ino &&
              stat(linked, &st) == 0 && st.st_nlink == 1, "a hard link is not written through");

        memset(big, 'x', sizeof big - 1);
        big[sizeof big - 1] = 0;
        check(state_record_save(path, big, strlen(big)) == -EINVAL, "too large a payload is refused");
        check(state_record_save(path, "a\0b", 3) == -EINVAL, "a NUL in the payload is refused");

        /* A directory in the way: nothing to write to, nothing to empty; the error is returned. */
        (void) unlink(path);
        require(mkdir(path, 0755) == 0, "mkdir");
        check(state_record_save(path, "hello", 5) < 0, "a directory in place fails");
        check(read_full_file(linked, 4096, &text, NULL) == 0 && strstr(text, "hello"), "the other file is untouched");
}

/* ---- the saver ----------------------------------------------------------------------------- */

typedef struct Fake {
        int fail_with;          /* what the write returns while failing */
        unsigned calls;
        unsigned notified_errors, notified_saved;
        int last_error;
} Fake;

static int fake_write(void *userdata) {
        Fake *f = userdata;

        f->calls++;
        return f->fail_with;
}

static void fake_notify(StateSaver *s, int error, void *userdata) {
        Fake *f = userdata;

        if (error < 0)
                f->notified_errors++;
        else
                f->notified_saved++;
        f->last_error = error;
}

/* Runs the loop until cond or the deadline. */
#define RUN_UNTIL(e, cond, timeout)                                                     \
        ({                                                                              \
                usec_t _end_ = now_usec(CLOCK_MONOTONIC) + (timeout);                   \
                while (!(cond) && now_usec(CLOCK_MONOTONIC) < _end_)                    \
                        (void) sd_event_run((e), 20 * USEC_PER_MSEC);                   \
                (cond);                                                                 \
        })

static void test_saver(void) {
        _cleanup_free_ char *dir = test_tmp_path("saver"), *path = test_tmp_path("saver/state"),
                            *own = test_tmp_path("saver/state.tmp-x"), *other = test_tmp_path("saver/other"),
                            *theirs = test_tmp_path("saver/other.tmp-Ab12Cd");
        _cleanup_(sd_event_unrefp) sd_event *e = NULL;
        StateSaver *s = NULL;
        Fake f = { .fail_with = -EIO };
        usec_t t0;

        require(mkdir(dir, 0755) == 0, "mkdir");
        require(sd_event_new(&e) >= 0, "event");
        require(state_saver_new(e, path, fake_write, fake_notify, &f, &s) == 0, "new");
        check(streq(state_saver_path(s), path), "path");

        t0 = now_usec(CLOCK_MONOTONIC);
        check(state_saver_save(s) == -EIO && state_saver_unsaved(s) && state_saver_error(s) == -EIO, "fails: unsaved");
        check(f.notified_errors == 1, "told once");

        /* The timer: 1 s, then 2 s. */
        check(RUN_UNTIL(e, f.calls == 2, 3 * USEC_PER_SEC), "retried by the timer");
        check(now_usec(CLOCK_MONOTONIC) - t0 >= STATE_SAVER_RETRY_MIN_USEC, "not before 1 s");
        check(f.notified_errors == 1, "the same error is not told again");
        f.fail_with = -EROFS;
        check(RUN_UNTIL(e, f.calls == 3, 3 * USEC_PER_SEC), "retried again");
        check(f.notified_errors == 2 && f.last_error == -EROFS, "a different error is told");

        /* Our own files' events do nothing; another file's do, at once. */
        require(test_write_file(own, "x") == 0 && unlink(own) == 0, "own temporary file");
        require(test_write_file(theirs, "x") == 0 && unlink(theirs) == 0, "another daemon's temporary file");
        (void) RUN_UNTIL(e, false, 300 * USEC_PER_MSEC);
        check(f.calls == 3, "our own files and temporary files are no reason to try (%u calls)", f.calls);
        t0 = now_usec(CLOCK_MONOTONIC);
        require(test_write_file(other, "x") == 0, "another file");
        check(RUN_UNTIL(e, f.calls == 4, 1 * USEC_PER_SEC), "another file written: tried at once");
        check(now_usec(CLOCK_MONOTONIC) - t0 < STATE_SAVER_RETRY_MIN_USEC, "sooner than the timer");

        /* (That a write which frees nothing is no reason to try when full is seen on a private
         * tmpfs in test-full-disk: here other processes change the free space.) */
        f.fail_with = -ENOSPC;
        require(state_saver_save(s) == -ENOSPC && f.calls == 5 && f.last_error == -ENOSPC, "an ENOSPC attempt");

        /* Success ends it, and says so once. */
        f.fail_with = 0;
        check(state_saver_save(s) == 0 && !state_saver_unsaved(s) && state_saver_error(s) == 0, "saved");
        check(f.notified_saved == 1, "told once it is saved");
        (void) RUN_UNTIL(e, false, 1200 * USEC_PER_MSEC);
        require(unlink(other) == 0, "unlink");
        (void) RUN_UNTIL(e, false, 300 * USEC_PER_MSEC);
        check(f.calls == 6 && state_saver_failures(s) == 0, "nothing more once saved (%u calls)", f.calls);
        state_saver_free(s);
}

int main(void) {
        test_load_rule();
        test_move_aside();
        test_records();
        test_saver();
        return test_result();
}
