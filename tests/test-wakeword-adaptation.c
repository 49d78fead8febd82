/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Enrolment's parts that need no decoder: the adaptation file made from map_adapt's output and
 * checked against a model's own files, the checks of a clip's level, and the expansion of a
 * quantised sendump into the mixture weights bw reads. */

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "adaptation.h"
#include "clip.h"
#include "fileio.h"
#include "harness.h"
#include "sendump.h"

/* An s3 file as sphinxtrain writes one (with a checksum): dims, then "n" floats from "values". */
static void s3_write(const char *path, const uint32_t *dims, size_t n_dims, const float *values, size_t n) {
        static const char head[] = "s3\nversion 1.0\nchksum0 yes\n", end[] = "endhdr\n";
        size_t pad = (4 - (strlen(head) + strlen(end)) % 4) % 4;
        int32_t marker = 0x11223344;
        uint32_t count = (uint32_t) n, checksum = 0x12345678;
        FILE *f = fopen(path, "we");

        require(f, "fopen %s", path);
        fprintf(f, "%s%*s%s", head, (int) pad, "", end);
        fwrite(&marker, 4, 1, f);
        fwrite(dims, 4, n_dims, f);
        fwrite(&count, 4, 1, f);
        fwrite(values, sizeof(float), n, f);
        fwrite(&checksum, 4, 1, f);
        fclose(f);
}

/* A model of one codebook, one stream, two densities of length 3, and two 3-state transition
 * matrices; "scale" sets its values apart, bad_* spoil one value. */
static void model_write(const char *dir, float scale, float bad_mean, float bad_var, float bad_tmat, uint32_t density) {
        _cleanup_free_ char *m = NULL, *v = NULL, *t = NULL;
        float means[6], vars[6], tmat[18];
        uint32_t gdims[4] = { 1, 1, density, 3 }, tdims[3] = { 2, 3, 3 };
        size_t n = density * 3;

        for (size_t i = 0; i < 6; i++) {
                means[i] = scale * (float) i;
                vars[i] = scale * (1 + (float) i);
        }
        for (size_t i = 0; i < 18; i++)
                tmat[i] = (i % 3 == 0) ? 0.5f * scale : 0.25f;
        means[1] = bad_mean ? bad_mean : means[1];
        vars[1] = bad_var ? bad_var : vars[1];
        tmat[1] = bad_tmat ? bad_tmat : tmat[1];
        require(asprintf(&m, "%s/means", dir) > 0 && asprintf(&v, "%s/variances", dir) > 0 &&
                asprintf(&t, "%s/transition_matrices", dir) > 0, "asprintf");
        require(mkdir(dir, 0755) == 0 || errno == EEXIST, "mkdir %s", dir);
        s3_write(m, gdims, 4, means, MIN(n, (size_t) 6));
        s3_write(v, gdims, 4, vars, MIN(n, (size_t) 6));
        s3_write(t, tdims, 3, tmat, 18);
}

