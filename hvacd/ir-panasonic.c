/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Panasonic 216-bit (PANASONIC_AC in IRremoteESP8266's ir_Panasonic: the A75C remotes of the
 * CS-/CU- units, models DKE, JKE, LKE, NKE, CKP, RKR). Twenty-seven state bytes in two frames
 * of 8 and 19 bytes, sent LSB first:
 *   0–7: 02 20 E0 04 00 00 00 06
 *   8–12: 02 20 E0 04 00
 *   13: mode (4–7: auto 0, dry 2, cool 3, heat 4, fan 6), 1 on most remotes (3), timers
 *       (1–2), power (0)
 *   14: temperature (1–5, °C); 15: 0x80
 *   16: fan (4–7: speed + 3, 3 lowest … 7 highest, 0xA auto), vertical vane (0–3: 0xF auto)
 *   17: horizontal vane; 18–20: on and off times (0x600: none, as 00 0E E0)
 *   21: quiet (0), powerful (5), ion (bit 0 of byte 22); 23: 0x81 (0x01 DKE/CKP, 0x89 RKR)
 *   26: checksum, 0xF4 plus the sum of bytes 0–25
 * The climate model's low, medium and high are speeds 2, 3 and 4 of five, as IRremoteESP8266 and
 * ESPHome have them; three-speed remotes send 1, 3 and 5, which decode as low, medium and high
 * too (fan_code reproduces them). In fan mode the remotes send 27 °C; in dry mode some send a
 * fixed temperature and some a fixed fan, so a decoded dry frame reports neither. The state frame
 * decodes alone too: the first frame is fixed. */

#include <errno.h>
#include <string.h>

#include "ir.h"
#include "macro.h"

#define PANASONIC_HDR_MARK      3456
#define PANASONIC_HDR_SPACE     1728
#define PANASONIC_BIT_MARK      432
#define PANASONIC_ONE_SPACE     1296
#define PANASONIC_ZERO_SPACE    432
#define PANASONIC_GAP           10000
#define PANASONIC_BYTES         27
#define PANASONIC_FRAME1        8
#define PANASONIC_CHECKSUM_INIT 0xF4
#define PANASONIC_FAN_AUTO      0xA
#define PANASONIC_FAN_MODE_TEMP 27

static const uint8_t panasonic_frame1[PANASONIC_FRAME1] = { 0x02, 0x20, 0xE0, 0x04, 0x00, 0x00, 0x00, 0x06 };

static const IrOptionField panasonic_options[] = {
        { "fan_code", 16, 4, 4, 0, "a raw fan code: 3 lowest, 7 highest (override)", .override = true },
        { "temperature_code", 14, 1, 5, 0, "a raw temperature (override)", .override = true },
        { "swing_v", 16, 0, 4, 0xF, "vertical vane: 15 auto, 1–5 positions" },
        { "swing_h", 17, 0, 8, 0x0D, "horizontal vane: 13 auto, 6 middle, 9–12 positions" },
        { "timers", 13, 1, 2, 0, "on (1) and off (2) timer set" },
        { "unknown_b13", 13, 3, 1, 1, "set by most remotes" },
        { "time_18", 18, 0, 8, 0x00, "on time, low byte" },
        { "time_19", 19, 0, 8, 0x0E, "on time high, off time low bits" },
        { "time_20", 20, 0, 8, 0xE0, "off time, high byte" },
        { "byte21", 21, 0, 8, 0, "quiet (bit 0), powerful (bit 5), model bits" },
        { "ion", 22, 0, 1, 0, "ion filter" },
        { "model_23", 23, 0, 8, 0x81, "model: 0x81, 0x01 (DKE, CKP), 0x89 (RKR)" },
        { "model_25", 25, 0, 8, 0x00, "model: 0, 0x06 (DKE)" },
        {}
};

enum { PANASONIC_AUTO = 0, PANASONIC_DRY = 2, PANASONIC_COOL = 3, PANASONIC_HEAT = 4, PANASONIC_FAN = 6 };

static uint8_t panasonic_checksum(const uint8_t *st) {
        uint8_t sum = PANASONIC_CHECKSUM_INIT;

        for (size_t i = 0; i < PANASONIC_BYTES - 1; i++)
                sum = (uint8_t) (sum + st[i]);
        return sum;
}

