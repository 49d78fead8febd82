/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* bench-wakeword-live AUDIO.wav MARKS LEAD_SEC DURATION_SEC SILENCE_SEC [LABEL] — wakeword as it
 * runs: the real audiod captures AUDIO from
 * the vhtest ALSA plugin in real time, wakeword listens on a private bus. MARKS has one line per
 * phrase in AUDIO, "SECONDS" where the phrase ends (file time). AUDIO must open with a few
 * seconds of exact digital silence and then never be exactly silent again for a sample or two:
 * the first non-zero sample on an audiod stream of our own ties file time to CLOCK_MONOTONIC.
 * Prints the wake latency (end of phrase → WakeWordDetected received on the bus), and the
 * daemon's own CPU on speech and on the noise floor after it (SILENCE_SEC seconds at the end of
 * AUDIO), and its peak RSS. With an empty MARKS the speech has no phrase in it: then only the CPU
 * on it (named LABEL) and the wakes it caused are printed. Measures; judges nothing. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "audio-packet.h"
#include "bus-util.h"
#include "harness.h"
#include "../tests/test-wakeword-vhtest.h"

#define NAME "org.voicehvac.WakeWord1"
#define PATH "/org/voicehvac/WakeWord1"
#define AUDIOD "org.voicehvac.Audio1"
#define MARKS_MAX 512

typedef struct Live {
        double marks[MARKS_MAX];
        unsigned n_marks;
        double lead;                    /* seconds of digital silence the file opens with */
        usec_t file_zero;               /* monotonic time of file time 0; 0 until known */
        uint64_t zeros_seen;            /* samples of exact silence before it */
        bool start_unseen;              /* sound came before any silence: cannot tell the start */
        double latencies[MARKS_MAX];
        unsigned n_latencies, wakes, unmatched;
} Live;

static int on_wake(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        Live *l = userdata;
        usec_t now = now_usec(CLOCK_MONOTONIC);
        double t, best = 1e9;

        l->wakes++;
        if (l->file_zero == 0)
                return 0;
        t = (double) (now - l->file_zero) / USEC_PER_SEC;
        /* The phrase this wake belongs to: the latest one that ended before it, within 1.5 s. */
        for (unsigned i = 0; i < l->n_marks; i++)
                if (l->marks[i] <= t + 0.2 && t - l->marks[i] < best)
                        best = t - l->marks[i];
        if (best < 1.5 && l->n_latencies < MARKS_MAX)
                l->latencies[l->n_latencies++] = best * 1000;
        else
                l->unmatched++;
        return 0;
}

/* Reads packets from our own stream until the first non-zero sample: its time is file time
 * l->lead (the length of the leading digital silence). */
static int stream_find_start(int fd, Live *l) {
        _Alignas(8) uint8_t buf[65536];

        while (l->file_zero == 0) {
                const AudioPacketHeader *h;
                const int16_t *samples;
                ssize_t n = recv(fd, buf, sizeof buf, 0);

                if (n < 0 && errno == EAGAIN)
                        return 0;
                if (n <= 0)
                        return -EIO;
                if (audio_packet_parse(buf, (size_t) n, &h, &samples) < 0)
                        continue;
                for (uint32_t i = 0; i < h->frames * h->channels; i++, l->zeros_seen++)
                        if (samples[i] != 0) {
                                usec_t at = h->timestamp_usec + (usec_t) (i / h->channels) * USEC_PER_SEC / h->rate;
                                /* Without silence before it, this is not the start (a file whose
                                 * lead was dithered, a stream opened too late): every latency
                                 * would be off by the lead. */
                                if (l->zeros_seen < h->rate / 2)
                                        return -EBADMSG;
                                l->file_zero = at - (usec_t) (l->lead * USEC_PER_SEC);
                                return 0;
                        }
        }
        return 0;
}

/* A non-blocking stream: the bench drains it between other work. */
static int open_stream(sd_bus *bus) {
        int fd = test_open_audio_stream(bus, NULL);

        if (fd >= 0)
                (void) fcntl(fd, F_SETFL, O_NONBLOCK);
        return fd;
}

static double cpu_seconds(pid_t pid) {
        char path[64], buf[1024], *p;
        unsigned long utime, stime;
        _cleanup_fclose_ FILE *f = NULL;

        snprintf(path, sizeof path, "/proc/%i/stat", (int) pid);
        f = fopen(path, "re");
        if (!f || !fgets(buf, sizeof buf, f) || !(p = strrchr(buf, ')')))
                return -1;
        if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
                return -1;
        return (double) (utime + stime) / sysconf(_SC_CLK_TCK);
}

static int compare_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

static double percentile(double *v, unsigned n, double p) {
        unsigned i = (unsigned) (p * (n - 1) + 0.5);
        return n == 0 ? 0 : v[i < n ? i : n - 1];
}

/* Runs the bus until file time "until" (seconds) has passed; the file's start must be found
 * within timeout. */
static void pump_until(sd_bus *bus, double until, int stream_fd, Live *l, usec_t timeout) {
        usec_t give_up = now_usec(CLOCK_MONOTONIC) + timeout;

        for (;;) {
                usec_t now = now_usec(CLOCK_MONOTONIC);

                if (l->file_zero != 0 ? now >= l->file_zero + (usec_t) (until * USEC_PER_SEC) : now >= give_up || l->start_unseen)
                        return;
                while (sd_bus_process(bus, NULL) > 0)
                        ;
                if (l->file_zero == 0 && !l->start_unseen && stream_find_start(stream_fd, l) == -EBADMSG)
                        l->start_unseen = true;
                (void) sd_bus_wait(bus, 20 * USEC_PER_MSEC);
        }
}

