/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adaptation.h"
#include "fileio.h"
#include "macro.h"
#include "message.h"
#include "state-file.h"

#define MAGIC_V1 "voicehvac-wakeword-adaptation 1\n"
#define MAGIC "voicehvac-wakeword-adaptation 2\n"
#define S3_HEADER "s3\nversion 1.0\n"
#define S3_END "endhdr\n"
#define S3_MARKER 0x11223344
#define DIMS_MAX 16
#define MODEL_FILE_MAX (64u << 20)

static const struct {
        const char *file, *option;
} parts[_ADAPTATION_PART_MAX] = {
        [ADAPTATION_MEANS] = { "means", "-mean" },
        [ADAPTATION_VARIANCES] = { "variances", "-var" },
        [ADAPTATION_TRANSITIONS] = { "transition_matrices", "-tmat" },
};

const char *adaptation_part_file(AdaptationPart p) {
        return parts[p].file;
}

const char *adaptation_part_option(AdaptationPart p) {
        return parts[p].option;
}

/* An s3 parameter file: a text header up to "endhdr\n", a byte-order marker, dimensions (the
 * last of them the number of floats), the floats, and a checksum when the header says so. */
typedef struct S3 {
        const uint8_t *dims;            /* after the marker */
        size_t n_dims;
        const float *values;            /* may be unaligned: read with memcpy */
        size_t n_values;
} S3;

static int s3_parse(const char *data, size_t size, S3 *ret) {
        const char *end = memmem(data, size, S3_END, strlen(S3_END));
        bool checksum;
        size_t at, rest;
        int32_t marker;

        if (size < strlen(S3_HEADER) || memcmp(data, "s3\n", 3) != 0 || !end)
                return -EBADMSG;
        checksum = memmem(data, (size_t) (end - data), "chksum0 yes", 11) != NULL;
        at = (size_t) (end - data) + strlen(S3_END);
        if (size - at < 4)
                return -EBADMSG;
        memcpy(&marker, data + at, 4);
        if (marker != S3_MARKER)               /* the other byte order: not written on this machine */
                return -EBADMSG;
        at += 4;
        rest = size - at - (checksum ? 4 : 0);
        if (size - at < (checksum ? 4u : 0u))
                return -EBADMSG;
        /* the dimensions end with the count of the floats that fill the rest */
        for (size_t k = 1; k <= DIMS_MAX && 4 * k <= rest; k++) {
                uint32_t n;

                memcpy(&n, data + at + 4 * (k - 1), 4);
                if ((uint64_t) n * 4 == rest - 4 * k) {
                        *ret = (S3) {
                                .dims = (const uint8_t *) data + at,
                                .n_dims = k,
                                .values = (const float *) (const void *) (data + at + 4 * k),
                                .n_values = n,
                        };
                        return 0;
                }
        }
        return -EBADMSG;
}

static float s3_value(const S3 *s, size_t i) {
        float v;

        memcpy(&v, (const char *) s->values + 4 * i, sizeof v);
        return v;
}

/* The part as stored: no checksum (the decoder's reader exits the process on a wrong one; the
 * values are checked here instead), the header this writes and nothing else. */
static size_t s3_stored_header(char *buf, size_t size) {
        size_t pad = (4 - (strlen(S3_HEADER) + strlen(S3_END)) % 4) % 4;

        return (size_t) snprintf(buf, size, "%s%*s%s", S3_HEADER, (int) pad, "", S3_END);
}

static int model_part(const char *hmm, AdaptationPart p, char **ret_data, size_t *ret_size, S3 *ret) {
        _cleanup_free_ char *path = NULL, *data = NULL;
        size_t size;
        int k;

        if (asprintf(&path, "%s/%s", hmm, parts[p].file) < 0)
                return -ENOMEM;
        k = read_full_file(path, MODEL_FILE_MAX, &data, &size);
        if (k < 0)
                return k;
        if (s3_parse(data, size, ret) < 0)
                return -EIO;            /* the model itself is not what we know */
        *ret_data = TAKE_PTR(data);
        *ret_size = size;
        return 0;
}

static bool values_plausible(AdaptationPart p, const S3 *s) {
        for (size_t i = 0; i < s->n_values; i++) {
                float v = s3_value(s, i);

                if (!isfinite(v) || fabsf(v) > 1e6f)
                        return false;
                if (p == ADAPTATION_VARIANCES && v <= 0)
                        return false;
                if (p == ADAPTATION_TRANSITIONS && (v < 0 || v > 1))
                        return false;
        }
        return true;
}

