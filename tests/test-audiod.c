/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* audiod end to end: the real daemon on a private dbus-daemon, capturing through alsa-lib from
 * the vhtest plugin (a file paced in real time, with a "Capture Switch" that amixer sees). */

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "audio-packet.h"
#include "bus-util.h"
#include "errors.h"
#include "harness.h"


#define PATTERN_SAMPLES 32768   /* sample k holds k - 16384: every value names its position */
#define RATE 16000

static char *switch_path, *unplug_path, *alsa_conf, *audio_path, *config_path, *state_dir;
static pid_t audiod_pid;

typedef union Packet {
        AudioPacketHeader header;
        uint8_t bytes[AUDIO_PACKET_SIZE_MAX];
} Packet;

/* ---- set-up ---------------------------------------------------------------------------- */

static void write_pattern(void) {
        _cleanup_fclose_ FILE *f = fopen(audio_path, "we");

        require(f, "create %s", audio_path);
        for (int k = 0; k < PATTERN_SAMPLES; k++) {
                int16_t s = (int16_t) (k - 16384);
                fwrite(&s, sizeof(s), 1, f);
        }
}

static void write_alsa_conf(const char *extra) {
        _cleanup_free_ char *plugins = test_build_path("tests/alsa");
        _cleanup_free_ char *script = test_src_path("tests/alsa/make-conf.sh");
        _cleanup_free_ char *out = NULL, *unplug_line = NULL;
        char *argv[] = { script, plugins, audio_path, switch_path, (char *) "eof \"loop\"", (char *) "rate 16000",
                         (char *) "channels 1", NULL, NULL, NULL };
        int r;

        require(asprintf(&unplug_line, "unplug \"%s\"", unplug_path) > 0, "asprintf");
        argv[7] = unplug_line;
        argv[8] = (char *) extra;
        r = test_run(argv, &out);
        require(r == 0 && out, "make-conf.sh exit %d", r);
        require(test_write_file(alsa_conf, out) == 0, "write %s", alsa_conf);
}

static void write_config(const char *extra) {
        _cleanup_free_ char *text = NULL;

        require(asprintf(&text,
                         "{\n  \"device\": \"vhtest\",\n  \"mixer_device\": \"vhtest\",\n"
                         "  \"max_clients\": 4,\n  \"retry_max_ms\": 400,\n"
                         "  \"unmute_group\": \"audio\"%s%s\n}\n",
                         extra ? ",\n  " : "", extra ?: "") > 0, "asprintf");
        require(test_write_file(config_path, text) == 0, "write config");
}

static void audiod_start(sd_bus *bus) {
        _cleanup_free_ char *bin = test_build_path("audiod/audiod");
        char *argv[] = { bin, (char *) "--config", config_path, NULL };

        audiod_pid = test_spawn("audiod", argv);
        require(audiod_pid > 0, "spawn audiod");
        require(test_wait_for_name(bus, VH_AUDIO_BUS_NAME, 10 * USEC_PER_SEC) == 0, "audiod owns " VH_AUDIO_BUS_NAME);
}

static void audiod_stop_clean(void) {
        int r = test_stop(audiod_pid, 10 * USEC_PER_SEC);

        check(r == 0, "audiod exits cleanly on SIGTERM (got %d; 86 = leak under ASan)", r);
        audiod_pid = 0;
}

/* ---- bus helpers ----------------------------------------------------------------------- */

static int get_bool(sd_bus *bus, const char *property) {
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        int v = -1;

        if (sd_bus_get_property_trivial(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE, property, &e,
                                        'b', &v) < 0)
                return -1;
        return v;
}

static uint64_t get_u64(sd_bus *bus, const char *property) {
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        uint64_t v = UINT64_MAX;

        (void) sd_bus_get_property_trivial(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE, property,
                                           &e, 't', &v);
        return v;
}

static unsigned get_u32(sd_bus *bus, const char *property) {
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        uint32_t v = UINT32_MAX;

        (void) sd_bus_get_property_trivial(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE, property,
                                           &e, 'u', &v);
        return v;
}

