/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The state directory on a small file system that fills up, as on an SD card: the real daemons
 * on a private bus, $STATE_DIRECTORY on a 64 KiB tmpfs mounted in a private mount namespace.
 *  - audiod, with the vhtest capture switch and with the stream-only mute: a mute taken while the
 *    disk is full is on disk (the record is rewritten in place), so kill -9 and a restart come
 *    back muted; where nothing can be written at all the state is "unsaved" (property, watchdogd,
 *    voicehvacctl), a restart comes back muted, and it is written as soon as space returns.
 *  - hvacd: changes made while full are retried until space returns (a timer: the space is freed
 *    outside the state directory), and survive kill -9 then.
 *  - wakeword: garbage, a truncated file, a symbolic link and a directory in place of its
 *    cepstral mean file are moved aside with a warning, and a good file is written at exit. */

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "bus-util.h"
#include "errors.h"
#include "fileio.h"
#include "harness.h"
#include "stack.h"
#include "state-file.h"
#include "string-util.h"


static char *path_join(const char *a, const char *b) {
        char *p;

        return asprintf(&p, "%s/%s", a, b) < 0 ? NULL : p;
}

static char *mnt, *state_dir, *switch_path, *audiod_conf, *hvacd_conf;
static pid_t audiod_pid, hvacd_pid, watchdogd_pid;

/* ---- the file system ------------------------------------------------------------------- */

static void unmount_fs(void) {
        if (mnt)
                (void) umount2(mnt, MNT_DETACH);
}

