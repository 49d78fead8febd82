/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The sample ring of the gate's pre-roll and the wake stage's history: it keeps the latest
 * samples in order across its wrap, and a push longer than the ring keeps only its tail. */

#include "harness.h"
#include "ring.h"

static void fill(int16_t *buf, size_t n, int16_t first) {
        for (size_t i = 0; i < n; i++)
                buf[i] = (int16_t) (first + (int16_t) i);
}

static bool runs_from(const int16_t *buf, size_t n, int16_t first) {
        for (size_t i = 0; i < n; i++)
                if (buf[i] != (int16_t) (first + (int16_t) i))
                        return false;
        return true;
}

int main(void) {
        int16_t data[10], in[25], out[25];
        Ring r;

        ring_init(&r, data, ELEMENTSOF(data));
        check(ring_copy_last(&r, 10, out) == 0, "empty");

        fill(in, 4, 100);
        ring_push(&r, in, 4);
        check(ring_copy_last(&r, 10, out) == 4 && runs_from(out, 4, 100), "partly filled: all of it, in order");
        check(ring_copy_last(&r, 2, out) == 2 && runs_from(out, 2, 102), "the last two");

        fill(in, 9, 104);               /* 13 pushed: wraps */
        ring_push(&r, in, 9);
        check(ring_copy_last(&r, 25, out) == 10 && runs_from(out, 10, 103), "wrapped: the last ten, in order");
        check(ring_copy_last(&r, 7, out) == 7 && runs_from(out, 7, 106), "wrapped: the last seven");

        fill(in, 25, 200);
        ring_push(&r, in, 25);
        check(ring_copy_last(&r, 25, out) == 10 && runs_from(out, 10, 215), "a push longer than the ring: its tail");

        ring_clear(&r);
        check(ring_copy_last(&r, 10, out) == 0, "cleared");
        fill(in, 3, 300);
        ring_push(&r, in, 3);
        check(ring_copy_last(&r, 10, out) == 3 && runs_from(out, 3, 300), "after a clear only what came since");
        return test_result();
}