static char *get_string(sd_bus *bus, const char *property) {
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        char *v = NULL;

        (void) sd_bus_get_property_string(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE, property,
                                          &e, &v);
        return v;
}

static bool wait_bool(sd_bus *bus, const char *property, int want, usec_t timeout) {
        usec_t end = now_usec(CLOCK_MONOTONIC) + timeout;

        do {
                if (get_bool(bus, property) == want)
                        return true;
                usleep(20000);
        } while (now_usec(CLOCK_MONOTONIC) < end);
        return false;
}

static bool wait_state(sd_bus *bus, const char *want, usec_t timeout) {
        usec_t end = now_usec(CLOCK_MONOTONIC) + timeout;

        do {
                _cleanup_free_ char *s = get_string(bus, "State");
                if (streq_ptr(s, want))
                        return true;
                usleep(20000);
        } while (now_usec(CLOCK_MONOTONIC) < end);
        return false;
}

static int set_mute(sd_bus *bus, bool muted, char **ret_error_name) {
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_call_method(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE, "SetMute", &e, NULL,
                               "b", muted);
        if (r < 0 && ret_error_name)
                *ret_error_name = strdup(e.name ?: "");
        return r;
}

/* ---- stream helpers -------------------------------------------------------------------- */

/* One packet, or 0 on timeout, < 0 on error. */
static ssize_t recv_packet(int fd, Packet *p, int timeout_ms) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        ssize_t n;

        if (poll(&pfd, 1, timeout_ms) <= 0)
                return 0;
        n = recv(fd, p, sizeof(*p), MSG_DONTWAIT);
        return n < 0 ? negative_errno() : n;
}

typedef struct StreamCheck {
        uint64_t next_seq;
        int next_index;         /* expected pattern position of the next sample, -1 = unknown */
        unsigned packets, seq_gaps, data_errors, bad_packets, discontinuities;
        usec_t last_ts;
} StreamCheck;

static void stream_check_init(StreamCheck *c) {
        *c = (StreamCheck) { .next_index = -1 };
}

static void stream_check_packet(StreamCheck *c, const Packet *p, size_t size) {
        const AudioPacketHeader *h;
        const int16_t *s;

        if (audio_packet_parse(p->bytes, size, &h, &s) < 0) {
                c->bad_packets++;
                return;
        }
        if (c->packets > 0 && h->sequence != c->next_seq)
                c->seq_gaps++;
        if (h->flags & AUDIO_PACKET_DISCONTINUITY) {
                c->discontinuities++;
                c->next_index = -1;
        }
        for (uint32_t i = 0; i < h->frames; i++) {
                int index = s[i] + 16384;

                if (c->next_index >= 0 && index != c->next_index)
                        c->data_errors++;
                c->next_index = (index + 1) % PATTERN_SAMPLES;
        }
        c->next_seq = h->sequence + 1;
        c->last_ts = h->timestamp_usec;
        c->packets++;
}

/* Reads for "duration" from several streams at once. */
static void read_streams(int *fds, StreamCheck *checks, size_t n, usec_t duration) {
        usec_t end = now_usec(CLOCK_MONOTONIC) + duration;
        Packet p;

        while (now_usec(CLOCK_MONOTONIC) < end) {
                struct pollfd pfds[8];

                for (size_t i = 0; i < n; i++)
                        pfds[i] = (struct pollfd) { .fd = fds[i], .events = POLLIN };
                if (poll(pfds, n, 50) <= 0)
                        continue;
                for (size_t i = 0; i < n; i++)
                        if (pfds[i].revents & POLLIN) {
                                ssize_t sz = recv(fds[i], &p, sizeof(p), MSG_DONTWAIT);
                                if (sz > 0)
                                        stream_check_packet(&checks[i], &p, (size_t) sz);
                        }
        }
}

