/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Midea 48-bit (the newer Midea remotes: RG10B(D1), the MPD/MPPH portable units; Pioneer and
 * Kaysun rebrands), as IRremoteESP8266's ir_Midea documents it. State bytes, in the order they
 * are sent (MSB first):
 *   0: header 0b10100 and the message type (0xA1: a state; 0xA2 specials, 0xA4 follow-me)
 *   1: power (bit 7), sleep (6), an unknown bit (5), fan (3–4: auto 0, low 1, medium 2,
 *      high 3), mode (0–2: cool 0, dry 1, auto 2, heat 3, fan 4)
 *   2: an unknown bit the remotes set (6), Fahrenheit (5), temperature − 17 °C (0–4)
 *   3: beep (bit 7), off timer (1–6, 0x3F: none), bit 0 set
 *   4: the remote's sensor reading, 0xFF: none
 *   5: checksum: bit-reversed, the two's complement of the sum of the bit-reversed bytes 0–4
 * The frame is sent, then sent again with every bit inverted; either copy alone is read. */

#include <errno.h>
#include <string.h>

#include "ir.h"
#include "macro.h"

#define MIDEA_TICK              80
#define MIDEA_HDR_MARK          (56 * MIDEA_TICK)       /* 4480 µs */
#define MIDEA_HDR_SPACE         (56 * MIDEA_TICK)
#define MIDEA_BIT_MARK          (7 * MIDEA_TICK)        /* 560 µs */
#define MIDEA_ONE_SPACE         (21 * MIDEA_TICK)       /* 1680 µs */
#define MIDEA_ZERO_SPACE        (7 * MIDEA_TICK)
#define MIDEA_GAP               (70 * MIDEA_TICK)       /* 5600 µs */
#define MIDEA_BYTES             6
#define MIDEA_TYPE_STATE        0xA1
#define MIDEA_TEMP_FAN_ONLY     0x1E

enum { MIDEA_COOL, MIDEA_DRY, MIDEA_AUTO, MIDEA_HEAT, MIDEA_FAN };

static const IrOptionField midea_options[] = {
        { "sleep", 1, 6, 1, 0, "sleep mode" },
        { "unknown_b1", 1, 5, 1, 0, "set by some Pioneer remotes" },
        { "fahrenheit", 2, 5, 1, 0, "the remote shows °F" },
        { "unknown_b2", 2, 6, 1, 1, "set by the remotes" },
        { "beep", 3, 7, 1, 1, "the unit beeps" },
        { "off_timer", 3, 1, 6, 0x3F, "half hours, 63: none" },
        { "sensor", 4, 0, 8, 0xFF, "the remote's own temperature reading, 255: none" },
        {}
};

static uint8_t midea_checksum(const uint8_t *st) {
        uint8_t sum = 0;

        for (size_t i = 0; i < MIDEA_BYTES - 1; i++)
                sum = (uint8_t) (sum + ir_reverse_bits(st[i]));
        return ir_reverse_bits((uint8_t) (256 - sum));
}

static int midea_build(const HvacState *s, const unsigned *options, uint8_t *st) {
        unsigned mode, fan;
        int r;

        r = ir_protocol_check_temperature(&ir_protocol_midea, s->target_temperature);
        if (r < 0)
                return r;

        r = ir_mode_code(&ir_protocol_midea, s->mode);
        if (r < 0)
                return r;
        mode = (unsigned) r;
        switch (s->fan) {
        case HVAC_FAN_AUTO:   fan = 0; break;
        case HVAC_FAN_LOW:    fan = 1; break;
        case HVAC_FAN_MEDIUM: fan = 2; break;
        case HVAC_FAN_HIGH:   fan = 3; break;
        default:              return -EINVAL;
        }

        st[0] = MIDEA_TYPE_STATE;
        st[1] = (uint8_t) ((s->power ? 0x80 : 0) | fan << 3 | mode);
        /* In fan mode the remotes send the temperature field as 30 (47 °C). */
        st[2] = s->mode == HVAC_MODE_FAN_ONLY ? MIDEA_TEMP_FAN_ONLY :
                (uint8_t) ((int) s->target_temperature - ir_protocol_midea.min_temperature);
        st[3] = 0x01;
        st[4] = 0;
        ir_options_write(&ir_protocol_midea, options, st);
        st[5] = midea_checksum(st);
        return 0;
}

