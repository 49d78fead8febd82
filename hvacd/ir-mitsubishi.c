/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Mitsubishi Electric 144-bit (MITSUBISHI_AC in IRremoteESP8266's ir_Mitsubishi: the
 * RH151/SG15D/KM14A remotes of the MSZ/MLZ units). Eighteen state bytes, sent LSB first:
 *   0–4: 23 CB 26 01 00
 *   5: power (bit 5)
 *   6: mode (3–5: heat 1, dry 2, cool 3, auto 4, fan 7), i-see (6)
 *   7: temperature − 16 °C (0–3), half degree (4)
 *   8: a mode-dependent nibble (0–3: cool 6, dry 2, heat and auto 0, fan 7), wide vane (4–7)
 *   9: fan speed (0–2: 0 auto, 1 low … 4 highest, 5 quiet), vane (3–5), vane bit (6), fan
 *      auto (7; some remotes set it with a speed too)
 *   10–12: the remote's clock, stop and start time (10-minute units since midnight); 13: timer
 *      (0–2)
 *   14: econo cool (5), and bits 0, 1 and 7 that some remotes set; 15: direct/indirect (0–1), absence detect (2), i-save (5)
 *   16: natural flow (1), left vane (3–5)
 *   17: checksum, the sum of bytes 0–16
 * The frame goes out twice, the copies 15.5 ms apart. The remotes send fan speeds the climate
 * model has no word for (quiet, highest) and, in some, the mode nibble of byte 8 differently:
 * both are override options. i-save lets heat mode go down to 10 °C: the remotes then send the
 * i-save bit with 16 °C in the temperature field (IRremoteESP8266's setISave10C), and a heat
 * frame with the bit set asks for 10 °C. */

#include <errno.h>
#include <string.h>

#include "ir.h"
#include "macro.h"

#define MITSUBISHI_HDR_MARK     3400
#define MITSUBISHI_HDR_SPACE    1750
#define MITSUBISHI_BIT_MARK     450
#define MITSUBISHI_ONE_SPACE    1300
#define MITSUBISHI_ZERO_SPACE   420
#define MITSUBISHI_GAP          15500
#define MITSUBISHI_BYTES        18
#define MITSUBISHI_FAN_AUTO     0x80
#define MITSUBISHI_ISAVE        0x20    /* byte 15 */
#define MITSUBISHI_ISAVE_TEMP   10

static const uint8_t mitsubishi_fixed[5] = { 0x23, 0xCB, 0x26, 0x01, 0x00 };

static const IrOptionField mitsubishi_options[] = {
        { "fan_speed", 9, 0, 3, 0, "a raw fan speed: 4 highest, 5 quiet (override)", .override = true },
        { "fan_auto_bit", 9, 7, 1, 0, "the fan-auto bit as sent (override)", .override = true },
        { "mode_bits", 8, 0, 4, 0, "byte 8's mode nibble as sent (override)", .override = true },
        { "mode_code", 6, 3, 3, 0, "a raw mode, such as 0 in some remotes' off frames (override)", .override = true },
        { "vane", 9, 3, 3, 0, "vertical vane: 0 auto, 1–5 positions, 7 swing" },
        { "vane_bit", 9, 6, 1, 0, "set with a vane position by some remotes" },
        { "wide_vane", 8, 4, 4, 3, "horizontal vane: 1–5 positions, 3 middle, 8 wide, 12 swing" },
        { "isee", 6, 6, 1, 0, "i-see sensor" },
        { "half_degree", 7, 4, 1, 0, "half a degree above the temperature" },
        { "clock", 10, 0, 8, 0, "the remote's clock, 10-minute units since midnight", .clock = true },
        { "stop_clock", 11, 0, 8, 0, "off timer" },
        { "start_clock", 12, 0, 8, 0, "on timer" },
        { "timer", 13, 0, 4, 0, "timer mode" },
        { "byte14", 14, 0, 8, 0, "econo cool (bit 5), and bits 0, 1 and 7 that some remotes set" },
        { "direct_indirect", 15, 0, 2, 0, "i-see direct/indirect" },
        { "absence_detect", 15, 2, 1, 0, "absence detect" },
        { "natural_flow", 16, 1, 1, 0, "natural flow" },
        { "vane_left", 16, 3, 3, 0, "left vane" },
        {}
};
_Static_assert(ELEMENTSOF(mitsubishi_options) <= IR_OPTIONS_MAX, "too many options");

enum { MITSUBISHI_HEAT = 1, MITSUBISHI_DRY = 2, MITSUBISHI_COOL = 3, MITSUBISHI_AUTO = 4, MITSUBISHI_FAN = 7 };

static uint8_t mitsubishi_checksum(const uint8_t *st) {
        uint8_t sum = 0;

        for (size_t i = 0; i < MITSUBISHI_BYTES - 1; i++)
                sum = (uint8_t) (sum + st[i]);
        return sum;
}

static int mitsubishi_build(const HvacState *s, const unsigned *options, uint8_t *st) {
        bool isave = s->mode == HVAC_MODE_HEAT && s->target_temperature == MITSUBISHI_ISAVE_TEMP;
        unsigned mode, nibble, fan;
        int r;

        r = ir_protocol_check_temperature(&ir_protocol_mitsubishi, s->target_temperature);
        if (r < 0 && !isave)
                return r;

        switch (s->mode) {
        case HVAC_MODE_HEAT:     mode = MITSUBISHI_HEAT; nibble = 0; break;
        case HVAC_MODE_DRY:      mode = MITSUBISHI_DRY;  nibble = 2; break;
        case HVAC_MODE_COOL:     mode = MITSUBISHI_COOL; nibble = 6; break;
        case HVAC_MODE_AUTO:     mode = MITSUBISHI_AUTO; nibble = 0; break;
        case HVAC_MODE_FAN_ONLY: mode = MITSUBISHI_FAN;  nibble = 7; break;
        default:                 return -EINVAL;
        }
        switch (s->fan) {
        case HVAC_FAN_AUTO:   fan = MITSUBISHI_FAN_AUTO; break;
        case HVAC_FAN_LOW:    fan = 1; break;
        case HVAC_FAN_MEDIUM: fan = 2; break;
        case HVAC_FAN_HIGH:   fan = 3; break;
        default:              return -EINVAL;
        }

        memset(st, 0, MITSUBISHI_BYTES);
        memcpy(st, mitsubishi_fixed, sizeof(mitsubishi_fixed));
        st[5] = s->power ? 0x20 : 0;
        st[6] = (uint8_t) (mode << 3);
        st[7] = isave ? 0 : (uint8_t) ((int) s->target_temperature - ir_protocol_mitsubishi.min_temperature);
        st[8] = (uint8_t) nibble;
        st[9] = (uint8_t) fan;
        ir_options_write(&ir_protocol_mitsubishi, options, st);
        if (isave)
                st[15] |= MITSUBISHI_ISAVE;
        st[17] = mitsubishi_checksum(st);
        return 0;
}

/* A press carries the time the remote's clock shows, to the 10 minutes. */
static void mitsubishi_set_clock(unsigned *options, const struct tm *tm) {
        (void) ir_option_set(&ir_protocol_mitsubishi, options, "clock", (unsigned) (tm->tm_hour * 6 + tm->tm_min / 10));
}

static int mitsubishi_encode(const uint8_t *st, IrFrame *f) {
        int r = 0;

        ir_frame_init(f, 38000, 50);
        for (unsigned copy = 0; r >= 0 && copy < 2; copy++) {
                r = ir_frame_add(f, true, MITSUBISHI_HDR_MARK);
                if (r >= 0)
                        r = ir_frame_add(f, false, MITSUBISHI_HDR_SPACE);
                if (r >= 0)
                        r = ir_frame_add_bytes_lsb(f, st, MITSUBISHI_BYTES, MITSUBISHI_BIT_MARK, MITSUBISHI_ONE_SPACE,
                                                   MITSUBISHI_ZERO_SPACE);
                if (r >= 0)
                        r = ir_frame_add(f, true, MITSUBISHI_BIT_MARK);
                if (r >= 0)
                        r = ir_frame_add(f, false, MITSUBISHI_GAP);
        }
        if (r < 0)
                return r;
        ir_frame_finish(f);
        return 0;
}

static int mitsubishi_read_copy(IrReader *r, uint8_t *st) {
        int k;

        k = ir_read_mark(r, MITSUBISHI_HDR_MARK);
        if (k >= 0)
                k = ir_read_space(r, MITSUBISHI_HDR_SPACE);
        if (k < 0)
                return k;
        /* The fixed bytes tell this protocol from others with the same timings. */
        k = ir_read_bytes_lsb(r, st, sizeof(mitsubishi_fixed), MITSUBISHI_BIT_MARK, MITSUBISHI_ONE_SPACE,
                              MITSUBISHI_ZERO_SPACE);
        if (k < 0)
                return k == -ENODATA ? -ENOMSG : k;
        if (memcmp(st, mitsubishi_fixed, sizeof(mitsubishi_fixed)) != 0)
                return -ENOMSG;
        k = ir_read_bytes_lsb(r, st + 5, MITSUBISHI_BYTES - 5, MITSUBISHI_BIT_MARK, MITSUBISHI_ONE_SPACE,
                              MITSUBISHI_ZERO_SPACE);
        if (k >= 0)
                k = ir_read_mark(r, MITSUBISHI_BIT_MARK);
        if (k >= 0)
                k = ir_read_gap(r, MITSUBISHI_GAP);
        return k == -ENOMSG ? -ENODATA : k;
}

static int mitsubishi_decode(IrReader *r, uint8_t *st, size_t *ret_n) {
        uint8_t copy[MITSUBISHI_BYTES];
        int k;

        k = mitsubishi_read_copy(r, st);
        if (k < 0)
                return k;
        if (mitsubishi_checksum(st) != st[17])
                return -EBADMSG;
        /* The repeat is not needed, but must agree when it is there. */
        if (r->pos < r->n && mitsubishi_read_copy(r, copy) >= 0 && memcmp(copy, st, MITSUBISHI_BYTES) != 0)
                return -EBADMSG;
        *ret_n = MITSUBISHI_BYTES;
        return 0;
}

static int mitsubishi_parse(const uint8_t *st, IrDecoded *d) {
        unsigned mode = (st[6] >> 3) & 7, fan = st[9] & 7;

        d->state = (HvacState) {
                .power = st[5] & 0x20,
                .target_temperature = ir_protocol_mitsubishi.min_temperature + (st[7] & 0x0F),
                .fan = HVAC_FAN_AUTO,
        };
        switch (mode) {
        case MITSUBISHI_HEAT: d->state.mode = HVAC_MODE_HEAT; break;
        case MITSUBISHI_DRY:  d->state.mode = HVAC_MODE_DRY; break;
        case MITSUBISHI_COOL: d->state.mode = HVAC_MODE_COOL; break;
        case MITSUBISHI_AUTO: d->state.mode = HVAC_MODE_AUTO; break;
        case MITSUBISHI_FAN:  d->state.mode = HVAC_MODE_FAN_ONLY; break;
        default:
                /* Some remotes send mode 0 in their off frames; mode_code carries it. */
                if (d->state.power)
                        return -ERANGE;
                d->state.mode = HVAC_MODE_AUTO;
        }
        d->has_fan = d->has_temperature = d->state.power;
        /* The fan field says it; the fan-auto bit goes with auto, but some remotes set it with
         * a speed too. */
        if (fan == 0)
                d->state.fan = HVAC_FAN_AUTO;
        else if (fan <= 3)
                d->state.fan = (HvacFan) fan;
        else {
                d->has_fan = false;     /* highest, quiet: the override option says it */
                d->fan_beyond_model = true;
        }
        if (d->state.mode == HVAC_MODE_HEAT && (st[15] & MITSUBISHI_ISAVE))
                d->state.target_temperature = MITSUBISHI_ISAVE_TEMP;
        /* Dry and fan mode: the remotes send a fixed temperature. */
        if (d->state.mode == HVAC_MODE_DRY || d->state.mode == HVAC_MODE_FAN_ONLY)
                d->has_temperature = false;
        return 0;
}

const IrProtocol ir_protocol_mitsubishi = {
        .name = "mitsubishi",
        .description = "Mitsubishi Electric 144-bit (RH151, SG15D, KM14A remotes)",
        .carrier = 38000,
        .min_temperature = 16,
        .max_temperature = 31,
        .state_bytes = MITSUBISHI_BYTES,
        .options = mitsubishi_options,
        .build = mitsubishi_build,
        .encode = mitsubishi_encode,
        .decode = mitsubishi_decode,
        .parse = mitsubishi_parse,
        .set_clock = mitsubishi_set_clock,
};