static int panasonic_build(const HvacState *s, const unsigned *options, uint8_t *st) {
        unsigned mode, fan, temp;
        int r;

        r = ir_protocol_check_temperature(&ir_protocol_panasonic, s->target_temperature);
        if (r < 0)
                return r;
        temp = (unsigned) s->target_temperature;

        r = ir_mode_code(&ir_protocol_panasonic, s->mode);
        if (r < 0)
                return r;
        mode = (unsigned) r;
        if (s->mode == HVAC_MODE_FAN_ONLY)
                temp = PANASONIC_FAN_MODE_TEMP;
        switch (s->fan) {
        case HVAC_FAN_AUTO:   fan = PANASONIC_FAN_AUTO; break;
        case HVAC_FAN_LOW:    fan = 4; break;
        case HVAC_FAN_MEDIUM: fan = 5; break;
        case HVAC_FAN_HIGH:   fan = 6; break;
        default:              return -EINVAL;
        }

        memset(st, 0, PANASONIC_BYTES);
        memcpy(st, panasonic_frame1, sizeof(panasonic_frame1));
        memcpy(st + PANASONIC_FRAME1, panasonic_frame1, 5);
        st[13] = (uint8_t) (mode << 4 | (s->power ? 1 : 0));
        st[14] = (uint8_t) (temp << 1);
        st[15] = 0x80;
        st[16] = (uint8_t) (fan << 4);
        ir_options_write(&ir_protocol_panasonic, options, st);
        st[PANASONIC_BYTES - 1] = panasonic_checksum(st);
        return 0;
}

static int panasonic_encode(const uint8_t *st, IrFrame *f) {
        int r = 0;

        ir_frame_init(f, 36700, 50);
        for (size_t i = 0; r >= 0 && i < 2; i++) {
                size_t from = i ? PANASONIC_FRAME1 : 0, to = i ? PANASONIC_BYTES : PANASONIC_FRAME1;

                r = ir_frame_add(f, true, PANASONIC_HDR_MARK);
                if (r >= 0)
                        r = ir_frame_add(f, false, PANASONIC_HDR_SPACE);
                if (r >= 0)
                        r = ir_frame_add_bytes_lsb(f, st + from, to - from, PANASONIC_BIT_MARK, PANASONIC_ONE_SPACE,
                                                   PANASONIC_ZERO_SPACE);
                if (r >= 0)
                        r = ir_frame_add(f, true, PANASONIC_BIT_MARK);
                if (r >= 0)
                        r = ir_frame_add(f, false, PANASONIC_GAP);
        }
        if (r < 0)
                return r;
        ir_frame_finish(f);
        return 0;
}

/* The mark that ends a frame, and the gap after it (or the end of the recording). */
static int panasonic_read_footer(IrReader *r) {
        int k;

        k = ir_read_mark(r, PANASONIC_BIT_MARK);
        if (k >= 0)
                k = ir_read_gap(r, PANASONIC_GAP);
        return k < 0 ? -ENODATA : 0;
}

/* The state frame alone, where the fixed first frame did not make it into the recording (the
 * receiver woke up late, or a glitch broke it): it has its own leader and signature, and the
 * checksum covers the first frame's fixed bytes too. */
static int panasonic_decode_state_frame(IrReader *r, uint8_t *st) {
        int k;

        k = ir_read_mark(r, PANASONIC_HDR_MARK);
        if (k >= 0)
                k = ir_read_space(r, PANASONIC_HDR_SPACE);
        if (k >= 0)
                k = ir_read_bytes_lsb(r, st + PANASONIC_FRAME1, PANASONIC_BYTES - PANASONIC_FRAME1,
                                      PANASONIC_BIT_MARK, PANASONIC_ONE_SPACE, PANASONIC_ZERO_SPACE);
        if (k < 0 || memcmp(st + PANASONIC_FRAME1, panasonic_frame1, 4) != 0)
                return -ENOMSG;
        k = panasonic_read_footer(r);
        if (k < 0)
                return k;
        memcpy(st, panasonic_frame1, PANASONIC_FRAME1);
        return 0;
}

