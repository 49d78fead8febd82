/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "macro.h"
#include "message.h"
#include "sendump.h"

#define SENDUMP_MAX (64u << 20)
#define HEADER_STRING_MAX 65536u

typedef struct Reader {
        const uint8_t *data;
        size_t size, pos;
        bool swap;                      /* the file's integers are big-endian */
        bool order_known;
} Reader;

static int read_u32(Reader *r, uint32_t *ret) {
        uint32_t v;

        if (r->size - r->pos < 4)
                return -EBADMSG;
        memcpy(&v, r->data + r->pos, 4);
        r->pos += 4;
        /* The byte order is not stated: the first length tells it, as no header string is
         * longer than HEADER_STRING_MAX. */
        if (!r->order_known) {
                r->swap = v > HEADER_STRING_MAX;
                r->order_known = true;
        }
        *ret = r->swap ? __builtin_bswap32(v) : v;
        return 0;
}

/* A header string: a length (with its NUL), then the bytes. Returns 0 at the terminating empty one. */
static int read_header_string(Reader *r, char *buf, size_t size) {
        uint32_t n;
        int k;

        k = read_u32(r, &n);
        if (k < 0)
                return k;
        if (n == 0)
                return 0;
        if (n > HEADER_STRING_MAX || r->size - r->pos < n)
                return -EBADMSG;
        snprintf(buf, size, "%.*s", (int) MIN((size_t) n, size - 1), (const char *) r->data + r->pos);
        r->pos += n;
        return 1;
}

static void header_value(const char *line, const char *key, uint32_t *value) {
        size_t l = strlen(key);

        if (strncmp(line, key, l) == 0 && line[l] == ' ')
                *value = (uint32_t) strtoul(line + l + 1, NULL, 10);
}

/* The s3 binary layout: a text header, padded so that the data starts on a 4-byte boundary, a
 * byte-order marker, the three dimensions and their product, then the floats. */
static int mixture_weights_write(const char *path, const float *weights, uint32_t senones, uint32_t features,
                                 uint32_t codewords) {
        _cleanup_fclose_ FILE *f = NULL;
        static const char head[] = "s3\nversion 1.0\n", end[] = "endhdr\n";
        size_t pad = (4 - (strlen(head) + strlen(end)) % 4) % 4;
        uint32_t dims[4] = { senones, features, codewords, senones * features * codewords };
        int32_t marker = 0x11223344;

        f = fopen(path, "we");
        if (!f)
                return negative_errno();
        fprintf(f, "%s%*s%s", head, (int) pad, "", end);
        fwrite(&marker, sizeof marker, 1, f);
        fwrite(dims, sizeof dims, 1, f);
        fwrite(weights, sizeof(float), dims[3], f);
        if (fflush(f) != 0 || ferror(f))
                return errno > 0 ? -errno : -EIO;
        return 0;
}

int sendump_to_mixture_weights(const char *sendump, const char *mixture_weights, char **ret_error) {
        _cleanup_free_ char *data = NULL;
        _cleanup_free_ float *weights = NULL;
        uint32_t senones = 0, codewords = 0, features = 0, shift = 10, clusters = 0;
        char line[256];
        float table[256];
        size_t size;
        Reader r;
        int k;

        *ret_error = NULL;
        k = read_full_file(sendump, SENDUMP_MAX, &data, &size);
        if (k < 0) {
                *ret_error = message_new("cannot read %s: %s", sendump, strerror(-k));
                return k;
        }
        r = (Reader) { .data = (const uint8_t *) data, .size = size };
        /* the title, then "key value" strings up to an empty one */
        for (bool title = true;; title = false) {
                k = read_header_string(&r, line, sizeof line);
                if (k < 0)
                        goto bad;
                if (k == 0)
                        break;
                if (title)
                        continue;
                header_value(line, "mixture_count", &senones);
                header_value(line, "model_count", &codewords);
                header_value(line, "mixw_shift", &shift);
                header_value(line, "feature_count", &features);
                header_value(line, "cluster_count", &clusters);
        }
        if (clusters != 0) {
                *ret_error = message_new("%s: clustered mixture weights are not supported", sendump);
                return -EOPNOTSUPP;
        }
        if (read_u32(&r, &codewords) < 0 || read_u32(&r, &senones) < 0)
                goto bad;
        if (senones == 0 || senones > 1000000 || codewords == 0 || codewords > 4096 || features == 0 || features > 8 ||
            shift > 16 || r.size - r.pos < (size_t) senones * codewords * features)
                goto bad;

        weights = malloc((size_t) senones * features * codewords * sizeof(float));
        if (!weights)
                return -ENOMEM;
        /* a byte b is the weight 1.0001^-(b << shift) */
        for (unsigned b = 0; b < ELEMENTSOF(table); b++)
                table[b] = (float) pow(1.0001, -(double) (b << shift));
        /* stored by feature, codeword, senone; written by senone, feature, codeword */
        for (uint32_t f = 0; f < features; f++)
                for (uint32_t c = 0; c < codewords; c++) {
                        const uint8_t *row = r.data + r.pos;

                        for (uint32_t s = 0; s < senones; s++)
                                weights[((size_t) s * features + f) * codewords + c] = table[row[s]];
                        r.pos += senones;
                }
        k = mixture_weights_write(mixture_weights, weights, senones, features, codewords);
        if (k < 0)
                *ret_error = message_new("cannot write %s: %s", mixture_weights, strerror(-k));
        return k;
bad:
        *ret_error = message_new("%s is not a sendump file PocketSphinx could read", sendump);
        return -EBADMSG;
}
