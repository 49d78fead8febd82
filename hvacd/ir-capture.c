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

/* A space this long or longer is framing (a header's, a pause between frames), as ir_match()
 * counts headers. */
#define CAPTURE_FRAMING_SPACE 2500
/* Samples before the encoder's first mark, or after its last one, that a capture may hold, as a
 * decoder skips them: a receiver's glitch or a wake-up pulse, too few to be a frame. */
#define CAPTURE_LEAD_MAX 6

static uint32_t distance(uint32_t a, uint32_t b) {
        return a > b ? a - b : b - a;
}

/* Whether capture sample "x" is the encoder's sample "i", as a decoder reads it. A mark within the
 * tolerance decoders allow. A framing space is any other: a remote's pause between frames is timed
 * loosely. A bit's space (or a header's), one nearer to it than to any other the encoder sends
 * after a mark of the same length: a one or a zero, as a decoder tells them apart. */
static bool sample_same(const IrFrame *f, size_t i, uint32_t x) {
        uint32_t e = f->samples[i];

        if (i % 2 == 0)
                return ir_match(x, e);
        if (e >= CAPTURE_FRAMING_SPACE)
                return x >= CAPTURE_FRAMING_SPACE;
        if (x >= CAPTURE_FRAMING_SPACE)
                return false;
        for (size_t k = 1; k < f->n; k += 2)
                if (f->samples[k - 1] == f->samples[i - 1] && f->samples[k] < CAPTURE_FRAMING_SPACE &&
                    distance(f->samples[k], x) < distance(e, x))
                        return false;
        return true;
}

/* How far the capture's samples from "lead" on agree with the encoder's from "skip" on: how many,
 * and the encoder's frame (from 1, each after a framing space and a header-long mark) where they
 * part. */
static size_t frames_agree(const IrFrame *f, size_t skip, const uint32_t *samples, size_t n, size_t lead,
                           unsigned *ret_frame) {
        size_t i;

        *ret_frame = 1;
        for (i = lead; i < n && i - lead + skip < f->n; i++) {
                size_t k = i - lead + skip;

                if (!sample_same(f, k, samples[i]))
                        break;
                if (k % 2 == 1 && f->samples[k] >= CAPTURE_FRAMING_SPACE && k + 1 < f->n &&
                    f->samples[k + 1] >= CAPTURE_FRAMING_SPACE)
                        (*ret_frame)++;
        }
        return i;
}

/* Compares the capture's samples, every frame of them, with the encoder's: 0 when they agree, else
 * the encoder's frame where they part, and the capture's sample there. As a decoder allows, the
 * capture may start with a few samples before the frame, or without the frame's first mark and
 * space (the receiver woke up late: a leader, or the first bit of a frame of bits alone); it may
 * end with a few after the last frame's pause. */
static unsigned frames_compare(const IrFrame *f, const uint32_t *samples, size_t n, size_t *ret_at) {
        unsigned best_frame = 1;
        size_t best = 0;

        for (size_t lead = 0; lead <= CAPTURE_LEAD_MAX && lead < n; lead += 2)
                for (size_t skip = 0; skip <= 2 && skip < f->n; skip += 2) {
                        unsigned frame;
                        size_t i = frames_agree(f, skip, samples, n, lead, &frame);

                        if (i - lead + skip == f->n && (i == n || (n - i <= CAPTURE_LEAD_MAX + 1 &&
                                                                   samples[i] >= CAPTURE_FRAMING_SPACE)))
                                return 0;
                        if (i > best) {
                                best = i;
                                best_frame = frame;
                        }
                }
        *ret_at = best;
        return best_frame;
}

static bool reproduces(const IrProtocol *p, const IrFanTable *t, const IrDecoded *d, const unsigned *options,
                       const IrCapture *c, char *why, size_t size) {
        _cleanup_free_ IrFrame *frame = malloc(sizeof(IrFrame));
        IrDecoded again;
        unsigned part;
        size_t at;

        if (!frame || ir_encode_table(p, t, &d->state, options, frame) < 0 ||
            ir_decode_table(p, t, frame->samples, frame->n, &again) < 0)
                return false;
        if (again.n_bytes != d->n_bytes || memcmp(again.bytes, d->bytes, d->n_bytes) != 0)
                return false;
        part = frames_compare(frame, c->samples, c->n, &at);
        if (part > 0 && why)
                snprintf(why, size, "the encoder's frame %u differs at sample %zu of %zu (%zu sent)", part, at, c->n,
                         frame->n);
        return part == 0;
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
        char got[64], bytes[2 * IR_STATE_BYTES_MAX + 1], differs[96] = "its frame";
        unsigned defaults[IR_OPTIONS_MAX];

        *ret = (IrCaptureResult) {};
        ret->decode = ir_decode_table(p, t, c->samples, c->n, &ret->decoded);
        if (ret->decode < 0) {
                snprintf(ret->why, sizeof(ret->why), "%s", ir_decode_strerror(ret->decode));
                return;
        }

        ret->reproduced = reproduces(d->protocol, t, d, d->options, c, differs, sizeof(differs));
        /* Defaults for the bits, the capture's own frame shape. */
        ir_options_default(d->protocol, defaults);
        for (size_t i = 0; d->protocol->options && d->protocol->options[i].name; i++)
                if (streq(d->protocol->options[i].name, "frames"))
                        defaults[i] = d->options[i];
        ret->reproduced_defaults = reproduces(d->protocol, t, d, defaults, c, NULL, 0);

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
        if (c->in_model && !ret->matches_label)
                snprintf(ret->why, sizeof(ret->why), "decoded %s (%s)", got, bytes);
        else if (!ret->reproduced)
                snprintf(ret->why, sizeof(ret->why), "%s%s%sencoder differs from %s: %s", c->in_model ? "" :
                         "label outside the climate model; decoded ", c->in_model ? "" : got, c->in_model ? "" : "; ",
                         bytes, differs);
        else if (!ret->matches_label)
                snprintf(ret->why, sizeof(ret->why), "label outside the climate model; decoded %s (%s)", got, bytes);
}