static void test_check(void) {
        _cleanup_free_ char *stock = test_tmp_path("stock"), *adapted = test_tmp_path("adapted"), *nan_dir = test_tmp_path("nan"),
                *neg = test_tmp_path("negative-variance"), *prob = test_tmp_path("probability"), *shape = test_tmp_path("shape"),
                *file = test_tmp_path("adaptation");
        _cleanup_free_ char *data = NULL, *error = NULL, *copy = NULL;
        size_t size;
        Adaptation a;

        model_write(stock, 1, 0, 0, 0, 2);
        model_write(adapted, 1.5f, 0, 0, 0, 2);
        check(adaptation_bundle(adapted, stock, NULL, &data, &size, &error) == 0, "map_adapt's output bundled: %s", error ?: "");
        if (!data)
                return;
        check(adaptation_check(data, size, stock) == 0, "the bundle fits the model");
        check(size > 30 && memcmp(data, "voicehvac-wakeword-adaptation 2\n", 32) == 0, "it says what it is");

        /* each byte of the header matters; so does each part's length */
        copy = malloc(size);
        require(copy, "malloc");
        memcpy(copy, data, size);
        copy[3] = 'X';
        check(adaptation_check(copy, size, stock) == -EBADMSG, "another magic");
        check(adaptation_check(data, size - 1, stock) == -EBADMSG, "truncated");
        check(adaptation_check(data, 40, stock) == -EBADMSG, "header only");
        memcpy(copy, data, size);
        copy[size - 1] ^= 0x40;         /* the last transition probability's exponent: far out of [0, 1] */
        check(adaptation_check(copy, size, stock) == -EBADMSG, "a spoilt value in the last part");
        check(adaptation_check("", 0, stock) == -EBADMSG, "empty");

        require(test_write_file(file, "") == 0, "write");
        {
                FILE *f = fopen(file, "we");
                require(f, "fopen");
                fwrite(data, 1, size, f);
                fclose(f);
        }
        check(adaptation_open(file, stock, &a) == 0, "opened");
        for (AdaptationPart p = 0; p < _ADAPTATION_PART_MAX; p++)
                check(a.fd[p] >= 0 && strncmp(a.path[p], "/proc/self/fd/", 14) == 0, "part %s as a memfd: %s",
                      adaptation_part_file(p), a.path[p]);
        adaptation_close(&a);
        check(adaptation_open(file, adapted, &a) == 0, "the adapted model has the same shape");
        adaptation_close(&a);
        check(adaptation_open(nan_dir, stock, &a) == -ENOENT || adaptation_open(nan_dir, stock, &a) == -EISDIR ||
              adaptation_open(nan_dir, stock, &a) < 0, "no file");

        /* map_adapt's output refused */
        free(error);
        error = NULL;
        free(data);
        data = NULL;
        model_write(nan_dir, 1, NAN, 0, 0, 2);
        check(adaptation_bundle(nan_dir, stock, NULL, &data, &size, &error) == -EBADMSG, "a mean not a number");
        free(error);
        error = NULL;
        model_write(neg, 1, 0, -1, 0, 2);
        check(adaptation_bundle(neg, stock, NULL, &data, &size, &error) == -EBADMSG, "a negative variance");
        free(error);
        error = NULL;
        model_write(prob, 1, 0, 0, 1.5f, 2);
        check(adaptation_bundle(prob, stock, NULL, &data, &size, &error) == -EBADMSG, "a transition probability of 1.5");
        free(error);
        error = NULL;
        model_write(shape, 1, 0, 0, 0, 1);
        check(adaptation_bundle(shape, stock, NULL, &data, &size, &error) == -EBADMSG && error, "another shape: %s", error ?: "?");
        free(error);
        error = NULL;
        check(adaptation_bundle(file, stock, NULL, &data, &size, &error) < 0, "not a directory of parts");
}

#define STRLEN_ARGS(s) s, strlen(s)

/* The file's copy with its first "from" replaced by "to" (the parts' bytes are not text, so the
 * header alone is searched). */
static char *header_edit(const char *data, size_t size, const char *from, const char *to, size_t *ret_size) {
        const char *end = memmem(data, size, "\n\n", 2), *at = memmem(data, size, from, strlen(from));
        char *out;

        require(end && at && at < end, "'%s' in the header", from);
        *ret_size = size - strlen(from) + strlen(to);
        out = malloc(*ret_size);
        require(out, "malloc");
        memcpy(out, data, (size_t) (at - data));
        memcpy(out + (at - data), to, strlen(to));
        memcpy(out + (at - data) + strlen(to), at + strlen(from), size - (size_t) (at - data) - strlen(from));
        return out;
}

/* The enrolment's calibration kept in the file: read back as written; a file of version 1 (no
 * calibration) still loads, with an empty one; a malformed calibration makes the file unusable. */
