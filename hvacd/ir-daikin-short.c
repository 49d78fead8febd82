/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Daikin's shorter protocols (DAIKIN216 and DAIKIN152 in IRremoteESP8266's ir_Daikin): the
 * ARC433B and ARC480 remotes of FTXS/FTXM units (216 bits: a fixed 8-byte frame, then the
 * 19-byte state) and the ARC480A remotes of FTC/FTKQ/DTXF units (152 bits: the state alone,
 * after a leader of five zero bits). Sent LSB first, each frame 11 DA 27 first and its sum
 * last. The state frame is laid out as in the 280-bit protocol (ir-daikin.c), from its start S:
 *   S+5: power (0), mode (4–6: auto 0, dry 2, cool 3, heat 4, fan 6); S+6: temperature × 2
 *   (dry mode 0xC0); S+8: vertical swing (0–3), fan (4–7: 3–7 speeds 1–5, 0xA auto, 0xB quiet);
 *   S+9: horizontal swing; S+13: powerful (0), quiet (5); 152: S+15 0xC5, S+16 comfort (1),
 *   econo (2), sensor (3), S+17 0x08; 216: S+15 0xC0
 * The fan tables are DAIKIN's (ir-daikin.c): "standard" sends speeds 1, 3, 5, "middle" 2, 3, 4.
 * In dry mode the remotes send fan auto and temperature code 0xC0, in fan mode (152) 25 °C. */

#include <errno.h>
#include <string.h>

#include "ir.h"
#include "macro.h"

#define DAIKIN_STATE_FRAME      19
#define DAIKIN_TEMP_DRY         0xC0
#define DAIKIN_FAN_AUTO         0xA

typedef struct DaikinShort {
        const IrProtocol *protocol;
        uint32_t hdr_mark, hdr_space, bit_mark, one_space, zero_space, gap;
        bool leader;
        size_t state;                   /* where the state frame starts: 8 or 0 */
} DaikinShort;

static const uint8_t daikin_signature[3] = { 0x11, 0xDA, 0x27 };

static const DaikinShort daikin216 = {
        &ir_protocol_daikin216, 3440, 1750, 420, 1300, 450, 29650, false, 8,
};
static const DaikinShort daikin152 = {
        &ir_protocol_daikin152, 3492, 1718, 433, 1529, 433, 25182, true, 0,
};

static const IrOptionField daikin216_options[] = {
        { "fan_code", 16, 4, 4, 0, "a raw fan code: 4 and 6 speeds 2 and 4, 0xB quiet (override)", .override = true },
        { "temperature_code", 14, 0, 8, 0, "a raw temperature code (override)", .override = true },
        { "frame1_byte3", 3, 0, 8, 0xF0, "0xF0" },
        { "swing_v", 16, 0, 4, 0, "vertical swing: 0 off, 15 on" },
        { "swing_h", 17, 0, 4, 0, "horizontal swing: 0 off, 15 on" },
        { "byte21", 21, 0, 8, 0, "powerful (bit 0)" },
        { "byte23", 23, 0, 8, 0xC0, "0xC0" },
        {}
};

static const IrOptionField daikin152_options[] = {
        { "fan_code", 8, 4, 4, 0, "a raw fan code: 4 and 6 speeds 2 and 4, 0xB quiet (override)", .override = true },
        { "temperature_code", 6, 0, 8, 0, "a raw temperature code (override)", .override = true },
        { "swing_v", 8, 0, 4, 0, "vertical swing: 0 off, 15 on" },
        { "byte13", 13, 0, 8, 0, "powerful (bit 0), quiet (bit 5)" },
        { "byte15", 15, 0, 8, 0xC5, "0xC5" },
        { "byte16", 16, 0, 8, 0, "comfort (bit 1), econo (bit 2), sensor (bit 3), and bits 6–7 some remotes set" },
        { "byte17", 17, 0, 8, 0x08, "0x08" },
        {}
};

