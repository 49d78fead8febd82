/*
 * test-alsa-plugin — checks the vhtest ALSA test plugins (tests/alsa/) through the public
 * alsa-lib API, the way audiod uses a real card: bit-exact data, real-time pacing, one
 * poll wake-up per period, the capture switch (file, snd_ctl, events across handles and
 * processes), overruns and their recovery, WAV input, end-of-file handling and unplugging.
 *
 * Finds the plugins in $VH_BUILD/tests/alsa and make-conf.sh in $VH_SRCDIR/tests/alsa
 * (tests/run-tests.sh sets both), else at the paths the build compiled in.
 *
 * Exit status: 0 pass, 1 fail (the failed check is printed), 77 skip.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <alsa/asoundlib.h>

#ifndef VHTEST_PLUGIN_DIR
#define VHTEST_PLUGIN_DIR "build/tests/alsa"
#endif
#ifndef VHTEST_MAKE_CONF
#define VHTEST_MAKE_CONF "tests/alsa/make-conf.sh"
#endif

#define RATE 16000U
#define MAIN_FRAMES (RATE * 20)         /* 20 s: no check gets near the end */
#define STOP_FRAMES 800U                /* 50 ms file for eof "stop" */
#define WAV_RATE 8000U
#define WAV_CHANNELS 2U
#define WAV_FRAMES 400U                 /* 50 ms file for eof "loop" */
#define XRUN_AFTER_MS 300U
#define MAX_FRAMES (RATE * 2)

#define EXIT_SKIP 77

typedef struct Ctx {
        char *dir;
        char *raw;
        char *stop_raw;
        char *wav;
        char *switch_path;
        char *unplug;
        char *conf;

        snd_pcm_t *pcm;                 /* "vhtest", running through most checks */
        snd_pcm_uframes_t period, buffer;
        uint64_t next;                  /* file frame "vhtest" should deliver next */
        uint8_t wav_data[WAV_FRAMES * WAV_CHANNELS * 2];
} Ctx;

static uint8_t frames_buf[MAX_FRAMES * 2 * 2];

static int fail(const char *fmt, ...) {
        va_list ap;

        fputs("FAIL: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        return -1;
}

#define CHECK(cond, ...) do { if (!(cond)) return fail(__VA_ARGS__); } while (0)

static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000U + (uint64_t) ts.tv_nsec / 1000U;
}

