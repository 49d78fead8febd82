/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Gree (YAW1F remotes and the units that answer to them). Eight state bytes:
 *   0: mode (bits 0–2: auto 0, cool 1, dry 2, fan 3, heat 4), power (bit 3), fan (bits 4–5)
 *   1: temperature − 16 °C (bits 0–3)
 *   2: light (bit 5), the YAW1F model bit (bit 6, set while powered on)
 *   3: 0x50 and 5: 0x20 (fixed), 4 and 6: swing and timers, left at 0
 *   7: checksum in bits 4–7
 * Sent LSB first: a header, bytes 0–3, a 3-bit block footer 0b010, a long gap, bytes 4–7.
 * The units lock auto mode to 25 °C and dry mode to the lowest fan speed, so that is what is
 * sent for them. */

#include <errno.h>

#include "ir.h"
#include "macro.h"

#define GREE_HDR_MARK           9000
#define GREE_HDR_SPACE          4500
#define GREE_BIT_MARK           620
#define GREE_ONE_SPACE          1600
#define GREE_ZERO_SPACE         540
#define GREE_MSG_SPACE          19980
#define GREE_BLOCK_FOOTER       0x2
#define GREE_BLOCK_FOOTER_BITS  3
#define GREE_AUTO_TEMPERATURE   25
#define GREE_CHECKSUM_START     10

uint8_t ir_gree_checksum(const uint8_t state[IR_GREE_STATE_BYTES]) {
        unsigned sum = GREE_CHECKSUM_START;

        /* Low nibbles of bytes 0–3, high nibbles of bytes 4–6. */
        for (size_t i = 0; i < 4; i++)
                sum += state[i] & 0x0F;
        for (size_t i = 4; i < IR_GREE_STATE_BYTES - 1; i++)
                sum += state[i] >> 4;
        return sum & 0x0F;
}

int ir_gree_state(const HvacState *s, uint8_t ret[IR_GREE_STATE_BYTES]) {
        const IrProtocol *p = ir_protocol_find("gree");
        uint8_t st[IR_GREE_STATE_BYTES] = { 0, 0, 0x20, 0x50, 0, 0x20, 0, 0 };
        unsigned mode, fan, temp;
        int r;

        r = ir_protocol_check_temperature(p, s->target_temperature);
        if (r < 0)
                return r;
        temp = (unsigned) s->target_temperature;

        switch (s->mode) {
        case HVAC_MODE_AUTO:     mode = 0; temp = GREE_AUTO_TEMPERATURE; break;
        case HVAC_MODE_COOL:     mode = 1; break;
        case HVAC_MODE_DRY:      mode = 2; break;
        case HVAC_MODE_FAN_ONLY: mode = 3; break;
        case HVAC_MODE_HEAT:     mode = 4; break;
        default:                 return -EINVAL;
        }

        switch (s->fan) {
        case HVAC_FAN_AUTO:   fan = 0; break;
        case HVAC_FAN_LOW:    fan = 1; break;
        case HVAC_FAN_MEDIUM: fan = 2; break;
        case HVAC_FAN_HIGH:   fan = 3; break;
        default:              return -EINVAL;
        }
        if (s->mode == HVAC_MODE_DRY)
                fan = 1;

        st[0] = (uint8_t) (mode | (s->power ? 0x08 : 0) | fan << 4);
        st[1] = (uint8_t) (temp - (unsigned) p->min_temperature);
        if (s->power)
                st[2] |= 0x40;
        st[7] = (uint8_t) (ir_gree_checksum(st) << 4);

        memcpy(ret, st, sizeof(st));
        return 0;
}

static int gree_add_bytes(IrFrame *f, const uint8_t *bytes, size_t n) {
        int r;

        for (size_t i = 0; i < n; i++) {
                r = ir_frame_add_bits(f, bytes[i], 8, false, GREE_BIT_MARK, GREE_ONE_SPACE, GREE_ZERO_SPACE);
                if (r < 0)
                        return r;
        }
        return 0;
}

int ir_gree_encode(const HvacState *s, IrFrame *f) {
        uint8_t st[IR_GREE_STATE_BYTES];
        int r;

        r = ir_gree_state(s, st);
        if (r < 0)
                return r;

        ir_frame_init(f, 38000, 50);
        r = ir_frame_add(f, true, GREE_HDR_MARK);
        if (r >= 0)
                r = ir_frame_add(f, false, GREE_HDR_SPACE);
        if (r >= 0)
                r = gree_add_bytes(f, st, 4);
        if (r >= 0)
                r = ir_frame_add_bits(f, GREE_BLOCK_FOOTER, GREE_BLOCK_FOOTER_BITS, false,
                                      GREE_BIT_MARK, GREE_ONE_SPACE, GREE_ZERO_SPACE);
        if (r >= 0)
                r = ir_frame_add(f, true, GREE_BIT_MARK);
        if (r >= 0)
                r = ir_frame_add(f, false, GREE_MSG_SPACE);
        if (r >= 0)
                r = gree_add_bytes(f, st + 4, 4);
        if (r >= 0)
                r = ir_frame_add(f, true, GREE_BIT_MARK);
        if (r < 0)
                return r;
        ir_frame_finish(f);
        return 0;
}
