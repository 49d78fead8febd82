/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "macro.h"

static const IrProtocol *const protocols[] = {
        &ir_protocol_coolix,
        &ir_protocol_midea,
        &ir_protocol_gree,
        &ir_protocol_mitsubishi,
        &ir_protocol_daikin,
        &ir_protocol_fujitsu,
        &ir_protocol_lg,
        &ir_protocol_panasonic,
        &ir_protocol_hitachi,
        &ir_protocol_samsung,
        &ir_protocol_toshiba,
        &ir_protocol_mitsubishi_heavy,
        &ir_protocol_mitsubishi_heavy_88,
        &ir_protocol_daikin216,
        &ir_protocol_daikin152,
        &ir_protocol_mitsubishi112,
};

const IrProtocol *ir_protocol_find(const char *name) {
        for (size_t i = 0; name && i < ELEMENTSOF(protocols); i++)
                if (streq(protocols[i]->name, name))
                        return protocols[i];
        return NULL;
}

const IrProtocol *const *ir_protocols(size_t *ret_n) {
        *ret_n = ELEMENTSOF(protocols);
        return protocols;
}

int ir_protocol_check_temperature(const IrProtocol *p, double t) {
        if (!isfinite(t) || t != round(t))
                return -EINVAL;
        if (t < p->min_temperature || t > p->max_temperature)
                return -ERANGE;
        return 0;
}

unsigned ir_option_max(const IrOptionField *o) {
        return o->override ? 1u << o->width : (1u << o->width) - 1;
}

static unsigned option_bits(const IrOptionField *o, const uint8_t *state) {
        return (state[o->byte] >> o->shift) & ((1u << o->width) - 1);
}

void ir_options_default(const IrProtocol *p, unsigned ret[IR_OPTIONS_MAX]) {
        memset(ret, 0, sizeof(unsigned) * IR_OPTIONS_MAX);
        for (size_t i = 0; p->options && p->options[i].name; i++)
                ret[i] = p->options[i].def;
}

int ir_option_index(const IrProtocol *p, const char *name) {
        for (size_t i = 0; p->options && p->options[i].name; i++)
                if (streq(p->options[i].name, name))
                        return (int) i;
        return -ENOENT;
}

int ir_option_set(const IrProtocol *p, unsigned *values, const char *name, unsigned value) {
        int i = ir_option_index(p, name);

        if (i < 0)
                return i;
        if (value > ir_option_max(&p->options[i]))
                return -ERANGE;
        values[i] = value;
        return 0;
}

unsigned ir_option_get(const IrProtocol *p, const unsigned *values, const char *name) {
        int i = ir_option_index(p, name);

        assert(i >= 0);
        return values[i];
}

void ir_options_write(const IrProtocol *p, const unsigned *values, uint8_t *state) {
        for (size_t i = 0; p->options && p->options[i].name; i++) {
                const IrOptionField *o = &p->options[i];
                uint8_t mask = (uint8_t) (((1u << o->width) - 1) << o->shift);
                unsigned v = values[i];

                assert(o->byte < p->state_bytes);
                if (o->override) {
                        if (v == 0)
                                continue;
                        v--;
                }
                state[o->byte] = (uint8_t) ((state[o->byte] & ~mask) | ((v << o->shift) & mask));
        }
}

void ir_options_read(const IrProtocol *p, const uint8_t *state, unsigned *ret) {
        memset(ret, 0, sizeof(unsigned) * IR_OPTIONS_MAX);
        for (size_t i = 0; p->options && p->options[i].name; i++) {
                const IrOptionField *o = &p->options[i];

                ret[i] = option_bits(o, state) + o->override;
        }
}

int ir_mode_code(const IrProtocol *p, HvacMode m) {
        assert(p->table_driven);
        if ((unsigned) m >= _HVAC_MODE_MAX)
                return -EINVAL;
        return p->mode_codes[m];
}

int ir_fan_code(const IrProtocol *p, const HvacState *s) {
        assert(p->table_driven && p->fan_tables);
        if ((unsigned) s->fan >= _HVAC_FAN_MAX)
                return -EINVAL;
        return p->fan_tables[0].code[p->dry_fan_auto && s->mode == HVAC_MODE_DRY ? HVAC_FAN_AUTO : s->fan];
}

int ir_mode_from_code(const IrProtocol *p, unsigned code, HvacMode *ret) {
        assert(p->table_driven);
        for (HvacMode m = 0; m < _HVAC_MODE_MAX; m++)
                if (p->mode_codes[m] == code) {
                        *ret = m;
                        return 0;
                }
        return -ERANGE;
}

void ir_decoded_set_fan(const IrProtocol *p, IrDecoded *d, unsigned code) {
        assert(p->table_driven && p->fan_tables);
        d->has_fan = false;
        d->fan_beyond_model = true;
        for (HvacFan f = 0; f < _HVAC_FAN_MAX; f++)
                if (p->fan_tables[0].code[f] == code) {
                        d->state.fan = f;       /* kept even where unsaid: what the frame sends */
                        d->has_fan = true;
                        d->fan_beyond_model = false;
                        break;
                }
        if (p->dry_fan_unsaid && d->state.mode == HVAC_MODE_DRY)
                d->has_fan = d->fan_beyond_model = false;       /* the unit's choice */
}

