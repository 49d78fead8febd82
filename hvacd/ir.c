/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <math.h>

#include "ir.h"
#include "macro.h"

static const IrProtocol protocols[] = {
        { "coolix", 38000, 17, 30, ir_coolix_encode },
        { "gree",   38000, 16, 30, ir_gree_encode },
};

const IrProtocol *ir_protocol_find(const char *name) {
        for (size_t i = 0; name && i < ELEMENTSOF(protocols); i++)
                if (streq(protocols[i].name, name))
                        return &protocols[i];
        return NULL;
}

int ir_protocol_check_temperature(const IrProtocol *p, double t) {
        if (!isfinite(t) || t != round(t))
                return -EINVAL;
        if (t < p->min_temperature || t > p->max_temperature)
                return -ERANGE;
        return 0;
}

void ir_frame_init(IrFrame *f, unsigned carrier, unsigned duty_cycle) {
        f->carrier = carrier;
        f->duty_cycle = duty_cycle;
        f->n = 0;
}

int ir_frame_add(IrFrame *f, bool pulse, uint32_t usec) {
        bool last_is_pulse = f->n % 2 == 1;

        if (usec == 0)
                return 0;
        if (f->n == 0 && !pulse)
                return 0;               /* leading silence is not sent */
        if (f->n > 0 && last_is_pulse == pulse) {
                f->samples[f->n - 1] += usec;
                return 0;
        }
        if (f->n >= IR_FRAME_SAMPLES_MAX)
                return -E2BIG;
        f->samples[f->n++] = usec;
        return 0;
}

int ir_frame_add_bits(IrFrame *f, uint64_t data, unsigned nbits, bool msb_first,
                      uint32_t mark, uint32_t one_space, uint32_t zero_space) {
        int r;

        for (unsigned i = 0; i < nbits; i++) {
                unsigned bit = msb_first ? nbits - 1 - i : i;
                bool one = (data >> bit) & 1;

                r = ir_frame_add(f, true, mark);
                if (r < 0)
                        return r;
                r = ir_frame_add(f, false, one ? one_space : zero_space);
                if (r < 0)
                        return r;
        }
        return 0;
}

void ir_frame_finish(IrFrame *f) {
        if (f->n % 2 == 0 && f->n > 0)
                f->n--;
}

uint64_t ir_frame_duration(const IrFrame *f) {
        uint64_t d = 0;

        for (size_t i = 0; i < f->n; i++)
                d += f->samples[i];
        return d;
}

int ir_frame_write_text(const IrFrame *f, const char *comment, FILE *out) {
        if (comment)
                fprintf(out, "# %s\n", comment);
        fprintf(out, "carrier %u\n", f->carrier);
        for (size_t i = 0; i < f->n; i++)
                fprintf(out, "%s %u\n", i % 2 == 0 ? "pulse" : "space", (unsigned) f->samples[i]);
        return fflush(out) == 0 && !ferror(out) ? 0 : -EIO;
}