/* One stored part against the model's own file of that name. */
static int part_check(const char *hmm, AdaptationPart p, const char *data, size_t size) {
        _cleanup_free_ char *model = NULL;
        char header[64];
        size_t model_size, h = s3_stored_header(header, sizeof header);
        S3 mine, theirs;
        int k;

        k = model_part(hmm, p, &model, &model_size, &theirs);
        if (k < 0)
                return k;
        if (size < h || memcmp(data, header, h) != 0 || s3_parse(data, size, &mine) < 0)
                return -EBADMSG;
        if (mine.n_dims != theirs.n_dims || memcmp(mine.dims, theirs.dims, 4 * mine.n_dims) != 0 ||
            (const char *) mine.values + 4 * mine.n_values != data + size)
                return -EBADMSG;
        return values_plausible(p, &mine) ? 0 : -EBADMSG;
}

/* One line "<name>[ <fit>]…\n" of the calibration at p: the fits, each finite and plausible. */
static int fits_parse(const char **p, const char *end, const char *name, double *fits, size_t *n) {
        size_t l = strlen(name);
        const char *q = *p;

        *n = 0;
        if ((size_t) (end - q) < l + 1 || memcmp(q, name, l) != 0)
                return -EBADMSG;
        q += l;
        while (q < end && *q == ' ') {
                char buf[32], *e;
                size_t len = 0;
                double v;

                q++;
                /* strtod() would read past the end: copy the field, digits and signs only */
                while (q + len < end && len < sizeof buf - 1 && q[len] && strchr("+-.0123456789", q[len]))
                        len++;
                if (len == 0 || *n >= SPEAKER_FITS_MAX)
                        return -EBADMSG;
                memcpy(buf, q, len);
                buf[len] = 0;
                errno = 0;
                v = strtod(buf, &e);
                if (errno != 0 || *e != 0 || !isfinite(v) || fabs(v) > SPEAKER_FIT_ABS_MAX)
                        return -EBADMSG;
                fits[(*n)++] = v;
                q += len;
        }
        if (q >= end || *q != '\n')
                return -EBADMSG;
        *p = q + 1;
        return 0;
}

/* The parts' offsets and sizes from the file's header, and the calibration (version 2; a file of
 * version 1 has none: empty). */
static int bundle_index(const char *data, size_t size, size_t offset[static _ADAPTATION_PART_MAX],
                        size_t length[static _ADAPTATION_PART_MAX], SpeakerCalibration *ret_calibration) {
        const char *p = data, *end = data + size;
        SpeakerCalibration cal = {};
        bool v1;
        size_t at;

        if (size < strlen(MAGIC))
                return -EBADMSG;
        v1 = memcmp(data, MAGIC_V1, strlen(MAGIC_V1)) == 0;
        if (!v1 && memcmp(data, MAGIC, strlen(MAGIC)) != 0)
                return -EBADMSG;
        p += strlen(MAGIC);
        for (AdaptationPart i = 0; i < _ADAPTATION_PART_MAX; i++) {
                size_t l = strlen(parts[i].file);
                unsigned long long n;
                char *e;

                if ((size_t) (end - p) < l + 2 || memcmp(p, parts[i].file, l) != 0 || p[l] != ' ')
                        return -EBADMSG;
                p += l + 1;
                if (*p < '0' || *p > '9')
                        return -EBADMSG;
                errno = 0;
                n = strtoull(p, &e, 10);
                if (errno != 0 || e >= end || *e != '\n' || n > ADAPTATION_SIZE_MAX)
                        return -EBADMSG;
                length[i] = (size_t) n;
                p = e + 1;
        }
        if (!v1 && (fits_parse(&p, end, "wake_fits", cal.wake, &cal.n_wake) < 0 ||
                    fits_parse(&p, end, "command_fits", cal.command, &cal.n_command) < 0))
                return -EBADMSG;
        if (p >= end || *p != '\n')
                return -EBADMSG;
        at = (size_t) (p + 1 - data);
        for (AdaptationPart i = 0; i < _ADAPTATION_PART_MAX; i++) {
                offset[i] = at;
                if (length[i] > size - at)
                        return -EBADMSG;
                at += length[i];
        }
        if (at != size)
                return -EBADMSG;
        if (ret_calibration)
                *ret_calibration = cal;
        return 0;
}

int adaptation_check(const char *data, size_t size, const char *hmm) {
        size_t offset[_ADAPTATION_PART_MAX], length[_ADAPTATION_PART_MAX];
        int k;

        k = bundle_index(data, size, offset, length, NULL);
        if (k < 0)
                return k;
        for (AdaptationPart i = 0; i < _ADAPTATION_PART_MAX; i++) {
                k = part_check(hmm, i, data + offset[i], length[i]);
                if (k < 0)
                        return k;
        }
        return 0;
}

static void fits_write(FILE *f, const char *name, const double *fits, size_t n) {
        fputs(name, f);
        for (size_t i = 0; i < n; i++)
                fprintf(f, " %.2f", fits[i]);
        fputc('\n', f);
}

