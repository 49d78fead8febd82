/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* audiod's figures, on a private bus, capturing through alsa-lib from the vhtest plugin paced in
 * real time (the plugin runs inside audiod, so its cost is counted as audiod's):
 *   - 60 s of capture with two clients: CPU as % of one core, peak RSS, wakeups per second;
 *   - mute latency: how far after the SetMute(true) call the audio of the last delivered packet
 *     reaches (≤ 0 means nothing captured after the call got out), and the call's round trip. */

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>

#include "audio-packet.h"
#include "bus-util.h"
#include "harness.h"

#define NAME  "org.voicehvac.Audio1"
#define PATH  "/org/voicehvac/Audio1"
#define IFACE "org.voicehvac.Audio1"

#define CAPTURE_SECONDS_DEFAULT 60
#define MUTE_ROUNDS 30

typedef union Packet {
        AudioPacketHeader header;
        uint8_t bytes[AUDIO_PACKET_SIZE_MAX];
} Packet;

typedef struct ProcSample {
        usec_t cpu;
        unsigned long long ctxt;
} ProcSample;

static int proc_sample(pid_t pid, ProcSample *ret) {
        char path[64], line[256];
        unsigned long utime, stime;
        unsigned long long v;
        FILE *f;

        *ret = (ProcSample) {};
        snprintf(path, sizeof(path), "/proc/%d/stat", pid);
        f = fopen(path, "re");
        if (!f)
                return -errno;
        if (!fgets(line, sizeof(line), f) || !strrchr(line, ')') ||
            sscanf(strrchr(line, ')') + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2) {
                fclose(f);
                return -EIO;
        }
        fclose(f);
        ret->cpu = (usec_t) (utime + stime) * USEC_PER_SEC / (usec_t) sysconf(_SC_CLK_TCK);

        /* Every wakeup of a sleeping thread is one voluntary context switch. */
        snprintf(path, sizeof(path), "/proc/%d/status", pid);
        f = fopen(path, "re");
        if (!f)
                return -errno;
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "voluntary_ctxt_switches: %llu", &v) == 1 ||
                    sscanf(line, "nonvoluntary_ctxt_switches: %llu", &v) == 1)
                        ret->ctxt += v;
        fclose(f);
        return 0;
}

/* Reads both streams; returns packets read; *ret_last_end is the capture time of the end of the
 * last packet, *ret_last_arrival when it arrived. */
static unsigned read_for(int fds[2], usec_t duration, usec_t *ret_last_end, usec_t *ret_last_arrival) {
        usec_t end = now_usec(CLOCK_MONOTONIC) + duration;
        unsigned n = 0;
        Packet p;

        while (now_usec(CLOCK_MONOTONIC) < end) {
                struct pollfd pfd[2] = { { .fd = fds[0], .events = POLLIN }, { .fd = fds[1], .events = POLLIN } };

                if (poll(pfd, 2, 20) <= 0)
                        continue;
                for (int i = 0; i < 2; i++) {
                        const AudioPacketHeader *h;
                        ssize_t sz;

                        if (!(pfd[i].revents & POLLIN))
                                continue;
                        sz = recv(fds[i], &p, sizeof(p), MSG_DONTWAIT);
                        if (sz <= 0 || audio_packet_parse(p.bytes, (size_t) sz, &h, NULL) < 0)
                                continue;
                        n++;
                        if (ret_last_end)
                                *ret_last_end = h->timestamp_usec + (usec_t) h->frames * USEC_PER_SEC / h->rate;
                        if (ret_last_arrival)
                                *ret_last_arrival = now_usec(CLOCK_MONOTONIC);
                }
        }
        return n;
}

static long proc_field_kib(const char *file, const char *field) {
        char line[256], key[64];
        long v = -1, x;
        FILE *f = fopen(file, "re");

        if (!f)
                return -1;
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "%63[^:]: %ld kB", key, &x) == 2 && streq(key, field)) {
                        v = x;
                        break;
                }
        fclose(f);
        return v;
}

/* Peak RSS counts every page of every shared library the process touched (libc alone is more
 * than 1.5 MiB of it); what the process really costs is its private memory and its share (PSS). */
static void print_memory(pid_t pid) {
        char status[64], rollup[64];

        snprintf(status, sizeof(status), "/proc/%d/status", pid);
        snprintf(rollup, sizeof(rollup), "/proc/%d/smaps_rollup", pid);
        printf("audiod: peak RSS %ld KiB (goal ≤ 4096 KiB); now: anonymous %ld KiB, shared-library pages %ld KiB, "
               "PSS %ld KiB\n", test_peak_rss_kib(pid), proc_field_kib(status, "RssAnon"),
               proc_field_kib(status, "RssFile"), proc_field_kib(rollup, "Pss"));
}

static int compare_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return x < y ? -1 : x > y;
}

