/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Mitsubishi Electric 112-bit (MITSUBISHI112 in IRremoteESP8266's ir_Mitsubishi: the KPOA
 * remotes of MSH/MSC/MSX units). Fourteen state bytes, sent LSB first:
 *   0–4: 23 CB 26 01 00 (as the 144-bit protocol, which this one is told from by its length)
 *   5: power (2), 0x20 and other bits the remotes set (3–7)
 *   6: mode (0–2: heat 1, dry 2, cool 3; auto 0 with bit 3 on some remotes, 7 on others; the
 *      captures send 7 for fan mode)
 *   7: 31 °C − temperature (0–3), a bit some remotes set (7)
 *   8: fan (0–2: auto 0, low 2, medium 3, high 5 as the remotes' labels say), vertical vane
 *      (3–5)
 *   12: horizontal vane (2–5); 13: checksum, the sum of bytes 0–12 */

#include <errno.h>
#include <string.h>

#include "ir.h"
#include "macro.h"

#define M112_HDR_MARK           3450
#define M112_HDR_SPACE          1696
#define M112_BIT_MARK           450
#define M112_ONE_SPACE          1250
#define M112_ZERO_SPACE         385
#define M112_GAP                20000
#define M112_BYTES              14

static const uint8_t m112_fixed[5] = { 0x23, 0xCB, 0x26, 0x01, 0x00 };

static const IrOptionField m112_options[] = {
        { "fan_code", 8, 0, 3, 0, "a raw fan code (override)", .override = true },
        { "mode_code", 6, 0, 4, 0, "a raw mode code: 8 auto on some remotes (override)", .override = true },
        { "byte5_bits", 5, 3, 5, 4, "bits 3–7 of byte 5: 0x20, 0xA0 on some remotes" },
        { "byte5_low", 5, 0, 2, 0, "bits 0–1 of byte 5" },
        { "byte7_bits", 7, 4, 4, 0, "bits 4–7 of byte 7: 8 on some remotes" },
        { "swing_v", 8, 3, 3, 0, "vertical vane: 7 auto, 1–5 positions" },
        { "byte8_bits", 8, 6, 2, 0, "bits 6–7 of byte 8" },
        { "swing_h", 12, 2, 4, 0, "horizontal vane: 12 auto, 8 wide, 1–5 positions" },
        {}
};

static uint8_t m112_checksum(const uint8_t *st) {
        uint8_t sum = 0;

        for (size_t i = 0; i < M112_BYTES - 1; i++)
                sum = (uint8_t) (sum + st[i]);
        return sum;
}

static int m112_build(const HvacState *s, const unsigned *options, uint8_t *st) {
        int mode, fan, r;

        r = ir_protocol_check_temperature(&ir_protocol_mitsubishi112, s->target_temperature);
        if (r < 0)
                return r;
        mode = ir_mode_code(&ir_protocol_mitsubishi112, s->mode);
        fan = ir_fan_code(&ir_protocol_mitsubishi112, s);
        if (mode < 0 || fan < 0)
                return -EINVAL;

        memset(st, 0, M112_BYTES);
        memcpy(st, m112_fixed, sizeof(m112_fixed));
        st[5] = s->power ? 0x04 : 0;
        st[6] = (uint8_t) mode;
        st[7] = (uint8_t) (31 - (int) s->target_temperature);
        st[8] = (uint8_t) fan;
        ir_options_write(&ir_protocol_mitsubishi112, options, st);
        st[M112_BYTES - 1] = m112_checksum(st);
        return 0;
}

static int m112_encode(const uint8_t *st, IrFrame *f) {
        int r;

        ir_frame_init(f, 38000, 50);
        r = ir_frame_add(f, true, M112_HDR_MARK);
        if (r >= 0)
                r = ir_frame_add(f, false, M112_HDR_SPACE);
        if (r >= 0)
                r = ir_frame_add_bytes_lsb(f, st, M112_BYTES, M112_BIT_MARK, M112_ONE_SPACE, M112_ZERO_SPACE);
        if (r >= 0)
                r = ir_frame_add(f, true, M112_BIT_MARK);
        if (r < 0)
                return r;
        ir_frame_finish(f);
        return 0;
}

static int m112_decode(IrReader *r, uint8_t *st, size_t *ret_n) {
        int k;

        /* Without its leader, the five fixed bytes still tell the frame. */
        k = ir_read_leader(r, M112_HDR_MARK, M112_HDR_SPACE, M112_BIT_MARK);
        if (k < 0)
                return k;
        k = ir_read_bytes_lsb(r, st, sizeof(m112_fixed), M112_BIT_MARK, M112_ONE_SPACE, M112_ZERO_SPACE);
        if (k < 0 || memcmp(st, m112_fixed, sizeof(m112_fixed)) != 0)
                return -ENOMSG;
        k = ir_read_bytes_lsb(r, st + 5, M112_BYTES - 5, M112_BIT_MARK, M112_ONE_SPACE, M112_ZERO_SPACE);
        if (k < 0)
                return -ENODATA;
        /* Fourteen bytes and the footer: the 144-bit protocol goes on here. */
        k = ir_read_mark(r, M112_BIT_MARK);
        if (k >= 0)
                k = ir_read_gap(r, M112_GAP);
        if (k < 0)
                return -ENOMSG;
        if (m112_checksum(st) != st[M112_BYTES - 1])
                return -EBADMSG;
        *ret_n = M112_BYTES;
        return 0;
}

static int m112_parse(const uint8_t *st, IrDecoded *d) {
        unsigned t = st[7] & 0x0F;

        d->state = (HvacState) { .power = st[5] & 0x04, .target_temperature = 31 - (int) t, .fan = HVAC_FAN_AUTO };
        if (ir_mode_from_code(&ir_protocol_mitsubishi112, st[6] & 7, &d->state.mode) < 0 ||
            d->state.target_temperature < ir_protocol_mitsubishi112.min_temperature)
                return -ERANGE;
        ir_decoded_set_fan(&ir_protocol_mitsubishi112, d, st[8] & 7);
        d->has_fan = d->has_fan && d->state.power;
        d->has_temperature = d->state.power;
        /* Dry, fan and (some remotes') auto mode send a fixed temperature. */
        if (d->state.mode != HVAC_MODE_COOL && d->state.mode != HVAC_MODE_HEAT)
                d->has_temperature = false;
        return 0;
}

static const IrFanTable m112_fan_tables[] = {
        { "standard", "low 2, medium 3, high 5", { [HVAC_FAN_AUTO] = 0, [HVAC_FAN_LOW] = 2, [HVAC_FAN_MEDIUM] = 3,
                                                   [HVAC_FAN_HIGH] = 5 } },
        {}
};

const IrProtocol ir_protocol_mitsubishi112 = {
        .name = "mitsubishi112",
        .description = "Mitsubishi Electric 112-bit (KPOA remotes of MSH, MSC, MSX units)",
        .carrier = 38000,
        .min_temperature = 16,
        .max_temperature = 31,
        .state_bytes = M112_BYTES,
        .options = m112_options,
        .fan_tables = m112_fan_tables,
        .table_driven = true,
        .mode_codes = { [HVAC_MODE_COOL] = 3, [HVAC_MODE_HEAT] = 1, [HVAC_MODE_DRY] = 2,
                        [HVAC_MODE_FAN_ONLY] = 7, [HVAC_MODE_AUTO] = 0 },
        .build = m112_build,
        .encode = m112_encode,
        .decode = m112_decode,
        .parse = m112_parse,
};
