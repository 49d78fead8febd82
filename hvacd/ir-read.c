/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Reading pulse/space lists: the text `ir-ctl -r` and mode2 print, and the bits a frame
 * carries. Real remotes and receivers are loose: a Broadlink capture stretches marks by a tick
 * of 33 µs either way, a demodulating receiver lengthens marks and shortens spaces by up to
 * 100 µs, some remotes send marks half as long again as their notes say. So bits match within a
 * half, headers (which tell protocols apart) within a quarter, and a data bit is a one when its space is
 * nearer the one-space than the zero-space. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "macro.h"

#define IR_HEADER_MIN 2500

static int samples_add(uint32_t *samples, size_t max, size_t *n, bool pulse, unsigned long v) {
        if (v == 0 || v > UINT32_MAX)
                return -EINVAL;
        if (*n == 0 && !pulse)
                return 0;
        if (*n > 0 && ((*n - 1) % 2 == 0) == pulse) {
                samples[*n - 1] += (uint32_t) v;
                return 0;
        }
        if (*n >= max)
                return -E2BIG;
        samples[(*n)++] = (uint32_t) v;
        return 0;
}

static int parse_number(const char *s, unsigned long *ret) {
        char *end;

        if (!s || *s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        *ret = strtoul(s, &end, 10);
        if (errno != 0 || *end != '\0')
                return -EINVAL;
        return 0;
}

static int parse_line(char *line, uint32_t *samples, size_t max, size_t *n) {
        char *saveptr = NULL, *word;
        unsigned long v;
        int r;

        line[strcspn(line, "#")] = '\0';
        while ((word = strtok_r(line, " \t\r", &saveptr))) {
                line = NULL;
                if (word[0] == '+' || word[0] == '-') {
                        if (parse_number(word + 1, &v) < 0)
                                return -EINVAL;
                        r = samples_add(samples, max, n, word[0] == '+', v);
                } else if (streq(word, "pulse") || streq(word, "space") || streq(word, "timeout")) {
                        bool pulse = streq(word, "pulse");

                        if (parse_number(strtok_r(NULL, " \t\r", &saveptr), &v) < 0)
                                return -EINVAL;
                        r = samples_add(samples, max, n, pulse, v);
                } else if (streq(word, "carrier") || streq(word, "duty_cycle")) {
                        if (parse_number(strtok_r(NULL, " \t\r", &saveptr), &v) < 0)
                                return -EINVAL;
                        r = 0;
                } else
                        return -EINVAL;
                if (r < 0)
                        return r;
        }
        return 0;
}

int ir_samples_parse_text(const char *text, uint32_t *samples, size_t max, size_t *ret_n,
                          unsigned *ret_line) {
        _cleanup_free_ char *copy = strdup(text);
        char *line, *next;
        unsigned number = 0;
        size_t n = 0;
        int r;

        if (!copy)
                return -ENOMEM;
        for (line = copy; line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                number++;
                r = parse_line(line, samples, max, &n);
                if (r < 0) {
                        if (ret_line)
                                *ret_line = number;
                        return r;
                }
        }
        /* A recording ends with the silence before the timeout: not part of the signal. */
        if (n % 2 == 0 && n > 0)
                n--;
        *ret_n = n;
        return 0;
}

bool ir_match(uint32_t measured, uint32_t expected) {
        /* Headers tell protocols apart: they get less slack than bits. */
        uint32_t slack = expected >= IR_HEADER_MIN ? expected / 4 + 100 : expected / 2 + 100;

        return measured + slack >= expected && measured <= expected + slack;
}

static int read_one(IrReader *r, bool pulse, uint32_t expected) {
        if (r->pos >= r->n)
                return -ENODATA;
        assert((r->pos % 2 == 0) == pulse);
        if (!ir_match(r->s[r->pos], expected))
                return -ENOMSG;
        r->pos++;
        return 0;
}

int ir_read_mark(IrReader *r, uint32_t expected) {
        return read_one(r, true, expected);
}

int ir_read_space(IrReader *r, uint32_t expected) {
        return read_one(r, false, expected);
}

int ir_read_leader(IrReader *r, uint32_t mark, uint32_t space, uint32_t bit_mark) {
        int k;

        k = ir_read_mark(r, mark);
        if (k >= 0)
                return ir_read_space(r, space);
        /* The receiver woke up after the leader: the recording starts with the first bit. */
        if (k == -ENOMSG && r->pos == 0 && r->n > 1 && ir_match(r->s[0], bit_mark))
                return 1;
        return k;
}

int ir_read_gap(IrReader *r, uint32_t min) {
        if (r->pos >= r->n)
                return 0;
        if (r->s[r->pos] < min - min / 3)
                return -ENOMSG;
        r->pos++;
        return 0;
}

int ir_read_bits(IrReader *r, unsigned nbits, bool msb_first, uint32_t mark, uint32_t one_space,
                 uint32_t zero_space, uint64_t *ret) {
        uint32_t threshold = (one_space + zero_space) / 2, longest = MAX(one_space, zero_space);
        uint64_t v = 0;
        int k;

        for (unsigned i = 0; i < nbits; i++) {
                bool one;

                k = ir_read_mark(r, mark);
                if (k < 0)
                        return k;
                if (r->pos >= r->n)
                        return -ENODATA;
                /* A space far beyond the longer bit space is a gap: the frame ended early. */
                if (r->s[r->pos] > longest * 2 + 500)
                        return -ENODATA;
                /* Some protocols (Mitsubishi Heavy) send a one as the shorter space. */
                one = (r->s[r->pos++] > threshold) == (one_space > zero_space);
                if (msb_first)
                        v = v << 1 | one;
                else
                        v |= (uint64_t) one << i;
        }
        *ret = v;
        return 0;
}

int ir_read_bytes_lsb(IrReader *r, uint8_t *ret, size_t n, uint32_t mark, uint32_t one_space,
                      uint32_t zero_space) {
        uint64_t v;
        int k;

        for (size_t i = 0; i < n; i++) {
                k = ir_read_bits(r, 8, false, mark, one_space, zero_space, &v);
                if (k < 0)
                        return k;
                ret[i] = (uint8_t) v;
        }
        return 0;
}