int adaptation_calibration(const char *data, size_t size, SpeakerCalibration *ret) {
        size_t offset[_ADAPTATION_PART_MAX], length[_ADAPTATION_PART_MAX];

        return bundle_index(data, size, offset, length, ret);
}

int adaptation_bundle(const char *dir, const char *hmm, const SpeakerCalibration *calibration, char **ret_data,
                      size_t *ret_size, char **ret_error) {
        _cleanup_free_ char *out = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        char *raw[_ADAPTATION_PART_MAX] = {};
        size_t raw_size[_ADAPTATION_PART_MAX], out_size = 0, stored[_ADAPTATION_PART_MAX];
        S3 s[_ADAPTATION_PART_MAX];
        char header[64];
        size_t h = s3_stored_header(header, sizeof header);
        int k = 0;

        *ret_error = NULL;
        for (AdaptationPart i = 0; i < _ADAPTATION_PART_MAX && k >= 0; i++) {
                _cleanup_free_ char *path = NULL;

                if (asprintf(&path, "%s/%s", dir, parts[i].file) < 0) {
                        k = -ENOMEM;
                        break;
                }
                k = read_full_file(path, MODEL_FILE_MAX, &raw[i], &raw_size[i]);
                if (k < 0)
                        *ret_error = message_new("map_adapt wrote no %s: %s", parts[i].file, strerror(-k));
                else if (s3_parse(raw[i], raw_size[i], &s[i]) < 0) {
                        *ret_error = message_new("map_adapt wrote a %s that is not an s3 file", parts[i].file);
                        k = -EBADMSG;
                } else
                        stored[i] = h + 4 + 4 * (s[i].n_dims + s[i].n_values);
        }
        if (k >= 0) {
                f = open_memstream(&out, &out_size);
                if (!f)
                        k = -ENOMEM;
        }
        if (k >= 0) {
                fputs(MAGIC, f);
                for (AdaptationPart i = 0; i < _ADAPTATION_PART_MAX; i++)
                        fprintf(f, "%s %zu\n", parts[i].file, stored[i]);
                fits_write(f, "wake_fits", calibration ? calibration->wake : NULL, calibration ? calibration->n_wake : 0);
                fits_write(f, "command_fits", calibration ? calibration->command : NULL,
                           calibration ? calibration->n_command : 0);
                fputc('\n', f);
                for (AdaptationPart i = 0; i < _ADAPTATION_PART_MAX; i++) {
                        int32_t marker = S3_MARKER;

                        fwrite(header, 1, h, f);
                        fwrite(&marker, 4, 1, f);
                        fwrite(s[i].dims, 4, s[i].n_dims + s[i].n_values, f);
                }
                if (fflush(f) != 0)
                        k = -ENOMEM;
                fclose(f);
                f = NULL;
        }
        for (AdaptationPart i = 0; i < _ADAPTATION_PART_MAX; i++)
                free(raw[i]);
        if (k < 0)
                return k;
        k = adaptation_check(out, out_size, hmm);
        if (k < 0) {
                *ret_error = message_new("map_adapt wrote an adaptation that does not fit the model '%s'", hmm);
                return k;
        }
        *ret_data = TAKE_PTR(out);
        *ret_size = out_size;
        return 0;
}

void adaptation_close(Adaptation *a) {
        for (AdaptationPart i = 0; i < _ADAPTATION_PART_MAX; i++)
                a->fd[i] = safe_close(a->fd[i]);
}

int adaptation_open(const char *file, const char *hmm, Adaptation *ret) {
        _cleanup_free_ char *data = NULL, *problem = NULL;
        size_t size, offset[_ADAPTATION_PART_MAX], length[_ADAPTATION_PART_MAX];
        Adaptation a;
        int k;

        for (AdaptationPart i = 0; i < _ADAPTATION_PART_MAX; i++)
                a.fd[i] = -EBADF;
        /* No symbolic link followed, nothing but a regular file opened (state-file.h). */
        k = state_file_read(file, ADAPTATION_SIZE_MAX, &data, &size, &problem);
        if (k < 0)
                return k;
        k = adaptation_check(data, size, hmm);
        if (k < 0)
                return k;
        (void) bundle_index(data, size, offset, length, NULL);
        /* The decoder reads paths: give it the bytes just checked, not the file again. */
        for (AdaptationPart i = 0; i < _ADAPTATION_PART_MAX; i++) {
                _cleanup_fclose_ FILE *f = NULL;

                k = memfd_new_stream(parts[i].file, &a.fd[i], &f);
                if (k >= 0 && (fwrite(data + offset[i], 1, length[i], f) != length[i] || fflush(f) != 0))
                        k = -EIO;
                if (k < 0) {
                        adaptation_close(&a);
                        return k;
                }
                snprintf(a.path[i], sizeof a.path[i], "/proc/self/fd/%i", a.fd[i]);
        }
        *ret = a;
        return 0;
}
