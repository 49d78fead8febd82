/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Mitsubishi Heavy Industries, two protocols (MITSUBISHI_HEAVY_152 and _88 in IRremoteESP8266's
 * ir_MitsubishiHeavy): the ZMS remotes (RLA502A700B: SRK..ZS, ZSA, ZRA units; 19 bytes) and the
 * ZJS remotes (RKX502A001: SRK..ZJ, ZSP units; 11 bytes). Sent LSB first, a one as the shorter
 * space; both start AD 51 3C, then the signature's last two bytes (E5 1A, or D9 26), and every
 * byte from the 4th on is followed by its inverse:
 *   152: 5: mode (0–2: auto 0, cool 1, dry 2, fan 3, heat 4), power (3), clean (5), filter
 *        (6); 7: temperature − 17 °C (0–3; fan mode: 30 °C); 9: fan (0–3: auto 0, low 1,
 *        medium 2, high 3, max 4, econo 6, turbo 8; remotes with an "ultra low" call 1–4 ultra
 *        low, low, medium, high: fan table "ultra_low" sends 2–4 for low, medium, high);
 *        11: 3D (1, 4), vertical swing (5–7); 13: horizontal swing (0–3); 15: night (6),
 *        silent (7); 17: 0x80
 *   88:  5: swing and clean bits; 7: vertical swing (3–4), fan (5–7: auto 0, low 2, medium 3,
 *        high 4, turbo 6, econo 7); 9: mode (0–2), power (3), temperature − 17 °C (4–7) */

#include <errno.h>
#include <string.h>

#include "ir.h"
#include "macro.h"

#define MHI_HDR_MARK            3140
#define MHI_HDR_SPACE           1630
#define MHI_BIT_MARK            370
#define MHI_ONE_SPACE           420
#define MHI_ZERO_SPACE          1220
#define MHI_GAP                 10000
#define MHI152_BYTES            19
#define MHI88_BYTES             11

static const uint8_t mhi152_signature[5] = { 0xAD, 0x51, 0x3C, 0xE5, 0x1A };
static const uint8_t mhi88_signature[5] = { 0xAD, 0x51, 0x3C, 0xD9, 0x26 };

static const IrOptionField mhi152_options[] = {
        { "fan_code", 9, 0, 4, 0, "a raw fan code: 4 max, 6 econo, 8 turbo (override)", .override = true },
        { "clean", 5, 5, 1, 0, "clean" },
        { "filter", 5, 6, 1, 0, "filter" },
        { "byte11", 11, 0, 8, 0, "3D auto (bits 1, 4) and vertical swing (5–7)" },
        { "swing_h", 13, 0, 8, 0, "horizontal swing" },
        { "byte15", 15, 0, 8, 0, "night (bit 6), silent (bit 7)" },
        {}
};

static const IrOptionField mhi88_options[] = {
        { "fan_code", 7, 5, 3, 0, "a raw fan code: 6 turbo, 7 econo (override)", .override = true },
        { "byte5", 5, 0, 8, 0, "vertical and horizontal swing bits, clean (bit 5)" },
        { "swing_v", 7, 3, 2, 0, "vertical swing bits" },
        {}
};

static void mhi_invert_pairs(uint8_t *st, size_t n) {
        for (size_t i = 4; i < n; i += 2)
                st[i] = (uint8_t) ~st[i - 1];
}

static int mhi152_build(const HvacState *s, const unsigned *options, uint8_t *st) {
        int mode, fan, r;

        r = ir_protocol_check_temperature(&ir_protocol_mitsubishi_heavy, s->target_temperature);
        if (r < 0)
                return r;
        mode = ir_mode_code(&ir_protocol_mitsubishi_heavy, s->mode);
        fan = ir_fan_code(&ir_protocol_mitsubishi_heavy, s);
        if (mode < 0 || fan < 0)
                return -EINVAL;
        memset(st, 0, MHI152_BYTES);
        memcpy(st, mhi152_signature, sizeof(mhi152_signature));
        st[5] = (uint8_t) (mode | (s->power ? 0x08 : 0));
        st[7] = (uint8_t) ((int) s->target_temperature - 17);
        st[9] = (uint8_t) fan;
        st[17] = 0x80;
        ir_options_write(&ir_protocol_mitsubishi_heavy, options, st);
        mhi_invert_pairs(st, MHI152_BYTES);
        return 0;
}

