/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Samsung 112-bit (SAMSUNG_AC in IRremoteESP8266's ir_Samsung: the ARH and DB93 remotes). A
 * leader, then sections of 7 bytes sent LSB first, each with a checksum (the inverted count of
 * its set bits, bytes 1–2's checksum nibbles left out) in byte 1's high and byte 2's low nibble:
 *   0–6 (first section): 02 92 0F 00 00, quiet (byte 5 bit 5), power (byte 6 bits 4–5: 3 on)
 *   7–13 (the state): 01 x2, swing (byte 9 bits 4–6: 7 off), 0x71 (byte 10: display, special
 *        fan modes), temperature − 16 °C (byte 11 bits 4–7), fan (byte 12 bits 1–3: auto 0,
 *        low 2, medium 4, high 5, turbo 7), mode (byte 12 bits 4–6: auto 0, cool 1, dry 2,
 *        fan 3, heat 4), power (byte 13 bits 4–5)
 * Power off is the extended message: the first section (powered off), a section
 * 01 D2 0F 00 00 00 00 (state bytes 14–20), then the state section; some remotes send the
 * extended message powered on too, the extra section last (state byte 21 holds where it goes:
 * 0 nowhere, 1 before the state, 2 after it). In auto mode fan auto is code 6; in dry mode the
 * remotes send fan auto, in fan mode 24 °C. Low, medium and high are codes 2, 4 and 5 as
 * IRremoteESP8266 has them; some remotes (AR-EH03E …) send 4, 5 and 7 for them: fan table
 * "upper" (the reference's medium, high and turbo codes). */

#include <errno.h>
#include <string.h>

#include "ir.h"
#include "macro.h"

#define SAMSUNG_HDR_MARK        690
#define SAMSUNG_HDR_SPACE       17844
#define SAMSUNG_SECTION_MARK    3086
#define SAMSUNG_SECTION_SPACE   8864
#define SAMSUNG_SECTION_GAP     2886
#define SAMSUNG_BIT_MARK        586
#define SAMSUNG_ONE_SPACE       1432
#define SAMSUNG_ZERO_SPACE      436
#define SAMSUNG_SECTION         7
#define SAMSUNG_BYTES           21
#define SAMSUNG_SHORT           14
#define SAMSUNG_SHAPE_BYTE      21

static const uint8_t samsung_first[SAMSUNG_SECTION] = { 0x02, 0x92, 0x0F, 0x00, 0x00, 0x00, 0xF0 };
static const uint8_t samsung_extended[SAMSUNG_SECTION] = { 0x01, 0xD2, 0x0F, 0x00, 0x00, 0x00, 0x00 };

static const IrOptionField samsung_options[] = {
        { "fan_code", 12, 1, 3, 0, "a raw fan code: 6 auto 2, 7 turbo (override)", .override = true },
        { "quiet", 5, 5, 1, 0, "quiet" },
        { "sleep", 5, 4, 1, 0, "sleep" },
        { "swing", 9, 4, 3, 7, "7 off, 2 vertical, 3 horizontal, 4 both" },
        { "byte9_bit7", 9, 7, 1, 1, "set by the remotes" },
        { "byte10", 10, 0, 8, 0x71, "display (bit 4), special fan modes (1–3: powerful, breeze, econo)" },
        { "ion", 11, 0, 1, 0, "ioniser" },
        { "clean", 11, 1, 1, 0, "clean" },
        { "byte12_bits", 12, 7, 1, 0, "set by some remotes" },
        { "byte12_bit0", 12, 0, 1, 1, "set by the remotes" },
        { "beep", 13, 2, 1, 0, "beep toggle" },
        { "extended", SAMSUNG_SHAPE_BYTE, 0, 2, 0, "the extra section: 0 none (off frames: before the state), "
          "1 before the state, 2 after it" },
        {}
};
#define SAMSUNG_OPTION_EXTENDED (ELEMENTSOF(samsung_options) - 2)

static uint8_t samsung_count(uint8_t b) {
        return (uint8_t) __builtin_popcount(b);
}

static uint8_t samsung_section_checksum(const uint8_t *sec) {
        unsigned sum = samsung_count(sec[0]) + samsung_count(sec[1] & 0x0F) + samsung_count(sec[2] >> 4);

        for (size_t i = 3; i < SAMSUNG_SECTION; i++)
                sum += samsung_count(sec[i]);
        return (uint8_t) (sum ^ 0xFF);
}

static void samsung_set_checksum(uint8_t *sec) {
        uint8_t sum = samsung_section_checksum(sec);

        sec[1] = (uint8_t) ((sec[1] & 0x0F) | (sum & 0x0F) << 4);
        sec[2] = (uint8_t) ((sec[2] & 0xF0) | sum >> 4);
}

static bool samsung_checksum_ok(const uint8_t *sec) {
        uint8_t sum = samsung_section_checksum(sec);

        return (sec[1] >> 4) == (sum & 0x0F) && (sec[2] & 0x0F) == (sum >> 4);
}

static int samsung_build(const HvacState *s, const unsigned *options, uint8_t *st) {
        unsigned mode, fan;
        int r;

        r = ir_protocol_check_temperature(&ir_protocol_samsung, s->target_temperature);
        if (r < 0)
                return r;
        r = ir_mode_code(&ir_protocol_samsung, s->mode);
        if (r < 0)
                return r;
        mode = (unsigned) r;
        switch (s->fan) {
        case HVAC_FAN_AUTO:   fan = s->mode == HVAC_MODE_AUTO ? 6 : 0; break;
        case HVAC_FAN_LOW:    fan = 2; break;
        case HVAC_FAN_MEDIUM: fan = 4; break;
        case HVAC_FAN_HIGH:   fan = 5; break;
        default:              return -EINVAL;
        }

        memset(st, 0, SAMSUNG_BYTES + 1);
        memcpy(st, samsung_first, SAMSUNG_SECTION);
        st[7] = 0x01;
        st[8] = 0x02;
        st[11] = (uint8_t) (((unsigned) s->target_temperature - 16) << 4);
        st[12] = (uint8_t) (mode << 4 | fan << 1);
        st[13] = 0xC0;
        ir_options_write(&ir_protocol_samsung, options, st);
        if (s->power)
                st[13] |= 0x30;
        else {
                st[6] &= 0xCF;
                if (st[SAMSUNG_SHAPE_BYTE] == 0)
                        st[SAMSUNG_SHAPE_BYTE] = 1;
        }
        if (st[SAMSUNG_SHAPE_BYTE] != 0)
                memcpy(st + SAMSUNG_SHORT, samsung_extended, SAMSUNG_SECTION);
        for (size_t i = 0; i < SAMSUNG_BYTES; i += SAMSUNG_SECTION)
                samsung_set_checksum(st + i);
        return 0;
}

static int samsung_encode(const uint8_t *st, IrFrame *f) {
        /* Off frames send the extended section before the state. */
        static const size_t orders[3][3] = { { 0, 7 }, { 0, 14, 7 }, { 0, 7, 14 } };
        unsigned shape = st[SAMSUNG_SHAPE_BYTE] < 3 ? st[SAMSUNG_SHAPE_BYTE] : 0;
        const size_t *order = orders[shape];
        size_t n = shape ? 3 : 2;
        int r;

        ir_frame_init(f, 38000, 50);
        r = ir_frame_add(f, true, SAMSUNG_HDR_MARK);
        if (r >= 0)
                r = ir_frame_add(f, false, SAMSUNG_HDR_SPACE);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                r = ir_frame_add(f, true, SAMSUNG_SECTION_MARK);
                if (r >= 0)
                        r = ir_frame_add(f, false, SAMSUNG_SECTION_SPACE);
                if (r >= 0)
                        r = ir_frame_add_bytes_lsb(f, st + order[i], SAMSUNG_SECTION, SAMSUNG_BIT_MARK,
                                                   SAMSUNG_ONE_SPACE, SAMSUNG_ZERO_SPACE);
                if (r >= 0)
                        r = ir_frame_add(f, true, SAMSUNG_BIT_MARK);
                if (r >= 0)
                        r = ir_frame_add(f, false, SAMSUNG_SECTION_GAP);
        }
        if (r < 0)
                return r;
        ir_frame_finish(f);
        return 0;
}

static int samsung_read_section(IrReader *r, uint8_t *sec) {
        int k;

        k = ir_read_mark(r, SAMSUNG_SECTION_MARK);
        if (k >= 0)
                k = ir_read_space(r, SAMSUNG_SECTION_SPACE);
        if (k < 0)
                return k;
        k = ir_read_bytes_lsb(r, sec, SAMSUNG_SECTION, SAMSUNG_BIT_MARK, SAMSUNG_ONE_SPACE, SAMSUNG_ZERO_SPACE);
        if (k < 0)
                return -ENODATA;
        k = ir_read_mark(r, SAMSUNG_BIT_MARK);
        if (k >= 0)
                k = ir_read_gap(r, SAMSUNG_SECTION_GAP);
        return k < 0 ? -ENODATA : 0;
}

static int samsung_decode(IrReader *r, uint8_t *st, size_t *ret_n) {
        uint8_t secs[3][SAMSUNG_SECTION];
        size_t n = 0;
        int k;

        memset(st, 0, SAMSUNG_BYTES + 1);
        /* The leader, where the recording has it. */
        if (ir_read_mark(r, SAMSUNG_HDR_MARK) >= 0 && ir_read_space(r, SAMSUNG_HDR_SPACE) < 0)
                return -ENOMSG;
        while (n < 3 && r->pos + 1 < r->n) {
                k = samsung_read_section(r, secs[n]);
                if (k < 0)
                        return n == 0 ? k : k == -ENOMSG ? -ENODATA : k;
                if (n == 0 && (secs[0][0] != 0x02 || (secs[0][1] & 0x0F) != 0x02))
                        return -ENOMSG;
                if (!samsung_checksum_ok(secs[n]))
                        return -EBADMSG;
                n++;
        }
        if (n < 2)
                return -ENODATA;
        memcpy(st, secs[0], SAMSUNG_SECTION);
        if (n == 2)
                memcpy(st + 7, secs[1], SAMSUNG_SECTION);
        else {
                /* The extra section has no state: bytes 3–6 zero, no temperature. */
                bool first = memcmp(secs[1] + 3, samsung_extended + 3, 4) == 0 && (secs[1][2] & 0xF0) == 0;

                memcpy(st + 7, secs[first ? 2 : 1], SAMSUNG_SECTION);
                memcpy(st + SAMSUNG_SHORT, secs[first ? 1 : 2], SAMSUNG_SECTION);
                st[SAMSUNG_SHAPE_BYTE] = first ? 1 : 2;
        }
        *ret_n = n * SAMSUNG_SECTION;
        return 0;
}

static int samsung_parse(const uint8_t *st, IrDecoded *d) {
        unsigned fan = (st[12] >> 1) & 7;
        HvacMode mode;

        if (st[7] != 0x01 || ir_mode_from_code(&ir_protocol_samsung, (st[12] >> 4) & 7, &mode) < 0)
                return -ERANGE;
        d->state = (HvacState) {
                .power = (st[13] & 0x30) == 0x30,
                .mode = mode,
                .target_temperature = 16 + (st[11] >> 4),
                .fan = HVAC_FAN_AUTO,
        };
        if (d->state.target_temperature > ir_protocol_samsung.max_temperature)
                return -ERANGE;
        d->has_fan = d->has_temperature = d->state.power;
        switch (fan) {
        case 0:
        case 6: d->state.fan = HVAC_FAN_AUTO; break;
        case 2: d->state.fan = HVAC_FAN_LOW; break;
        case 4: d->state.fan = HVAC_FAN_MEDIUM; break;
        case 5: d->state.fan = HVAC_FAN_HIGH; break;
        default:
                d->has_fan = false;
                d->fan_beyond_model = true;
        }
        /* Dry mode, and code 6 in auto mode: the unit's choice. */
        if (d->state.mode == HVAC_MODE_DRY || (d->state.mode == HVAC_MODE_AUTO && fan == 6))
                d->has_fan = d->fan_beyond_model = false;
        if (d->state.mode == HVAC_MODE_FAN_ONLY)
                d->has_temperature = false;
        return 0;
}

static const IrFanTable samsung_fan_tables[] = {
        { "standard", "low 2, medium 4, high 5", { 0, 2, 4, 5 } },
        { "upper", "low 4, medium 5, high 7 (AR-EH03E and kin)", { 0, 4, 5, 7 } },
        {}
};

const IrProtocol ir_protocol_samsung = {
        .name = "samsung",
        .description = "Samsung 112-bit (ARH and DB93 remotes; the extended off message)",
        .carrier = 38000,
        .min_temperature = 16,
        .max_temperature = 30,
        .state_bytes = SAMSUNG_BYTES + 1,
        .options = samsung_options,
        .table_driven = true,
        .mode_codes = { [HVAC_MODE_COOL] = 1, [HVAC_MODE_HEAT] = 4, [HVAC_MODE_DRY] = 2,
                        [HVAC_MODE_FAN_ONLY] = 3, [HVAC_MODE_AUTO] = 0 },
        .fan_tables = samsung_fan_tables,
        .build = samsung_build,
        .encode = samsung_encode,
        .decode = samsung_decode,
        .parse = samsung_parse,
};
