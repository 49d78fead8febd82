/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "wav.h"

typedef struct WavSpec {
        uint16_t tag, channels, bits;
        uint32_t rate;
        uint32_t data_size;             /* as written in the header */
        uint32_t data_written;          /* bytes actually written */
} WavSpec;

static void put16(FILE *f, uint16_t v) { v = htole16(v); fwrite(&v, 2, 1, f); }
static void put32(FILE *f, uint32_t v) { v = htole32(v); fwrite(&v, 4, 1, f); }

static char *wav_write(const char *name, const WavSpec *s) {
        char *path = test_tmp_path(name);
        FILE *f = fopen(path, "we");

        fwrite("RIFF", 1, 4, f);
        put32(f, 36 + s->data_size);
        fwrite("WAVEfmt ", 1, 8, f);
        put32(f, 16);
        put16(f, s->tag);
        put16(f, s->channels);
        put32(f, s->rate);
        put32(f, s->rate * s->channels * s->bits / 8);
        put16(f, s->channels * s->bits / 8);
        put16(f, s->bits);
        /* An extra chunk the reader must skip. */
        fwrite("LIST", 1, 4, f);
        put32(f, 4);
        fwrite("INFO", 1, 4, f);
        fwrite("data", 1, 4, f);
        put32(f, s->data_size);
        for (uint32_t i = 0; i < s->data_written / 2; i++)
                put16(f, (uint16_t) (int16_t) (i * 7));
        fclose(f);
        return path;
}

static int open_result(const char *name, const WavSpec *s, const char **ret_problem) {
        _cleanup_free_ char *path = wav_write(name, s);
        WavReader w;
        int r = wav_open(path, &w, ret_problem);
        if (r >= 0) {
                int16_t buf[64];
                ssize_t n;
                while ((n = wav_read(&w, buf, ELEMENTSOF(buf))) > 0)
                        ;
                wav_close(&w);
                if (n < 0)
                        r = (int) n;
        }
        return r;
}

int main(void) {
        const WavSpec good = { 1, 1, 16, 16000, 3200, 3200 };
        const char *problem = NULL;
        WavSpec s;
        WavReader w;
        int16_t buf[2000];
        _cleanup_free_ char *path = wav_write("good.wav", &good), *text = test_tmp_path("text.wav");

        require(wav_open(path, &w, &problem) == 0, "good file refused: %s", problem);
        check(w.frames == 1600, "frames %llu", (unsigned long long) w.frames);
        check(wav_read(&w, buf, ELEMENTSOF(buf)) == 1600, "short read");
        check(buf[3] == 21, "sample value %d", buf[3]);
        check(wav_read(&w, buf, ELEMENTSOF(buf)) == 0, "read past the end");
        wav_close(&w);

        s = good; s.rate = 44100;
        check(open_result("rate.wav", &s, &problem) == -EMEDIUMTYPE && strstr(problem, "16000"), "wrong rate accepted");
        s = good; s.channels = 2;
        check(open_result("stereo.wav", &s, &problem) == -EMEDIUMTYPE, "stereo accepted");
        s = good; s.bits = 8;
        check(open_result("8bit.wav", &s, &problem) == -EMEDIUMTYPE, "8-bit accepted");
        s = good; s.tag = 3;
        check(open_result("float.wav", &s, &problem) == -EMEDIUMTYPE, "float accepted");
        s = good; s.data_written = 1000;
        check(open_result("truncated.wav", &s, &problem) == -EBADMSG, "truncated accepted");
        s = good; s.data_size = 3201; s.data_written = 3202;
        check(open_result("odd.wav", &s, &problem) == -EBADMSG, "odd data size accepted");

        test_write_file(text, "this is not a wav file at all, just some text\n");
        check(wav_open(text, &w, &problem) == -EINVAL, "text accepted");
        check(wav_open("/nonexistent/x.wav", &w, &problem) == -ENOENT, "missing file");
        check(wav_open("/", &w, &problem) < 0, "directory accepted");
        return test_result();
}
