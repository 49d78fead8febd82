/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* What `hvacd --ir-decode` and the IR receiver do with what they are given: the text parser
 * (ir-ctl -r and mode2 text) and every protocol's decoder on arbitrary samples. The first byte
 * chooses: even, the rest is text; odd, the rest is 16-bit little-endian durations in µs, so the
 * fuzzer reaches the decoders without having to spell numbers. What must hold: the parser and
 * decoders return one of their documented errors or a state the protocol can carry, whose
 * options fit their fields and which encodes again without harm. */

#include <errno.h>

#include "fuzz-util.h"
#include "ir.h"

#define SAMPLES_MAX 4096

static void check_decoded(const IrDecoded *d) {
        const IrProtocol *p = d->protocol;
        IrFrame *f;
        FILE *null;
        int r;

        fuzz_assert(p, "a protocol");
        fuzz_assert(d->state.mode >= 0 && d->state.mode < _HVAC_MODE_MAX, "mode %d", d->state.mode);
        fuzz_assert(d->state.fan >= 0 && d->state.fan < _HVAC_FAN_MAX, "fan %d", d->state.fan);
        fuzz_assert(d->n_bytes > 0 && d->n_bytes <= p->state_bytes, "%zu bytes", d->n_bytes);
        if (d->has_temperature)
                fuzz_assert(d->state.target_temperature >= p->min_temperature &&
                            d->state.target_temperature <= p->max_temperature, "%s: %g °C", p->name,
                            d->state.target_temperature);
        for (size_t i = 0; p->options && p->options[i].name; i++)
                fuzz_assert(d->options[i] <= ir_option_max(&p->options[i]), "%s option %s = %u", p->name,
                            p->options[i].name, d->options[i]);

        null = fopen("/dev/null", "we");
        fuzz_assert(null, "/dev/null");
        fuzz_assert(ir_decoded_write_json(d, null) == 0, "JSON");
        fclose(null);

        f = malloc(sizeof(IrFrame));
        fuzz_assert(f, "malloc");
        r = ir_encode(p, &d->state, d->options, f);
        fuzz_assert(r == 0 || r == -EINVAL || r == -ERANGE || r == -E2BIG, "%s: encode %d", p->name, r);
        if (r == 0)
                fuzz_assert(f->n % 2 == 1 && f->n <= IR_FRAME_SAMPLES_MAX, "%s: %zu samples", p->name, f->n);
        free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint32_t *samples = malloc(SAMPLES_MAX * sizeof(uint32_t));
        size_t n = 0;
        IrDecoded d;
        int r;

        fuzz_assert(samples, "malloc");
        if (size > 0 && (data[0] & 1)) {
                for (size_t i = 1; i + 1 < size && n < SAMPLES_MAX; i += 2)
                        if ((samples[n] = data[i] | (uint32_t) data[i + 1] << 8) > 0)
                                n++;
                if (n % 2 == 0 && n > 0)
                        n--;
        } else if (size > 0) {
                char *text = fuzz_strndup(data + 1, size - 1);
                unsigned line = 0;

                r = ir_samples_parse_text(text, samples, SAMPLES_MAX, &n, &line);
                fuzz_assert(r == 0 || r == -EINVAL || r == -E2BIG, "parse returned %d", r);
                free(text);
                if (r < 0)
                        n = 0;
        }

        if (n > 0) {
                r = ir_decode(NULL, samples, n, &d);
                fuzz_assert(r == 0 || r == -EPROTONOSUPPORT || r == -EBADMSG || r == -ENODATA || r == -ERANGE,
                            "decode returned %d", r);
                if (r == 0)
                        check_decoded(&d);
        }
        free(samples);
        return 0;
}
