/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The helpers of the vhtest plugin checks: time, the sample pattern, the test files, and PCM
 * reads through poll() as audiod does them. */

#include "vhtest-checks.h"

uint8_t frames_buf[MAX_FRAMES * 2 * 2];


int fail(const char *fmt, ...) {
        va_list ap;

        fputs("FAIL: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        return -1;
}

uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000U + (uint64_t) ts.tv_nsec / 1000U;
}

void sleep_usec(uint64_t usec) {
        struct timespec ts = { .tv_sec = (time_t) (usec / 1000000U), .tv_nsec = (long) (usec % 1000000U) * 1000 };

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* The sample of file frame n: a hash, never 0, so muted frames are unmistakable. */
int16_t pattern(uint64_t n) {
        uint32_t x = (uint32_t) n * 2654435761U;

        x ^= x >> 15;
        return (int16_t) (x | 1);
}

int16_t sample_at(const uint8_t *buf, size_t i) {
        return (int16_t) (buf[2 * i] | buf[2 * i + 1] << 8);
}

void put_le16(uint8_t *p, uint32_t v) {
        p[0] = v & 0xff;
        p[1] = (v >> 8) & 0xff;
}

static void put_le32(uint8_t *p, uint32_t v) {
        put_le16(p, v);
        put_le16(p + 2, v >> 16);
}

int write_file(const char *path, const void *data, size_t len) {
        FILE *f = fopen(path, "we");

        if (!f)
                return -errno;
        if (fwrite(data, 1, len, f) != len) {
                fclose(f);
                return -EIO;
        }
        return fclose(f) == 0 ? 0 : -errno;
}

int read_text(const char *path, char *buf, size_t size) {
        FILE *f = fopen(path, "re");
        size_t n;

        if (!f)
                return -errno;
        n = fread(buf, 1, size - 1, f);
        buf[n] = '\0';
        fclose(f);
        return 0;
}

char *strdup_printf(const char *fmt, ...) {
        va_list ap;
        char *s;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        return r < 0 ? NULL : s;
}

/* As another process would do it: a new file renamed over the old one. */
int replace_file(const char *path, const char *text) {
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

int write_raw(const char *path, uint64_t first, unsigned n) {
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

int write_wav(Ctx *c) {
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

void expect_alsa_errors(bool expect) {
        snd_lib_error_set_handler(expect ? quiet_alsa_errors : NULL);
}

/* ---- PCM helpers ----------------------------------------------------------------------- */

int pcm_error_from_state(snd_pcm_t *pcm) {
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
int read_polled(snd_pcm_t *pcm, uint8_t *buf, size_t n, snd_pcm_uframes_t chunk, unsigned *ret_wakes) {
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

int check_pattern(const uint8_t *buf, size_t n, uint64_t first, const char *what) {
        for (size_t i = 0; i < n; i++)
                CHECK(sample_at(buf, i) == pattern(first + i),
                      "%s: frame %zu is %d, the file has %d there", what, i, sample_at(buf, i), pattern(first + i));
        return 0;
}

/* Frames [0, k) must be "before" (audio if from_audio, else zeros), frames [k, n) the
 * other; returns k, the number of frames before the switch took effect. */
long find_switch_point(const uint8_t *buf, size_t n, uint64_t first, bool from_audio, const char *what) {
        size_t k = 0;

        while (k < n && (from_audio ? sample_at(buf, k) == pattern(first + k) : sample_at(buf, k) == 0))
                k++;
        for (size_t i = k; i < n; i++)
                CHECK(from_audio ? sample_at(buf, i) == 0 : sample_at(buf, i) == pattern(first + i),
                      "%s: frame %zu is %d, expected %d (switch took effect at frame %zu)",
                      what, i, sample_at(buf, i), from_audio ? 0 : pattern(first + i), k);
        return (long) k;
}
