/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Daikin 280-bit (DAIKIN in IRremoteESP8266's ir_Daikin: the ARC433, ARC470, ARC480 and ARC477
 * remotes). Thirty-five state bytes in three frames of 8, 8 and 19 bytes, sent LSB first, each
 * ending in a checksum (the sum of the frame's other bytes), after a leader of five zero bits:
 *   0–7: 11 DA 27 00 C5 00 (some remotes set bit 4), comfort (byte 6 bit 4), sum
 *   8–15: 11 DA 27 00 42, the remote's clock, sum
 *   13, 14: the clock: minutes since midnight (11 bits), the day of the week (bits 3–5 of byte
 *       14: 1 Sunday – 7 Saturday)
 *   16–20: 11 DA 27 00 00
 *   21: power (bit 0), on timer (1), off timer (2), 1 (3), mode (4–6: auto 0, dry 2, cool 3,
 *       heat 4, fan 6)
 *   22: temperature × 2 (dry mode: 0xC0)
 *   24: vertical swing (0–3: 0xF on), fan (4–7: 3–7 speeds 1–5, 0xA auto, 0xB quiet)
 *   25: horizontal swing (0–3)
 *   26–28: on and off times (12 bits each, 0x600: none)
 *   29: powerful (bit 0), quiet (5); 31: 0xC0 (some remotes set bit 0)
 *   32: sensor (1), econo (2), weekly timer (7); 33: mold (1), set by some remotes (3); 34: sum
 * In dry mode the remotes send fan auto and temperature code 0xC0; the units choose. The
 * climate model's low, medium and high are speeds 1, 3 and 5 (fan table "standard"); fan table
 * "middle" makes them speeds 2, 3 and 4. */

#include <errno.h>
#include <string.h>

#include "ir.h"
#include "macro.h"

#define DAIKIN_HDR_MARK         3650
#define DAIKIN_HDR_SPACE        1623
#define DAIKIN_BIT_MARK         428
#define DAIKIN_ONE_SPACE        1280
#define DAIKIN_ZERO_SPACE       428
#define DAIKIN_GAP              (29000 + DAIKIN_ZERO_SPACE)
#define DAIKIN_LEADER_BITS      5
#define DAIKIN_BYTES            35
#define DAIKIN_TEMP_DRY         0xC0
#define DAIKIN_FAN_AUTO         0xA

static const uint8_t daikin_frame_start[] = { 0, 8, 16, DAIKIN_BYTES };
static const uint8_t daikin_signature[3] = { 0x11, 0xDA, 0x27 };

static const IrOptionField daikin_options[] = {
        { "fan_code", 24, 4, 4, 0, "a raw fan code: 4 and 6 speeds 2 and 4, 0xB quiet (override)", .override = true },
        { "temperature_code", 22, 0, 8, 0, "a raw temperature code (override)", .override = true },
        { "swing_v", 24, 0, 4, 0, "vertical swing: 0 off, 15 on" },
        { "swing_h", 25, 0, 4, 0, "horizontal swing: 0 off, 15 on" },
        { "comfort", 6, 4, 1, 0, "comfort airflow" },
        { "byte5", 5, 0, 8, 0, "0; bit 4 set by some remotes (ARC466)" },
        { "clock_minutes", 13, 0, 8, 0, "the remote's clock: minutes since midnight, low byte", .clock = true },
        { "clock_day", 14, 0, 8, 0, "the remote's clock: the minutes' high bits (0–2), the day of the week "
          "(3–5: 1 Sunday – 7 Saturday)", .clock = true },
        { "on_timer", 21, 1, 1, 0, "on timer set" },
        { "off_timer", 21, 2, 1, 0, "off timer set" },
        { "timer_26", 26, 0, 8, 0x00, "on time, low byte" },
        { "timer_27", 27, 0, 8, 0x06, "on time high, off time low bits" },
        { "timer_28", 28, 0, 8, 0x60, "off time, high byte" },
        { "powerful", 29, 0, 1, 0, "powerful" },
        { "quiet", 29, 5, 1, 0, "quiet outdoor unit" },
        { "byte31", 31, 0, 8, 0xC0, "0xC0, with bit 0 on some remotes" },
        { "sensor", 32, 1, 1, 0, "intelligent eye" },
        { "econo", 32, 2, 1, 0, "econo" },
        { "weekly_timer", 32, 7, 1, 0, "weekly timer" },
        { "unknown_b33", 33, 2, 6, 0, "bit 3 is set by some remotes" },
        { "mold", 33, 1, 1, 0, "mould proof" },
        {}
};
_Static_assert(ELEMENTSOF(daikin_options) <= IR_OPTIONS_MAX, "too many options");

enum { DAIKIN_AUTO = 0, DAIKIN_DRY = 2, DAIKIN_COOL = 3, DAIKIN_HEAT = 4, DAIKIN_FAN = 6 };

static uint8_t daikin_sum(const uint8_t *st, size_t from, size_t to) {
        uint8_t sum = 0;

        for (size_t i = from; i < to; i++)
                sum = (uint8_t) (sum + st[i]);
        return sum;
}

static int daikin_build(const HvacState *s, const unsigned *options, uint8_t *st) {
        unsigned temp;
        int mode, fan, r;

        r = ir_protocol_check_temperature(&ir_protocol_daikin, s->target_temperature);
        if (r < 0)
                return r;
        mode = ir_mode_code(&ir_protocol_daikin, s->mode);
        fan = ir_fan_code(&ir_protocol_daikin, s);
        if (mode < 0 || fan < 0)
                return -EINVAL;
        temp = s->mode == HVAC_MODE_DRY ? DAIKIN_TEMP_DRY : (unsigned) s->target_temperature * 2;

        memset(st, 0, DAIKIN_BYTES);
        for (size_t f = 0; f < 3; f++)
                memcpy(st + daikin_frame_start[f], daikin_signature, sizeof(daikin_signature));
        st[4] = 0xC5;
        st[12] = 0x42;
        st[21] = (uint8_t) (mode << 4 | 0x08 | (s->power ? 1 : 0));
        st[22] = (uint8_t) temp;
        st[24] = (uint8_t) (fan << 4);
        ir_options_write(&ir_protocol_daikin, options, st);
        for (size_t f = 0; f < 3; f++)
                st[daikin_frame_start[f + 1] - 1] = daikin_sum(st, daikin_frame_start[f], daikin_frame_start[f + 1] - 1);
        return 0;
}

/* A press carries the time and day the remote's clock shows. */
static void daikin_set_clock(unsigned *options, const struct tm *tm) {
        unsigned minutes = (unsigned) (tm->tm_hour * 60 + tm->tm_min);
        unsigned day = ir_option_get(&ir_protocol_daikin, options, "clock_day");

        (void) ir_option_set(&ir_protocol_daikin, options, "clock_minutes", minutes & 0xFF);
        (void) ir_option_set(&ir_protocol_daikin, options, "clock_day",
                             (day & 0xC0) | (unsigned) (tm->tm_wday + 1) << 3 | minutes >> 8);
}

static int daikin_encode(const uint8_t *st, IrFrame *f) {
        int r;

        ir_frame_init(f, 38000, 50);
        r = ir_frame_add_bits(f, 0, DAIKIN_LEADER_BITS, false, DAIKIN_BIT_MARK, DAIKIN_ONE_SPACE, DAIKIN_ZERO_SPACE);
        if (r >= 0)
                r = ir_frame_add(f, true, DAIKIN_BIT_MARK);
        if (r >= 0)
                r = ir_frame_add(f, false, DAIKIN_GAP);
        for (size_t i = 0; r >= 0 && i < 3; i++) {
                r = ir_frame_add(f, true, DAIKIN_HDR_MARK);
                if (r >= 0)
                        r = ir_frame_add(f, false, DAIKIN_HDR_SPACE);
                if (r >= 0)
                        r = ir_frame_add_bytes_lsb(f, st + daikin_frame_start[i],
                                                   daikin_frame_start[i + 1] - daikin_frame_start[i],
                                                   DAIKIN_BIT_MARK, DAIKIN_ONE_SPACE, DAIKIN_ZERO_SPACE);
                if (r >= 0)
                        r = ir_frame_add(f, true, DAIKIN_BIT_MARK);
                if (r >= 0)
                        r = ir_frame_add(f, false, DAIKIN_GAP);
        }
        if (r < 0)
                return r;
        ir_frame_finish(f);
        return 0;
}

static int daikin_decode(IrReader *r, uint8_t *st, size_t *ret_n) {
        int k;

        for (size_t i = 0; i < 3; i++) {
                size_t from = daikin_frame_start[i], to = daikin_frame_start[i + 1];

                k = ir_read_mark(r, DAIKIN_HDR_MARK);
                if (k >= 0)
                        k = ir_read_space(r, DAIKIN_HDR_SPACE);
                if (k < 0)
                        return i == 0 ? k : k == -ENOMSG ? -ENODATA : k;
                k = ir_read_bytes_lsb(r, st + from, to - from, DAIKIN_BIT_MARK, DAIKIN_ONE_SPACE, DAIKIN_ZERO_SPACE);
                if (k < 0)
                        return i == 0 && k == -ENOMSG ? -ENOMSG : -ENODATA;
                /* Its signature tells Daikin from others with these timings (Panasonic, Mitsubishi). */
                if (memcmp(st + from, daikin_signature, sizeof(daikin_signature)) != 0)
                        return -ENOMSG;
                if (daikin_sum(st, from, to - 1) != st[to - 1])
                        return -EBADMSG;
                k = ir_read_mark(r, DAIKIN_BIT_MARK);
                if (k >= 0)
                        k = ir_read_gap(r, DAIKIN_GAP);
                if (k < 0)
                        return -ENODATA;
                /* Only the 8-byte frames lead: a 19-byte one first is another variant. */
                if (i == 0 && st[4] != 0xC5)
                        return -ENOMSG;
        }
        *ret_n = DAIKIN_BYTES;
        return 0;
}

static int daikin_parse(const uint8_t *st, IrDecoded *d) {
        d->state = (HvacState) {
                .power = st[21] & 1,
                .target_temperature = st[22] / 2,
                .fan = HVAC_FAN_AUTO,
        };
        if (ir_mode_from_code(&ir_protocol_daikin, (st[21] >> 4) & 7, &d->state.mode) < 0)
                return -ERANGE;
        ir_decoded_set_fan(&ir_protocol_daikin, d, st[24] >> 4);
        d->has_fan = d->has_fan && d->state.power;
        d->has_temperature = d->state.power && d->state.mode != HVAC_MODE_DRY;
        /* Fan mode and codes outside the range: the temperature_code override carries them. */
        if (d->state.target_temperature < ir_protocol_daikin.min_temperature ||
            d->state.target_temperature > ir_protocol_daikin.max_temperature) {
                d->state.target_temperature = 25;
                d->has_temperature = false;
        }
        if (d->state.mode == HVAC_MODE_FAN_ONLY)
                d->has_temperature = false;
        return 0;
}

/* Five speeds: the climate model's low, medium and high are speeds 1, 3 and 5 as the reference
 * has them; remotes that call speeds 2, 3 and 4 so (as Panasonic's A75C does) are "middle"; the
 * remotes that name all five low, medium, middle, high and top (ARC433B51) are "five_named". */
const IrFanTable ir_daikin_fan_tables[] = {
        { "standard", "low: speed 1 (code 3), medium: 3 (5), high: 5 (7)", { DAIKIN_FAN_AUTO, 3, 5, 7 } },
        { "middle", "low: speed 2 (code 4), medium: 3 (5), high: 4 (6)", { DAIKIN_FAN_AUTO, 4, 5, 6 } },
        { "five_named", "low: speed 1 (code 3), medium: 2 (4), high: 4 (6); 3 is middle, 5 top",
          { DAIKIN_FAN_AUTO, 3, 4, 6 } },
        {}
};

const IrProtocol ir_protocol_daikin = {
        .name = "daikin",
        .description = "Daikin 280-bit (ARC433, ARC470, ARC480, ARC477 remotes)",
        .carrier = 38000,
        .min_temperature = 10,
        .max_temperature = 32,
        .state_bytes = DAIKIN_BYTES,
        .options = daikin_options,
        .fan_tables = ir_daikin_fan_tables,
        .table_driven = true,
        .mode_codes = { [HVAC_MODE_AUTO] = DAIKIN_AUTO, [HVAC_MODE_DRY] = DAIKIN_DRY, [HVAC_MODE_COOL] = DAIKIN_COOL,
                        [HVAC_MODE_HEAT] = DAIKIN_HEAT, [HVAC_MODE_FAN_ONLY] = DAIKIN_FAN },
        .dry_fan_auto = true,
        .dry_fan_unsaid = true,
        .build = daikin_build,
        .encode = daikin_encode,
        .decode = daikin_decode,
        .parse = daikin_parse,
        .set_clock = daikin_set_clock,
};
