/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ir-capture.h"
#include "macro.h"

static void capture_parse_label(IrCapture *c) {
        char copy[sizeof(c->label)], *words[8], *saveptr = NULL, *w, *end;
        size_t n = 0;

        c->off = streq(c->label, "off");
        c->in_model = c->off;
        c->temperature = NAN;
        if (c->off)
                return;

        strcpy(copy, c->label);
        for (w = strtok_r(copy, " ", &saveptr); w && n < ELEMENTSOF(words); w = strtok_r(NULL, " ", &saveptr))
                words[n++] = w;
        if (n < 2)
                return;
        c->mode = hvac_mode_from_string(words[0]);
        c->fan = hvac_fan_from_string(words[1]);
        if (n >= 3) {
                c->temperature = strtod(words[n - 1], &end);
                if (*end != '\0')
                        c->temperature = NAN;
                /* Remotes sold in the US are labelled in °F; their frames carry °C. */
                if (c->temperature > 50)
                        c->temperature = round((c->temperature - 32) * 5 / 9);
        }
        /* A swing position or the like between fan and temperature is an option, not a state. */
        c->in_model = c->mode >= 0 && c->fan >= 0 && (n == 3 || n == 4) &&
                (isfinite(c->temperature) || (n == 3 && streq(words[2], "-")));
}

int ir_capture_read(FILE *f, IrCapture *c, unsigned *line) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        bool have_label = false;

        for (;;) {
                ssize_t len = getline(&buf, &size, f);
                unsigned bad_line = 0;
                int r;

                if (len < 0)
                        return have_label ? -EINVAL : 0;
                (*line)++;
                if (len > 0 && buf[len - 1] == '\n')
                        buf[--len] = '\0';
                if (strncmp(buf, "# label ", 8) == 0) {
                        if (have_label || (size_t) len - 8 >= sizeof(c->label))
                                return -EINVAL;
                        strcpy(c->label, buf + 8);
                        c->line = *line;
                        capture_parse_label(c);
                        have_label = true;
                        continue;
                }
                if (buf[0] == '#' || buf[0] == '\0')
                        continue;
                if (!have_label)
                        return -EINVAL;
                r = ir_samples_parse_text(buf, c->samples, ELEMENTSOF(c->samples), &c->n, &bad_line);
                return r < 0 ? r : 1;
        }
}

static bool reproduces(const IrProtocol *p, const IrFanTable *t, const IrDecoded *d, const unsigned *options) {
        _cleanup_free_ IrFrame *frame = malloc(sizeof(IrFrame));
        IrDecoded again;

        if (!frame || ir_encode_table(p, t, &d->state, options, frame) < 0 ||
            ir_decode_table(p, t, frame->samples, frame->n, &again) < 0)
                return false;
        return again.n_bytes == d->n_bytes && memcmp(again.bytes, d->bytes, d->n_bytes) == 0;
}

static void describe_decoded(const IrDecoded *d, char *buf, size_t size) {
        int k;

        if (!d->state.power) {
                snprintf(buf, size, "off");
                return;
        }
        k = snprintf(buf, size, "%s", hvac_mode_to_string(d->state.mode));
        if (k > 0 && (size_t) k < size)
                k += snprintf(buf + k, size - k, " %s", d->has_fan ? hvac_fan_to_string(d->state.fan) :
                              d->fan_beyond_model ? "other" : "-");
        if (k > 0 && (size_t) k < size) {
                if (d->has_temperature)
                        snprintf(buf + k, size - k, " %g", d->state.target_temperature);
                else
                        snprintf(buf + k, size - k, " -");
        }
}

void ir_capture_check(const IrProtocol *p, const IrFanTable *t, const IrCapture *c, IrCaptureResult *ret) {
        const IrDecoded *d = &ret->decoded;
        char got[64], bytes[2 * IR_STATE_BYTES_MAX + 1];
        unsigned defaults[IR_OPTIONS_MAX];

        *ret = (IrCaptureResult) {};
        ret->decode = ir_decode_table(p, t, c->samples, c->n, &ret->decoded);
        if (ret->decode < 0) {
                snprintf(ret->why, sizeof(ret->why), "%s", ir_decode_strerror(ret->decode));
                return;
        }

        ret->reproduced = reproduces(d->protocol, t, d, d->options);
        /* Defaults for the bits, the capture's own frame shape. */
        ir_options_default(d->protocol, defaults);
        for (size_t i = 0; d->protocol->options && d->protocol->options[i].name; i++)
                if (streq(d->protocol->options[i].name, "frames"))
                        defaults[i] = d->options[i];
        ret->reproduced_defaults = reproduces(d->protocol, t, d, defaults);

        if (c->off)
                ret->matches_label = !d->state.power;
        else if (c->in_model)
                ret->matches_label = d->state.power && d->state.mode == c->mode &&
                        (!d->has_fan || d->state.fan == c->fan) && !d->fan_beyond_model &&
                        (!d->has_temperature || !isfinite(c->temperature) ||
                         d->state.target_temperature == c->temperature);

        for (size_t i = 0; i < d->n_bytes; i++)
                snprintf(bytes + 2 * i, 3, "%02X", d->bytes[i]);
        describe_decoded(d, got, sizeof(got));
        if (!ret->matches_label)
                snprintf(ret->why, sizeof(ret->why), "%s%s (%s)", c->in_model ? "decoded " : "label outside the "
                         "climate model; decoded ", got, bytes);
        else if (!ret->reproduced)
                snprintf(ret->why, sizeof(ret->why), "encoder differs from %s", bytes);
}