static unsigned drain(int fd, int quiet_ms, usec_t *ret_last_end) {
        unsigned n = 0;
        Packet p;
        ssize_t sz;

        while ((sz = recv_packet(fd, &p, quiet_ms)) > 0) {
                const AudioPacketHeader *h;

                if (ret_last_end && audio_packet_parse(p.bytes, (size_t) sz, &h, NULL) >= 0)
                        *ret_last_end = h->timestamp_usec + (usec_t) h->frames * USEC_PER_SEC / h->rate;
                n++;
        }
        return n;
}

static char *read_switch(void) {
        char buf[16] = {};
        _cleanup_close_ int fd = open(switch_path, O_RDONLY | O_CLOEXEC);

        if (fd < 0 || read(fd, buf, sizeof(buf) - 1) < 0)
                return strdup("?");
        buf[strcspn(buf, "\n")] = 0;
        return strdup(buf);
}

static int amixer(const char *value) {
        char *argv[] = { (char *) "amixer", (char *) "-q", (char *) "-D", (char *) "vhtest", (char *) "cset",
                         (char *) "name=Capture Switch", (char *) value, NULL };
        return test_run(argv, NULL);
}

/* ---- the tests ------------------------------------------------------------------------- */

static void test_introspection(void) {
        check(test_introspection_matches(VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE) == 0,
              "live introspection equals dbus-interfaces/org.voicehvac.Audio1.xml");
}

static void test_two_clients_bit_exact(sd_bus *bus) {
        int fds[2];
        StreamCheck c[2];

        for (int i = 0; i < 2; i++) {
                fds[i] = test_open_audio_stream(bus, NULL);
                require(fds[i] >= 0, "OpenStream %d", i);
                stream_check_init(&c[i]);
        }
        check(get_u32(bus, "Clients") == 2, "Clients is 2");

        read_streams(fds, c, 2, 2 * USEC_PER_SEC);

        for (int i = 0; i < 2; i++) {
                test_log("client %d: %u packets, %u gaps, %u data errors", i, c[i].packets, c[i].seq_gaps, c[i].data_errors);
                check(c[i].packets >= 80 && c[i].packets <= 120, "client %d got about 100 periods in 2 s: %u", i, c[i].packets);
                check(c[i].seq_gaps == 0, "client %d: consecutive sequence numbers", i);
                check(c[i].data_errors == 0, "client %d: samples bit-exact and in order", i);
                check(c[i].bad_packets == 0, "client %d: every packet well-formed", i);
                check(c[i].discontinuities == 1, "client %d: only the first packet marks a discontinuity (%u)", i,
                      c[i].discontinuities);
                safe_close(fds[i]);
        }
}

static void test_mute(sd_bus *bus) {
        _cleanup_free_ char *sw = NULL;
        int fd = test_open_audio_stream(bus, NULL);
        StreamCheck c;
        usec_t before, after, last_end = 0;
        unsigned late;

        require(fd >= 0, "OpenStream");
        stream_check_init(&c);
        read_streams(&fd, &c, 1, 300 * USEC_PER_MSEC);
        check(c.packets > 5, "streaming before mute");

        before = now_usec(CLOCK_MONOTONIC);
        check(set_mute(bus, true, NULL) >= 0, "SetMute(true)");
        after = now_usec(CLOCK_MONOTONIC);
        test_log("SetMute(true) took %.2f ms", (after - before) / 1000.0);

        /* Everything still queued was captured before the call returned; then nothing comes. */
        late = drain(fd, 500, &last_end);
        check(last_end == 0 || last_end <= after, "no packet holds audio captured after SetMute returned (%lld us late)",
              (long long) (last_end - after));
        test_log("%u packets were in flight when mute took effect", late);
        check(drain(fd, 500, NULL) == 0, "no packets while muted");
        check(get_bool(bus, "Muted") == 1, "Muted is true");
        sw = read_switch();
        check(streq(sw, "0"), "the capture switch is off (switch file '%s')", sw);
        safe_close(fd);
}