/* Before any check: a test that cannot have its own mount namespace is skipped. */
static void setup_fs(void) {
        mnt = test_tmp_path("fs");
        require(mkdir(mnt, 0755) == 0, "mkdir %s", mnt);
        if (unshare(CLONE_NEWNS) < 0)
                test_skip("the kernel refuses a private mount namespace (unshare: %m)");
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                test_skip("cannot make the mounts private in the new namespace");
        if (mount("tmpfs", mnt, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755") < 0)
                test_skip("cannot mount a tmpfs in the new namespace");
        atexit(unmount_fs);
        state_dir = path_join(mnt, "state");
        require(state_dir && mkdir(state_dir, 0755) == 0, "mkdir %s", state_dir);
}

static uint64_t fs_free(void) {
        struct statvfs sv;

        return statvfs(mnt, &sv) < 0 ? UINT64_MAX : (uint64_t) sv.f_bfree * sv.f_frsize;
}

/* Writes zeros to path until the file system says it is full. */
static void fill(const char *path) {
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        static const char zeros[4096];

        require(fd >= 0, "create %s", path);
        while (write(fd, zeros, sizeof zeros) > 0)
                ;
        require(errno == ENOSPC && fs_free() == 0, "the file system is full (%m, %" PRIu64 " bytes free)", fs_free());
}

static char *state_path(const char *name) {
        return path_join(state_dir, name);
}

/* ---- bus helpers ----------------------------------------------------------------------- */

static int get_bool(sd_bus *bus, const char *name, const char *path, const char *property) {
        int v = -1;

        if (sd_bus_get_property_trivial(bus, name, path, name, property, NULL, 'b', &v) < 0)
                return -1;
        return v;
}

static double get_double(sd_bus *bus, const char *property) {
        double v = -1;

        (void) sd_bus_get_property_trivial(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, property,
                                           NULL, 'd', &v);
        return v;
}

static bool string_is(sd_bus *bus, const char *property, const char *want) {
        _cleanup_free_ char *v = NULL;

        return sd_bus_get_property_string(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, property,
                                          NULL, &v) >= 0 &&
               streq(v, want);
}

static int set_mute(sd_bus *bus, bool muted) {
        return sd_bus_call_method(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE, "SetMute", NULL,
                                  NULL, "b", muted);
}

/* watchdogd's report for a service: its State and whether Reason and StateUnsaved say "unsaved". */
static bool health_is(sd_bus *bus, const char *service, const char *want_state, bool want_unsaved) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *name, *key, *state = NULL, *reason = "";
        int unsaved = -1;

        if (sd_bus_call_method(bus, VH_WATCHDOG_BUS_NAME, VH_WATCHDOG_OBJECT_PATH, VH_WATCHDOG_INTERFACE, "GetHealth",
                               NULL, &reply, NULL) < 0 ||
            sd_bus_message_enter_container(reply, 'a', "{sa{sv}}") <= 0)
                return false;
        while (sd_bus_message_enter_container(reply, 'e', "sa{sv}") > 0) {
                if (sd_bus_message_read(reply, "s", &name) < 0 || sd_bus_message_enter_container(reply, 'a', "{sv}") < 0)
                        return false;
                while (sd_bus_message_enter_container(reply, 'e', "sv") > 0) {
                        bool mine = streq(name, service);
                        int b;

                        if (sd_bus_message_read(reply, "s", &key) < 0)
                                return false;
                        if (mine && streq(key, "State"))
                                (void) sd_bus_message_read(reply, "v", "s", &state);
                        else if (mine && streq(key, "Reason"))
                                (void) sd_bus_message_read(reply, "v", "s", &reason);
                        else if (mine && streq(key, "StateUnsaved") && sd_bus_message_read(reply, "v", "b", &b) >= 0)
                                unsaved = b;
                        else
                                (void) sd_bus_message_skip(reply, "v");
                        (void) sd_bus_message_exit_container(reply);
                }
                (void) sd_bus_message_exit_container(reply);
                (void) sd_bus_message_exit_container(reply);
        }
        return state && streq(state, want_state) && unsaved == want_unsaved &&
               (strstr(reason, "not saved") != NULL) == want_unsaved;
}

static bool ctl_status_says(const char *needle) {
        _cleanup_free_ char *bin = test_build_path("voicehvacctl/voicehvacctl"), *out = NULL;
        char *argv[] = { bin, (char *) "status", NULL };

        return test_run(argv, &out) == 0 && out && strstr(out, needle);
}

/* ---- the daemons ----------------------------------------------------------------------- */

static size_t log_size(const char *log_name) {
        _cleanup_free_ char *rel = NULL, *path = NULL;
        struct stat st;

        if (asprintf(&rel, "test-logs/%s.log", log_name) < 0 || !(path = test_build_path(rel)))
                return 0;
        return stat(path, &st) < 0 ? 0 : (size_t) st.st_size;
}

/* How often needle occurs in the daemon's log after offset. */
static unsigned log_count(const char *log_name, size_t offset, const char *needle) {
        _cleanup_free_ char *rel = NULL, *path = NULL, *text = NULL;
        unsigned n = 0;
        size_t size;

        if (asprintf(&rel, "test-logs/%s.log", log_name) < 0 || !(path = test_build_path(rel)) ||
            read_full_file(path, 64 << 20, &text, &size) < 0 || offset > size)
                return 0;
        for (const char *p = text + offset; (p = strstr(p, needle)); p++)
                n++;
        return n;
}

/* CPU time used so far, in clock ticks. */
static long cpu_ticks(pid_t pid) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        unsigned long utime, stime;
        const char *p;

        if (asprintf(&path, "/proc/%d/stat", (int) pid) < 0 || read_full_file(path, 4096, &text, NULL) < 0 ||
            !(p = strrchr(text, ')')) ||
            sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
                return -1;
        return (long) (utime + stime);
}

static pid_t start(sd_bus *bus, const char *log_name, const char *bin_rel, const char *config, const char *name) {
        _cleanup_free_ char *bin = test_build_path(bin_rel);
        char *argv[] = { bin, config ? (char *) "--config" : NULL, (char *) config, NULL };
        pid_t pid;

        pid = test_spawn(log_name, argv);
        require(pid > 0, "spawn %s", bin_rel);
        require(test_wait_for_name(bus, name, 20 * USEC_PER_SEC) == 0, "%s owns %s", bin_rel, name);
        return pid;
}

static void kill9(pid_t *pid, const char *what) {
        check(kill(*pid, SIGKILL) == 0, "kill -9 %s", what);
        check(test_wait_exit(*pid, 5 * USEC_PER_SEC) == 128 + SIGKILL, "%s died", what);
        *pid = 0;
}

static void stop(pid_t *pid, const char *what) {
        int r = test_stop(*pid, 20 * USEC_PER_SEC);

        check(r == 0, "%s exits 0 on SIGTERM (got %d; 86 = leak under ASan)", what, r);
        *pid = 0;
}

static void write_alsa_conf(void) {
        _cleanup_free_ char *plugins = test_build_path("tests/alsa"), *script = test_src_path("tests/alsa/make-conf.sh"),
                            *audio = test_tmp_path("pattern.raw"), *alsa_conf = test_tmp_path("asound.conf"),
                            *out = NULL, *path_env = NULL;
        char *argv[] = { script, plugins, audio, switch_path, (char *) "eof \"loop\"", (char *) "rate 16000",
                         (char *) "channels 1", NULL };
        _cleanup_fclose_ FILE *f = fopen(audio, "we");

        require(f, "create %s", audio);
        for (int k = 0; k < 32768; k++) {
                int16_t v = (int16_t) (k - 16384);
                fwrite(&v, sizeof v, 1, f);
        }
        require(test_run(argv, &out) == 0 && out, "make-conf.sh");
        require(test_write_file(alsa_conf, out) == 0, "write %s", alsa_conf);
        require(asprintf(&path_env, "/usr/share/alsa/alsa.conf:%s", alsa_conf) > 0, "asprintf");
        setenv("ALSA_CONFIG_PATH", path_env, 1);
}

static unsigned count_packets(int fd, usec_t duration) {
        usec_t end = now_usec(CLOCK_MONOTONIC) + duration;
        char buf[8192];
        unsigned n = 0;

        for (usec_t now; (now = now_usec(CLOCK_MONOTONIC)) < end;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };

                if (poll(&p, 1, (int) ((end - now) / USEC_PER_MSEC) + 1) > 0 && recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0)
                        n++;
        }
        return n;
}

