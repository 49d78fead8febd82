/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <dirent.h>
#include <grp.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "bus-contract.h"
#include "bus-util.h"
#include "fileio.h"
#include "harness.h"
#include "private-bus.h"

unsigned test_failures = 0;
unsigned test_checks = 0;

#define CHILDREN_MAX 32
static pid_t children[CHILDREN_MAX];
static char *tmpdir = NULL;
static char *bus_address = NULL;
static pid_t bus_pid = 0;
static bool cleanup_registered = false;

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) remove(path);
        return 0;
}

static void test_cleanup(void) {
        for (size_t i = 0; i < CHILDREN_MAX; i++)
                if (children[i] > 0) {
                        (void) kill(children[i], SIGKILL);
                        (void) waitpid(children[i], NULL, 0);
                        children[i] = 0;
                }
        if (bus_pid > 0) {
                (void) kill(bus_pid, SIGTERM);
                (void) waitpid(bus_pid, NULL, 0);
                bus_pid = 0;
        }
        if (tmpdir && !getenv("VH_TEST_KEEP_TMP"))
                (void) nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        free(tmpdir);
        tmpdir = NULL;
        free(bus_address);
        bus_address = NULL;
}

static void ensure_cleanup(void) {
        if (!cleanup_registered) {
                atexit(test_cleanup);
                cleanup_registered = true;
        }
}

void test_skip(const char *reason) {
        /* A skip after a check would hide what the checks found. */
        if (test_checks > 0) {
                fprintf(stderr, "FAIL: skipped after %u checks had run (%s)\n", test_checks, reason);
                exit(EXIT_FAILURE);
        }
        fprintf(stderr, "SKIP: %s\n", reason);
        printf("SKIP: %s\n", reason);
        fflush(stdout);
        exit(EXIT_TEST_SKIP);
}

int test_result(void) {
        fprintf(stderr, "# %u checks, %u failed\n", test_checks, test_failures);
        return test_failures == 0 && test_checks > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* Called when a require() failed: the test fails whatever the other checks said. */
void test_exit(void) {
        (void) test_result();
        exit(EXIT_FAILURE);
}

const char *test_build_dir(void) {
        return getenv("VH_BUILD") ?: "build";
}

const char *test_src_dir(void) {
        return getenv("VH_SRCDIR") ?: ".";
}

usec_t test_scaled_usec(usec_t usec) {
        const char *e = getenv("VH_TEST_TIME_SCALE");
        unsigned long scale = e ? strtoul(e, NULL, 10) : 1;

        return usec * (scale > 0 ? scale : 1);
}

static char *path_join(const char *a, const char *b) {
        char *p;

        if (asprintf(&p, "%s/%s", a, b) < 0)
                abort();
        return p;
}

char *test_build_path(const char *rel) {
        _cleanup_free_ char *rp = realpath(test_build_dir(), NULL);
        return path_join(rp ?: test_build_dir(), rel);
}

char *test_src_path(const char *rel) {
        _cleanup_free_ char *rp = realpath(test_src_dir(), NULL);
        return path_join(rp ?: test_src_dir(), rel);
}

void test_require_built(const char *rel) {
        _cleanup_free_ char *p = test_build_path(rel);

        /* A precondition, not a check: a test may still skip after it. */
        if (access(p, F_OK) < 0) {
                fprintf(stderr, "FAIL: %s is not built (make builds it before the tests): %m\n", p);
                exit(EXIT_FAILURE);
        }
}

const char *test_tmpdir(void) {
        if (!tmpdir) {
                char t[] = "/tmp/voicehvac-test-XXXXXX";

                ensure_cleanup();
                if (!mkdtemp(t))
                        abort();
                (void) chmod(t, 0755);
                tmpdir = strdup(t);
        }
        return tmpdir;
}

char *test_tmp_path(const char *name) {
        return path_join(test_tmpdir(), name);
}

int test_write_file(const char *path, const char *contents) {
        _cleanup_fclose_ FILE *f = fopen(path, "we");

        if (!f)
                return negative_errno();
        fputs(contents, f);
        return fflush(f) == 0 ? 0 : negative_errno();
}

static void remember_child(pid_t pid) {
        for (size_t i = 0; i < CHILDREN_MAX; i++)
                if (children[i] <= 0) {
                        children[i] = pid;
                        return;
                }
}

static void forget_child(pid_t pid) {
        for (size_t i = 0; i < CHILDREN_MAX; i++)
                if (children[i] == pid)
                        children[i] = 0;
}

int test_bus_start(void) {
        _cleanup_free_ char *conf = test_tmp_path("bus.conf");
        _cleanup_free_ char *sock = test_tmp_path("system_bus_socket");
        _cleanup_free_ char *text = NULL;
        int pipefd[2];
        char buf[512];
        ssize_t n;
        size_t got = 0;
        pid_t pid;

        ensure_cleanup();

        if (private_bus_config(sock, &text) < 0)
                return -ENOMEM;
        if (test_write_file(conf, text) < 0)
                return -EIO;

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return negative_errno();

        pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid == 0) {
                char fdarg[32];

                (void) dup2(pipefd[1], 3);
                snprintf(fdarg, sizeof(fdarg), "--print-address=3");
                (void) setpgid(0, 0);
                execlp("dbus-daemon", "dbus-daemon", "--nofork", "--nopidfile", "--nosyslog",
                       fdarg, "--config-file", conf, NULL);
                _exit(127);
        }
        close(pipefd[1]);
        bus_pid = pid;

        while (got < sizeof(buf) - 1) {
                struct pollfd p = { .fd = pipefd[0], .events = POLLIN };

                if (poll(&p, 1, 10000) <= 0)
                        break;
                n = read(pipefd[0], buf + got, sizeof(buf) - 1 - got);
                if (n <= 0)
                        break;
                got += (size_t) n;
                if (memchr(buf, '\n', got))
                        break;
        }
        close(pipefd[0]);
        buf[got] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        if (got == 0)
                return -EIO;

        bus_address = strdup(buf);
        setenv("DBUS_SYSTEM_BUS_ADDRESS", bus_address, 1);
        /* Keep everyone off the session bus and the host's real system bus. */
        setenv("DBUS_SESSION_BUS_ADDRESS", bus_address, 1);
        return 0;
}

