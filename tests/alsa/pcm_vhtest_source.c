/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The vhtest PCM's source: the whole file read into memory, a WAV header or raw S16_LE, and the
 * frame that a file position carries (silence, or the start again, past the end). */

#include "pcm_vhtest.h"

static uint16_t le16(const uint8_t *p) {
        return (uint16_t) (p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p) {
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static int read_whole_file(const char *path, uint8_t **ret, size_t *ret_len) {
        struct stat st;
        uint8_t *buf;
        size_t len = 0;
        int fd, r;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0) {
                r = -errno;
                goto fail_close;
        }
        if (!S_ISREG(st.st_mode)) {
                r = -EINVAL;
                goto fail_close;
        }
        if ((uint64_t) st.st_size > SOURCE_MAX_BYTES) {
                r = -EFBIG;
                goto fail_close;
        }

        buf = malloc((size_t) st.st_size + 1);
        if (!buf) {
                r = -ENOMEM;
                goto fail_close;
        }
        while (len < (size_t) st.st_size) {
                ssize_t n = read(fd, buf + len, (size_t) st.st_size - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        r = -errno;
                        free(buf);
                        goto fail_close;
                }
                if (n == 0)
                        break;  /* shrank under us; take what is there */
                len += (size_t) n;
        }
        close(fd);
        *ret = buf;
        *ret_len = len;
        return 0;

fail_close:
        close(fd);
        return r;
}

/* Returns 1 and the data chunk for a PCM S16_LE WAV file, 0 if buf is not RIFF/WAVE
 * at all (a raw file), or -EINVAL for a WAV file this plugin cannot play. */
static int wav_parse(const uint8_t *buf, size_t len, const char *path,
                     const uint8_t **ret_data, size_t *ret_len,
                     unsigned *ret_rate, unsigned *ret_channels) {
        unsigned rate = 0, channels = 0;
        bool have_fmt = false;
        size_t off = 12;

        if (len < 12 || memcmp(buf, "RIFF", 4) != 0 || memcmp(buf + 8, "WAVE", 4) != 0)
                return 0;

        while (len - off >= 8) {
                const uint8_t *chunk = buf + off;
                size_t size = le32(chunk + 4), body = off + 8;

                if (memcmp(chunk, "fmt ", 4) == 0) {
                        unsigned tag, bits;

                        if (size < 16 || len - body < 16) {
                                SNDERR("vhtest: %s: short fmt chunk", path);
                                return -EINVAL;
                        }
                        tag = le16(buf + body);
                        channels = le16(buf + body + 2);
                        rate = le32(buf + body + 4);
                        bits = le16(buf + body + 14);
                        /* WAVE_FORMAT_EXTENSIBLE carries the real tag in its sub-format GUID. */
                        if (tag == 0xFFFE && size >= 40 && len - body >= 40)
                                tag = le16(buf + body + 24);
                        if (tag != 1 || bits != 16) {
                                SNDERR("vhtest: %s: only PCM S16_LE WAV is supported (format %u, %u bits)",
                                       path, tag, bits);
                                return -EINVAL;
                        }
                        have_fmt = true;
                } else if (memcmp(chunk, "data", 4) == 0) {
                        if (!have_fmt) {
                                SNDERR("vhtest: %s: data chunk before fmt chunk", path);
                                return -EINVAL;
                        }
                        /* Streamed WAVs (arecord to a pipe) carry a bogus, too large size. */
                        *ret_data = buf + body;
                        *ret_len = size < len - body ? size : len - body;
                        *ret_rate = rate;
                        *ret_channels = channels;
                        return 1;
                }

                if (size > len - body)
                        break;
                off = body + size + (size & 1);
                if (off > len)
                        break;
        }

        SNDERR("vhtest: %s: WAV file without a data chunk", path);
        return -EINVAL;
}

/* rate/channels < 0: not given in the configuration. */
int vh_load_source(VhPcm *vh, const char *path, long rate, long channels) {
        const uint8_t *data = NULL;
        size_t file_len = 0, len = 0;
        unsigned wav_rate = 0, wav_channels = 0;
        int r;

        r = read_whole_file(path, &vh->file_buf, &file_len);
        if (r < 0) {
                SNDERR("vhtest: cannot read file %s: %s", path, strerror(-r));
                return r;
        }

        r = wav_parse(vh->file_buf, file_len, path, &data, &len, &wav_rate, &wav_channels);
        if (r < 0)
                return r;
        if (r > 0) {
                if ((rate >= 0 && (unsigned long) rate != wav_rate) ||
                    (channels >= 0 && (unsigned long) channels != wav_channels)) {
                        SNDERR("vhtest: %s is a WAV file of %u Hz, %u channels; rate/channels keys disagree",
                               path, wav_rate, wav_channels);
                        return -EINVAL;
                }
                rate = wav_rate;
                channels = wav_channels;
        } else {
                data = vh->file_buf;
                len = file_len;
                if (rate < 0)
                        rate = 16000;
                if (channels < 0)
                        channels = 1;
        }
        if (rate < 1000 || rate > 384000 || channels < 1 || channels > 32) {
                SNDERR("vhtest: %s: unsupported format %ld Hz, %ld channels", path, rate, channels);
                return -EINVAL;
        }

        vh->samples = data;
        vh->rate = (unsigned) rate;
        vh->channels = (unsigned) channels;
        vh->n_frames = len / (2 * vh->channels);
        return 0;
}

/* The bytes of file frame n, or NULL where the file has none (silence). */
const uint8_t *vh_source_frame(const VhPcm *vh, uint64_t n) {
        if (n >= vh->n_frames) {
                if (vh->eof != EOF_LOOP || vh->n_frames == 0)
                        return NULL;
                n %= vh->n_frames;
        }
        return vh->samples + n * vh->channels * 2;
}
