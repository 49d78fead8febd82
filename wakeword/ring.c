/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <assert.h>
#include <string.h>

#include "macro.h"
#include "ring.h"

void ring_init(Ring *r, int16_t *data, size_t size) {
        assert(size > 0);
        *r = (Ring) { .data = data, .size = size };
}

void ring_push(Ring *r, const int16_t *samples, size_t n) {
        /* only the last "size" samples can stay */
        if (n > r->size) {
                samples += n - r->size;
                r->fill = r->size;
                n = r->size;
        }
        while (n > 0) {
                size_t chunk = MIN(n, r->size - r->head);

                memcpy(r->data + r->head, samples, chunk * sizeof(int16_t));
                r->head = (r->head + chunk) % r->size;
                r->fill = MIN(r->fill + chunk, r->size);
                samples += chunk;
                n -= chunk;
        }
}

size_t ring_copy_last(const Ring *r, size_t max, int16_t *buf) {
        size_t n = MIN(max, r->fill), start = (r->head + r->size - n) % r->size, first = MIN(n, r->size - start);

        memcpy(buf, r->data + start, first * sizeof(int16_t));
        memcpy(buf + first, r->data, (n - first) * sizeof(int16_t));
        return n;
}

void ring_clear(Ring *r) {
        r->fill = 0;
}