static int mute_file(bool *ret_muted) {
        _cleanup_free_ char *path = state_path("audiod-mute.json"), *text = NULL, *problem = NULL;
        size_t size;

        if (state_file_read(path, STATE_RECORD_SIZE, &text, &size, &problem) < 0)
                return -1;
        if (size == 0)
                return 0;       /* "not saved" */
        if (size != STATE_RECORD_SIZE)
                return -1;
        *ret_muted = strstr(text, "{\"muted\": true}") != NULL;
        return strstr(text, "{\"muted\": ") ? 1 : -1;
}

/* ---- audiod ---------------------------------------------------------------------------- */

static void audiod_config(bool with_switch) {
        _cleanup_free_ char *text = NULL;

        require(asprintf(&text, "{ \"device\": \"vhtest\", \"mixer_device\": \"vhtest\", \"unmute_group\": \"root\", "
                         "\"retry_max_ms\": 400%s }\n", with_switch ? "" : ", \"mute_control\": \"\"") > 0, "asprintf");
        require(test_write_file(audiod_conf, text) == 0, "write audiod config");
}

static bool audiod_muted_after_crash(sd_bus *bus, const char *what) {
        int fd;
        unsigned packets;

        kill9(&audiod_pid, "audiod");
        audiod_pid = start(bus, "full-disk-audiod", "audiod/audiod", audiod_conf, VH_AUDIO_BUS_NAME);
        if (!check(get_bool(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, "Muted") == 1,
                   "%s: Muted after kill -9 and a restart", what))
                return false;
        fd = test_open_audio_stream(bus, NULL);
        if (!check(fd >= 0, "OpenStream"))
                return false;
        packets = count_packets(fd, USEC_PER_SEC);
        check(packets == 0, "%s: a new stream gets nothing (%u packets in 1 s)", what, packets);
        safe_close(fd);
        return true;
}

/* The sequence as an operator met it: unmuted, the disk fills, mute, space returns, a crash. */
static void test_audiod_mute_on_full_disk(sd_bus *bus, bool with_switch) {
        _cleanup_free_ char *filler = state_path("fill"), *record = state_path("audiod-mute.json");
        const char *what = with_switch ? "with a capture switch" : "stream-only mute";
        bool muted = false;

        test_log("audiod, %s: mute on a full disk", what);
        audiod_config(with_switch);
        /* A file from before the record format (plain JSON) is never trusted: muted. */
        require(test_write_file(record, "{\"muted\": false}\n") == 0, "an old mute file");
        audiod_pid = start(bus, "full-disk-audiod", "audiod/audiod", audiod_conf, VH_AUDIO_BUS_NAME);
        check(get_bool(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, "Muted") == 1,
              "%s: an old unmuted file starts muted", what);
        require(set_mute(bus, false) >= 0, "SetMute false");
        check(WAIT_FOR(mute_file(&muted) == 1 && !muted, 2 * USEC_PER_SEC), "%s: the file says unmuted", what);

        fill(filler);
        check(set_mute(bus, true) >= 0 && get_bool(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, "Muted") == 1,
              "%s: SetMute true", what);
        check(mute_file(&muted) == 1 && muted, "%s: the mute is on the full disk (rewritten in place)", what);
        check(get_bool(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, "StateUnsaved") == 0, "%s: nothing unsaved", what);
        check(unlink(filler) == 0, "remove the filler");

        audiod_muted_after_crash(bus, what);
}

