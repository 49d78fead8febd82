/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Coolix (Midea's older 24-bit protocol, spoken by many Midea remotes — RG57/RG52/RG70 … — and
 * their rebrands: Electrolux, Beko, Tornado …), as IRremoteESP8266's ir_Coolix documents it.
 * The 24-bit code, low bit first: bit 0 unused, bit 1 zone follow, bits 2–3 mode, bits 4–7
 * temperature (a Gray-like code), bits 8–12 the remote's own sensor reading (0x1F: none), bits
 * 13–15 fan, the top byte 0xB2. Fan-only is dry mode with the temperature code 0b1110. In dry
 * and auto mode the remotes send the fan field as 000 whatever fan was chosen (the unit picks
 * it). Each byte goes out MSB first, followed by its inverse; the whole frame is sent twice.
 * State bytes: the code's top, middle and low byte, in the order they are sent. */

#include <errno.h>
#include <string.h>

#include "ir.h"
#include "macro.h"

#define COOLIX_TICK             276
#define COOLIX_HDR_MARK         (17 * COOLIX_TICK)      /* 4692 µs */
#define COOLIX_HDR_SPACE        (16 * COOLIX_TICK)      /* 4416 µs */
#define COOLIX_BIT_MARK         (2 * COOLIX_TICK)       /* 552 µs */
#define COOLIX_ONE_SPACE        (6 * COOLIX_TICK)       /* 1656 µs */
#define COOLIX_ZERO_SPACE       (2 * COOLIX_TICK)       /* 552 µs */
#define COOLIX_GAP              (19 * COOLIX_TICK)      /* 5244 µs between the two copies */
#define COOLIX_COPIES           2

#define COOLIX_FIXED            UINT32_C(0xB20000)
#define COOLIX_TEMP_FAN_ONLY    0xE

enum {
        COOLIX_MODE_COOL = 0,
        COOLIX_MODE_DRY = 1,
        COOLIX_MODE_AUTO = 2,
        COOLIX_MODE_HEAT = 3,
};

enum {
        COOLIX_FAN_AUTO0 = 0,           /* dry and auto mode: the unit's choice */
        COOLIX_FAN_HIGH = 1,
        COOLIX_FAN_MEDIUM = 2,
        COOLIX_FAN_LOW = 4,
        COOLIX_FAN_AUTO = 5,
};

/* 17…30 °C in the order the units expect. */
static const uint8_t coolix_temperature_codes[] = {
        0x0, 0x1, 0x3, 0x2, 0x6, 0x7, 0x5, 0x4, 0xC, 0xD, 0x9, 0x8, 0xA, 0xB,
};

/* Byte 1 is the code's bits 8–15, byte 2 its bits 0–7. */
static const IrOptionField coolix_options[] = {
        { "sensor", 1, 0, 5, 0x1F, "the remote's own temperature reading, 0x1F: none" },
        { "zone_follow", 2, 1, 1, 0, "the unit follows the remote's sensor" },
        { "fan_code", 1, 5, 3, 0, "a raw fan code: 6 zone follow, 7 fixed (override)", .override = true },
        {}
};

static uint32_t coolix_code_from_bytes(const uint8_t *st) {
        return (uint32_t) st[0] << 16 | (uint32_t) st[1] << 8 | st[2];
}

