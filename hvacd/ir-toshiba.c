/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Toshiba 72-bit (TOSHIBA_AC in IRremoteESP8266's ir_Toshiba: the WH-H01EE, WH-TA04NE and
 * WC-L03SE remotes; 80- and 88-bit messages of the same family). Bytes sent MSB first, the
 * message twice:
 *   0–1: F2 0D; 2: remote model (4–7), the number of bytes between byte 4 and the checksum
 *   (0–3: 3, or 5 for the long messages); 3: byte 2 inverted; 4: 01
 *   5: temperature − 17 °C (4–7), swing (0–2)
 *   6: fan (5–7: 0 auto, 2 … 6 five speeds), mode (0–2: auto 0, cool 1, dry 2, heat 3, fan 4,
 *      off 7)
 *   7: filter (4); long messages: 8–9 (eco, turbo, …)
 *   last: checksum, the XOR of the others
 * Low, medium and high are speeds 1, 3 and 5 (codes 2, 4 and 6); three-speed remotes send 3 for
 * low, which decodes as low too. In dry mode the remotes send fan auto, in fan mode 22 °C. */

#include <errno.h>
#include <string.h>

#include "ir.h"
#include "macro.h"

#define TOSHIBA_HDR_MARK        4400
#define TOSHIBA_HDR_SPACE       4300
#define TOSHIBA_BIT_MARK        580
#define TOSHIBA_ONE_SPACE       1600
#define TOSHIBA_ZERO_SPACE      490
#define TOSHIBA_GAP             4600
#define TOSHIBA_BYTES_MAX       11
#define TOSHIBA_MODE_OFF        7

static const IrOptionField toshiba_options[] = {
        { "fan_code", 6, 5, 3, 0, "a raw fan code: 3 and 5, speeds 2 and 4 (override)", .override = true },
        { "mode_code", 6, 0, 3, 0, "a raw mode code (override)", .override = true },
        { "swing", 5, 0, 3, 0, "0 step, 1 on, 2 off, 4 toggle" },
        { "byte7", 7, 0, 8, 0, "filter (bit 4)" },
        { "model", 2, 4, 4, 0, "remote model: 0 A, 1 B" },
        { "length", 2, 0, 4, 3, "bytes between byte 4 and the checksum: 3, or 5 (long messages)" },
        { "byte8", 8, 0, 8, 0, "long messages: eco and turbo" },
        { "byte9", 9, 0, 8, 0, "long messages" },
        {}
};

enum { TOSHIBA_AUTO, TOSHIBA_COOL, TOSHIBA_DRY, TOSHIBA_HEAT, TOSHIBA_FAN };

static size_t toshiba_length(const uint8_t *st) {
        return (size_t) (st[2] & 0x0F) + 6;
}

static uint8_t toshiba_checksum(const uint8_t *st, size_t n) {
        uint8_t x = 0;

        for (size_t i = 0; i < n - 1; i++)
                x ^= st[i];
        return x;
}

static int toshiba_build(const HvacState *s, const unsigned *options, uint8_t *st) {
        unsigned mode, fan;
        size_t n;
        int r;

        r = ir_protocol_check_temperature(&ir_protocol_toshiba, s->target_temperature);
        if (r < 0)
                return r;
        r = ir_mode_code(&ir_protocol_toshiba, s->mode);
        if (r < 0)
                return r;
        mode = (unsigned) r;
        switch (s->fan) {
        case HVAC_FAN_AUTO:   fan = 0; break;
        case HVAC_FAN_LOW:    fan = 2; break;
        case HVAC_FAN_MEDIUM: fan = 4; break;
        case HVAC_FAN_HIGH:   fan = 6; break;
        default:              return -EINVAL;
        }
        if (!s->power)
                mode = TOSHIBA_MODE_OFF;

        memset(st, 0, TOSHIBA_BYTES_MAX);
        st[0] = 0xF2;
        st[1] = 0x0D;
        st[4] = 0x01;
        st[5] = (uint8_t) (((unsigned) s->target_temperature - 17) << 4);
        st[6] = (uint8_t) (fan << 5 | mode);
        ir_options_write(&ir_protocol_toshiba, options, st);
        st[3] = (uint8_t) ~st[2];
        n = toshiba_length(st);
        if (n > TOSHIBA_BYTES_MAX)
                return -EINVAL;
        memset(st + n - 1, 0, TOSHIBA_BYTES_MAX - (n - 1));
        st[n - 1] = toshiba_checksum(st, n);
        return 0;
}