const char *test_bus_address(void) {
        return bus_address;
}

int test_bus_connect(sd_bus **ret) {
        return sd_bus_open_system(ret);
}

pid_t test_spawn(const char *log_name, char *const argv[]) {
        _cleanup_free_ char *logdir = test_build_path("test-logs");
        _cleanup_free_ char *logfile = NULL;
        pid_t pid;

        ensure_cleanup();
        (void) mkdir_p(logdir, 0755);
        if (asprintf(&logfile, "%s/%s.log", logdir, log_name) < 0)
                return -ENOMEM;

        fflush(NULL);
        pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid == 0) {
                int fd = open(logfile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
                sigset_t all;

                if (fd >= 0) {
                        (void) dup2(fd, STDOUT_FILENO);
                        (void) dup2(fd, STDERR_FILENO);
                }
                sigfillset(&all);
                (void) sigprocmask(SIG_UNBLOCK, &all, NULL);
                execvp(argv[0], argv);
                fprintf(stderr, "exec %s: %m\n", argv[0]);
                _exit(127);
        }
        remember_child(pid);
        return pid;
}

static int status_to_code(int status) {
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return 255;
}

int test_wait_exit(pid_t pid, usec_t timeout) {
        usec_t end = now_usec(CLOCK_MONOTONIC) + timeout;
        int status;

        for (;;) {
                pid_t r = waitpid(pid, &status, WNOHANG);
                if (r == pid) {
                        forget_child(pid);
                        return status_to_code(status);
                }
                if (r < 0)
                        return negative_errno();
                if (now_usec(CLOCK_MONOTONIC) >= end)
                        return -ETIMEDOUT;
                usleep(10000);
        }
}

int test_stop(pid_t pid, usec_t timeout) {
        int r;

        if (pid <= 0)
                return -ESRCH;
        (void) kill(pid, SIGTERM);
        r = test_wait_exit(pid, timeout);
        if (r == -ETIMEDOUT) {
                (void) kill(pid, SIGKILL);
                r = test_wait_exit(pid, 5 * USEC_PER_SEC);
                return r < 0 ? r : 128 + SIGKILL;
        }
        return r;
}