static void test_calibration(void) {
        _cleanup_free_ char *stock = test_tmp_path("cal-stock"), *adapted = test_tmp_path("cal-adapted"),
                *data = NULL, *error = NULL, *v1 = NULL, *tmp = NULL;
        static const char *const malformed[][2] = {
                { "wake_fits 20.50", "wake_fits 20.5x" },
                { "wake_fits 20.50", "wake_fits nan" },
                { "wake_fits 20.50", "wake_fits 1e5" },
                { "wake_fits 20.50", "wake_fits 99999.00" },
                { "wake_fits 20.50", "wake_fits  20.50" },
                { "wake_fits 20.50 ", "wake_fits 20.50\n" },
                { "command_fits", "command_fit" },
                { "command_fits", "wake_fits" },
                { "\ncommand_fits", "" },
        };
        SpeakerCalibration c = {
                .wake = { 20.5, 13.25, -3 }, .n_wake = 3,
                .command = { 8, -1.5, SPEAKER_FIT_ABS_MAX }, .n_command = 3,
        }, got;
        size_t size, v1_size, tmp_size;

        model_write(stock, 1, 0, 0, 0, 2);
        model_write(adapted, 1.25f, 0, 0, 0, 2);
        check(adaptation_bundle(adapted, stock, &c, &data, &size, &error) == 0, "bundled with a calibration: %s", error ?: "");
        if (!data)
                return;
        check(adaptation_check(data, size, stock) == 0, "the bundle fits the model");
        check(adaptation_calibration(data, size, &got) == 0, "its calibration read");
        check(got.n_wake == 3 && got.n_command == 3, "as many fits as written: %zu, %zu", got.n_wake, got.n_command);
        check(got.wake[0] == 20.5 && got.wake[1] == 13.25 && got.wake[2] == -3 && got.command[0] == 8 &&
              got.command[1] == -1.5 && got.command[2] == SPEAKER_FIT_ABS_MAX, "the fits as written, in their order");
        check(memmem(data, size, STRLEN_ARGS("\nwake_fits 20.50 13.25 -3.00\ncommand_fits 8.00 -1.50 10000.00\n\n")) != NULL,
              "one line of each kind in the header");

        /* a file written before the calibration existed */
        tmp = header_edit(data, size, "voicehvac-wakeword-adaptation 2", "voicehvac-wakeword-adaptation 1", &tmp_size);
        v1 = header_edit(tmp, tmp_size, "wake_fits 20.50 13.25 -3.00\ncommand_fits 8.00 -1.50 10000.00\n", "", &v1_size);
        check(adaptation_check(v1, v1_size, stock) == 0, "version 1, without a calibration: still an adaptation");
        got.n_wake = 7;
        check(adaptation_calibration(v1, v1_size, &got) == 0 && got.n_wake == 0 && got.n_command == 0,
              "with an empty calibration (%zu, %zu)", got.n_wake, got.n_command);
        check(adaptation_check(tmp, tmp_size, stock) == -EBADMSG, "version 1 with fits lines: not a file of either version");
        free(tmp);
        tmp = header_edit(v1, v1_size, "voicehvac-wakeword-adaptation 1", "voicehvac-wakeword-adaptation 2", &tmp_size);
        check(adaptation_check(tmp, tmp_size, stock) == -EBADMSG, "version 2 without its calibration: unusable");
        tmp = mfree(tmp);

        /* none measured */
        free(data);
        data = NULL;
        check(adaptation_bundle(adapted, stock, NULL, &data, &size, &error) == 0, "bundled without a calibration");
        check(data && memmem(data, size, STRLEN_ARGS("\nwake_fits\ncommand_fits\n\n")) != NULL, "two empty lines of fits");
        check(data && adaptation_calibration(data, size, &got) == 0 && got.n_wake == 0 && got.n_command == 0, "read as empty");
        free(data);
        data = NULL;
        require(adaptation_bundle(adapted, stock, &c, &data, &size, &error) == 0, "bundled again");

        for (size_t i = 0; i < ELEMENTSOF(malformed); i++) {
                tmp = header_edit(data, size, malformed[i][0], malformed[i][1], &tmp_size);
                check(adaptation_check(tmp, tmp_size, stock) == -EBADMSG && adaptation_calibration(tmp, tmp_size, &got) == -EBADMSG,
                      "malformed calibration '%s' for '%s': unusable", malformed[i][1], malformed[i][0]);
                tmp = mfree(tmp);
        }
}

/* Speech-like: bursts of a tone 30 dB over a noise floor. */
static int16_t *clip_new(size_t n, double speech_amplitude, double floor_amplitude, unsigned seed) {
        int16_t *s = malloc(n * sizeof(int16_t));

        for (size_t i = 0; s && i < n; i++) {
                double v = floor_amplitude * (2.0 * rand_r(&seed) / RAND_MAX - 1);

                if ((i / 4000) % 2 == 1)
                        v += speech_amplitude * sin(2 * M_PI * 220 * (double) i / 16000);
                s[i] = (int16_t) lround(fmax(-32768, fmin(32767, v)));
        }
        return s;
}