/* Nothing can be written at all (no record yet, the disk full): unsaved, and safe. */
static void test_audiod_unsaved(sd_bus *bus, sd_bus *watch_bus, bool with_switch) {
        _cleanup_free_ char *filler = state_path("fill"), *record = state_path("audiod-mute.json");
        const char *what = with_switch ? "with a capture switch" : "stream-only mute";
        bool muted = true;
        size_t log_start;
        long cpu;
        int r;

        test_log("audiod, %s: a mute state that cannot be written", what);
        stop(&audiod_pid, "audiod");
        check(test_write_file(switch_path, "1\n") == 0, "switch on");
        (void) unlink(record);
        fill(filler);

        log_start = log_size("full-disk-audiod");
        audiod_pid = start(bus, "full-disk-audiod", "audiod/audiod", audiod_conf, VH_AUDIO_BUS_NAME);
        check(WAIT_FOR(get_bool(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, "StateUnsaved") == 1, 2 * USEC_PER_SEC),
              "%s: StateUnsaved while the record cannot be created", what);
        check(get_bool(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, "Muted") == 0,
              "%s: unmuted, as configured for a first start", what);
        check(mute_file(&muted) == 0, "%s: the file says \"not saved\" (empty)", what);
        check(WAIT_FOR(health_is(watch_bus, "audiod", "degraded", true), 5 * USEC_PER_SEC),
              "%s: watchdogd reports audiod degraded, mute state not saved", what);
        check(ctl_status_says("mute not saved"), "%s: voicehvacctl status says so", what);

        /* Retried, without spinning and without saying it again. */
        cpu = cpu_ticks(audiod_pid);
        usleep(3500 * 1000);
        r = (int) log_count("full-disk-audiod", log_start, "Failed to save the mute state");
        check(r == 1, "%s: the failure is logged once (%d times)", what, r);
        r = (int) log_count("full-disk-audiod", log_start, "No space left on device");
        check(r == 1, "%s: ENOSPC is named once (%d times)", what, r);
        check(cpu >= 0 && cpu_ticks(audiod_pid) - cpu < sysconf(_SC_CLK_TCK),
              "%s: under a second of CPU in 3.5 s of retrying (%ld ticks)", what, cpu_ticks(audiod_pid) - cpu);

        check(set_mute(bus, true) >= 0 && set_mute(bus, false) >= 0, "%s: mute and unmute still work", what);
        check(get_bool(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, "StateUnsaved") == 1, "%s: still unsaved", what);
        if (!audiod_muted_after_crash(bus, what))
                return;
        check(WAIT_FOR(get_bool(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, "StateUnsaved") == 1, 2 * USEC_PER_SEC),
              "%s: unsaved after the restart too", what);

        /* Space returns in the state directory: written at once, not at the next back-off. */
        usleep(2500 * 1000);
        check(unlink(filler) == 0, "remove the filler");
        check(WAIT_FOR(get_bool(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, "StateUnsaved") == 0,
                       1500 * USEC_PER_MSEC),
              "%s: saved within 1.5 s of space returning", what);
        check(mute_file(&muted) == 1 && muted, "%s: the file says muted", what);
        check(WAIT_FOR(health_is(watch_bus, "audiod", "ok", false), 5 * USEC_PER_SEC), "%s: audiod ok again", what);
        check(log_count("full-disk-audiod", log_start, "Saved the mute state") == 1, "%s: the recovery is logged", what);
        audiod_muted_after_crash(bus, what);
}

/* ---- hvacd ----------------------------------------------------------------------------- */

static bool hvac_file_has(const char *needle) {
        _cleanup_free_ char *path = state_path("hvacd-state.json"), *text = NULL;

        return read_full_file(path, 4096, &text, NULL) == 0 && strstr(text, needle);
}