const IrFanTable *ir_fan_table_find(const IrProtocol *p, const char *name) {
        if (isempty(name))
                return p->fan_tables;
        for (size_t i = 0; p->fan_tables && p->fan_tables[i].name; i++)
                if (streq(p->fan_tables[i].name, name))
                        return &p->fan_tables[i];
        return NULL;
}

void ir_fan_tables_list(const IrProtocol *p, char *buf, size_t size) {
        size_t k = 0;

        assert(size > 0);
        buf[0] = '\0';
        for (size_t i = 0; p->fan_tables && p->fan_tables[i].name && k < size; i++) {
                int w = snprintf(buf + k, size - k, "%s%s", i > 0 ? ", " : "", p->fan_tables[i].name);

                if (w < 0)
                        break;
                k += (size_t) w;
        }
}

int ir_fan_table_check(const IrProtocol *p, const char *name, const IrFanTable **ret, char **ret_problem) {
        const IrFanTable *t = ir_fan_table_find(p, name);
        char tables[256];
        int k;

        if (t || isempty(name)) {
                *ret = t;
                return 0;
        }
        ir_fan_tables_list(p, tables, sizeof(tables));
        if (tables[0] == '\0')
                k = asprintf(ret_problem, "protocol '%s' has one fan table only; '%s' names none", p->name, name);
        else
                k = asprintf(ret_problem, "protocol '%s' has no fan table '%s' (it has: %s)", p->name, name, tables);
        if (k < 0)
                *ret_problem = NULL;
        return -EINVAL;
}

/* The "fan_code" option a fan table speaks of, or NULL when another table than the protocol's
 * own is not in use. */
static const IrOptionField *fan_table_field(const IrProtocol *p, const IrFanTable *t, int *ret_index) {
        int i;

        if (!t || !p->fan_tables || t == p->fan_tables)
                return NULL;
        i = ir_option_index(p, "fan_code");
        assert(i >= 0);         /* a protocol with tables has the field */
        *ret_index = i;
        return &p->options[i];
}

int ir_build(const IrProtocol *p, const IrFanTable *t, const HvacState *s, const unsigned *options,
             uint8_t *ret) {
        const IrOptionField *o;
        unsigned values[IR_OPTIONS_MAX];
        int i, r;

        r = p->build(s, options, ret);
        o = fan_table_field(p, t, &i);
        if (r < 0 || !o || options[i] != 0 || (unsigned) s->fan >= _HVAC_FAN_MAX)
                return r;
        /* Only the code of the protocol's own table is swapped; one the mode fixed stays. */
        if (option_bits(o, ret) != p->fan_tables[0].code[s->fan])
                return 0;
        memcpy(values, options, sizeof(values));
        values[i] = t->code[s->fan] + 1u;
        return p->build(s, values, ret);
}

/* The fan a table gives the field's code, where the protocol's own table read it. */
static void fan_table_read(const IrProtocol *p, const IrFanTable *t, IrDecoded *d) {
        const IrOptionField *o;
        unsigned code;
        int i;

        o = fan_table_field(p, t, &i);
        if (!o || !(d->has_fan || d->fan_beyond_model))
                return;
        code = option_bits(o, d->bytes);
        if (d->has_fan && p->fan_tables[0].code[d->state.fan] != code)
                return;         /* a code of the mode's own (samsung's auto in auto mode …) */
        d->has_fan = false;
        d->fan_beyond_model = true;
        for (HvacFan f = 0; f < _HVAC_FAN_MAX; f++)
                if (t->code[f] == code) {
                        d->state.fan = f;
                        d->has_fan = true;
                        d->fan_beyond_model = false;
                        break;
                }
}

/* Override options the decoded state accounts for are 0: what the state alone would send. */
static void options_settle_overrides(const IrProtocol *p, const IrFanTable *t, IrDecoded *d) {
        uint8_t alone[IR_STATE_BYTES_MAX] = {};
        unsigned values[IR_OPTIONS_MAX];
        bool any = false;

        memcpy(values, d->options, sizeof(values));
        for (size_t i = 0; p->options && p->options[i].name; i++)
                if (p->options[i].override) {
                        values[i] = 0;
                        any = true;
                }
        if (!any || ir_build(p, t, &d->state, values, alone) < 0)
                return;
        for (size_t i = 0; p->options[i].name; i++)
                if (p->options[i].override && option_bits(&p->options[i], alone) == option_bits(&p->options[i], d->bytes))
                        d->options[i] = 0;
}

int ir_encode(const IrProtocol *p, const HvacState *s, const unsigned *options, IrFrame *ret) {
        return ir_encode_table(p, NULL, s, options, ret);
}