static int panasonic_decode_frames(IrReader *r, uint8_t *st) {
        int k;

        for (size_t i = 0; i < 2; i++) {
                size_t from = i ? PANASONIC_FRAME1 : 0, to = i ? PANASONIC_BYTES : PANASONIC_FRAME1;

                k = ir_read_mark(r, PANASONIC_HDR_MARK);
                if (k >= 0)
                        k = ir_read_space(r, PANASONIC_HDR_SPACE);
                if (k < 0)
                        return i == 0 ? k : k == -ENOMSG ? -ENODATA : k;
                k = ir_read_bytes_lsb(r, st + from, to - from, PANASONIC_BIT_MARK, PANASONIC_ONE_SPACE,
                                      PANASONIC_ZERO_SPACE);
                if (k < 0)
                        return i == 0 && k == -ENOMSG ? -ENOMSG : -ENODATA;
                /* The fixed first frame tells Panasonic from others with these timings. */
                if (memcmp(st + from, panasonic_frame1, 4) != 0 ||
                    (i == 0 && memcmp(st, panasonic_frame1, sizeof(panasonic_frame1)) != 0))
                        return -ENOMSG;
                k = panasonic_read_footer(r);
                if (k < 0)
                        return k;
        }
        return 0;
}

static int panasonic_decode(IrReader *r, uint8_t *st, size_t *ret_n) {
        size_t start = r->pos;
        int k;

        k = panasonic_decode_frames(r, st);
        if (k == -ENOMSG) {
                r->pos = start;
                k = panasonic_decode_state_frame(r, st);
        }
        if (k < 0)
                return k;
        if (panasonic_checksum(st) != st[PANASONIC_BYTES - 1])
                return -EBADMSG;
        *ret_n = PANASONIC_BYTES;
        return 0;
}

static int panasonic_parse(const uint8_t *st, IrDecoded *d) {
        unsigned fan = st[16] >> 4;

        d->state = (HvacState) {
                .power = st[13] & 1,
                .target_temperature = (st[14] >> 1) & 0x1F,
                .fan = HVAC_FAN_AUTO,
        };
        if (ir_mode_from_code(&ir_protocol_panasonic, st[13] >> 4, &d->state.mode) < 0)
                return -ERANGE;
        d->has_fan = d->has_temperature = d->state.power;
        switch (fan) {
        case PANASONIC_FAN_AUTO: d->state.fan = HVAC_FAN_AUTO; break;
        case 3:
        case 4:                  d->state.fan = HVAC_FAN_LOW; break;
        case 5:                  d->state.fan = HVAC_FAN_MEDIUM; break;
        case 6:
        case 7:                  d->state.fan = HVAC_FAN_HIGH; break;
        default:
                d->has_fan = false;
                d->fan_beyond_model = true;
        }
        /* Dry mode: some remotes send a fixed temperature, some a fixed fan; neither says. */
        if (d->state.mode == HVAC_MODE_DRY)
                d->has_fan = d->fan_beyond_model = false;
        if (d->state.mode == HVAC_MODE_FAN_ONLY || d->state.mode == HVAC_MODE_DRY ||
            d->state.target_temperature < ir_protocol_panasonic.min_temperature ||
            d->state.target_temperature > ir_protocol_panasonic.max_temperature) {
                d->has_temperature = false;
                d->state.target_temperature = 24;
        }
        return 0;
}

const IrProtocol ir_protocol_panasonic = {
        .name = "panasonic",
        .description = "Panasonic 216-bit (A75C remotes: DKE, JKE, LKE, NKE, CKP, RKR)",
        .carrier = 36700,
        .min_temperature = 16,
        .max_temperature = 30,
        .state_bytes = PANASONIC_BYTES,
        .options = panasonic_options,
        .table_driven = true,
        .mode_codes = { [HVAC_MODE_COOL] = PANASONIC_COOL, [HVAC_MODE_HEAT] = PANASONIC_HEAT,
                        [HVAC_MODE_DRY] = PANASONIC_DRY, [HVAC_MODE_FAN_ONLY] = PANASONIC_FAN,
                        [HVAC_MODE_AUTO] = PANASONIC_AUTO },
        .build = panasonic_build,
        .encode = panasonic_encode,
        .decode = panasonic_decode,
        .parse = panasonic_parse,
};