static void test_hvacd(sd_bus *bus, sd_bus *watch_bus) {
        _cleanup_free_ char *filler = path_join(mnt, "fill");
        size_t log_start = log_size("full-disk-hvacd");
        long cpu;

        test_log("hvacd: changes on a full disk");
        require(test_write_file(hvacd_conf, "{ \"coalesce_ms\": 50 }\n") == 0, "write hvacd config");
        hvacd_pid = start(bus, "full-disk-hvacd", "hvacd/hvacd", hvacd_conf, VH_HVAC_BUS_NAME);
        require(sd_bus_call_method(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE,
                                   "SetTargetTemperature", NULL, NULL, "d", 22.0) >= 0,
                "SetTargetTemperature 22");
        check(WAIT_FOR(hvac_file_has("\"target_temperature\":22"), 2 * USEC_PER_SEC), "22 °C is on disk");

        /* Outside the state directory: only the retry timer can notice the space coming back. */
        fill(filler);
        check(sd_bus_call_method(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, "SetTargetTemperature",
                                 NULL, NULL, "d", 27.0) >= 0 &&
              sd_bus_call_method(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, "SetMode", NULL, NULL,
                                 "s", "heat") >= 0 &&
              sd_bus_call_method(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, "SetPower", NULL, NULL,
                                 "b", true) >= 0,
              "27 °C, heat, on: accepted on a full disk");
        check(WAIT_FOR(get_bool(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, "StateUnsaved") == 1, 3 * USEC_PER_SEC),
              "StateUnsaved");
        check(hvac_file_has("\"target_temperature\":22"), "the file still holds the old state");
        check(WAIT_FOR(health_is(watch_bus, "hvacd", "degraded", true), 5 * USEC_PER_SEC),
              "watchdogd reports hvacd degraded, state not saved");
        check(ctl_status_says("state not saved"), "voicehvacctl status says so");
        cpu = cpu_ticks(hvacd_pid);
        usleep(3 * USEC_PER_SEC);
        check(log_count("full-disk-hvacd", log_start, "Failed to write state file") == 1, "the failure is logged once");
        check(cpu >= 0 && cpu_ticks(hvacd_pid) - cpu < sysconf(_SC_CLK_TCK), "under a second of CPU in 3 s (%ld ticks)",
              cpu_ticks(hvacd_pid) - cpu);

        check(unlink(filler) == 0, "remove the filler");
        check(WAIT_FOR(get_bool(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, "StateUnsaved") == 0,
                       12 * USEC_PER_SEC), "written once space returned, without another change");
        check(hvac_file_has("\"target_temperature\":27") && hvac_file_has("\"mode\":\"heat\"") &&
              hvac_file_has("\"power\":true"), "the file holds 27 °C, heat, on");
        check(WAIT_FOR(health_is(watch_bus, "hvacd", "ok", false), 5 * USEC_PER_SEC), "hvacd ok again");

        kill9(&hvacd_pid, "hvacd");
        hvacd_pid = start(bus, "full-disk-hvacd", "hvacd/hvacd", hvacd_conf, VH_HVAC_BUS_NAME);
        check(get_double(bus, "TargetTemperature") == 27.0 && string_is(bus, "Mode", "heat") &&
              get_bool(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, "Power") == 1,
              "kill -9 and a restart keep 27 °C, heat, on");
        stop(&hvacd_pid, "hvacd");
}

/* ---- wakeword -------------------------------------------------------------------------- */

/* The entries named "wakeword-cmn.corrupt-*" in the state directory: their count, and the first. */
static unsigned cmn_asides(char **ret_first) {
        DIR *d = opendir(state_dir);
        unsigned n = 0;
        struct dirent *de;

        while (d && (de = readdir(d)))
                if (strncmp(de->d_name, "wakeword-cmn.corrupt-", 21) == 0 && n++ == 0 && ret_first)
                        *ret_first = state_path(de->d_name);
        if (d)
                closedir(d);
        return n;
}

static bool cmn_file_good(void) {
        _cleanup_free_ char *path = state_path("wakeword-cmn"), *text = NULL, *problem = NULL;
        unsigned n = 0;
        size_t size;

        if (state_file_read(path, 1024, &text, &size, &problem) < 0)
                return false;
        for (char *tok = strtok(text, " \n"); tok; tok = strtok(NULL, " \n"))
                n++;
        return n == 13;
}

static void remove_asides(void) {
        _cleanup_free_ char *cmd = NULL;

        if (asprintf(&cmd, "rm -rf '%s'/wakeword-cmn*", state_dir) > 0)
                (void) system(cmd);
}

typedef enum Bad { BAD_GARBAGE, BAD_TRUNCATED, BAD_SYMLINK, BAD_DIRECTORY } Bad;