static void sleep_usec(uint64_t usec) {
        struct timespec ts = { .tv_sec = (time_t) (usec / 1000000U), .tv_nsec = (long) (usec % 1000000U) * 1000 };

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* The sample of file frame n: a hash, never 0, so muted frames are unmistakable. */
static int16_t pattern(uint64_t n) {
        uint32_t x = (uint32_t) n * 2654435761U;

        x ^= x >> 15;
        return (int16_t) (x | 1);
}

static int16_t sample_at(const uint8_t *buf, size_t i) {
        return (int16_t) (buf[2 * i] | buf[2 * i + 1] << 8);
}

static void put_le16(uint8_t *p, uint32_t v) {
        p[0] = v & 0xff;
        p[1] = (v >> 8) & 0xff;
}

static void put_le32(uint8_t *p, uint32_t v) {
        put_le16(p, v);
        put_le16(p + 2, v >> 16);
}

static int write_file(const char *path, const void *data, size_t len) {
        FILE *f = fopen(path, "we");

        if (!f)
                return -errno;
        if (fwrite(data, 1, len, f) != len) {
                fclose(f);
                return -EIO;
        }
        return fclose(f) == 0 ? 0 : -errno;
}

static int read_text(const char *path, char *buf, size_t size) {
        FILE *f = fopen(path, "re");
        size_t n;

        if (!f)
                return -errno;
        n = fread(buf, 1, size - 1, f);
        buf[n] = '\0';
        fclose(f);
        return 0;
}

static char *strdup_printf(const char *fmt, ...) {
        va_list ap;
        char *s;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        return r < 0 ? NULL : s;
}

/* As another process would do it: a new file renamed over the old one. */
static int replace_file(const char *path, const char *text) {
        char *tmp = strdup_printf("%s.new", path);
        int r;

        if (!tmp)
                return -ENOMEM;
        r = write_file(tmp, text, strlen(text));
        if (r >= 0 && rename(tmp, path) < 0)
                r = -errno;
        free(tmp);
        return r;
}

static int write_raw(const char *path, uint64_t first, unsigned n) {
        uint8_t *buf = malloc((size_t) n * 2);
        int r;

        if (!buf)
                return -ENOMEM;
        for (unsigned i = 0; i < n; i++)
                put_le16(buf + 2 * i, (uint16_t) pattern(first + i));
        r = write_file(path, buf, (size_t) n * 2);
        free(buf);
        return r;
}

static int write_wav(Ctx *c) {
        uint8_t file[44 + sizeof c->wav_data];
        uint32_t data_len = sizeof c->wav_data;

        for (unsigned i = 0; i < WAV_FRAMES * WAV_CHANNELS; i++)
                put_le16(c->wav_data + 2 * i, (uint16_t) pattern(1000000 + i));

        memcpy(file, "RIFF", 4);
        put_le32(file + 4, 36 + data_len);
        memcpy(file + 8, "WAVEfmt ", 8);
        put_le32(file + 16, 16);
        put_le16(file + 20, 1);                                 /* PCM */
        put_le16(file + 22, WAV_CHANNELS);
        put_le32(file + 24, WAV_RATE);
        put_le32(file + 28, WAV_RATE * WAV_CHANNELS * 2);       /* byte rate */
        put_le16(file + 32, WAV_CHANNELS * 2);                  /* block align */
        put_le16(file + 34, 16);
        memcpy(file + 36, "data", 4);
        put_le32(file + 40, data_len);
        memcpy(file + 44, c->wav_data, data_len);
        return write_file(c->wav, file, sizeof file);
}

/* alsa-lib prints an error for each failure the checks provoke on purpose; a passing
 * log should not be full of them. */
static void quiet_alsa_errors(const char *file, int line, const char *function, int err, const char *fmt, ...) {
}

static void expect_alsa_errors(bool expect) {
        snd_lib_error_set_handler(expect ? quiet_alsa_errors : NULL);
}

/* ---- setup ------------------------------------------------------------------------ */

static char *env_path(const char *var, const char *suffix, const char *fallback) {
        const char *v = getenv(var);

        if (!v || !*v)
                return strdup(fallback);
        return strdup_printf("%s/%s", v, suffix);
}

/* Runs make-conf.sh with its output going to the conf file, plus our extra PCMs. */
static int make_conf(Ctx *c, const char *make_conf, const char *plugin_dir) {
        char *unplug_line, *extra;
        int status, fd, r;
        pid_t pid;
        FILE *f;

        unplug_line = strdup_printf("unplug \"%s\"", c->unplug);
        if (!unplug_line)
                return -ENOMEM;
        pid = fork();
        if (pid < 0) {
                free(unplug_line);
                return -errno;
        }
        if (pid == 0) {
                fd = open(c->conf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
                        _exit(127);
                execl("/bin/sh", "sh", make_conf, plugin_dir, c->raw, c->switch_path, unplug_line, (char *) NULL);
                _exit(127);
        }
        free(unplug_line);
        if (waitpid(pid, &status, 0) < 0)
                return -errno;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return fail("%s exited with status %d", make_conf, status);

        /* Further PCMs of the same card, for the checks that need other keys. */
        extra = strdup_printf("pcm.vhtest_xrun { type vhtest file \"%s\" switch \"%s\" xrun_after_ms %u }\n"
                              "pcm.vhtest_stop { type vhtest file \"%s\" eof \"stop\" }\n"
                              "pcm.vhtest_wav { type vhtest file \"%s\" eof \"loop\" }\n",
                              c->raw, c->switch_path, XRUN_AFTER_MS, c->stop_raw, c->wav);
        if (!extra)
                return -ENOMEM;
        f = fopen(c->conf, "ae");
        if (!f) {
                free(extra);
                return -errno;
        }
        fputs(extra, f);
        free(extra);
        r = fclose(f);
        return r == 0 ? 0 : -errno;
}

/* Returns 0, EXIT_SKIP after printing why, or -1. */
static int setup(Ctx *c) {
        const char *tmp = getenv("TMPDIR");
        char *plugin_dir, *make_conf_path, *so, *alsa_conf, *config_path;
        int r;

        plugin_dir = env_path("VH_BUILD", "tests/alsa", VHTEST_PLUGIN_DIR);
        make_conf_path = env_path("VH_SRCDIR", "tests/alsa/make-conf.sh", VHTEST_MAKE_CONF);
        so = plugin_dir ? strdup_printf("%s/libasound_module_pcm_vhtest.so", plugin_dir) : NULL;
        c->dir = strdup_printf("%s/test-alsa-plugin.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!make_conf_path || !so || !c->dir) {
                r = fail("out of memory");
                goto finish;
        }
        if (access(so, R_OK) < 0 || access(make_conf_path, R_OK) < 0) {
                r = fail("vhtest plugins or make-conf.sh not found (%s, %s); make builds them before the tests",
                         so, make_conf_path);
                goto finish;
        }
        /* ALSA_CONFIG_PATH is split at ':' and ' ', and the paths go into quoted strings. */
        if (strpbrk(c->dir, ": \"\\")) {
                printf("skip: temporary directory %s contains ':', ' ', '\"' or '\\'\n", c->dir);
                r = EXIT_SKIP;
                goto finish;
        }
        if (!mkdtemp(c->dir)) {
                r = fail("mkdtemp(%s): %s", c->dir, strerror(errno));
                free(c->dir);
                c->dir = NULL;
                goto finish;
        }

        c->raw = strdup_printf("%s/speech.raw", c->dir);
        c->stop_raw = strdup_printf("%s/short.raw", c->dir);
        c->wav = strdup_printf("%s/stereo.wav", c->dir);
        c->switch_path = strdup_printf("%s/capture-switch", c->dir);
        c->unplug = strdup_printf("%s/unplugged", c->dir);
        c->conf = strdup_printf("%s/asound.conf", c->dir);
        if (!c->raw || !c->stop_raw || !c->wav || !c->switch_path || !c->unplug || !c->conf) {
                r = fail("out of memory");
                goto finish;
        }

        r = write_raw(c->raw, 0, MAIN_FRAMES);
        if (r >= 0)
                r = write_raw(c->stop_raw, 0, STOP_FRAMES);
        if (r >= 0)
                r = write_wav(c);
        if (r < 0) {
                r = fail("cannot write test audio in %s: %s", c->dir, strerror(-r));
                goto finish;
        }
        r = make_conf(c, make_conf_path, plugin_dir);
        if (r < 0) {
                r = fail("cannot write %s: %s", c->conf, strerror(-r));
                goto finish;
        }

        /* alsa.conf first: see make-conf.sh for why the order matters. */
        alsa_conf = strdup_printf("%s/alsa.conf", snd_config_topdir());
        if (alsa_conf && access(alsa_conf, R_OK) == 0)
                config_path = strdup_printf("%s:%s", alsa_conf, c->conf);
        else
                config_path = strdup(c->conf);
        free(alsa_conf);
        if (!config_path) {
                r = fail("out of memory");
                goto finish;
        }
        setenv("ALSA_CONFIG_PATH", config_path, 1);
        printf("config: ALSA_CONFIG_PATH=%s\n", config_path);
        free(config_path);
        r = 0;

finish:
        free(plugin_dir);
        free(make_conf_path);
        free(so);
        return r;
}

static void cleanup(Ctx *c) {
        char *files[] = { c->raw, c->stop_raw, c->wav, c->switch_path, c->unplug, c->conf };
        bool keep = getenv("VHTEST_KEEP");

        if (c->pcm)
                snd_pcm_close(c->pcm);
        snd_config_update_free_global();

        for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
                if (files[i] && !keep)
                        unlink(files[i]);
                free(files[i]);
        }
        if (c->dir && !keep)
                rmdir(c->dir);
        free(c->dir);
}

/* ---- PCM helpers ----------------------------------------------------------------------- */

static int pcm_error_from_state(snd_pcm_t *pcm) {
        switch (snd_pcm_state(pcm)) {
        case SND_PCM_STATE_XRUN:
                return -EPIPE;
        case SND_PCM_STATE_DISCONNECTED:
                return -ENODEV;
        default:
                return -EIO;
        }
}

/* Reads n frames the way audiod does: poll() on the PCM's descriptors,
 * snd_pcm_poll_descriptors_revents(), then readi. Counts the wake-ups. */
static int read_polled(snd_pcm_t *pcm, uint8_t *buf, size_t n, snd_pcm_uframes_t chunk, unsigned *ret_wakes) {
        struct pollfd pfds[8];
        unsigned wakes = 0;
        size_t got = 0;
        int count;

        count = snd_pcm_poll_descriptors(pcm, pfds, 8);
        if (count <= 0)
                return count < 0 ? count : -EIO;

        while (got < n) {
                unsigned short revents;
                snd_pcm_sframes_t k;
                int r;

                r = poll(pfds, (nfds_t) count, 1000);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return -errno;
                if (r == 0)
                        return -ETIMEDOUT;
                wakes++;

                r = snd_pcm_poll_descriptors_revents(pcm, pfds, (unsigned) count, &revents);
                if (r < 0)
                        return r;
                if (revents & POLLERR)
                        return pcm_error_from_state(pcm);
                if (!(revents & POLLIN))
                        continue;

                k = snd_pcm_readi(pcm, buf + 2 * got, n - got < chunk ? n - got : chunk);
                if (k < 0)
                        return (int) k;
                got += (size_t) k;
        }
        if (ret_wakes)
                *ret_wakes = wakes;
        return 0;
}

static int check_pattern(const uint8_t *buf, size_t n, uint64_t first, const char *what) {
        for (size_t i = 0; i < n; i++)
                CHECK(sample_at(buf, i) == pattern(first + i),
                      "%s: frame %zu is %d, the file has %d there", what, i, sample_at(buf, i), pattern(first + i));
        return 0;
}

/* Frames [0, k) must be "before" (audio if from_audio, else zeros), frames [k, n) the
 * other; returns k, the number of frames before the switch took effect. */
static long find_switch_point(const uint8_t *buf, size_t n, uint64_t first, bool from_audio, const char *what) {
        size_t k = 0;

        while (k < n && (from_audio ? sample_at(buf, k) == pattern(first + k) : sample_at(buf, k) == 0))
                k++;
        for (size_t i = k; i < n; i++)
                CHECK(from_audio ? sample_at(buf, i) == 0 : sample_at(buf, i) == pattern(first + i),
                      "%s: frame %zu is %d, expected %d (switch took effect at frame %zu)",
                      what, i, sample_at(buf, i), from_audio ? 0 : pattern(first + i), k);
        return (long) k;
}

/* ---- checks --------------------------------------------------------------------------- */

static int check_period_time(void) {
        snd_pcm_hw_params_t *hw;
        snd_pcm_uframes_t period;
        unsigned period_us = 20000, rate = RATE;
        snd_pcm_t *pcm;
        int r;

        r = snd_pcm_open(&pcm, "vhtest", SND_PCM_STREAM_CAPTURE, 0);
        CHECK(r >= 0, "snd_pcm_open(vhtest): %s", snd_strerror(r));
        snd_pcm_hw_params_alloca(&hw);
        r = snd_pcm_hw_params_any(pcm, hw);
        if (r >= 0)
                r = snd_pcm_hw_params_set_access(pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED);
        if (r >= 0)
                r = snd_pcm_hw_params_set_format(pcm, hw, SND_PCM_FORMAT_S16_LE);
        if (r >= 0)
                r = snd_pcm_hw_params_set_channels(pcm, hw, 1);
        if (r >= 0)
                r = snd_pcm_hw_params_set_rate_near(pcm, hw, &rate, NULL);
        if (r >= 0)
                r = snd_pcm_hw_params_set_period_time_near(pcm, hw, &period_us, NULL);
        if (r >= 0)
                r = snd_pcm_hw_params(pcm, hw);
        if (r >= 0)
                r = snd_pcm_hw_params_get_period_size(hw, &period, NULL);
        snd_pcm_close(pcm);
        CHECK(r >= 0, "hw_params with period_time_near 20000: %s", snd_strerror(r));
        CHECK(rate == RATE && period == RATE / 50, "20 ms periods: got %lu frames at %u Hz", period, rate);
        printf("ok: period_time_near 20000 us gives %lu frames\n", period);
        return 0;
}

static int check_open_and_read(Ctx *c) {
        const size_t n = RATE / 2;
        unsigned wakes, periods;
        uint64_t t0, elapsed;
        int r;

        r = snd_pcm_open(&c->pcm, "vhtest", SND_PCM_STREAM_CAPTURE, 0);
        CHECK(r >= 0, "snd_pcm_open(vhtest): %s", snd_strerror(r));
        r = snd_pcm_set_params(c->pcm, SND_PCM_FORMAT_S16_LE, SND_PCM_ACCESS_RW_INTERLEAVED, 1, RATE, 1, 100000);
        CHECK(r >= 0, "snd_pcm_set_params(16 kHz mono, 100 ms): %s", snd_strerror(r));
        r = snd_pcm_get_params(c->pcm, &c->buffer, &c->period);
        CHECK(r >= 0, "snd_pcm_get_params: %s", snd_strerror(r));
        CHECK(c->period > 0 && c->buffer >= 2 * c->period && c->buffer >= RATE / 20 && c->buffer <= RATE / 5,
              "negotiated buffer %lu / period %lu frames for 100 ms latency", c->buffer, c->period);
        printf("ok: set_params(100 ms) gives buffer %lu, period %lu frames\n", c->buffer, c->period);

        t0 = now_usec();
        r = snd_pcm_start(c->pcm);
        CHECK(r >= 0, "snd_pcm_start: %s", snd_strerror(r));
        r = read_polled(c->pcm, frames_buf, n, c->period, &wakes);
        elapsed = now_usec() - t0;
        CHECK(r >= 0, "reading 0.5 s through poll: %s", snd_strerror(r));

        if (check_pattern(frames_buf, n, 0, "first 0.5 s") < 0)
                return -1;
        c->next = n;
        printf("ok: 0.5 s of capture is bit-exact\n");

        CHECK(elapsed >= 400000 && elapsed <= 2000000, "0.5 s of audio took %.3f s", elapsed / 1e6);
        periods = (unsigned) ((n + c->period - 1) / c->period);
        CHECK(wakes <= 2 * periods + 2, "%u poll wake-ups for %u periods", wakes, periods);
        printf("ok: paced in real time (%.3f s), %u wake-ups for %u periods\n", elapsed / 1e6, wakes, periods);
        return 0;
}

static int check_mute_file(Ctx *c) {
        const size_t n = c->buffer + 4 * c->period;
        const long limit = (long) (c->buffer + 2 * c->period);
        long k;
        int r;

        /* In place, like "echo 0 > FILE", so a reader may catch it empty. */
        r = write_file(c->switch_path, "0\n", 2);
        CHECK(r >= 0, "writing %s: %s", c->switch_path, strerror(-r));
        r = read_polled(c->pcm, frames_buf, n, c->period, NULL);
        CHECK(r >= 0, "reading while muted: %s", snd_strerror(r));
        k = find_switch_point(frames_buf, n, c->next, true, "after writing 0 to the switch");
        if (k < 0)
                return -1;
        CHECK(k <= limit, "muting took %ld frames to show (limit %ld)", k, limit);
        c->next += n;
        printf("ok: switch file 0 zeroes the capture after %ld frames\n", k);

        r = write_file(c->switch_path, "1\n", 2);
        CHECK(r >= 0, "writing %s: %s", c->switch_path, strerror(-r));
        r = read_polled(c->pcm, frames_buf, n, c->period, NULL);
        CHECK(r >= 0, "reading after unmute: %s", snd_strerror(r));
        k = find_switch_point(frames_buf, n, c->next, false, "after writing 1 to the switch");
        if (k < 0)
                return -1;
        CHECK(k <= limit, "unmuting took %ld frames to show (limit %ld)", k, limit);
        c->next += n;
        printf("ok: switch file 1 restores the file's audio after %ld frames, in step with the file\n", k);
        return 0;
}

static int ctl_get(snd_ctl_t *ctl, long *ret) {
        snd_ctl_elem_value_t *v;
        int r;

        snd_ctl_elem_value_alloca(&v);
        snd_ctl_elem_value_set_interface(v, SND_CTL_ELEM_IFACE_MIXER);
        snd_ctl_elem_value_set_name(v, "Capture Switch");
        r = snd_ctl_elem_read(ctl, v);
        if (r < 0)
                return r;
        *ret = snd_ctl_elem_value_get_boolean(v, 0);
        return 0;
}

static int ctl_set(snd_ctl_t *ctl, bool on) {
        snd_ctl_elem_value_t *v;

        snd_ctl_elem_value_alloca(&v);
        snd_ctl_elem_value_set_interface(v, SND_CTL_ELEM_IFACE_MIXER);
        snd_ctl_elem_value_set_name(v, "Capture Switch");
        snd_ctl_elem_value_set_boolean(v, 0, on);
        return snd_ctl_elem_write(ctl, v);
}

static int ctl_find_switch(snd_ctl_t *ctl) {
        snd_ctl_elem_list_t *list;
        bool found = false;
        int r;

        snd_ctl_elem_list_alloca(&list);
        r = snd_ctl_elem_list(ctl, list);
        if (r >= 0)
                r = snd_ctl_elem_list_alloc_space(list, snd_ctl_elem_list_get_count(list));
        if (r >= 0)
                r = snd_ctl_elem_list(ctl, list);
        CHECK(r >= 0, "listing controls: %s", snd_strerror(r));
        for (unsigned i = 0; i < snd_ctl_elem_list_get_used(list); i++)
                if (snd_ctl_elem_list_get_interface(list, i) == SND_CTL_ELEM_IFACE_MIXER &&
                    strcmp(snd_ctl_elem_list_get_name(list, i), "Capture Switch") == 0)
                        found = true;
        snd_ctl_elem_list_free_space(list);
        CHECK(found, "no MIXER element \"Capture Switch\" on ctl vhtest");
        return 0;
}

/* Waits up to 2 s for a value event about "Capture Switch", then expects no second one. */
static int ctl_expect_event(snd_ctl_t *ctl, const char *why) {
        struct pollfd pfds[4];
        unsigned short revents;
        snd_ctl_event_t *ev;
        int n, r;

        snd_ctl_event_alloca(&ev);
        n = snd_ctl_poll_descriptors(ctl, pfds, 4);
        CHECK(n > 0, "ctl vhtest has no poll descriptor (%d)", n);
        r = poll(pfds, (nfds_t) n, 2000);
        CHECK(r > 0, "no control event within 2 s after %s", why);
        r = snd_ctl_poll_descriptors_revents(ctl, pfds, (unsigned) n, &revents);
        CHECK(r >= 0 && (revents & POLLIN), "control poll revents 0x%x after %s", revents, why);
        r = snd_ctl_read(ctl, ev);
        CHECK(r == 1, "snd_ctl_read after %s: %d (%s)", why, r, snd_strerror(r));
        CHECK(snd_ctl_event_get_type(ev) == SND_CTL_EVENT_ELEM &&
              (snd_ctl_event_elem_get_mask(ev) & SND_CTL_EVENT_MASK_VALUE) &&
              strcmp(snd_ctl_event_elem_get_name(ev), "Capture Switch") == 0,
              "unexpected control event after %s: type %d mask 0x%x name \"%s\"", why,
              snd_ctl_event_get_type(ev), snd_ctl_event_elem_get_mask(ev), snd_ctl_event_elem_get_name(ev));
        r = snd_ctl_read(ctl, ev);
        CHECK(r == -EAGAIN, "a second event after %s: %d", why, r);
        return 0;
}

/* Another process turns the switch on through its own ctl handle. */
static int ctl_set_from_child(bool on) {
        int status;
        pid_t pid;

        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                snd_ctl_t *ctl;

                if (snd_ctl_open(&ctl, "vhtest", 0) < 0 || ctl_set(ctl, on) < 0)
                        _exit(1);
                snd_ctl_close(ctl);
                _exit(0);
        }
        if (waitpid(pid, &status, 0) < 0)
                return -errno;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

static int check_ctl(Ctx *c) {
        snd_ctl_t *writer = NULL, *watcher = NULL;
        snd_ctl_event_t *ev;
        char text[16];
        long value;
        int r;

        snd_ctl_event_alloca(&ev);
        r = snd_ctl_open(&writer, "vhtest", 0);
        CHECK(r >= 0, "snd_ctl_open(vhtest): %s", snd_strerror(r));
        r = snd_ctl_open(&watcher, "vhtest", SND_CTL_NONBLOCK);
        if (r < 0) {
                snd_ctl_close(writer);
                return fail("second snd_ctl_open(vhtest): %s", snd_strerror(r));
        }

        r = -1;
        if (ctl_find_switch(writer) < 0)
                goto finish;
        if (ctl_get(writer, &value) < 0 || value != 1) {
                fail("Capture Switch reads %ld, the file holds 1", value);
                goto finish;
        }
        if (snd_ctl_subscribe_events(watcher, 1) < 0 || snd_ctl_read(watcher, ev) != -EAGAIN) {
                fail("subscribing: an event was pending before any change");
                goto finish;
        }
        printf("ok: ctl vhtest has \"Capture Switch\", on, like the file\n");

        if (ctl_set(writer, false) < 0 || read_text(c->switch_path, text, sizeof text) < 0 || strcmp(text, "0\n") != 0) {
                fail("writing Capture Switch off through snd_ctl did not leave \"0\" in the file");
                goto finish;
        }
        if (ctl_expect_event(watcher, "snd_ctl write off") < 0)
                goto finish;
        printf("ok: snd_ctl write off changes the file and reaches the other handle as an event\n");

        /* Audio captured from now on must be silence. */
        if (read_polled(c->pcm, frames_buf, c->buffer + 4 * c->period, c->period, NULL) < 0 ||
            find_switch_point(frames_buf, c->buffer + 4 * c->period, c->next, true, "after snd_ctl off") < 0)
                goto finish;
        c->next += c->buffer + 4 * c->period;
        printf("ok: snd_ctl off zeroes the capture\n");

        if (ctl_set_from_child(true) < 0) {
                fail("a child process could not turn the switch on");
                goto finish;
        }
        if (ctl_expect_event(watcher, "another process's write on") < 0)
                goto finish;
        if (ctl_get(watcher, &value) < 0 || value != 1) {
                fail("after another process's write, Capture Switch reads %ld", value);
                goto finish;
        }

        if (replace_file(c->switch_path, "0\n") < 0 || ctl_expect_event(watcher, "renaming a new file over the switch") < 0)
                goto finish;
        if (ctl_set(writer, true) < 0 || ctl_expect_event(watcher, "snd_ctl write on") < 0)
                goto finish;
        printf("ok: changes by another process and by renaming the file are events too\n");

        /* Skip the audio from the muted stretch; the next check starts in step again. */
        r = read_polled(c->pcm, frames_buf, c->buffer + 4 * c->period, c->period, NULL);
        if (r < 0) {
                fail("reading after unmute: %s", snd_strerror(r));
                goto finish;
        }
        c->next += c->buffer + 4 * c->period;
        r = find_switch_point(frames_buf, c->buffer + 4 * c->period, c->next - (c->buffer + 4 * c->period),
                              false, "after snd_ctl on") < 0 ? -1 : 0;

finish:
        snd_ctl_close(watcher);
        snd_ctl_close(writer);
        return r;
}

static int check_overrun(Ctx *c) {
        struct pollfd pfds[8];
        unsigned short revents;
        snd_pcm_sframes_t k;
        int n, r;

        /* Not reading for longer than the buffer holds. */
        sleep_usec(c->buffer * 1000000U / RATE + 150000);

        n = snd_pcm_poll_descriptors(c->pcm, pfds, 8);
        CHECK(n > 0, "snd_pcm_poll_descriptors: %d", n);
        r = poll(pfds, (nfds_t) n, 0);
        CHECK(r == 1, "an overrun PCM's descriptor is not readable (%d)", r);
        r = snd_pcm_poll_descriptors_revents(c->pcm, pfds, (unsigned) n, &revents);
        CHECK(r >= 0 && (revents & POLLERR), "overrun: revents 0x%x, expected POLLERR", revents);
        CHECK(snd_pcm_state(c->pcm) == SND_PCM_STATE_XRUN, "overrun: state %s",
              snd_pcm_state_name(snd_pcm_state(c->pcm)));
        k = snd_pcm_readi(c->pcm, frames_buf, c->period);
        CHECK(k == -EPIPE, "readi after an overrun: %ld, expected -EPIPE", (long) k);
        printf("ok: falling behind by more than the buffer gives XRUN, POLLERR and -EPIPE\n");

        r = snd_pcm_recover(c->pcm, (int) k, 1);
        CHECK(r == 0, "snd_pcm_recover: %s", snd_strerror(r));
        r = snd_pcm_start(c->pcm);
        CHECK(r == 0, "snd_pcm_start after recover: %s", snd_strerror(r));
        r = read_polled(c->pcm, frames_buf, 2 * c->period, c->period, NULL);
        CHECK(r >= 0, "reading after recover: %s", snd_strerror(r));
        if (check_pattern(frames_buf, 2 * c->period, c->next, "after recover") < 0)
                return -1;
        c->next += 2 * c->period;
        printf("ok: snd_pcm_recover + start resumes at the first unread frame\n");
        return 0;
}

/* Blocking readi, no poll: one forced overrun after xrun_after_ms, and only one. */
static int check_forced_xrun(void) {
        snd_pcm_uframes_t buffer, period;
        uint64_t t0, at = 0, got = 0;
        unsigned xruns = 0;
        snd_pcm_t *pcm;
        int r;

        r = snd_pcm_open(&pcm, "vhtest_xrun", SND_PCM_STREAM_CAPTURE, 0);
        CHECK(r >= 0, "snd_pcm_open(vhtest_xrun): %s", snd_strerror(r));
        r = snd_pcm_set_params(pcm, SND_PCM_FORMAT_S16_LE, SND_PCM_ACCESS_RW_INTERLEAVED, 1, RATE, 1, 100000);
        if (r >= 0)
                r = snd_pcm_get_params(pcm, &buffer, &period);
        if (r < 0) {
                snd_pcm_close(pcm);
                return fail("setting up vhtest_xrun: %s", snd_strerror(r));
        }

        t0 = now_usec();
        while (now_usec() - t0 < 2 * XRUN_AFTER_MS * 1000U + 200000U && got + period <= MAX_FRAMES) {
                snd_pcm_sframes_t k = snd_pcm_readi(pcm, frames_buf + 2 * got, period);

                if (k == -EPIPE) {
                        xruns++;
                        at = now_usec() - t0;
                        r = snd_pcm_recover(pcm, (int) k, 1);
                        if (r >= 0)
                                r = snd_pcm_start(pcm);
                        if (r < 0)
                                break;
                        continue;
                }
                if (k < 0) {
                        r = (int) k;
                        break;
                }
                got += (uint64_t) k;
        }
        snd_pcm_close(pcm);

        CHECK(r >= 0, "blocking readi on vhtest_xrun: %s", snd_strerror(r));
        CHECK(xruns == 1, "%u overruns with xrun_after_ms %u, expected exactly 1", xruns, XRUN_AFTER_MS);
        CHECK(at >= XRUN_AFTER_MS * 1000U && at <= XRUN_AFTER_MS * 1000U + 250000U,
              "the forced overrun came after %.3f s, expected about %.3f s", at / 1e6, XRUN_AFTER_MS / 1e3);
        if (check_pattern(frames_buf, got, 0, "blocking readi across a forced overrun") < 0)
                return -1;
        printf("ok: xrun_after_ms gives one overrun at %.3f s; blocking readi recovers, data stays in step\n", at / 1e6);
        return 0;
}

static int check_eof_stop(void) {
        snd_pcm_sframes_t k;
        snd_pcm_t *pcm;
        int r;

        r = snd_pcm_open(&pcm, "vhtest_stop", SND_PCM_STREAM_CAPTURE, 0);
        CHECK(r >= 0, "snd_pcm_open(vhtest_stop): %s", snd_strerror(r));
        r = snd_pcm_set_params(pcm, SND_PCM_FORMAT_S16_LE, SND_PCM_ACCESS_RW_INTERLEAVED, 1, RATE, 1, 100000);
        if (r < 0) {
                snd_pcm_close(pcm);
                return fail("setting up vhtest_stop: %s", snd_strerror(r));
        }

        k = snd_pcm_readi(pcm, frames_buf, 2 * STOP_FRAMES);
        r = k == STOP_FRAMES ? check_pattern(frames_buf, STOP_FRAMES, 0, "eof stop") : -1;
        if (r < 0) {
                snd_pcm_close(pcm);
                return fail("eof stop: readi of %u frames from a %u-frame file returned %ld",
                            2 * STOP_FRAMES, STOP_FRAMES, (long) k);
        }
        k = snd_pcm_readi(pcm, frames_buf, STOP_FRAMES);
        expect_alsa_errors(true);
        r = snd_pcm_recover(pcm, (int) k, 1);
        expect_alsa_errors(false);
        snd_pcm_close(pcm);
        CHECK(k == -EPIPE && r == -EIO, "eof stop: after the end readi gave %ld, recover %d; expected -EPIPE, -EIO",
              (long) k, r);
        printf("ok: eof stop delivers the whole file, then -EPIPE and a recover that fails with -EIO\n");
        return 0;
}

static int check_wav_loop(Ctx *c) {
        const size_t n = 2 * WAV_FRAMES + WAV_FRAMES / 2;
        snd_pcm_sframes_t k;
        snd_pcm_t *pcm;
        int r;

        r = snd_pcm_open(&pcm, "vhtest_wav", SND_PCM_STREAM_CAPTURE, 0);
        CHECK(r >= 0, "snd_pcm_open(vhtest_wav): %s", snd_strerror(r));
        expect_alsa_errors(true);
        r = snd_pcm_set_params(pcm, SND_PCM_FORMAT_S16_LE, SND_PCM_ACCESS_RW_INTERLEAVED, 1, RATE, 0, 100000);
        expect_alsa_errors(false);
        snd_pcm_close(pcm);
        CHECK(r < 0, "an 8 kHz stereo WAV accepted 16 kHz mono");

        r = snd_pcm_open(&pcm, "vhtest_wav", SND_PCM_STREAM_CAPTURE, 0);
        CHECK(r >= 0, "snd_pcm_open(vhtest_wav): %s", snd_strerror(r));
        r = snd_pcm_set_params(pcm, SND_PCM_FORMAT_S16_LE, SND_PCM_ACCESS_RW_INTERLEAVED,
                               WAV_CHANNELS, WAV_RATE, 0, 100000);
        k = r >= 0 ? snd_pcm_readi(pcm, frames_buf, n) : r;
        snd_pcm_close(pcm);
        CHECK(k == (snd_pcm_sframes_t) n, "reading %zu frames of the 8 kHz stereo WAV: %ld", n, (long) k);

        for (size_t i = 0; i < n; i++)
                CHECK(memcmp(frames_buf + i * WAV_CHANNELS * 2, c->wav_data + (i % WAV_FRAMES) * WAV_CHANNELS * 2,
                             WAV_CHANNELS * 2) == 0,
                      "WAV with eof loop: frame %zu differs from file frame %zu", i, i % WAV_FRAMES);
        printf("ok: WAV header sets the format (8 kHz stereo only), data bit-exact, eof loop wraps\n");
        return 0;
}

static int check_unplug(Ctx *c) {
        snd_pcm_t *pcm;
        snd_ctl_t *ctl;
        snd_pcm_sframes_t k;
        int r;

        r = write_file(c->unplug, "", 0);
        CHECK(r >= 0, "creating %s: %s", c->unplug, strerror(-r));

        r = read_polled(c->pcm, frames_buf, c->buffer + 4 * c->period, c->period, NULL);
        CHECK(r == -ENODEV, "reading a PCM whose card is unplugged: %d (%s), expected -ENODEV", r, snd_strerror(r));
        CHECK(snd_pcm_state(c->pcm) == SND_PCM_STATE_DISCONNECTED, "unplugged: state %s",
              snd_pcm_state_name(snd_pcm_state(c->pcm)));
        k = snd_pcm_readi(c->pcm, frames_buf, c->period);
        r = snd_pcm_recover(c->pcm, (int) k, 1);
        CHECK(k == -ENODEV && r == -ENODEV, "unplugged: readi %ld, recover %d; expected -ENODEV twice", (long) k, r);
        printf("ok: unplugging a running PCM gives POLLERR, DISCONNECTED and -ENODEV\n");

        r = snd_pcm_open(&pcm, "vhtest", SND_PCM_STREAM_CAPTURE, 0);
        if (r >= 0)
                snd_pcm_close(pcm);
        CHECK(r == -ENODEV, "snd_pcm_open while unplugged: %d (%s), expected -ENODEV", r, snd_strerror(r));
        r = snd_ctl_open(&ctl, "vhtest", 0);
        if (r >= 0)
                snd_ctl_close(ctl);
        CHECK(r == -ENODEV, "snd_ctl_open while unplugged: %d (%s), expected -ENODEV", r, snd_strerror(r));

        CHECK(unlink(c->unplug) == 0, "removing %s: %s", c->unplug, strerror(errno));
        r = snd_pcm_open(&pcm, "vhtest", SND_PCM_STREAM_CAPTURE, 0);
        CHECK(r >= 0, "snd_pcm_open after replugging: %s", snd_strerror(r));
        snd_pcm_close(pcm);
        printf("ok: opening fails with -ENODEV while unplugged and works again after\n");
        return 0;
}

int main(void) {
        Ctx c = {};
        int r;

        setvbuf(stdout, NULL, _IOLBF, 0);
        r = setup(&c);
        if (r == 0)
                r = check_period_time();
        if (r == 0)
                r = check_forced_xrun();
        if (r == 0)
                r = check_eof_stop();
        if (r == 0)
                r = check_wav_loop(&c);
        /* From here on c.pcm runs, and each check keeps reading it. */
        if (r == 0)
                r = check_open_and_read(&c);
        if (r == 0)
                r = check_mute_file(&c);
        if (r == 0)
                r = check_ctl(&c);
        if (r == 0)
                r = check_overrun(&c);
        if (r == 0)
                r = check_unplug(&c);

        cleanup(&c);
        if (r == EXIT_SKIP)
                return EXIT_SKIP;
        if (r < 0)
                return EXIT_FAILURE;
        printf("all vhtest plugin checks passed\n");
        return EXIT_SUCCESS;
}