static int midea_encode(const uint8_t *st, IrFrame *f) {
        int r = 0;

        ir_frame_init(f, 38000, 50);
        for (unsigned copy = 0; copy < 2; copy++) {
                uint8_t invert = copy ? 0xFF : 0;

                r = ir_frame_add(f, true, MIDEA_HDR_MARK);
                if (r >= 0)
                        r = ir_frame_add(f, false, MIDEA_HDR_SPACE);
                for (size_t i = 0; r >= 0 && i < MIDEA_BYTES; i++)
                        r = ir_frame_add_bits(f, st[i] ^ invert, 8, true, MIDEA_BIT_MARK, MIDEA_ONE_SPACE,
                                              MIDEA_ZERO_SPACE);
                if (r >= 0)
                        r = ir_frame_add(f, true, MIDEA_BIT_MARK);
                if (r >= 0)
                        r = ir_frame_add(f, false, MIDEA_GAP);
                if (r < 0)
                        return r;
        }
        ir_frame_finish(f);
        return 0;
}

static int midea_read_copy(IrReader *r, uint8_t *st) {
        uint64_t v;
        int k;

        k = ir_read_mark(r, MIDEA_HDR_MARK);
        if (k >= 0)
                k = ir_read_space(r, MIDEA_HDR_SPACE);
        if (k < 0)
                return k;
        k = ir_read_bits(r, 48, true, MIDEA_BIT_MARK, MIDEA_ONE_SPACE, MIDEA_ZERO_SPACE, &v);
        if (k < 0)
                return k == -ENOMSG ? -ENODATA : k;
        for (size_t i = 0; i < MIDEA_BYTES; i++)
                st[i] = (uint8_t) (v >> (40 - 8 * i));
        k = ir_read_mark(r, MIDEA_BIT_MARK);
        if (k < 0)
                return k == -ENOMSG ? -ENODATA : k;
        return ir_read_gap(r, MIDEA_GAP);
}

static int midea_decode(IrReader *r, uint8_t *st, size_t *ret_n) {
        uint8_t inverted[MIDEA_BYTES];
        int k;

        k = midea_read_copy(r, st);
        if (k < 0)
                return k;
        /* Coolix has the same timings: its every other byte is the inverse of the one before. */
        if ((st[0] ^ st[1]) == 0xFF && (st[2] ^ st[3]) == 0xFF && (st[4] ^ st[5]) == 0xFF)
                return -ENOMSG;
        if (midea_checksum(st) != st[5]) {
                uint8_t copy[MIDEA_BYTES];

                /* The inverted copy, where the recording starts (the receiver missed the first):
                 * it still says it all. */
                for (size_t i = 0; i < MIDEA_BYTES; i++)
                        copy[i] = (uint8_t) ~st[i];
                if (midea_checksum(copy) != copy[5])
                        return -EBADMSG;
                memcpy(st, copy, MIDEA_BYTES);
                *ret_n = MIDEA_BYTES;
                return 0;
        }
        if (r->pos < r->n) {
                k = midea_read_copy(r, inverted);
                if (k == -ENOMSG)
                        return -ENOMSG;
                for (size_t i = 0; k >= 0 && i < MIDEA_BYTES; i++)
                        if ((inverted[i] ^ st[i]) != 0xFF)
                                return -EBADMSG;
        }
        *ret_n = MIDEA_BYTES;
        return 0;
}

static int midea_parse(const uint8_t *st, IrDecoded *d) {
        unsigned temp = st[2] & 0x1F;
        HvacMode mode;

        if (st[0] != MIDEA_TYPE_STATE || ir_mode_from_code(&ir_protocol_midea, st[1] & 7, &mode) < 0 ||
            (st[2] & 0x20))
                return -ERANGE;         /* a special command, follow-me, or °F */
        d->state = (HvacState) {
                .power = st[1] & 0x80,
                .mode = mode,
                .target_temperature = ir_protocol_midea.min_temperature + (int) temp,
                .fan = (HvacFan) ((st[1] >> 3) & 3),
        };
        d->has_fan = d->has_temperature = d->state.power;
        if (d->state.mode == HVAC_MODE_FAN_ONLY) {
                d->has_temperature = false;
                d->state.target_temperature = ir_protocol_midea.max_temperature;
        } else if (d->state.target_temperature > ir_protocol_midea.max_temperature)
                return -ERANGE;
        return 0;
}

const IrProtocol ir_protocol_midea = {
        .name = "midea",
        .description = "Midea 48-bit (RG10B(D1), MPD/MPPH portable units, Pioneer, Kaysun)",
        .carrier = 38000,
        .min_temperature = 17,
        .max_temperature = 30,
        .state_bytes = MIDEA_BYTES,
        .options = midea_options,
        .table_driven = true,
        .mode_codes = { [HVAC_MODE_COOL] = MIDEA_COOL, [HVAC_MODE_HEAT] = MIDEA_HEAT, [HVAC_MODE_DRY] = MIDEA_DRY,
                        [HVAC_MODE_FAN_ONLY] = MIDEA_FAN, [HVAC_MODE_AUTO] = MIDEA_AUTO },
        .build = midea_build,
        .encode = midea_encode,
        .decode = midea_decode,
        .parse = midea_parse,
};