static int coolix_build(const HvacState *s, const unsigned *options, uint8_t *st) {
        uint32_t mode, fan, temp, code;
        int r;

        if (!s->power) {
                code = IR_COOLIX_OFF;
                goto done;
        }

        r = ir_protocol_check_temperature(&ir_protocol_coolix, s->target_temperature);
        if (r < 0)
                return r;
        temp = coolix_temperature_codes[(int) s->target_temperature - ir_protocol_coolix.min_temperature];

        switch (s->mode) {
        case HVAC_MODE_COOL:     mode = COOLIX_MODE_COOL; break;
        case HVAC_MODE_HEAT:     mode = COOLIX_MODE_HEAT; break;
        case HVAC_MODE_DRY:      mode = COOLIX_MODE_DRY; break;
        case HVAC_MODE_AUTO:     mode = COOLIX_MODE_AUTO; break;
        case HVAC_MODE_FAN_ONLY: mode = COOLIX_MODE_DRY; temp = COOLIX_TEMP_FAN_ONLY; break;
        default:                 return -EINVAL;
        }

        switch (s->fan) {
        case HVAC_FAN_AUTO:   fan = COOLIX_FAN_AUTO; break;
        case HVAC_FAN_LOW:    fan = COOLIX_FAN_LOW; break;
        case HVAC_FAN_MEDIUM: fan = COOLIX_FAN_MEDIUM; break;
        case HVAC_FAN_HIGH:   fan = COOLIX_FAN_HIGH; break;
        default:              return -EINVAL;
        }
        if (s->mode == HVAC_MODE_DRY || s->mode == HVAC_MODE_AUTO)
                fan = COOLIX_FAN_AUTO0;

        code = COOLIX_FIXED | fan << 13 | temp << 4 | mode << 2;
done:
        st[0] = (uint8_t) (code >> 16);
        st[1] = (uint8_t) (code >> 8);
        st[2] = (uint8_t) code;
        if (s->power)
                ir_options_write(&ir_protocol_coolix, options, st);
        return 0;
}

int ir_coolix_code(const HvacState *s, uint32_t *ret) {
        unsigned options[IR_OPTIONS_MAX];
        uint8_t st[3];
        int r;

        ir_options_default(&ir_protocol_coolix, options);
        r = coolix_build(s, options, st);
        if (r < 0)
                return r;
        *ret = coolix_code_from_bytes(st);
        return 0;
}

static int coolix_encode(const uint8_t *st, IrFrame *f) {
        int r = 0;

        ir_frame_init(f, 38000, 50);
        for (unsigned copy = 0; copy < COOLIX_COPIES; copy++) {
                r = ir_frame_add(f, true, COOLIX_HDR_MARK);
                if (r >= 0)
                        r = ir_frame_add(f, false, COOLIX_HDR_SPACE);
                for (unsigned i = 0; r >= 0 && i < 3; i++) {
                        r = ir_frame_add_bits(f, st[i], 8, true, COOLIX_BIT_MARK, COOLIX_ONE_SPACE, COOLIX_ZERO_SPACE);
                        if (r >= 0)
                                r = ir_frame_add_bits(f, (uint8_t) ~st[i], 8, true,
                                                      COOLIX_BIT_MARK, COOLIX_ONE_SPACE, COOLIX_ZERO_SPACE);
                }
                if (r >= 0)
                        r = ir_frame_add(f, true, COOLIX_BIT_MARK);
                if (r >= 0)
                        r = ir_frame_add(f, false, COOLIX_GAP);
                if (r < 0)
                        return r;
        }
        ir_frame_finish(f);
        return 0;
}

static int coolix_read_copy(IrReader *r, uint8_t st[3]) {
        uint64_t v;
        int k;

        k = ir_read_mark(r, COOLIX_HDR_MARK);
        if (k >= 0)
                k = ir_read_space(r, COOLIX_HDR_SPACE);
        if (k < 0)
                return k;
        k = ir_read_bits(r, 48, true, COOLIX_BIT_MARK, COOLIX_ONE_SPACE, COOLIX_ZERO_SPACE, &v);
        if (k < 0)
                return k == -ENOMSG ? -ENODATA : k;
        for (unsigned i = 0; i < 3; i++) {
                uint8_t b = (uint8_t) (v >> (40 - 16 * i)), inv = (uint8_t) (v >> (32 - 16 * i));

                /* Midea's 48-bit frames have the same timings and no inverted bytes. */
                if ((b ^ inv) != 0xFF)
                        return i == 0 ? -ENOMSG : -EBADMSG;
                st[i] = b;
        }
        k = ir_read_mark(r, COOLIX_BIT_MARK);
        if (k < 0)
                return k == -ENOMSG ? -ENODATA : k;
        return ir_read_gap(r, COOLIX_GAP);
}