static int mhi88_build(const HvacState *s, const unsigned *options, uint8_t *st) {
        int mode, fan, r;

        r = ir_protocol_check_temperature(&ir_protocol_mitsubishi_heavy_88, s->target_temperature);
        if (r < 0)
                return r;
        mode = ir_mode_code(&ir_protocol_mitsubishi_heavy_88, s->mode);
        fan = ir_fan_code(&ir_protocol_mitsubishi_heavy_88, s);
        if (mode < 0 || fan < 0)
                return -EINVAL;
        memset(st, 0, MHI88_BYTES);
        memcpy(st, mhi88_signature, sizeof(mhi88_signature));
        st[7] = (uint8_t) (fan << 5);
        st[9] = (uint8_t) (mode | (s->power ? 0x08 : 0) | ((int) s->target_temperature - 17) << 4);
        ir_options_write(&ir_protocol_mitsubishi_heavy_88, options, st);
        mhi_invert_pairs(st, MHI88_BYTES);
        return 0;
}

static int mhi_encode_n(const uint8_t *st, size_t n, IrFrame *f) {
        int r;

        ir_frame_init(f, 38000, 50);
        r = ir_frame_add(f, true, MHI_HDR_MARK);
        if (r >= 0)
                r = ir_frame_add(f, false, MHI_HDR_SPACE);
        if (r >= 0)
                r = ir_frame_add_bytes_lsb(f, st, n, MHI_BIT_MARK, MHI_ONE_SPACE, MHI_ZERO_SPACE);
        if (r >= 0)
                r = ir_frame_add(f, true, MHI_BIT_MARK);
        if (r < 0)
                return r;
        ir_frame_finish(f);
        return 0;
}

static int mhi152_encode(const uint8_t *st, IrFrame *f) {
        return mhi_encode_n(st, MHI152_BYTES, f);
}

static int mhi88_encode(const uint8_t *st, IrFrame *f) {
        return mhi_encode_n(st, MHI88_BYTES, f);
}

static int mhi_decode_n(IrReader *r, uint8_t *st, size_t n, const uint8_t *signature) {
        bool leaderless;
        int k;

        /* Without its leader, the five signature bytes still tell the frame. */
        k = ir_read_leader(r, MHI_HDR_MARK, MHI_HDR_SPACE, MHI_BIT_MARK);
        if (k < 0)
                return k;
        leaderless = k > 0;
        k = ir_read_bytes_lsb(r, st, 5, MHI_BIT_MARK, MHI_ONE_SPACE, MHI_ZERO_SPACE);
        if (k < 0)
                return k == -ENOMSG || leaderless ? -ENOMSG : -ENODATA;
        if (memcmp(st, signature, 5) != 0)
                return -ENOMSG;
        k = ir_read_bytes_lsb(r, st + 5, n - 5, MHI_BIT_MARK, MHI_ONE_SPACE, MHI_ZERO_SPACE);
        if (k >= 0)
                k = ir_read_mark(r, MHI_BIT_MARK);
        if (k >= 0)
                k = ir_read_gap(r, MHI_GAP);
        if (k < 0)
                return -ENODATA;
        for (size_t i = 4; i < n; i += 2)
                if ((st[i] ^ st[i - 1]) != 0xFF)
                        return -EBADMSG;
        return 0;
}