int ir_encode_table(const IrProtocol *p, const IrFanTable *t, const HvacState *s, const unsigned *options,
                    IrFrame *ret) {
        unsigned defaults[IR_OPTIONS_MAX];
        uint8_t state[IR_STATE_BYTES_MAX] = {};
        int r;

        if (!options) {
                ir_options_default(p, defaults);
                options = defaults;
        }
        r = ir_build(p, t, s, options, state);
        if (r < 0)
                return r;
        return p->encode(state, ret);
}

/* The more a failure says about a frame, the higher it ranks. */
static int decode_error_rank(int r) {
        switch (r) {
        case -EBADMSG: return 3;
        case -ENODATA: return 2;
        case -ERANGE:  return 1;
        default:       return 0;
        }
}

static int decode_at(const IrProtocol *p, const IrFanTable *t, const uint32_t *samples, size_t n, size_t start,
                     IrDecoded *ret) {
        int best = -EPROTONOSUPPORT;

        for (size_t i = 0; i < ELEMENTSOF(protocols); i++) {
                IrReader reader = { samples, n, start };
                IrDecoded d = { .protocol = protocols[i] };
                int r;

                if (p && p != protocols[i])
                        continue;
                r = protocols[i]->decode(&reader, d.bytes, &d.n_bytes);
                if (r >= 0) {
                        ir_options_read(protocols[i], d.bytes, d.options);
                        r = protocols[i]->parse(d.bytes, &d);
                }
                if (r >= 0) {
                        fan_table_read(protocols[i], t, &d);
                        options_settle_overrides(protocols[i], t, &d);
                        *ret = d;
                        return 0;
                }
                if (decode_error_rank(r) > decode_error_rank(best))
                        best = r;
        }
        return best;
}

/* A recording may start with noise, or in the middle of a frame (the receiver woke up late):
 * then every long mark is a place a frame may start. */
#define IR_FRAME_START_MIN_MARK 2000

int ir_decode(const IrProtocol *p, const uint32_t *samples, size_t n, IrDecoded *ret) {
        return ir_decode_table(p, NULL, samples, n, ret);
}

int ir_decode_table(const IrProtocol *p, const IrFanTable *t, const uint32_t *samples, size_t n, IrDecoded *ret) {
        int best = -EPROTONOSUPPORT;

        assert(!t || p);        /* a table is one protocol's */

        for (size_t start = 0; start < n; start += 2) {
                int r;

                if (start > 0 && samples[start] < IR_FRAME_START_MIN_MARK)
                        continue;
                r = decode_at(p, t, samples, n, start, ret);
                if (r >= 0)
                        return r;
                if (decode_error_rank(r) > decode_error_rank(best))
                        best = r;
        }
        return best;
}

const char *ir_decode_strerror(int r) {
        switch (r) {
        case -EPROTONOSUPPORT: return "unknown protocol: no known frame starts here";
        case -EBADMSG:         return "bad checksum";
        case -ENODATA:         return "truncated frame";
        case -ERANGE:          return "a value outside what the protocol defines";
        case -ENOMSG:          return "not a frame of this protocol";
        default:               return strerror(-r);
        }
}

int ir_decoded_write_json(const IrDecoded *d, FILE *out) {
        const IrProtocol *p = d->protocol;

        fprintf(out, "{\"protocol\":\"%s\",\"power\":%s,\"mode\":\"%s\",", p->name,
                d->state.power ? "true" : "false", hvac_mode_to_string(d->state.mode));
        if (d->has_temperature)
                fprintf(out, "\"temperature\":%g,", d->state.target_temperature);
        else
                fputs("\"temperature\":null,", out);
        if (d->has_fan)
                fprintf(out, "\"fan\":\"%s\",", hvac_fan_to_string(d->state.fan));
        else if (d->fan_beyond_model)
                fputs("\"fan\":\"other\",", out);
        else
                fputs("\"fan\":null,", out);
        fputs("\"options\":{", out);
        for (size_t i = 0; p->options && p->options[i].name; i++)
                fprintf(out, "%s\"%s\":%u", i == 0 ? "" : ",", p->options[i].name, d->options[i]);
        fputs("},\"bytes\":\"", out);
        for (size_t i = 0; i < d->n_bytes; i++)
                fprintf(out, "%02X", d->bytes[i]);
        fputs("\"}\n", out);
        return fflush(out) == 0 && !ferror(out) ? 0 : -EIO;
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

int ir_frame_add_bytes_lsb(IrFrame *f, const uint8_t *bytes, size_t n,
                           uint32_t mark, uint32_t one_space, uint32_t zero_space) {
        int r;

        for (size_t i = 0; i < n; i++) {
                r = ir_frame_add_bits(f, bytes[i], 8, false, mark, one_space, zero_space);
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

uint8_t ir_reverse_bits(uint8_t b) {
        uint8_t r = 0;

        for (unsigned i = 0; i < 8; i++)
                r = (uint8_t) (r << 1 | ((b >> i) & 1));
        return r;
}