static uint8_t daikin_short_sum(const uint8_t *st, size_t from, size_t to) {
        uint8_t sum = 0;

        for (size_t i = from; i < to; i++)
                sum = (uint8_t) (sum + st[i]);
        return sum;
}

static int daikin_short_build(const DaikinShort *v, const HvacState *s, const unsigned *options, uint8_t *st) {
        const IrProtocol *p = v->protocol;
        size_t S = v->state;
        unsigned temp;
        int mode, fan, r;

        r = ir_protocol_check_temperature(p, s->target_temperature);
        if (r < 0)
                return r;
        mode = ir_mode_code(p, s->mode);
        fan = ir_fan_code(p, s);
        if (mode < 0 || fan < 0)
                return -EINVAL;
        temp = s->mode == HVAC_MODE_DRY ? DAIKIN_TEMP_DRY : (unsigned) s->target_temperature * 2;

        memset(st, 0, p->state_bytes);
        memcpy(st, daikin_signature, sizeof(daikin_signature));
        memcpy(st + S, daikin_signature, sizeof(daikin_signature));
        st[S + 5] = (uint8_t) (mode << 4 | (s->power ? 1 : 0));
        st[S + 6] = (uint8_t) temp;
        st[S + 8] = (uint8_t) (fan << 4);
        ir_options_write(p, options, st);
        if (S > 0)
                st[S - 1] = daikin_short_sum(st, 0, S - 1);
        st[S + DAIKIN_STATE_FRAME - 1] = daikin_short_sum(st, S, S + DAIKIN_STATE_FRAME - 1);
        return 0;
}

static int daikin_short_encode(const DaikinShort *v, const uint8_t *st, IrFrame *f) {
        size_t starts[] = { 0, v->state, v->state + DAIKIN_STATE_FRAME };
        int r = 0;

        ir_frame_init(f, 38000, 50);
        if (v->leader) {
                r = ir_frame_add_bits(f, 0, 5, false, v->bit_mark, v->one_space, v->zero_space);
                if (r >= 0)
                        r = ir_frame_add(f, true, v->bit_mark);
                if (r >= 0)
                        r = ir_frame_add(f, false, v->gap);
        }
        for (size_t i = v->state ? 0 : 1; r >= 0 && i < 2; i++) {
                r = ir_frame_add(f, true, v->hdr_mark);
                if (r >= 0)
                        r = ir_frame_add(f, false, v->hdr_space);
                if (r >= 0)
                        r = ir_frame_add_bytes_lsb(f, st + starts[i], starts[i + 1] - starts[i], v->bit_mark,
                                                   v->one_space, v->zero_space);
                if (r >= 0)
                        r = ir_frame_add(f, true, v->bit_mark);
                if (r >= 0)
                        r = ir_frame_add(f, false, v->gap);
        }
        if (r < 0)
                return r;
        ir_frame_finish(f);
        return 0;
}

static int daikin_short_decode(const DaikinShort *v, IrReader *r, uint8_t *st, size_t *ret_n) {
        size_t starts[] = { 0, v->state, v->state + DAIKIN_STATE_FRAME };
        int k;

        for (size_t i = v->state ? 0 : 1; i < 2; i++) {
                size_t from = starts[i], to = starts[i + 1];
                bool first = from == 0;

                k = ir_read_mark(r, v->hdr_mark);
                if (k >= 0)
                        k = ir_read_space(r, v->hdr_space);
                if (k < 0)
                        return first ? k : k == -ENOMSG ? -ENODATA : k;
                k = ir_read_bytes_lsb(r, st + from, to - from, v->bit_mark, v->one_space, v->zero_space);
                if (k < 0)
                        return first && k == -ENOMSG ? -ENOMSG : -ENODATA;
                if (memcmp(st + from, daikin_signature, sizeof(daikin_signature)) != 0)
                        return -ENOMSG;
                /* The 280-bit protocol's first frames have C5 and 42 where these have 00. */
                if (st[from + 4] != 0)
                        return -ENOMSG;
                k = ir_read_mark(r, v->bit_mark);
                if (k >= 0)
                        k = ir_read_gap(r, v->gap);
                if (k < 0)
                        return -ENODATA;
                if (daikin_short_sum(st, from, to - 1) != st[to - 1])
                        return -EBADMSG;
        }
        *ret_n = v->protocol->state_bytes;
        return 0;
}