static int mhi152_decode(IrReader *r, uint8_t *st, size_t *ret_n) {
        int k = mhi_decode_n(r, st, MHI152_BYTES, mhi152_signature);

        if (k >= 0)
                *ret_n = MHI152_BYTES;
        return k;
}

static int mhi88_decode(IrReader *r, uint8_t *st, size_t *ret_n) {
        int k = mhi_decode_n(r, st, MHI88_BYTES, mhi88_signature);

        if (k >= 0)
                *ret_n = MHI88_BYTES;
        return k;
}

/* Fan mode sends a fixed temperature. */
static int mhi_parse_common(unsigned mode, bool power, int temp, unsigned fan, const IrProtocol *p,
                            IrDecoded *d) {
        HvacMode m;

        if (ir_mode_from_code(p, mode, &m) < 0 || temp > p->max_temperature)
                return -ERANGE;
        d->state = (HvacState) { .power = power, .mode = m, .target_temperature = temp, .fan = HVAC_FAN_AUTO };
        d->has_temperature = power && m != HVAC_MODE_FAN_ONLY;
        ir_decoded_set_fan(p, d, fan);
        if (!power)
                d->has_fan = false;
        return 0;
}

static int mhi152_parse(const uint8_t *st, IrDecoded *d) {
        return mhi_parse_common(st[5] & 7, st[5] & 0x08, 17 + (st[7] & 0x0F), st[9] & 0x0F,
                                &ir_protocol_mitsubishi_heavy, d);
}

static int mhi88_parse(const uint8_t *st, IrDecoded *d) {
        return mhi_parse_common(st[9] & 7, st[9] & 0x08, 17 + (st[9] >> 4), st[7] >> 5,
                                &ir_protocol_mitsubishi_heavy_88, d);
}

static const IrFanTable mhi152_fan_tables[] = {
        { "standard", "low 1, medium 2, high 3", { 0, 1, 2, 3 } },
        { "ultra_low", "low 2, medium 3, high 4 (remotes whose lowest speed is 'ultra low')", { 0, 2, 3, 4 } },
        {}
};

static const IrFanTable mhi88_fan_tables[] = {
        { "standard", "low 2, medium 3, high 4", { 0, 2, 3, 4 } },
        {}
};

#define MHI_MODE_CODES { [HVAC_MODE_AUTO] = 0, [HVAC_MODE_COOL] = 1, [HVAC_MODE_DRY] = 2, \
                         [HVAC_MODE_FAN_ONLY] = 3, [HVAC_MODE_HEAT] = 4 }

const IrProtocol ir_protocol_mitsubishi_heavy = {
        .name = "mitsubishi_heavy",
        .description = "Mitsubishi Heavy 152-bit (ZMS remotes: SRK..ZS, ZSA, ZRA units)",
        .carrier = 38000,
        .min_temperature = 17,
        .max_temperature = 31,
        .state_bytes = MHI152_BYTES,
        .options = mhi152_options,
        .fan_tables = mhi152_fan_tables,
        .table_driven = true,
        .mode_codes = MHI_MODE_CODES,
        .dry_fan_unsaid = true,
        .build = mhi152_build,
        .encode = mhi152_encode,
        .decode = mhi152_decode,
        .parse = mhi152_parse,
};

const IrProtocol ir_protocol_mitsubishi_heavy_88 = {
        .name = "mitsubishi_heavy_88",
        .description = "Mitsubishi Heavy 88-bit (ZJS remotes: SRK..ZJ, ZSP units)",
        .carrier = 38000,
        .min_temperature = 17,
        .max_temperature = 31,
        .state_bytes = MHI88_BYTES,
        .options = mhi88_options,
        .fan_tables = mhi88_fan_tables,
        .table_driven = true,
        .mode_codes = MHI_MODE_CODES,
        .dry_fan_unsaid = true,
        .build = mhi88_build,
        .encode = mhi88_encode,
        .decode = mhi88_decode,
        .parse = mhi88_parse,
};