static void test_external_switch(sd_bus *bus) {
        int fd;
        StreamCheck c;

        /* Another process flips the card's switch: the property follows, so it never lies. */
        check(amixer("on") == 0, "amixer cset on");
        check(wait_bool(bus, "Muted", 0, 3 * USEC_PER_SEC), "Muted follows the switch to false");

        fd = test_open_audio_stream(bus, NULL);
        require(fd >= 0, "OpenStream");
        stream_check_init(&c);
        read_streams(&fd, &c, 1, 300 * USEC_PER_MSEC);
        check(c.packets > 5 && c.data_errors == 0, "audio flows after the switch came on");

        check(amixer("off") == 0, "amixer cset off");
        check(wait_bool(bus, "Muted", 1, 3 * USEC_PER_SEC), "Muted follows the switch to true");
        (void) drain(fd, 300, NULL);
        check(drain(fd, 300, NULL) == 0, "nothing flows after the switch went off");
        safe_close(fd);
}

typedef struct Caller {
        bool muted;
        const char *expect_error;      /* NULL = expect success */
        gid_t supplementary;
} Caller;

static int caller_set_mute(void *userdata) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *name = NULL;
        Caller *c = userdata;
        int r;

        if (c->supplementary != (gid_t) -1 && setgroups(1, &c->supplementary) < 0)
                return 3;
        r = test_bus_connect(&bus);
        if (r < 0)
                return 4;
        r = set_mute(bus, c->muted, &name);
        if (c->expect_error)
                return r < 0 && streq_ptr(name, c->expect_error) ? 0 : 1;
        return r >= 0 ? 0 : 2;
}

