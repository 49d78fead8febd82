/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <endian.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "macro.h"
#include "wav.h"

#define WAVE_FORMAT_PCM        0x0001
#define WAVE_FORMAT_EXTENSIBLE 0xFFFE

static uint16_t le16(const uint8_t *p) {
        return (uint16_t) (p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p) {
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static int check_fmt(const uint8_t *fmt, uint32_t size, const char **ret_problem) {
        uint16_t tag, channels, bits, block;
        uint32_t rate;

        if (size < 16) {
                *ret_problem = "fmt chunk too short";
                return -EINVAL;
        }
        tag = le16(fmt);
        channels = le16(fmt + 2);
        rate = le32(fmt + 4);
        block = le16(fmt + 12);
        bits = le16(fmt + 14);
        if (tag == WAVE_FORMAT_EXTENSIBLE) {
                /* The sub-format GUID starts with the plain format tag. */
                if (size < 40) {
                        *ret_problem = "extensible fmt chunk too short";
                        return -EINVAL;
                }
                tag = le16(fmt + 24);
        }
        if (tag != WAVE_FORMAT_PCM) {
                *ret_problem = "not PCM (compressed or floating-point samples); expected 16-bit PCM";
                return -EMEDIUMTYPE;
        }
        if (bits != 16 || block != 2 * channels) {
                *ret_problem = "not 16-bit samples; expected 16-bit PCM";
                return -EMEDIUMTYPE;
        }
        if (channels != 1) {
                *ret_problem = "not mono; expected 1 channel";
                return -EMEDIUMTYPE;
        }
        if (rate != WAV_RATE) {
                *ret_problem = "sample rate is not 16000 Hz";
                return -EMEDIUMTYPE;
        }
        return 0;
}

/* Walks the chunks up to "data", checking "fmt " on the way; leaves the file at the samples. */
static int find_data(FILE *f, uint64_t file_size, uint32_t *ret_size, const char **ret_problem) {
        uint8_t hdr[12], fmt[64];
        bool have_fmt = false;

        if (fread(hdr, 1, sizeof hdr, f) != sizeof hdr || memcmp(hdr, "RIFF", 4) != 0 || memcmp(hdr + 8, "WAVE", 4) != 0) {
                *ret_problem = "not a RIFF/WAVE file";
                return -EINVAL;
        }
        for (;;) {
                uint8_t chunk[8];
                uint32_t size;

                if (fread(chunk, 1, sizeof chunk, f) != sizeof chunk) {
                        *ret_problem = have_fmt ? "no data chunk (truncated file?)" : "no fmt chunk";
                        return have_fmt ? -EBADMSG : -EINVAL;
                }
                size = le32(chunk + 4);
                if (memcmp(chunk, "fmt ", 4) == 0) {
                        if (size > sizeof fmt || fread(fmt, 1, size, f) != size) {
                                *ret_problem = "fmt chunk unreadable";
                                return -EINVAL;
                        }
                        if (size & 1)
                                (void) fgetc(f);
                        int r = check_fmt(fmt, size, ret_problem);
                        if (r < 0)
                                return r;
                        have_fmt = true;
                } else if (memcmp(chunk, "data", 4) == 0) {
                        long pos = ftell(f);

                        if (!have_fmt) {
                                *ret_problem = "data chunk before fmt chunk";
                                return -EINVAL;
                        }
                        if (pos < 0 || (uint64_t) pos + size > file_size) {
                                *ret_problem = "data chunk is longer than the file (truncated)";
                                return -EBADMSG;
                        }
                        *ret_size = size;
                        return 0;
                } else if (fseek(f, (long) size + (size & 1), SEEK_CUR) < 0) {
                        *ret_problem = "chunk beyond the end of the file (truncated)";
                        return -EBADMSG;
                }
        }
}

int wav_open(const char *path, WavReader *ret, const char **ret_problem) {
        _cleanup_fclose_ FILE *f = NULL;
        struct stat st;
        uint32_t size;
        int r;

        f = fopen(path, "re");
        if (!f) {
                *ret_problem = "cannot open file";
                return negative_errno();
        }
        if (fstat(fileno(f), &st) < 0) {
                *ret_problem = "cannot stat file";
                return negative_errno();
        }
        if (!S_ISREG(st.st_mode)) {
                *ret_problem = "not a regular file";
                return -EINVAL;
        }
        r = find_data(f, (uint64_t) st.st_size, &size, ret_problem);
        if (r < 0)
                return r;
        if (size % 2 != 0) {
                *ret_problem = "data chunk size is not a whole number of samples";
                return -EBADMSG;
        }
        *ret = (WavReader) { .f = TAKE_PTR(f), .frames = size / 2 };
        return 0;
}

ssize_t wav_read(WavReader *w, int16_t *buf, size_t n) {
        size_t k;

        n = MIN(n, (size_t) (w->frames - w->frames_read));
        if (n == 0)
                return 0;
        k = fread(buf, sizeof(int16_t), n, w->f);
        if (k != n)
                return -EBADMSG;
        for (size_t i = 0; i < k; i++)
                buf[i] = (int16_t) le16toh((uint16_t) buf[i]);
        w->frames_read += k;
        return (ssize_t) k;
}

void wav_close(WavReader *w) {
        if (w->f)
                fclose(w->f);
        w->f = NULL;
}

int wav_write_file(const char *path, const int16_t *samples, size_t n) {
        _cleanup_fclose_ FILE *f = fopen(path, "we");
        uint32_t data = (uint32_t) (n * 2), riff = 36 + data, fmt_size = 16, rate = WAV_RATE, bytes = WAV_RATE * 2;
        uint16_t format = 1, channels = 1, align = 2, bits = 16;

        if (!f)
                return negative_errno();
        fwrite("RIFF", 1, 4, f); fwrite(&riff, 4, 1, f); fwrite("WAVEfmt ", 1, 8, f);
        fwrite(&fmt_size, 4, 1, f); fwrite(&format, 2, 1, f); fwrite(&channels, 2, 1, f);
        fwrite(&rate, 4, 1, f); fwrite(&bytes, 4, 1, f); fwrite(&align, 2, 1, f); fwrite(&bits, 2, 1, f);
        fwrite("data", 1, 4, f); fwrite(&data, 4, 1, f);
        fwrite(samples, sizeof(int16_t), n, f);
        return fflush(f) == 0 && !ferror(f) ? 0 : -EIO;
}
