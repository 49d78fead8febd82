/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Coolix, as spoken by Midea remotes (RG57/RG52 …) and their rebrands. The 24-bit code, low bit
 * first: bit 0 unused, bit 1 zone follow, bits 2–3 mode, bits 4–7 temperature (a Gray-like
 * code), bits 8–12 the remote's own sensor reading (0x1F: none), bits 13–15 fan, the top byte
 * 0xB2. Fan-only is dry mode with the temperature code 0b1110. Each byte goes out MSB first,
 * followed by its inverse; the whole frame is sent twice. */

#include <errno.h>

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
#define COOLIX_SENSOR_NONE      UINT32_C(0x1F)
#define COOLIX_TEMP_FAN_ONLY    UINT32_C(0xE)

enum {
        COOLIX_MODE_COOL = 0,
        COOLIX_MODE_DRY = 1,
        COOLIX_MODE_AUTO = 2,
        COOLIX_MODE_HEAT = 3,
};

enum {
        COOLIX_FAN_AUTO_DRY = 0,        /* "auto" in dry and auto mode */
        COOLIX_FAN_HIGH = 1,
        COOLIX_FAN_MEDIUM = 2,
        COOLIX_FAN_LOW = 4,
        COOLIX_FAN_AUTO = 5,
};

/* 17…30 °C in the order the units expect. */
static const uint8_t coolix_temperature_codes[] = {
        0x0, 0x1, 0x3, 0x2, 0x6, 0x7, 0x5, 0x4, 0xC, 0xD, 0x9, 0x8, 0xA, 0xB,
};

int ir_coolix_code(const HvacState *s, uint32_t *ret) {
        const IrProtocol *p = ir_protocol_find("coolix");
        uint32_t mode, fan, temp;
        int r;

        if (!s->power) {
                *ret = IR_COOLIX_OFF;
                return 0;
        }

        r = ir_protocol_check_temperature(p, s->target_temperature);
        if (r < 0)
                return r;
        temp = coolix_temperature_codes[(int) s->target_temperature - p->min_temperature];

        switch (s->mode) {
        case HVAC_MODE_COOL:     mode = COOLIX_MODE_COOL; break;
        case HVAC_MODE_HEAT:     mode = COOLIX_MODE_HEAT; break;
        case HVAC_MODE_DRY:      mode = COOLIX_MODE_DRY; break;
        case HVAC_MODE_AUTO:     mode = COOLIX_MODE_AUTO; break;
        case HVAC_MODE_FAN_ONLY: mode = COOLIX_MODE_DRY; temp = COOLIX_TEMP_FAN_ONLY; break;
        default:                 return -EINVAL;
        }

        switch (s->fan) {
        case HVAC_FAN_AUTO:
                fan = (s->mode == HVAC_MODE_DRY || s->mode == HVAC_MODE_AUTO) ? COOLIX_FAN_AUTO_DRY : COOLIX_FAN_AUTO;
                break;
        case HVAC_FAN_LOW:    fan = COOLIX_FAN_LOW; break;
        case HVAC_FAN_MEDIUM: fan = COOLIX_FAN_MEDIUM; break;
        case HVAC_FAN_HIGH:   fan = COOLIX_FAN_HIGH; break;
        default:              return -EINVAL;
        }

        *ret = COOLIX_FIXED | fan << 13 | COOLIX_SENSOR_NONE << 8 | temp << 4 | mode << 2;
        return 0;
}

int ir_coolix_encode(const HvacState *s, IrFrame *f) {
        uint32_t code;
        int r;

        r = ir_coolix_code(s, &code);
        if (r < 0)
                return r;

        ir_frame_init(f, 38000, 50);
        for (unsigned copy = 0; copy < COOLIX_COPIES; copy++) {
                r = ir_frame_add(f, true, COOLIX_HDR_MARK);
                if (r >= 0)
                        r = ir_frame_add(f, false, COOLIX_HDR_SPACE);
                for (int shift = 16; r >= 0 && shift >= 0; shift -= 8) {
                        uint8_t byte = (code >> shift) & 0xFF;

                        r = ir_frame_add_bits(f, byte, 8, true, COOLIX_BIT_MARK, COOLIX_ONE_SPACE, COOLIX_ZERO_SPACE);
                        if (r >= 0)
                                r = ir_frame_add_bits(f, (uint8_t) ~byte, 8, true,
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