int test_wait_for_name(sd_bus *bus, const char *name, usec_t timeout) {
        usec_t end = now_usec(CLOCK_MONOTONIC) + timeout;

        for (;;) {
                _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *c = NULL;

                if (sd_bus_get_name_creds(bus, name, 0, &c) >= 0)
                        return 0;
                if (now_usec(CLOCK_MONOTONIC) >= end)
                        return -ETIMEDOUT;
                usleep(10000);
        }
}

int test_run(char *const argv[], char **ret_output) {
        int pipefd[2], status;
        pid_t pid;

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return negative_errno();
        fflush(NULL);
        pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid == 0) {
                (void) dup2(pipefd[1], STDOUT_FILENO);
                execvp(argv[0], argv);
                _exit(127);
        }
        close(pipefd[1]);
        {
                char *buf = NULL;
                size_t size = 0;
                FILE *m = open_memstream(&buf, &size);
                char chunk[4096];
                ssize_t n;

                while ((n = read(pipefd[0], chunk, sizeof(chunk))) > 0)
                        fwrite(chunk, 1, (size_t) n, m);
                fclose(m);
                if (ret_output)
                        *ret_output = buf;
                else
                        free(buf);
        }
        close(pipefd[0]);
        if (waitpid(pid, &status, 0) < 0)
                return negative_errno();
        return status_to_code(status);
}

int test_run_as(uid_t uid, gid_t gid, int (*fn)(void *), void *userdata) {
        int status;
        pid_t pid;

        fflush(NULL);
        pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid == 0) {
                if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0)
                        _exit(126);
                _exit(fn(userdata));
        }
        if (waitpid(pid, &status, 0) < 0)
                return negative_errno();
        return status_to_code(status);
}

int test_open_audio_stream(sd_bus *bus, char **ret_error_name) {
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int fd, r;

        r = sd_bus_call_method(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE,
                               "OpenStream", &e, &reply, NULL);
        if (r < 0) {
                if (ret_error_name)
                        *ret_error_name = strdup(e.name ?: "");
                return r;
        }
        r = sd_bus_message_read(reply, "h", &fd);
        if (r < 0)
                return r;
        fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        return fd < 0 ? negative_errno() : fd;
}

int test_count_fds(pid_t pid) {
        char path[64];
        DIR *d;
        struct dirent *de;
        int n = 0;

        snprintf(path, sizeof(path), "/proc/%i/fd", (int) pid);
        d = opendir(path);
        if (!d)
                return negative_errno();
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        n++;
        closedir(d);
        return n;
}

long test_peak_rss_kib(pid_t pid) {
        char path[64], line[256];
        long v = -1;
        FILE *f;

        snprintf(path, sizeof(path), "/proc/%i/status", (int) pid);
        f = fopen(path, "re");
        if (!f)
                return -1;
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "VmHWM: %ld kB", &v) == 1)
                        break;
        fclose(f);
        return v;
}

int test_introspection_matches(const char *name, const char *path, const char *interface) {
        _cleanup_free_ char *live = NULL, *out = NULL, *contract = NULL, *xml = NULL,
                            *script = test_src_path("tests/lib/compare-introspection.py");
        char *busctl[] = { (char *) "busctl", (char *) "--xml-interface", (char *) "introspect",
                           (char *) name, (char *) path, NULL };
        int r;

        if (asprintf(&xml, "dbus-interfaces/%s.xml", interface) < 0 ||
            asprintf(&live, "%s/live-%s.xml", test_tmpdir(), interface) < 0)
                return -ENOMEM;
        contract = test_src_path(xml);
        r = test_run(busctl, &out);
        if (r != 0 || !out)
                return r != 0 ? r : -EIO;
        r = test_write_file(live, out);
        if (r < 0)
                return r;
        {
                char *compare[] = { (char *) "/usr/bin/python3", script, contract, live, (char *) interface, NULL };

                return test_run(compare, NULL);
        }
}
