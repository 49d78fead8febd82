/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What every test program shares: checks that record a failure and go on, a temporary
 * directory, a private dbus-daemon, and the real daemons started as child processes. */

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "macro.h"
#include "time-util.h"

#define EXIT_TEST_SKIP 77

extern unsigned test_failures;
extern unsigned test_checks;

#define check(cond, ...)                                                                \
        ({                                                                              \
                bool _ok_ = (cond);                                                     \
                test_checks++;                                                          \
                if (!_ok_) {                                                            \
                        test_failures++;                                                \
                        fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
                        fprintf(stderr, __VA_ARGS__);                                   \
                        fputc('\n', stderr);                                            \
                }                                                                       \
                _ok_;                                                                   \
        })

/* Fatal when a precondition of the rest of the test does not hold. */
#define require(cond, ...)                                                              \
        do {                                                                            \
                if (!check(cond, __VA_ARGS__))                                          \
                        test_exit();                                                    \
        } while (0)

/* Waits for cond, evaluated every 20 ms, up to timeout (µs); the last value of cond. */
#define WAIT_FOR(cond, timeout)                                                 \
        ({                                                                      \
                usec_t _end_ = now_usec(CLOCK_MONOTONIC) + (timeout);           \
                bool _done_;                                                    \
                while (!(_done_ = (cond)) && now_usec(CLOCK_MONOTONIC) < _end_) \
                        usleep(20 * 1000);                                      \
                _done_;                                                         \
        })

#define test_log(...) do { fprintf(stderr, "# " __VA_ARGS__); fputc('\n', stderr); } while (0)

/* Exit 77, for a reason outside the tree; only before any check ran (after one, it fails). */
_noreturn_ void test_skip(const char *reason);
_noreturn_ void test_exit(void);
int test_result(void);

/* Where the build and source trees are ($VH_BUILD, $VH_SRCDIR, set by the test runner). */
const char *test_build_dir(void);
const char *test_src_dir(void);
char *test_build_path(const char *rel);
char *test_src_path(const char *rel);
/* A file the build makes, relative to $VH_BUILD: make builds it before any test runs, so a
 * missing one fails the test (it is no reason to skip). */
void test_require_built(const char *rel);

/* A deadline for how long the stack takes to do something, times $VH_TEST_TIME_SCALE (a whole
 * number, 1 when unset): the cross-architecture suite runs every binary under qemu-user, which
 * starts a daemon several times slower than the build machine does. */
usec_t test_scaled_usec(usec_t usec);

/* A fresh directory under /tmp, world-searchable so unprivileged clients can reach sockets in
 * it; removed at exit. */
const char *test_tmpdir(void);
char *test_tmp_path(const char *name);
int test_write_file(const char *path, const char *contents);

/* A private dbus-daemon of "system" type with a permissive policy, whose address goes into
 * $DBUS_SYSTEM_BUS_ADDRESS for every process started afterwards. Stopped at exit. (Policy files
 * can only add allow rules on top of it; tests of the project's policy start a deny-by-default
 * bus of their own, see tests/test-authorization.c.) */
int test_bus_start(void);
const char *test_bus_address(void);
int test_bus_connect(sd_bus **ret);

/* Child processes: started with the current environment, stdout/stderr into
 * BUILD/test-logs/<log_name>.log, killed at exit. */
pid_t test_spawn(const char *log_name, char *const argv[]);
/* SIGTERM, then waits up to timeout; SIGKILL after. Returns the exit status (0…255), or 128+signal. */
int test_stop(pid_t pid, usec_t timeout);
int test_wait_exit(pid_t pid, usec_t timeout);

/* Waits until name has an owner on the bus (or the process died). */
int test_wait_for_name(sd_bus *bus, const char *name, usec_t timeout);

/* Runs argv to completion; returns its exit status; stdout captured into *ret_output if set. */
int test_run(char *const argv[], char **ret_output);

/* busctl introspection of "interface" at name/path on the test bus compared with the reviewed
 * contract dbus-interfaces/<interface>.xml; 0 when they agree (the differences go to stderr). */
int test_introspection_matches(const char *name, const char *path, const char *interface);

/* Runs fn in a child process as uid/gid (e.g. nobody), returning its exit status. */
int test_run_as(uid_t uid, gid_t gid, int (*fn)(void *), void *userdata);

/* org.voicehvac.Audio1.OpenStream(): our own duplicate of the returned fd, or < 0 with the D-Bus
 * error's name in *ret_error_name (if set). */
int test_open_audio_stream(sd_bus *bus, char **ret_error_name);

/* Number of open fds of a process. */
int test_count_fds(pid_t pid);
/* Peak RSS in KiB (VmHWM) of a process. */
long test_peak_rss_kib(pid_t pid);
