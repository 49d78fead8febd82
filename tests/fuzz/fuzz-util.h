/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the libFuzzer targets share: a property that must hold aborts with the reason (libFuzzer
 * then keeps the input as a crash), input turned into a C string, and a private scratch
 * directory for the loaders that read files. */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define fuzz_assert(cond, ...)                                                          \
        do {                                                                            \
                if (!(cond)) {                                                          \
                        fprintf(stderr, "%s:%d: property violated: %s: ", __FILE__, __LINE__, #cond); \
                        fprintf(stderr, __VA_ARGS__);                                   \
                        fputc('\n', stderr);                                            \
                        abort();                                                        \
                }                                                                       \
        } while (0)

/* A malloc'd NUL-terminated copy (an embedded NUL stays, so the callee sees it). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);

        if (!s)
                abort();
        memcpy(s, data, size);
        s[size] = 0;
        return s;
}

static char fuzz_dir[64];

static inline void fuzz_scratch_remove(void) {
        (void) rmdir(fuzz_dir);
}

/* One scratch directory per process; the targets remove what they put in it after each input,
 * and the directory goes at exit. */
static inline const char *fuzz_scratch_dir(void) {
        char *dir = fuzz_dir;

        if (!dir[0]) {
                const char *tmp = getenv("TMPDIR");

                snprintf(dir, sizeof(fuzz_dir), "%s/vh-fuzz-XXXXXX", tmp && strlen(tmp) < 40 ? tmp : "/tmp");
                if (!mkdtemp(dir))
                        abort();
                atexit(fuzz_scratch_remove);
        }
        return dir;
}

static inline void fuzz_write_file(const char *path, const uint8_t *data, size_t size) {
        FILE *f = fopen(path, "we");

        if (!f || (size > 0 && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
                abort();
}
