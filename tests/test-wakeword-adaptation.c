/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Enrolment's parts that need no model: the check of an adaptation file against the model's
 * feature streams, the checks of a clip's level, and the expansion of a quantised sendump into
 * the mixture weights bw reads. */

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adaptation.h"
#include "clip.h"
#include "fileio.h"
#include "harness.h"
#include "sendump.h"

static const int streams[3] = { 13, 13, 13 };

/* A transform of "classes" classes for streams of the given lengths: identity, no offset, unit
 * variance scale; "value" replaces its first matrix entry. */
static char *transform_text(unsigned classes, unsigned n, const int *len, const char *value) {
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);
        bool first = true;

        fprintf(f, "%u\n%u\n", classes, n);
        for (unsigned c = 0; c < classes; c++)
                for (unsigned s = 0; s < n; s++) {
                        fprintf(f, "%d\n", len[s]);
                        for (int i = 0; i < len[s]; i++) {
                                for (int j = 0; j < len[s]; j++) {
                                        if (first)
                                                fprintf(f, "%s ", value);
                                        else
                                                fprintf(f, "%s ", i == j ? "1.000000" : "0.000000");
                                        first = false;
                                }
                                fprintf(f, "\n");
                        }
                        for (int i = 0; i < len[s]; i++)
                                fprintf(f, "0.0 ");
                        fprintf(f, "\n");
                        for (int i = 0; i < len[s]; i++)
                                fprintf(f, "1.0 ");
                        fprintf(f, "\n");
                }
        fclose(f);
        return text;
}

static void test_check(void) {
        static const int other[3] = { 13, 13, 12 };
        _cleanup_free_ char *good = transform_text(1, 3, streams, "0.98"), *two = transform_text(2, 3, streams, "1.0"),
                *nan = transform_text(1, 3, streams, "nan"), *huge = transform_text(1, 3, streams, "1e9"),
                *shape = transform_text(1, 3, other, "1.0"), *one = transform_text(1, 1, (const int[]) { 39 }, "1.0");
        _cleanup_free_ char *truncated = NULL, *trailing = NULL;

        check(adaptation_check(good, 3, streams) == 0, "mllr_solve's layout: one class, three streams of 13");
        check(adaptation_check(two, 3, streams) == 0, "two classes");
        check(adaptation_check(nan, 3, streams) == -EBADMSG, "not a number");
        check(adaptation_check(huge, 3, streams) == -EBADMSG, "implausible value");
        check(adaptation_check(shape, 3, streams) == -EBADMSG, "a stream of another length");
        check(adaptation_check(one, 3, streams) == -EBADMSG, "one stream of 39 for a model of three of 13");
        check(adaptation_check(good, 1, (const int[]) { 39 }) == -EBADMSG, "three streams for a model of one");

        truncated = strndup(good, strlen(good) - 40);
        check(truncated && adaptation_check(truncated, 3, streams) == -EBADMSG, "truncated");
        require(asprintf(&trailing, "%s 1.0\n", good) > 0, "asprintf");
        check(adaptation_check(trailing, 3, streams) == -EBADMSG, "a number too many");
        check(adaptation_check("", 3, streams) == -EBADMSG, "empty");
        check(adaptation_check("garbage\n", 3, streams) == -EBADMSG, "text");
        check(adaptation_check("1\n3\n13 0.5", 3, streams) == -EBADMSG, "header only");
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
        test_clip();
        test_sendump();
        return test_result();
}