static int toshiba_encode(const uint8_t *st, IrFrame *f) {
        size_t n = toshiba_length(st);
        int r = 0;

        ir_frame_init(f, 38000, 50);
        for (unsigned copy = 0; r >= 0 && copy < 2; copy++) {
                r = ir_frame_add(f, true, TOSHIBA_HDR_MARK);
                if (r >= 0)
                        r = ir_frame_add(f, false, TOSHIBA_HDR_SPACE);
                for (size_t i = 0; r >= 0 && i < n; i++)
                        r = ir_frame_add_bits(f, st[i], 8, true, TOSHIBA_BIT_MARK, TOSHIBA_ONE_SPACE, TOSHIBA_ZERO_SPACE);
                if (r >= 0)
                        r = ir_frame_add(f, true, TOSHIBA_BIT_MARK);
                if (r >= 0)
                        r = ir_frame_add(f, false, 7400);
        }
        if (r < 0)
                return r;
        ir_frame_finish(f);
        return 0;
}

static int toshiba_decode(IrReader *r, uint8_t *st, size_t *ret_n) {
        uint64_t v;
        size_t n = 6;
        int k;

        memset(st, 0, TOSHIBA_BYTES_MAX);
        k = ir_read_mark(r, TOSHIBA_HDR_MARK);
        if (k >= 0)
                k = ir_read_space(r, TOSHIBA_HDR_SPACE);
        if (k < 0)
                return k;
        for (size_t i = 0; i < n; i++) {
                k = ir_read_bits(r, 8, true, TOSHIBA_BIT_MARK, TOSHIBA_ONE_SPACE, TOSHIBA_ZERO_SPACE, &v);
                if (k < 0)
                        return i < 4 && k == -ENOMSG ? -ENOMSG : -ENODATA;
                st[i] = (uint8_t) v;
                if (i == 3) {
                        if (st[0] != 0xF2 || st[1] != 0x0D || (st[2] ^ st[3]) != 0xFF)
                                return -ENOMSG;
                        n = toshiba_length(st);
                        if (n > TOSHIBA_BYTES_MAX)
                                return -ERANGE;
                }
        }
        k = ir_read_mark(r, TOSHIBA_BIT_MARK);
        if (k >= 0)
                k = ir_read_gap(r, TOSHIBA_GAP);
        if (k < 0)
                return -ENODATA;
        if (toshiba_checksum(st, n) != st[n - 1])
                return -EBADMSG;
        *ret_n = n;
        return 0;
}

static int toshiba_parse(const uint8_t *st, IrDecoded *d) {
        unsigned mode = st[6] & 7, fan = st[6] >> 5;

        d->state = (HvacState) { .power = mode != TOSHIBA_MODE_OFF, .mode = HVAC_MODE_COOL,
                                 .target_temperature = 17 + (st[5] >> 4), .fan = HVAC_FAN_AUTO };
        if (d->state.target_temperature > ir_protocol_toshiba.max_temperature)
                return -ERANGE;
        if (!d->state.power)
                return 0;
        if (ir_mode_from_code(&ir_protocol_toshiba, mode, &d->state.mode) < 0)
                return -ERANGE;
        d->has_fan = d->has_temperature = true;
        switch (fan) {
        case 0: d->state.fan = HVAC_FAN_AUTO; break;
        case 2:
        case 3: d->state.fan = HVAC_FAN_LOW; break;
        case 4: d->state.fan = HVAC_FAN_MEDIUM; break;
        case 5:
        case 6: d->state.fan = HVAC_FAN_HIGH; break;
        default:
                d->has_fan = false;
                d->fan_beyond_model = true;
        }
        /* Dry mode runs fan auto, fan mode sends 22 °C. */
        if (d->state.mode == HVAC_MODE_DRY)
                d->has_fan = d->fan_beyond_model = false;
        if (d->state.mode == HVAC_MODE_FAN_ONLY)
                d->has_temperature = false;
        return 0;
}

const IrProtocol ir_protocol_toshiba = {
        .name = "toshiba",
        .description = "Toshiba 72-bit (WH-H01EE, WH-TA04NE, WC-L03SE remotes; long messages)",
        .carrier = 38000,
        .min_temperature = 17,
        .max_temperature = 30,
        .state_bytes = TOSHIBA_BYTES_MAX,
        .options = toshiba_options,
        .table_driven = true,
        .mode_codes = { [HVAC_MODE_COOL] = TOSHIBA_COOL, [HVAC_MODE_HEAT] = TOSHIBA_HEAT, [HVAC_MODE_DRY] = TOSHIBA_DRY,
                        [HVAC_MODE_FAN_ONLY] = TOSHIBA_FAN, [HVAC_MODE_AUTO] = TOSHIBA_AUTO },
        .build = toshiba_build,
        .encode = toshiba_encode,
        .decode = toshiba_decode,
        .parse = toshiba_parse,
};