static int run_as_nobody(Caller *c) {
        struct passwd *pw = getpwnam("nobody");
        int status;
        pid_t pid;

        if (!pw)
                return -ENOENT;
        fflush(NULL);
        pid = fork();
        if (pid == 0) {
                if (c->supplementary != (gid_t) -1) {
                        if (setgroups(1, &c->supplementary) < 0)
                                _exit(3);
                } else if (setgroups(0, NULL) < 0)
                        _exit(3);
                if (setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
                        _exit(5);
                c->supplementary = (gid_t) -1;
                _exit(caller_set_mute(c));
        }
        if (waitpid(pid, &status, 0) < 0)
                return -errno;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void test_authorization(sd_bus *bus) {
        struct group *audio = getgrnam("audio");
        Caller c;
        int r;

        require(set_mute(bus, true, NULL) >= 0, "mute as root");

        c = (Caller) { .muted = false, .expect_error = VH_ERROR_NOT_AUTHORIZED, .supplementary = (gid_t) -1 };
        r = run_as_nobody(&c);
        check(r == 0, "an unprivileged caller cannot unmute: NotAuthorized (child %d)", r);
        check(get_bool(bus, "Muted") == 1, "still muted");

        if (audio) {
                c = (Caller) { .muted = false, .supplementary = audio->gr_gid };
                r = run_as_nobody(&c);
                check(r == 0, "a member of the unmute group may unmute (child %d)", r);
                check(wait_bool(bus, "Muted", 0, USEC_PER_SEC), "unmuted by the group member");
        } else {
                test_log("no 'audio' group here; the group-member case is not tried");
                check(set_mute(bus, false, NULL) >= 0, "root may unmute");
        }

        c = (Caller) { .muted = true, .supplementary = (gid_t) -1 };
        r = run_as_nobody(&c);
        check(r == 0, "an unprivileged caller may mute (child %d)", r);
        check(get_bool(bus, "Muted") == 1, "muted by the unprivileged caller");
}

static void test_restart_keeps_mute(sd_bus *bus) {
        _cleanup_free_ char *sw = NULL;
        StreamCheck c;
        int fd, r;

        require(set_mute(bus, true, NULL) >= 0, "mute");

        /* A crash, and the switch turned on behind our back while audiod was down. */
        check(kill(audiod_pid, SIGKILL) == 0, "kill -9 audiod");
        r = test_wait_exit(audiod_pid, 5 * USEC_PER_SEC);
        check(r == 128 + SIGKILL, "audiod died (%d)", r);
        check(test_write_file(switch_path, "1\n") == 0, "switch on while audiod is down");

        audiod_start(bus);
        check(get_bool(bus, "Muted") == 1, "Muted is true after the crash and restart");
        check(wait_state(bus, "running", 3 * USEC_PER_SEC), "capturing again");
        sw = read_switch();
        check(streq(sw, "0"), "the capture switch was turned off again at start (switch '%s')", sw);
        fd = test_open_audio_stream(bus, NULL);
        require(fd >= 0, "OpenStream");
        check(drain(fd, 500, NULL) == 0, "a new client gets nothing while muted");

        /* Unmute survives a clean restart too. */
        check(set_mute(bus, false, NULL) >= 0, "unmute");
        stream_check_init(&c);
        read_streams(&fd, &c, 1, 300 * USEC_PER_MSEC);
        check(c.packets > 5 && c.data_errors == 0, "audio flows after unmute (%u packets)", c.packets);
        safe_close(fd);
        audiod_stop_clean();
        audiod_start(bus);
        check(get_bool(bus, "Muted") == 0, "unmuted state kept across a clean restart");
}

static void test_bad_arguments(sd_bus *bus) {
        _cleanup_bus_error_ sd_bus_error e1 = SD_BUS_ERROR_NULL, e2 = SD_BUS_ERROR_NULL, e3 = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *err = NULL;
        int fds[5], r;

        r = sd_bus_call_method(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE, "SetMute", &e1, NULL,
                               "s", "yes");
        check(r < 0 && sd_bus_error_has_name(&e1, SD_BUS_ERROR_INVALID_ARGS), "SetMute(s) → InvalidArgs: %s", e1.name);
        r = sd_bus_call_method(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE, "SetMute", &e2, NULL,
                               NULL);
        check(r < 0 && sd_bus_error_has_name(&e2, SD_BUS_ERROR_INVALID_ARGS), "SetMute() → InvalidArgs: %s", e2.name);
        r = sd_bus_call_method(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE, "OpenStream", &e3,
                               NULL, "u", 3);
        check(r < 0 && sd_bus_error_has_name(&e3, SD_BUS_ERROR_INVALID_ARGS), "OpenStream(u) → InvalidArgs: %s", e3.name);

        for (int i = 0; i < 4; i++) {
                fds[i] = test_open_audio_stream(bus, NULL);
                check(fds[i] >= 0, "stream %d of 4", i);
        }
        fds[4] = test_open_audio_stream(bus, &err);
        check(fds[4] < 0 && streq_ptr(err, VH_ERROR_LIMIT_EXCEEDED), "fifth stream → LimitExceeded (%s)", err);
        check(sd_bus_call_method(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, "org.freedesktop.DBus.Peer", "Ping",
                                 NULL, NULL, NULL) >= 0,
              "audiod still answers");
        for (int i = 0; i < 4; i++)
                safe_close(fds[i]);
        check(WAIT_FOR(get_u32(bus, "Clients") == 0, 2 * USEC_PER_SEC), "closed streams are dropped (Clients=%u)",
              get_u32(bus, "Clients"));
}

static void test_slow_client(sd_bus *bus) {
        int stalled = test_open_audio_stream(bus, NULL), fast = test_open_audio_stream(bus, NULL);
        StreamCheck c, s;
        Packet p;
        ssize_t sz;

        require(stalled >= 0 && fast >= 0, "two streams");
        stream_check_init(&c);
        stream_check_init(&s);

        /* One client never reads; the other must not notice. */
        read_streams(&fast, &c, 1, 3 * USEC_PER_SEC);
        check(c.packets >= 130, "the reading client got its 3 s of periods: %u", c.packets);
        check(c.seq_gaps == 0 && c.data_errors == 0, "and lost nothing (%u gaps, %u data errors)", c.seq_gaps, c.data_errors);

        while ((sz = recv(stalled, &p, sizeof(p), MSG_DONTWAIT)) > 0)
                stream_check_packet(&s, &p, (size_t) sz);
        check(s.packets > 0 && s.packets < c.packets, "the stalled client's queue is bounded (%u queued)", s.packets);
        check(get_u64(bus, "DroppedPackets") > 0, "drops are counted");
        /* The next packet it reads shows the gap in its sequence numbers. */
        read_streams(&stalled, &s, 1, 200 * USEC_PER_MSEC);
        check(s.seq_gaps == 1, "the stalled client sees one gap in its sequence numbers (%u)", s.seq_gaps);
        safe_close(stalled);
        safe_close(fast);
}

static void test_fd_leaks(sd_bus *bus) {
        int before, after;

        /* Counted once the streams of the tests before are gone. */
        require(WAIT_FOR(get_u32(bus, "Clients") == 0, 2 * USEC_PER_SEC), "no stream client left (Clients=%u)",
                get_u32(bus, "Clients"));
        before = test_count_fds(audiod_pid);
        for (int i = 0; i < 100; i++) {
                int fd = test_open_audio_stream(bus, NULL);
                check(fd >= 0, "OpenStream %d", i);
                if (i % 2 == 0)
                        usleep(1000);
                safe_close(fd);
        }
        check(WAIT_FOR(get_u32(bus, "Clients") == 0, 2 * USEC_PER_SEC), "every stream closed (Clients=%u)",
              get_u32(bus, "Clients"));
        after = test_count_fds(audiod_pid);
        check(before > 0 && before == after, "no fd leaked over 100 stream cycles (%d → %d)", before, after);
}

static void test_xrun(sd_bus *bus) {
        uint64_t x0 = get_u64(bus, "Xruns");
        int fd;
        StreamCheck c;

        /* Restart on a PCM that overruns once, 700 ms in. */
        audiod_stop_clean();
        write_alsa_conf("xrun_after_ms 700");
        audiod_start(bus);
        check(x0 == 0, "no overruns before");

        fd = test_open_audio_stream(bus, NULL);
        require(fd >= 0, "OpenStream");
        stream_check_init(&c);
        read_streams(&fd, &c, 1, 2 * USEC_PER_SEC);
        check(get_u64(bus, "Xruns") == 1, "the overrun was recovered and counted (Xruns=%" PRIu64 ")", get_u64(bus, "Xruns"));
        check(c.discontinuities >= 2, "the packet after the overrun marks a discontinuity (%u)", c.discontinuities);
        check(c.seq_gaps == 0 && c.packets > 60, "streaming went on (%u packets)", c.packets);
        check(wait_state(bus, "running", USEC_PER_SEC), "still running");
        safe_close(fd);
}

static usec_t process_cpu_usec(pid_t pid) {
        char path[64], buf[1024];
        unsigned long utime = 0, stime = 0;
        _cleanup_close_ int fd = -EBADF;
        ssize_t n;
        char *p;

        snprintf(path, sizeof(path), "/proc/%d/stat", pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || (n = read(fd, buf, sizeof(buf) - 1)) <= 0)
                return 0;
        buf[n] = 0;
        p = strrchr(buf, ')');
        if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
                return 0;
        return (usec_t) (utime + stime) * USEC_PER_SEC / (usec_t) sysconf(_SC_CLK_TCK);
}

static void test_unplug(sd_bus *bus) {
        usec_t cpu0, cpu1;
        int fd;
        StreamCheck c;

        fd = test_open_audio_stream(bus, NULL);
        require(fd >= 0, "OpenStream");
        check(test_write_file(unplug_path, "") == 0, "pull the card");
        check(wait_state(bus, "disconnected", 3 * USEC_PER_SEC), "State=disconnected");

        /* Not a wait: the span over which its CPU time is measured. */
        cpu0 = process_cpu_usec(audiod_pid);
        usleep(2 * USEC_PER_SEC);
        cpu1 = process_cpu_usec(audiod_pid);
        /* A busy loop takes the whole window; a tenth of it is the bound. */
        check(cpu1 - cpu0 <= 200 * USEC_PER_MSEC, "idle while the device is away (%llu ms CPU in 2 s)",
              (unsigned long long) ((cpu1 - cpu0) / 1000));
        check(get_u32(bus, "Clients") == 1, "clients stay connected through the outage");

        check(unlink(unplug_path) == 0, "plug it back");
        check(wait_state(bus, "running", 3 * USEC_PER_SEC), "State=running again by itself");
        stream_check_init(&c);
        read_streams(&fd, &c, 1, 500 * USEC_PER_MSEC);
        check(c.packets > 10 && c.data_errors == 0, "the same stream delivers audio again (%u packets)", c.packets);
        safe_close(fd);
}

/* "default" is opened through alsa-lib's global configuration, which audiod frees once the
 * devices are open: the reopen after the card comes back parses it again, for the PCM and for
 * the control alike. */
static void test_default_device(sd_bus *bus) {
        _cleanup_free_ char *sw = NULL;

        audiod_stop_clean();
        require(test_write_file(config_path, "{\n  \"device\": \"default\",\n  \"mixer_device\": \"default\",\n"
                                "  \"retry_max_ms\": 400,\n  \"unmute_group\": \"audio\"\n}\n") == 0,
                "write config");
        audiod_start(bus);
        check(set_mute(bus, false, NULL) >= 0, "unmute");
        check(wait_state(bus, "running", 5 * USEC_PER_SEC), "audiod captures from 'default'");
        test_unplug(bus);
        check(set_mute(bus, true, NULL) >= 0, "SetMute(true) after the reopen");
        sw = read_switch();
        check(streq(sw, "0"), "the capture switch of the default control is off (switch file '%s')", sw);
}

/* Whether a library whose file name contains "name" is mapped into pid. */
static bool maps_contain(pid_t pid, const char *name) {
        _cleanup_fclose_ FILE *f = NULL;
        char path[64], line[4096];

        snprintf(path, sizeof path, "/proc/%d/maps", (int) pid);
        f = fopen(path, "re");
        if (!f)
                return false;
        while (fgets(line, sizeof line, f))
                if (strstr(line, name))
                        return true;
        return false;
}

/* How often "text" occurs in audiod's log from byte "offset" on. */
static unsigned log_count(const char *text, long offset) {
        _cleanup_free_ char *path = test_build_path("test-logs/audiod.log");
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        char line[1024];
        unsigned n = 0;

        if (!f || fseek(f, offset, SEEK_SET) < 0)
                return 0;
        while (fgets(line, sizeof line, f))
                n += strstr(line, text) != NULL;
        return n;
}

static long log_size(void) {
        _cleanup_free_ char *path = test_build_path("test-logs/audiod.log");
        struct stat st;

        return stat(path, &st) < 0 ? 0 : (long) st.st_size;
}

/* A device that opens and starts but never delivers a period (a dead clock, a sound server's
 * source that never runs) is reported, retried with back-off, and taken up again once it
 * delivers; it never sits at "running" with no audio. */
static void test_stall(sd_bus *bus) {
        _cleanup_free_ char *stall_path = test_tmp_path("stalled"), *stall_line = NULL;
        const char *said = "Capture device 'vhtest' opened but delivered no audio";
        usec_t cpu0, cpu1, end;
        unsigned running_seen = 0, reports;
        long offset;
        StreamCheck c;
        int fd;

        audiod_stop_clean();
        require(asprintf(&stall_line, "stall \"%s\"", stall_path) > 0, "asprintf");
        write_alsa_conf(stall_line);
        require(test_write_file(stall_path, "") == 0, "stall the device");
        offset = log_size();
        audiod_start(bus);
        fd = test_open_audio_stream(bus, NULL);
        require(fd >= 0, "OpenStream");

        check(wait_state(bus, "stalled", 5 * USEC_PER_SEC), "a device that opens but delivers nothing: State=stalled");
        check(log_count(said, offset) >= 1, "the log names the device and says why");

        /* Watched for 4 s: never "running", idle, nothing delivered, retried but not in a loop
         * (each try waits 2.5 s for a period, then 200, 400 ms — retry_max_ms — before the next). */
        cpu0 = process_cpu_usec(audiod_pid);
        end = now_usec(CLOCK_MONOTONIC) + 4 * USEC_PER_SEC;
        stream_check_init(&c);
        while (now_usec(CLOCK_MONOTONIC) < end) {
                _cleanup_free_ char *state = get_string(bus, "State");

                running_seen += streq_ptr(state, "running");
                read_streams(&fd, &c, 1, 50 * USEC_PER_MSEC);
        }
        cpu1 = process_cpu_usec(audiod_pid);
        reports = log_count(said, offset);
        check(running_seen == 0, "never \"running\" while silent (%u looks said so)", running_seen);
        check(c.packets == 0, "no packets from a stalled device (%u)", c.packets);
        check(reports >= 2 && reports <= 3, "retried, with back-off: %u reports in about 6.5 s", reports);
        /* A busy loop takes the whole window; a tenth of it leaves room for the retries' device
         * opens (ALSA parses its configuration each time, slow under ASan) and the looks above. */
        check(cpu1 - cpu0 <= 400 * USEC_PER_MSEC, "idle while stalled (%llu ms CPU in 4 s)",
              (unsigned long long) ((cpu1 - cpu0) / 1000));

        check(unlink(stall_path) == 0, "the device delivers again");
        check(wait_state(bus, "running", 3 * USEC_PER_SEC), "State=running again by itself");
        stream_check_init(&c);
        read_streams(&fd, &c, 1, 500 * USEC_PER_MSEC);
        check(c.packets > 10 && c.data_errors == 0, "the same stream delivers audio again (%u packets)", c.packets);
        safe_close(fd);
}

int main(void) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *plugin = test_build_path("tests/alsa/libasound_module_pcm_vhtest.so");
        _cleanup_free_ char *path_env = NULL;

        if (geteuid() != 0)
                test_skip("needs root to call as another user");
        test_require_built("tests/alsa/libasound_module_pcm_vhtest.so");

        switch_path = test_tmp_path("switch");
        unplug_path = test_tmp_path("unplugged");
        alsa_conf = test_tmp_path("asound.conf");
        audio_path = test_tmp_path("pattern.raw");
        config_path = test_tmp_path("audiod.json");
        state_dir = test_tmp_path("state");

        write_pattern();
        write_alsa_conf(NULL);
        write_config(NULL);
        require(asprintf(&path_env, "/usr/share/alsa/alsa.conf:%s", alsa_conf) > 0, "asprintf");
        setenv("ALSA_CONFIG_PATH", path_env, 1);
        setenv("HOME", test_tmpdir(), 1);
        setenv("XDG_CONFIG_HOME", test_tmpdir(), 1);
        setenv("STATE_DIRECTORY", state_dir, 1);
        (void) vh_errors_register();

        require(test_bus_start() == 0, "private dbus-daemon");
        require(test_bus_connect(&bus) >= 0, "connect");
        audiod_start(bus);
        require(wait_state(bus, "running", 5 * USEC_PER_SEC), "audiod captures from vhtest");
        check(get_u32(bus, "SampleRate") == 16000 && get_u32(bus, "Channels") == 1 && get_u32(bus, "PeriodFrames") == 320,
              "16 kHz mono, 20 ms periods");
        /* Neither audiod's own mirror (not configured) nor alsa.conf's sound-server hooks (not
         * needed for a device its files define) load libpulse. */
        check(!maps_contain(audiod_pid, "libpulse"), "no libpulse in audiod on a device that is no sound server's");

        test_introspection();
        test_two_clients_bit_exact(bus);
        test_fd_leaks(bus);
        test_mute(bus);
        test_external_switch(bus);
        test_authorization(bus);
        test_restart_keeps_mute(bus);
        test_bad_arguments(bus);
        test_slow_client(bus);
        test_unplug(bus);
        test_xrun(bus);
        test_stall(bus);
        test_default_device(bus);

        audiod_stop_clean();
        return test_result();
}
