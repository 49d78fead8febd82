/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <math.h>
#include <sphinxbase/feat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adaptation.h"
#include "fileio.h"
#include "macro.h"

#define STREAMS_MAX 8
#define STREAM_LEN_MAX 128
#define CLASSES_MAX 64
#define VALUE_MAX 1e4           /* a transform near the identity; far larger is no adaptation */

static int number_next(const char **p, double *ret) {
        char *end;

        errno = 0;
        *ret = strtod(*p, &end);
        if (end == *p || errno != 0 || !isfinite(*ret))
                return -EBADMSG;
        *p = end;
        return 0;
}

static int integer_next(const char **p, long min, long max, long *ret) {
        double v;

        if (number_next(p, &v) < 0 || v != floor(v) || v < min || v > max)
                return -EBADMSG;
        *ret = (long) v;
        return 0;
}

int adaptation_check(const char *text, unsigned n_streams, const int *stream_len) {
        const char *p = text;
        long classes, streams, len;

        if (integer_next(&p, 1, CLASSES_MAX, &classes) < 0 ||
            integer_next(&p, 1, STREAMS_MAX, &streams) < 0 || (unsigned long) streams != n_streams)
                return -EBADMSG;
        /* per class and stream: its length, the matrix A, the offset b, the variance scale h */
        for (long c = 0; c < classes; c++)
                for (unsigned i = 0; i < n_streams; i++) {
                        size_t values;

                        if (integer_next(&p, 1, STREAM_LEN_MAX, &len) < 0 || len != stream_len[i])
                                return -EBADMSG;
                        values = (size_t) len * (size_t) len + 2 * (size_t) len;
                        for (size_t v = 0; v < values; v++) {
                                double x;

                                if (number_next(&p, &x) < 0 || fabs(x) > VALUE_MAX)
                                        return -EBADMSG;
                        }
                }
        while (*p == ' ' || *p == '\n' || *p == '\t')
                p++;
        return *p == '\0' ? 0 : -EBADMSG;
}

int adaptation_apply(ps_decoder_t *ps, const char *path) {
        _cleanup_free_ char *text = NULL;
        _cleanup_fclose_ FILE *copy = NULL;
        _cleanup_close_ int fd = -EBADF;
        int stream_len[STREAMS_MAX];
        char copy_path[64];
        feat_t *f = ps_get_feat(ps);
        size_t size;
        ps_mllr_t *mllr;
        unsigned n;
        int k;

        if (!f)
                return -EOPNOTSUPP;
        n = (unsigned) feat_dimension1(f);
        if (n == 0 || n > STREAMS_MAX)
                return -EOPNOTSUPP;
        for (unsigned i = 0; i < n; i++)
                stream_len[i] = (int) feat_dimension2(f, i);
        k = read_full_file(path, ADAPTATION_SIZE_MAX, &text, &size);
        if (k == -EFBIG)
                return -EBADMSG;
        if (k < 0)
                return k;
        if (strlen(text) != size)
                return -EBADMSG;
        k = adaptation_check(text, n, stream_len);
        if (k < 0)
                return k;
        /* The library reads a path: give it the text just checked, not the file again. */
        k = memfd_new_stream("wakeword-adaptation", &fd, &copy);
        if (k < 0)
                return k;
        if (fwrite(text, 1, size, copy) != size || fflush(copy) != 0)
                return -EIO;
        snprintf(copy_path, sizeof copy_path, "/proc/self/fd/%i", fd);
        mllr = ps_mllr_read(copy_path);
        if (!mllr)
                return -EBADMSG;
        (void) ps_update_mllr(ps, mllr);       /* the decoder takes it over */
        return 0;
}