static int coolix_decode(IrReader *r, uint8_t *st, size_t *ret_n) {
        uint8_t copy[3];
        int k;

        k = coolix_read_copy(r, st);
        if (k < 0)
                return k;
        /* Remotes send two copies; a receiver that missed the second one still has the state. */
        if (r->pos < r->n) {
                k = coolix_read_copy(r, copy);
                if (k == -ENOMSG)
                        return -ENOMSG;
                if (k >= 0 && memcmp(copy, st, 3) != 0)
                        return -EBADMSG;
        }
        *ret_n = 3;
        return 0;
}

static int coolix_parse(const uint8_t *st, IrDecoded *d) {
        uint32_t code = coolix_code_from_bytes(st);
        unsigned mode = (code >> 2) & 3, temp = (code >> 4) & 0xF, fan = (code >> 13) & 7;

        if (st[0] != 0xB2)
                return -ERANGE;         /* a command (swing, turbo, LED …), not a state */
        d->state = (HvacState) { .power = code != IR_COOLIX_OFF, .mode = HVAC_MODE_COOL,
                                 .target_temperature = 24, .fan = HVAC_FAN_AUTO };
        if (!d->state.power)
                return 0;

        d->has_temperature = true;
        d->has_fan = true;
        switch (mode) {
        case COOLIX_MODE_COOL: d->state.mode = HVAC_MODE_COOL; break;
        case COOLIX_MODE_HEAT: d->state.mode = HVAC_MODE_HEAT; break;
        case COOLIX_MODE_AUTO: d->state.mode = HVAC_MODE_AUTO; break;
        case COOLIX_MODE_DRY:
                d->state.mode = temp == COOLIX_TEMP_FAN_ONLY ? HVAC_MODE_FAN_ONLY : HVAC_MODE_DRY;
                break;
        }
        if (d->state.mode == HVAC_MODE_FAN_ONLY)
                d->has_temperature = false;
        else {
                size_t i;

                for (i = 0; i < ELEMENTSOF(coolix_temperature_codes); i++)
                        if (coolix_temperature_codes[i] == temp)
                                break;
                if (i >= ELEMENTSOF(coolix_temperature_codes))
                        return -ERANGE;
                d->state.target_temperature = ir_protocol_coolix.min_temperature + (int) i;
        }

        switch (fan) {
        case COOLIX_FAN_AUTO0:
        case COOLIX_FAN_AUTO:   d->state.fan = HVAC_FAN_AUTO; break;
        case COOLIX_FAN_LOW:    d->state.fan = HVAC_FAN_LOW; break;
        case COOLIX_FAN_MEDIUM: d->state.fan = HVAC_FAN_MEDIUM; break;
        case COOLIX_FAN_HIGH:   d->state.fan = HVAC_FAN_HIGH; break;
        default:
                /* Zone follow, fixed: fan_code carries them. */
                d->has_fan = false;
                d->fan_beyond_model = true;
                return 0;
        }
        /* The remote does not say which fan was chosen in these modes. */
        if (d->state.mode == HVAC_MODE_DRY || d->state.mode == HVAC_MODE_AUTO)
                d->has_fan = false;
        return 0;
}

const IrProtocol ir_protocol_coolix = {
        .name = "coolix",
        .description = "Coolix 24-bit (Midea RG57/RG52/RG70 remotes and rebrands)",
        .carrier = 38000,
        .min_temperature = 17,
        .max_temperature = 30,
        .state_bytes = 3,
        .options = coolix_options,
        .build = coolix_build,
        .encode = coolix_encode,
        .decode = coolix_decode,
        .parse = coolix_parse,
};