static void bench_mute(sd_bus *bus, int fds[2]) {
        double reach[MUTE_ROUNDS], rtt[MUTE_ROUNDS], tail[MUTE_ROUNDS];
        unsigned n = 0, n_reach = 0;

        for (unsigned i = 0; i < MUTE_ROUNDS; i++) {
                usec_t call, ret, last_end = 0, last_arrival = 0;

                if (sd_bus_call_method(bus, NAME, PATH, IFACE, "SetMute", NULL, NULL, "b", false) < 0)
                        break;
                /* Let audio flow, and land the call at a different point of the period each time. */
                (void) read_for(fds, (200 + i * 7 % 20) * USEC_PER_MSEC, NULL, NULL);

                call = now_usec(CLOCK_MONOTONIC);
                if (sd_bus_call_method(bus, NAME, PATH, IFACE, "SetMute", NULL, NULL, "b", true) < 0)
                        break;
                ret = now_usec(CLOCK_MONOTONIC);
                (void) read_for(fds, 200 * USEC_PER_MSEC, &last_end, &last_arrival);

                /* No packet after the call at all: everything captured had already been read. */
                if (last_end)
                        reach[n_reach++] = ((double) last_end - (double) call) / 1000.0;
                tail[n] = last_arrival ? ((double) last_arrival - (double) call) / 1000.0 : 0;
                rtt[n] = (double) (ret - call) / 1000.0;
                n++;
        }
        if (n == 0) {
                printf("audiod: mute latency: could not be measured\n");
                return;
        }
        qsort(reach, n_reach, sizeof(double), compare_double);
        qsort(rtt, n, sizeof(double), compare_double);
        qsort(tail, n, sizeof(double), compare_double);
        if (n_reach == 0)
                printf("audiod: mute latency over %u calls: no packet was delivered after any SetMute call "
                       "(goal: nothing captured after it; ≤ one period = 20 ms)\n", n);
        else
                printf("audiod: mute latency over %u calls: audio in the last delivered packet ends at most %.1f ms %s "
                       "the SetMute call%s (goal: nothing captured after it; ≤ one period = 20 ms)\n",
                       n, reach[n_reach - 1] > 0 ? reach[n_reach - 1] : -reach[n_reach - 1], reach[n_reach - 1] > 0 ? "after" : "before",
                       n_reach < n ? " (in the other calls no packet came after it)" : "");
        printf("audiod: last packet delivered at most %.1f ms after the call (in flight when it was made); "
               "SetMute round trip p50 %.2f ms, max %.2f ms\n", tail[n - 1], rtt[n / 2], rtt[n - 1]);
}

int main(void) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *plugins = test_build_path("tests/alsa"), *script = test_src_path("tests/alsa/make-conf.sh");
        _cleanup_free_ char *bin = test_build_path("audiod/audiod");
        _cleanup_free_ char *raw = test_tmp_path("tone.raw"), *sw = test_tmp_path("switch");
        _cleanup_free_ char *conf = test_tmp_path("asound.conf"), *cfg = test_tmp_path("audiod.json");
        _cleanup_free_ char *out = NULL, *env = NULL;
        const char *e = getenv("BENCH_AUDIOD_SECONDS");
        unsigned seconds = e ? (unsigned) atoi(e) : CAPTURE_SECONDS_DEFAULT;
        ProcSample a, b;
        unsigned packets;
        int fds[2];
        pid_t pid;

        {
                _cleanup_fclose_ FILE *f = fopen(raw, "we");
                for (int i = 0; f && i < 16000; i++) {
                        int16_t s = (int16_t) ((i * 37) % 20000 - 10000);
                        fwrite(&s, 2, 1, f);
                }
        }
        {
                char *argv[] = { script, plugins, raw, sw, (char *) "eof \"loop\"", NULL };
                if (test_run(argv, &out) != 0 || test_write_file(conf, out) < 0) {
                        fprintf(stderr, "cannot write the ALSA test configuration\n");
                        return EXIT_FAILURE;
                }
        }
        test_write_file(cfg, "{ \"device\": \"vhtest\", \"mixer_device\": \"vhtest\" }\n");
        if (asprintf(&env, "/usr/share/alsa/alsa.conf:%s", conf) < 0)
                return EXIT_FAILURE;
        setenv("ALSA_CONFIG_PATH", env, 1);
        setenv("HOME", test_tmpdir(), 1);
        setenv("STATE_DIRECTORY", test_tmpdir(), 1);

        if (test_bus_start() < 0 || test_bus_connect(&bus) < 0) {
                fprintf(stderr, "no private bus\n");
                return EXIT_FAILURE;
        }
        pid = test_spawn("bench-audiod", (char *[]) { bin, (char *) "--config", cfg, NULL });
        if (pid <= 0 || test_wait_for_name(bus, NAME, 10 * USEC_PER_SEC) < 0) {
                fprintf(stderr, "audiod did not start\n");
                return EXIT_FAILURE;
        }
        fds[0] = test_open_audio_stream(bus, NULL);
        fds[1] = test_open_audio_stream(bus, NULL);
        if (fds[0] < 0 || fds[1] < 0) {
                fprintf(stderr, "OpenStream failed\n");
                return EXIT_FAILURE;
        }

        (void) read_for(fds, USEC_PER_SEC, NULL, NULL);
        proc_sample(pid, &a);
        packets = read_for(fds, (usec_t) seconds * USEC_PER_SEC, NULL, NULL);
        proc_sample(pid, &b);

        printf("audiod: %u s of capture at 16 kHz, 20 ms periods, two clients (%u packets delivered)\n", seconds, packets);
        printf("audiod: CPU %.3f %% of one core (goal ≤ 0.5 %%)\n",
               100.0 * (double) (b.cpu - a.cpu) / ((double) seconds * USEC_PER_SEC));
        printf("audiod: wakeups %.1f per second (one per 20 ms period is 50)\n", (double) (b.ctxt - a.ctxt) / seconds);
        print_memory(pid);

        bench_mute(bus, fds);

        safe_close(fds[0]);
        safe_close(fds[1]);
        if (test_stop(pid, 10 * USEC_PER_SEC) != 0)
                fprintf(stderr, "audiod did not exit cleanly\n");
        return EXIT_SUCCESS;
}
