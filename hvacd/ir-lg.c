/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* LG 28-bit (LG and LG2 in IRremoteESP8266's ir_LG: the AKB remotes). The code, MSB first:
 *   bits 20–27: 0x88; 18–19: power (0 on, 3 off); 15–17: bits some remotes set;
 *   12–14: mode (cool 0, dry 1, fan 2, auto 3, heat 4); 8–11: temperature − 15 °C;
 *   4–7: fan (0 lowest, 1 low, 2 medium, 4 high, 5 auto; AKB74955603: 9 low, 10 high);
 *   0–3: checksum, the sum of the other nibbles.
 * Power off is the code 0x88C0051. Two headers: LG's 8.5/4.25 ms and LG2's 3.2/9.9 ms.
 * State bytes: the code as a big-endian 32-bit number, then its shape (bit 0: LG2 header,
 * bit 1: the AKB74955603 fan codes). In auto mode the remotes send a temperature offset, not a
 * temperature; in dry and fan mode most send a fixed one, and in dry mode a fixed fan. */

#include <errno.h>
#include <string.h>

#include "ir.h"
#include "macro.h"

#define LG_HDR_MARK             8500
#define LG_HDR_SPACE            4250
#define LG2_HDR_MARK            3200
#define LG2_HDR_SPACE           9900
#define LG_BIT_MARK             550
#define LG2_BIT_MARK            480
#define LG_ONE_SPACE            1600
#define LG_ZERO_SPACE           550
#define LG_BITS                 28
#define LG_SIGNATURE            0x88
#define LG_OFF                  UINT32_C(0x88C0051)
#define LG_SHAPE_BYTE           4
#define LG_SHAPE_LG2            0x01
#define LG_SHAPE_ALT_FANS       0x02

enum { LG_COOL, LG_DRY, LG_FAN, LG_AUTO, LG_HEAT };

static const IrOptionField lg_options[] = {
        { "fan_code", 3, 4, 4, 0, "a raw fan code (override)", .override = true },
        { "temperature_code", 2, 0, 4, 0, "a raw temperature code: auto mode's offset (override)", .override = true },
        { "unknown_b16", 1, 0, 2, 0, "bits 16–17, set by some remotes" },
        { "unknown_b15", 2, 7, 1, 0, "bit 15, set by some remotes" },
        { "header", LG_SHAPE_BYTE, 0, 1, 1, "0: LG's 8.5 ms header, 1: LG2's 3.2 ms one" },
        { "alt_fans", LG_SHAPE_BYTE, 1, 1, 0, "1: low and high are codes 9 and 10 (AKB74955603)" },
        {}
};
#define LG_OPTION_HEADER 4
#define LG_OPTION_ALT_FANS 5

static uint32_t lg_code(const uint8_t *st) {
        return (uint32_t) st[0] << 24 | (uint32_t) st[1] << 16 | (uint32_t) st[2] << 8 | st[3];
}

static void lg_set_code(uint8_t *st, uint32_t code) {
        st[0] = (uint8_t) (code >> 24);
        st[1] = (uint8_t) (code >> 16);
        st[2] = (uint8_t) (code >> 8);
        st[3] = (uint8_t) code;
}

static unsigned lg_checksum(uint32_t code) {
        unsigned sum = 0;

        for (unsigned shift = 4; shift < LG_BITS; shift += 4)
                sum += (code >> shift) & 0xF;
        return sum & 0xF;
}

static int lg_build(const HvacState *s, const unsigned *options, uint8_t *st) {
        bool alt = options[LG_OPTION_ALT_FANS];
        unsigned mode, fan;
        uint32_t code;
        int r;

        r = ir_protocol_check_temperature(&ir_protocol_lg, s->target_temperature);
        if (r < 0)
                return r;
        r = ir_mode_code(&ir_protocol_lg, s->mode);
        if (r < 0)
                return r;
        mode = (unsigned) r;
        switch (s->fan) {
        case HVAC_FAN_AUTO:   fan = 5; break;
        case HVAC_FAN_LOW:    fan = alt ? 9 : 1; break;
        case HVAC_FAN_MEDIUM: fan = 2; break;
        case HVAC_FAN_HIGH:   fan = alt ? 10 : 4; break;
        default:              return -EINVAL;
        }

        memset(st, 0, LG_SHAPE_BYTE + 1);
        code = s->power ? (uint32_t) LG_SIGNATURE << 20 | mode << 12 |
                          ((unsigned) s->target_temperature - 15) << 8 | fan << 4 : LG_OFF;
        lg_set_code(st, code);
        if (s->power)
                ir_options_write(&ir_protocol_lg, options, st);
        else
                st[LG_SHAPE_BYTE] = (uint8_t) (options[LG_OPTION_HEADER] | options[LG_OPTION_ALT_FANS] << 1);
        code = lg_code(st);
        lg_set_code(st, (code & ~UINT32_C(0xF)) | lg_checksum(code));
        return 0;
}

static int lg_encode(const uint8_t *st, IrFrame *f) {
        bool lg2 = st[LG_SHAPE_BYTE] & LG_SHAPE_LG2;
        uint32_t mark = lg2 ? LG2_BIT_MARK : LG_BIT_MARK;
        int r;

        ir_frame_init(f, 38000, 50);
        r = ir_frame_add(f, true, lg2 ? LG2_HDR_MARK : LG_HDR_MARK);
        if (r >= 0)
                r = ir_frame_add(f, false, lg2 ? LG2_HDR_SPACE : LG_HDR_SPACE);
        if (r >= 0)
                r = ir_frame_add_bits(f, lg_code(st), LG_BITS, true, mark, LG_ONE_SPACE, LG_ZERO_SPACE);
        if (r >= 0)
                r = ir_frame_add(f, true, mark);
        if (r < 0)
                return r;
        ir_frame_finish(f);
        return 0;
}

static int lg_decode(IrReader *r, uint8_t *st, size_t *ret_n) {
        size_t start = r->pos;
        bool lg2 = false, leaderless;
        uint64_t v;
        int k;

        memset(st, 0, LG_SHAPE_BYTE + 1);
        k = ir_read_leader(r, LG_HDR_MARK, LG_HDR_SPACE, LG_BIT_MARK);
        if (k == -ENOMSG) {
                r->pos = start;
                k = ir_read_leader(r, LG2_HDR_MARK, LG2_HDR_SPACE, LG2_BIT_MARK);
                lg2 = true;
        }
        if (k < 0)
                return k;
        /* Without its leader, the signature and the checksum tell the frame; its header is
         * taken as the remotes' usual LG2. */
        leaderless = k > 0;
        lg2 = lg2 || leaderless;
        k = ir_read_bits(r, LG_BITS, true, lg2 ? LG2_BIT_MARK : LG_BIT_MARK, LG_ONE_SPACE, LG_ZERO_SPACE, &v);
        if (k < 0 && leaderless)
                return -ENOMSG;
        if (k < 0)
                return k == -ENOMSG ? -ENODATA : k;
        if ((v >> 20) != LG_SIGNATURE)
                return -ENOMSG;
        k = ir_read_mark(r, lg2 ? LG2_BIT_MARK : LG_BIT_MARK);
        if (k >= 0)
                k = ir_read_gap(r, 20000);
        if (k < 0)
                return -ENODATA;
        if (lg_checksum((uint32_t) v) != (v & 0xF))
                return -EBADMSG;
        lg_set_code(st, (uint32_t) v);
        st[LG_SHAPE_BYTE] = lg2 ? LG_SHAPE_LG2 : 0;
        if (((v >> 4) & 0xF) == 9 || ((v >> 4) & 0xF) == 10)
                st[LG_SHAPE_BYTE] |= LG_SHAPE_ALT_FANS;
        *ret_n = 4;
        return 0;
}

static int lg_parse(const uint8_t *st, IrDecoded *d) {
        uint32_t code = lg_code(st);
        unsigned temp = (code >> 8) & 0xF, fan = (code >> 4) & 0xF;
        HvacMode mode;

        d->state = (HvacState) { .power = false, .mode = HVAC_MODE_COOL, .target_temperature = 24 };
        if (((code >> 18) & 3) == 3)
                return code == LG_OFF ? 0 : -ERANGE;    /* off, or a command (swing, light …) */
        if (ir_mode_from_code(&ir_protocol_lg, (code >> 12) & 7, &mode) < 0)
                return -ERANGE;
        d->state = (HvacState) { .power = true, .mode = mode, .target_temperature = temp + 15 };
        d->has_fan = d->has_temperature = true;
        switch (fan) {
        case 5:         d->state.fan = HVAC_FAN_AUTO; break;
        case 0:         /* lowest: the climate model's low, as ESPHome reads it */
        case 1:
        case 9:         d->state.fan = HVAC_FAN_LOW; break;
        case 2:         d->state.fan = HVAC_FAN_MEDIUM; break;
        case 4:
        case 10:        d->state.fan = HVAC_FAN_HIGH; break;
        default:
                d->has_fan = false;
                d->fan_beyond_model = true;
        }
        if (d->state.mode == HVAC_MODE_AUTO || d->state.target_temperature < ir_protocol_lg.min_temperature) {
                d->has_temperature = false;
                d->state.target_temperature = 24;
        }
        /* Dry and fan mode: most remotes send a fixed temperature (24 and 18 °C), and in dry
         * mode a fixed fan. */
        if (d->state.mode == HVAC_MODE_DRY || d->state.mode == HVAC_MODE_FAN_ONLY)
                d->has_temperature = false;
        if (d->state.mode == HVAC_MODE_DRY) {
                d->has_fan = false;
                d->fan_beyond_model = false;
        }
        return 0;
}

const IrProtocol ir_protocol_lg = {
        .name = "lg",
        .description = "LG 28-bit (AKB remotes; LG and LG2 headers)",
        .carrier = 38000,
        .min_temperature = 16,
        .max_temperature = 30,
        .state_bytes = LG_SHAPE_BYTE + 1,
        .options = lg_options,
        .table_driven = true,
        .mode_codes = { [HVAC_MODE_COOL] = LG_COOL, [HVAC_MODE_HEAT] = LG_HEAT, [HVAC_MODE_DRY] = LG_DRY,
                        [HVAC_MODE_FAN_ONLY] = LG_FAN, [HVAC_MODE_AUTO] = LG_AUTO },
        .build = lg_build,
        .encode = lg_encode,
        .decode = lg_decode,
        .parse = lg_parse,
};