static void test_wakeword_case(sd_bus *bus, Bad bad) {
        static const char *const names[] = { "garbage", "a truncated file", "a symbolic link", "a directory" };
        static const char *const problems[] = { "not 13 plausible numbers", "not 13 plausible numbers",
                                                 "symbolic link", "a directory" };
        _cleanup_free_ char *path = state_path("wakeword-cmn"), *target = path_join(mnt, "target"), *aside = NULL,
                            *inside = NULL, *text = NULL;
        const char *valid = "1 2 3 4 5 6 7 8 9 10 11 12 13\n";
        size_t log_start = log_size("full-disk-wakeword");
        struct stat st;
        pid_t pid;

        remove_asides();
        switch (bad) {
        case BAD_GARBAGE:
                require(test_write_file(path, "garbage \x01\x02 not numbers\n") == 0, "write");
                break;
        case BAD_TRUNCATED:
                require(test_write_file(path, "55.4 1.5 -2.8 16.6 -7.9") == 0, "write");
                break;
        case BAD_SYMLINK:
                /* A target that would parse: only not following it keeps it out. */
                require(test_write_file(target, valid) == 0 && symlink(target, path) == 0, "symlink");
                break;
        case BAD_DIRECTORY:
                inside = path_join(path, "kept");
                require(mkdir(path, 0755) == 0 && test_write_file(inside, "x") == 0, "mkdir");
                break;
        }

        pid = start(bus, "full-disk-wakeword", "wakeword/wakeword", NULL, VH_WAKEWORD_BUS_NAME);
        check(cmn_asides(&aside) == 1, "%s: moved aside (%s)", names[bad], strempty(aside));
        check(log_count("full-disk-wakeword", log_start, problems[bad]) == 1 &&
              log_count("full-disk-wakeword", log_start, "moved it to") == 1, "%s: a warning says what and where",
              names[bad]);
        if (aside && bad == BAD_SYMLINK)
                check(lstat(aside, &st) == 0 && S_ISLNK(st.st_mode), "the link itself was moved, not its target");
        if (aside && bad == BAD_DIRECTORY) {
                _cleanup_free_ char *moved = path_join(aside, "kept");
                check(access(moved, F_OK) == 0, "the directory was moved whole");
        }
        if (aside && bad <= BAD_TRUNCATED)
                check(read_full_file(aside, 1024, &text, NULL) == 0 && (bad == BAD_GARBAGE ? strstr(text, "garbage")
                                                                                            : strstr(text, "-7.9")),
                      "the bad content is kept for a look");
        stop(&pid, "wakeword");
        check(cmn_file_good(), "%s: a regular file with the cepstral mean was written at exit", names[bad]);
        if (bad == BAD_SYMLINK) {
                free(text);
                text = NULL;
                check(read_full_file(target, 1024, &text, NULL) == 0 && streq(text, valid), "the link's target is untouched");
        }
}

/* ---- main ------------------------------------------------------------------------------ */

int main(void) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL, *watch_bus = NULL;
        static const char *const needed[] = { "audiod/audiod", "hvacd/hvacd", "watchdogd/watchdogd", "wakeword/wakeword",
                                              "voicehvacctl/voicehvacctl", "tests/alsa/libasound_module_pcm_vhtest.so" };

        if (geteuid() != 0)
                test_skip("needs root to mount a tmpfs");
        for (size_t i = 0; i < ELEMENTSOF(needed); i++)
                test_require_built(needed[i]);
        (void) test_tmpdir();
        setup_fs();

        switch_path = test_tmp_path("switch");
        audiod_conf = test_tmp_path("audiod.json");
        hvacd_conf = test_tmp_path("hvacd.json");
        require(test_write_file(switch_path, "1\n") == 0, "switch");
        write_alsa_conf();
        setenv("HOME", test_tmpdir(), 1);
        setenv("XDG_CONFIG_HOME", test_tmpdir(), 1);
        setenv("STATE_DIRECTORY", state_dir, 1);
        (void) vh_errors_register();

        require(test_bus_start() == 0, "private dbus-daemon");
        require(test_bus_connect(&bus) >= 0 && test_bus_connect(&watch_bus) >= 0, "connect");
        watchdogd_pid = start(bus, "full-disk-watchdogd", "watchdogd/watchdogd", NULL, VH_WATCHDOG_BUS_NAME);

        test_audiod_mute_on_full_disk(bus, true);
        test_audiod_unsaved(bus, watch_bus, true);
        stop(&audiod_pid, "audiod");
        test_audiod_mute_on_full_disk(bus, false);
        test_audiod_unsaved(bus, watch_bus, false);
        stop(&audiod_pid, "audiod");

        test_hvacd(bus, watch_bus);

        for (Bad b = BAD_GARBAGE; b <= BAD_DIRECTORY; b++)
                test_wakeword_case(bus, b);

        stop(&watchdogd_pid, "watchdogd");
        return test_result();
}