static int daikin_short_parse(const DaikinShort *v, const uint8_t *st, IrDecoded *d) {
        const IrProtocol *p = v->protocol;
        size_t S = v->state;

        d->state = (HvacState) { .power = st[S + 5] & 1, .target_temperature = st[S + 6] / 2, .fan = HVAC_FAN_AUTO };
        if (ir_mode_from_code(p, (st[S + 5] >> 4) & 7, &d->state.mode) < 0)
                return -ERANGE;
        ir_decoded_set_fan(p, d, st[S + 8] >> 4);
        d->has_fan = d->has_fan && d->state.power;
        d->has_temperature = d->state.power;
        if (d->state.mode == HVAC_MODE_DRY || d->state.mode == HVAC_MODE_FAN_ONLY ||
            d->state.target_temperature < p->min_temperature || d->state.target_temperature > p->max_temperature) {
                d->has_temperature = false;
                d->state.target_temperature = 25;
        }
        return 0;
}

#define DAIKIN_SHORT_PROTOCOL(v)                                                                        \
        static int v##_build(const HvacState *s, const unsigned *o, uint8_t *st) {                     \
                return daikin_short_build(&v, s, o, st);                                                \
        }                                                                                               \
        static int v##_encode(const uint8_t *st, IrFrame *f) {                                          \
                return daikin_short_encode(&v, st, f);                                                  \
        }                                                                                               \
        static int v##_decode(IrReader *r, uint8_t *st, size_t *n) {                                    \
                return daikin_short_decode(&v, r, st, n);                                               \
        }                                                                                               \
        static int v##_parse(const uint8_t *st, IrDecoded *d) {                                         \
                return daikin_short_parse(&v, st, d);                                                   \
        }

#define DAIKIN_SHORT_MODE_CODES { [HVAC_MODE_AUTO] = 0, [HVAC_MODE_DRY] = 2, [HVAC_MODE_COOL] = 3, \
                                  [HVAC_MODE_HEAT] = 4, [HVAC_MODE_FAN_ONLY] = 6 }

DAIKIN_SHORT_PROTOCOL(daikin216)
DAIKIN_SHORT_PROTOCOL(daikin152)

const IrProtocol ir_protocol_daikin216 = {
        .name = "daikin216",
        .description = "Daikin 216-bit (ARC433B remotes of FTXS units)",
        .carrier = 38000,
        .min_temperature = 10,
        .max_temperature = 32,
        .state_bytes = 8 + DAIKIN_STATE_FRAME,
        .options = daikin216_options,
        .fan_tables = ir_daikin_fan_tables,
        .table_driven = true,
        .mode_codes = DAIKIN_SHORT_MODE_CODES,
        .dry_fan_auto = true,
        .dry_fan_unsaid = true,
        .build = daikin216_build,
        .encode = daikin216_encode,
        .decode = daikin216_decode,
        .parse = daikin216_parse,
};

const IrProtocol ir_protocol_daikin152 = {
        .name = "daikin152",
        .description = "Daikin 152-bit (ARC480A remotes of FTC, FTKQ, DTXF units)",
        .carrier = 38000,
        .min_temperature = 10,
        .max_temperature = 32,
        .state_bytes = DAIKIN_STATE_FRAME,
        .options = daikin152_options,
        .fan_tables = ir_daikin_fan_tables,
        .table_driven = true,
        .mode_codes = DAIKIN_SHORT_MODE_CODES,
        .dry_fan_auto = true,
        .dry_fan_unsaid = true,
        .build = daikin152_build,
        .encode = daikin152_encode,
        .decode = daikin152_decode,
        .parse = daikin152_parse,
};