int main(int argc, char *argv[]) {
        _cleanup_free_ char *audiod_bin = test_build_path("audiod/audiod"), *wakeword_bin = test_build_path("wakeword/wakeword"),
                            *plugin = test_build_path("tests/alsa/libasound_module_pcm_vhtest.so"), *audiod_conf = NULL,
                            *wakeword_state = NULL, *audiod_state = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_fclose_ FILE *marks = NULL;
        _cleanup_close_ int stream_fd = -EBADF;
        double duration, silence, speech_end, cpu0, cpu1, cpu2;
        Live l = {};
        pid_t audiod, wakeword;
        long rss;

        if (argc < 6 || argc > 7) {
                fprintf(stderr, "usage: %s AUDIO.wav MARKS LEAD_SEC DURATION_SEC SILENCE_SEC [LABEL]\n", argv[0]);
                return 2;
        }
        l.lead = atof(argv[3]);
        duration = atof(argv[4]);
        silence = atof(argv[5]);
        if (access(audiod_bin, X_OK) < 0 || access(plugin, R_OK) < 0) {
                printf("wake latency: not measured (audiod or the vhtest ALSA plugin is not built)\n");
                return 0;
        }
        marks = fopen(argv[2], "re");
        require(marks, "open %s", argv[2]);
        while (l.n_marks < MARKS_MAX && fscanf(marks, "%lf", &l.marks[l.n_marks]) == 1)
                l.n_marks++;

        /* wakeword keeps the state directory it was given (bench-enrol.sh's, with or without an
         * adaptation in it); audiod the harness's */
        if (getenv("STATE_DIRECTORY"))
                require(wakeword_state = strdup(getenv("STATE_DIRECTORY")), "strdup");
        audiod_conf = vhtest_audiod_setup(argv[1], NULL);
        require(audiod_state = strdup(getenv("STATE_DIRECTORY")), "strdup");

        require(test_bus_start() == 0, "private dbus-daemon");
        require(test_bus_connect(&bus) >= 0, "connect");
        require(sd_bus_match_signal(bus, NULL, NULL, PATH, NAME, "WakeWordDetected", on_wake, &l) >= 0, "match");
        {
                char *a[] = { wakeword_bin, NULL };

                if (wakeword_state)
                        setenv("STATE_DIRECTORY", wakeword_state, 1);
                wakeword = test_spawn("bench-wakeword", a);
                setenv("STATE_DIRECTORY", audiod_state, 1);
        }
        require(wakeword > 0 && test_wait_for_name(bus, NAME, 10 * USEC_PER_SEC) == 0, "wakeword starts");
        {
                char *a[] = { audiod_bin, (char *) "--config", audiod_conf, NULL };
                audiod = test_spawn("bench-audiod", a);
        }
        require(audiod > 0 && test_wait_for_name(bus, AUDIOD, 10 * USEC_PER_SEC) == 0, "audiod starts");
        stream_fd = open_stream(bus);
        require(stream_fd >= 0, "OpenStream");

        /* The speech part (and the command window after its last phrase), then the noise floor,
         * each timed on the daemon's own CPU. */
        pump_until(bus, l.lead, stream_fd, &l, (usec_t) ((l.lead + 5) * USEC_PER_SEC));
        require(l.file_zero != 0, "the start of the audio (after at least 0.5 s of exact silence) was seen on the stream");
        speech_end = duration - silence + 2;
        cpu0 = cpu_seconds(wakeword);
        pump_until(bus, speech_end, stream_fd, &l, 0);
        cpu1 = cpu_seconds(wakeword);
        pump_until(bus, duration, stream_fd, &l, 0);
        cpu2 = cpu_seconds(wakeword);
        rss = test_peak_rss_kib(wakeword);

        if (l.n_marks == 0)
                printf("daemon CPU, live, on %s: %.2f %% of one core (%.0f s, %u wakes)\n",
                       argc > 6 ? argv[6] : "speech", 100 * (cpu1 - cpu0) / (speech_end - l.lead), speech_end - l.lead,
                       l.unmatched);
        else {
                qsort(l.latencies, l.n_latencies, sizeof(double), compare_double);
                printf("wake latency through a real-time capture (end of phrase → signal on the bus): p50 %.0f ms, p95 %.0f ms, max %.0f ms "
                       "(%u of %u phrases woke, %u other wakes)\n",
                       percentile(l.latencies, l.n_latencies, 0.5), percentile(l.latencies, l.n_latencies, 0.95),
                       percentile(l.latencies, l.n_latencies, 1.0), l.n_latencies, l.n_marks, l.unmatched);
                printf("daemon CPU, live: %.2f %% of one core on speech (%.0f s), %.3f %% on the noise floor (%.0f s)\n",
                       100 * (cpu1 - cpu0) / (speech_end - l.lead), speech_end - l.lead,
                       100 * (cpu2 - cpu1) / (duration - speech_end), duration - speech_end);
                printf("daemon peak RSS: %.1f MiB\n", rss / 1024.0);
        }

        test_stop(wakeword, 10 * USEC_PER_SEC);
        test_stop(audiod, 10 * USEC_PER_SEC);
        return 0;
}