static void test_clip(void) {
        _cleanup_free_ int16_t *good = clip_new(32000, 8000, 100, 1), *silent = clip_new(32000, 0, 100, 2),
                *digital = calloc(32000, sizeof(int16_t)), *loud = clip_new(32000, 80000, 100, 3);
        const char *why;

        require(good && silent && digital && loud, "malloc");
        why = clip_problem(good, 32000);
        check(!why, "2 s of bursts over a floor: fine (%s)", why ?: "");
        why = clip_problem(good, 12000);
        check(why && strstr(why, "too short"), "0.75 s: %s", why ?: "accepted");
        why = clip_problem(silent, 32000);
        check(why && strstr(why, "silent"), "the floor alone: %s", why ?: "accepted");
        why = clip_problem(digital, 32000);
        check(why && strstr(why, "silent"), "digital silence: %s", why ?: "accepted");
        why = clip_problem(loud, 32000);
        check(why && strstr(why, "clipped"), "clipped: %s", why ?: "accepted");
}

static void put_u32(FILE *f, uint32_t v) {
        fwrite(&v, 4, 1, f);
}

static void put_string(FILE *f, const char *s) {
        put_u32(f, (uint32_t) strlen(s) + 1);
        fwrite(s, 1, strlen(s) + 1, f);
}

/* A sendump of 2 features, 3 codewords and 4 senones, the byte of (f, c, s) being 10f + 3c + s. */
static void test_sendump(void) {
        _cleanup_free_ char *in = test_tmp_path("sendump"), *out = test_tmp_path("mixture_weights"), *bad = test_tmp_path("bad");
        _cleanup_free_ char *data = NULL, *error = NULL;
        size_t size;
        FILE *f;
        bool ok = true;

        f = fopen(in, "we");
        require(f, "fopen");
        put_string(f, "BEGIN FILE FORMAT DESCRIPTION");
        put_string(f, "feature_count 2");
        put_string(f, "mixw_shift 10");
        put_string(f, "cluster_count 0");
        put_u32(f, 0);
        put_u32(f, 3);          /* codewords */
        put_u32(f, 4);          /* senones */
        for (unsigned ft = 0; ft < 2; ft++)
                for (unsigned c = 0; c < 3; c++)
                        for (unsigned s = 0; s < 4; s++)
                                fputc((int) (10 * ft + 3 * c + s), f);
        fclose(f);

        check(sendump_to_mixture_weights(in, out, &error) == 0, "converted: %s", error ?: "");
        require(read_full_file(out, 1 << 20, &data, &size) >= 0, "read back");
        check(strncmp(data, "s3\nversion 1.0\n", 15) == 0, "an s3 header");
        {
                const char *end = strstr(data, "endhdr\n");
                size_t at = end ? (size_t) (end - data) + 7 : 0;
                uint32_t dims[4];
                int32_t marker;

                require(end && at % 4 == 0, "the data start on a 4-byte boundary (%zu)", at);
                require(size == at + 4 + 16 + 24 * sizeof(float), "size %zu", size);
                memcpy(&marker, data + at, 4);
                memcpy(dims, data + at + 4, 16);
                check(marker == 0x11223344, "byte-order marker");
                check(dims[0] == 4 && dims[1] == 2 && dims[2] == 3 && dims[3] == 24, "senones, features, codewords: %u %u %u %u",
                      dims[0], dims[1], dims[2], dims[3]);
                for (unsigned s = 0; s < 4; s++)
                        for (unsigned ft = 0; ft < 2; ft++)
                                for (unsigned c = 0; c < 3; c++) {
                                        float w;
                                        double want = pow(1.0001, -(double) ((10 * ft + 3 * c + s) << 10));

                                        memcpy(&w, data + at + 20 + ((s * 2 + ft) * 3 + c) * sizeof(float), sizeof w);
                                        if (fabs(w - want) > 1e-6 * want)
                                                ok = false;
                                }
                check(ok, "each weight is 1.0001^-(byte << shift), by senone, feature, codeword");
        }

        free(error);
        error = NULL;
        require(test_write_file(bad, "not a sendump at all") == 0, "write");
        check(sendump_to_mixture_weights(bad, out, &error) == -EBADMSG && error && strstr(error, bad), "refused: %s",
              error ?: "?");
}

int main(void) {
        test_check();
        test_calibration();
        test_clip();
        test_sendump();
        return test_result();
}
