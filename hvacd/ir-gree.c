/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Gree (YAW1F, YB1FA, YAP1F and the remotes of the units that answer to them), as
 * IRremoteESP8266's ir_Gree documents it. Eight state bytes, sent LSB first:
 *   0: mode (bits 0–2: auto 0, cool 1, dry 2, fan 3, heat 4), power (3), fan (4–5),
 *      swing auto (6), sleep (7)
 *   1: temperature − 16 °C (0–3), timer (4–7)
 *   2: timer hours (0–3), turbo (4), light (5), health (6; YAW1F remotes clear it when off),
 *      x-fan (7)
 *   3: 0x50; °F remotes set bit 3, and bit 2 for the half °C the °F adds (the temperature
 *      is still in °C). A state always has 0b0101 in the high nibble; a second frame has 0b0111
 *      or 0b1010, and is not read as a state where the first was lost.
 *   4: vertical swing position (0–3), horizontal (4–6)
 *   5: temperature display (0–1), i-feel (2), 0b100 on most remotes (3–5), wifi (6), unknown (7)
 *   6: 0
 *   7: econo (2), set in heat mode by some remotes (3), checksum (4–7)
 * The remotes send 25 °C in auto mode whatever temperature is shown, and fan 1 in dry mode (but
 * for those of the short frame).
 * On the air: a header, bytes 0–3, a 3-bit block footer 0b010, a long gap, bytes 4–7. Some
 * remotes (GMV multi-split) send only the first block; newer ones follow the frame with a
 * second one, after a gap, of two kinds:
 *   - (GWH12-KF, YAP1F2 and most) Kelvinator's second frame, IRremoteESP8266's bytes 8–15:
 *     bytes 0–2 of the first, 0x70, quiet (byte 4 bit 7: the remotes' "sleep" or lowest fan),
 *     0, the fan speed in 0–5 (byte 6 bits 4–6: auto 0, low 1, medium 3, high 5; YAP1F2
 *     remotes send 0–3, the first frame's), and a checksum of its own bytes as the first
 *     frame's;
 *   - (GWH18ACD) a blank one: 0x00 0x00 0x00 0xA0, 0x00 0x00 0x00 0xA0 (its checksum).
 * State byte 8 holds that shape: 0 for the short frame, 1 for one frame, 2 for two of the first
 * kind, 3 for two of the second; bytes 9–16 hold the second frame. */

#include <errno.h>
#include <string.h>

#include "ir.h"
#include "macro.h"

#define GREE_HDR_MARK           9000
#define GREE_HDR_SPACE          4500
#define GREE_BIT_MARK           620
#define GREE_ONE_SPACE          1600
#define GREE_ZERO_SPACE         540
#define GREE_MSG_SPACE          19980
#define GREE_FRAME_GAP          40000
#define GREE_BLOCK_FOOTER       0x2
#define GREE_BLOCK_FOOTER_BITS  3
#define GREE_CHECKSUM_START     10
#define GREE_AUTO_TEMPERATURE   25
#define GREE_SHAPE_BYTE         8
#define GREE_SHAPE_SHORT        0
#define GREE_SHAPE_ONE          1
#define GREE_SHAPE_COPY         2       /* a second frame: the state's copy */
#define GREE_SHAPE_BLANK        3       /* a second frame: blank */
#define GREE_SECOND             (GREE_SHAPE_BYTE + 1)   /* the second frame's bytes */
#define GREE_STATE_MARKER       0x5     /* byte 3's high nibble */
#define GREE_COPY_MARKER        0x7
#define GREE_BLANK_MARKER       0xA
#define GREE_SHAPE_FAN_COPY     (1 << 2)        /* the second frame's fan is the first's */

static const IrOptionField gree_options[] = {
        { "light", 2, 5, 1, 1, "the unit's display light" },
        { "health", 2, 6, 1, 0, "health (ioniser); YAW1F remotes send it while on" },
        { "xfan", 2, 7, 1, 0, "x-fan: dries the coil after cooling" },
        { "turbo", 2, 4, 1, 0, "turbo" },
        { "sleep", 0, 7, 1, 0, "sleep mode" },
        { "swing_auto", 0, 6, 1, 0, "swing" },
        { "swing_v", 4, 0, 4, 0, "vertical vane: 0 last, 1 auto, 2–6 fixed positions" },
        { "swing_h", 4, 4, 3, 0, "horizontal vane" },
        { "display_temperature", 5, 0, 2, 0, "what the display shows: 0 none, 1 set, 2 inside, 3 outside" },
        { "ifeel", 5, 2, 1, 0, "i-feel: the remote's sensor" },
        { "model_bits", 5, 3, 3, 4, "0b100 on most remotes, 0 on some" },
        { "wifi", 5, 6, 1, 0, "wifi" },
        { "unknown_b5", 5, 7, 1, 0, "set by some remotes" },
        { "econo", 7, 2, 1, 0, "econo" },
        { "heat_marker", 7, 3, 1, 0, "set in heat mode by some remotes (YAP1F, GWH09KF)" },
        { "fahrenheit", 3, 3, 1, 0, "the remote shows °F (the frame still carries °C)" },
        { "fahrenheit_extra", 3, 2, 1, 0, "°F remotes: the half °C the shown °F adds" },
        { "quiet", GREE_SECOND + 4, 7, 1, 0, "two-frame remotes: quiet (their sleep, or their lowest fan)" },
        { "fan_copy", GREE_SHAPE_BYTE, 2, 1, 0, "two-frame remotes: the second frame's fan is the first's, "
          "0–3 (YAP1F2); 0: auto 0, low 1, medium 3, high 5" },
        { "frames", GREE_SHAPE_BYTE, 0, 2, 1, "0: the short 4-byte frame; 1: one full frame; 2: two, the "
          "second the state's copy with quiet and the fan; 3: two, the second blank (GWH18ACD)" },
        {}
};
#define GREE_OPTION_FRAMES (ELEMENTSOF(gree_options) - 2)
#define GREE_FRAMES_MASK 0x3
_Static_assert(ELEMENTSOF(gree_options) <= IR_OPTIONS_MAX, "too many options");

uint8_t ir_gree_checksum(const uint8_t state[IR_GREE_STATE_BYTES]) {
        unsigned sum = GREE_CHECKSUM_START;

        /* Low nibbles of bytes 0–3, high nibbles of bytes 4–6. */
        for (size_t i = 0; i < 4; i++)
                sum += state[i] & 0x0F;
        for (size_t i = 4; i < IR_GREE_STATE_BYTES - 1; i++)
                sum += state[i] >> 4;
        return sum & 0x0F;
}

/* The second frame's fan for the first's auto, low, medium and high, but for fan_copy. */
static const uint8_t gree_fan_steps[] = { 0, 1, 3, 5 };

/* The second frame of the two-frame remotes, from the first (and the quiet option, already in
 * place). */
static void gree_build_second(uint8_t *st, unsigned fan) {
        uint8_t *second = st + GREE_SECOND;
        bool quiet = second[4] & 0x80;

        memset(second, 0, IR_GREE_STATE_BYTES);
        switch (st[GREE_SHAPE_BYTE] & GREE_FRAMES_MASK) {
        case GREE_SHAPE_COPY:
                memcpy(second, st, 3);
                second[3] = GREE_COPY_MARKER << 4;
                second[4] = quiet ? 0x80 : 0;
                second[6] = (uint8_t) ((st[GREE_SHAPE_BYTE] & GREE_SHAPE_FAN_COPY ? fan : gree_fan_steps[fan]) << 4);
                break;
        case GREE_SHAPE_BLANK:
                second[3] = GREE_BLANK_MARKER << 4;
                break;
        default:
                return;
        }
        second[7] = (uint8_t) (ir_gree_checksum(second) << 4);
}

static int gree_build(const HvacState *s, const unsigned *options, uint8_t *st) {
        unsigned mode, fan, temp;
        int r;

        r = ir_protocol_check_temperature(&ir_protocol_gree, s->target_temperature);
        if (r < 0)
                return r;
        temp = (unsigned) s->target_temperature;

        r = ir_mode_code(&ir_protocol_gree, s->mode);
        if (r < 0)
                return r;
        mode = (unsigned) r;
        if (s->mode == HVAC_MODE_AUTO)
                temp = GREE_AUTO_TEMPERATURE;

        switch (s->fan) {
        case HVAC_FAN_AUTO:   fan = 0; break;
        case HVAC_FAN_LOW:    fan = 1; break;
        case HVAC_FAN_MEDIUM: fan = 2; break;
        case HVAC_FAN_HIGH:   fan = 3; break;
        default:              return -EINVAL;
        }
        /* The remotes of the short frame send the fan chosen. */
        if (s->mode == HVAC_MODE_DRY && options[GREE_OPTION_FRAMES] != GREE_SHAPE_SHORT)
                fan = 1;

        memset(st, 0, ir_protocol_gree.state_bytes);
        st[3] = GREE_STATE_MARKER << 4;
        ir_options_write(&ir_protocol_gree, options, st);
        st[0] |= (uint8_t) (mode | (s->power ? 0x08 : 0) | fan << 4);
        st[1] |= (uint8_t) (temp - (unsigned) ir_protocol_gree.min_temperature);
        if (!s->power)
                st[2] &= (uint8_t) ~0x40;
        if (s->mode != HVAC_MODE_HEAT)
                st[7] &= (uint8_t) ~0x08;
        st[7] |= (uint8_t) (ir_gree_checksum(st) << 4);
        gree_build_second(st, fan);
        return 0;
}

static int gree_add_block(IrFrame *f, const uint8_t *bytes, bool footer, uint32_t gap) {
        int r;

        r = ir_frame_add_bytes_lsb(f, bytes, 4, GREE_BIT_MARK, GREE_ONE_SPACE, GREE_ZERO_SPACE);
        if (r >= 0 && footer)
                r = ir_frame_add_bits(f, GREE_BLOCK_FOOTER, GREE_BLOCK_FOOTER_BITS, false,
                                      GREE_BIT_MARK, GREE_ONE_SPACE, GREE_ZERO_SPACE);
        if (r >= 0)
                r = ir_frame_add(f, true, GREE_BIT_MARK);
        if (r >= 0)
                r = ir_frame_add(f, false, gap);
        return r;
}

static int gree_encode(const uint8_t *st, IrFrame *f) {
        unsigned frames = st[GREE_SHAPE_BYTE] & GREE_FRAMES_MASK;
        int r = 0;

        ir_frame_init(f, 38000, 50);
        for (unsigned i = 0; r >= 0 && i < (frames >= GREE_SHAPE_COPY ? 2u : 1u); i++) {
                const uint8_t *bytes = i == 0 ? st : st + GREE_SECOND;

                r = ir_frame_add(f, true, GREE_HDR_MARK);
                if (r >= 0)
                        r = ir_frame_add(f, false, GREE_HDR_SPACE);
                if (r >= 0)
                        r = gree_add_block(f, bytes, true, GREE_MSG_SPACE);
                if (r >= 0 && frames != GREE_SHAPE_SHORT)
                        r = gree_add_block(f, bytes + 4, false, GREE_FRAME_GAP);
        }
        if (r < 0)
                return r;
        ir_frame_finish(f);
        return 0;
}

static int gree_read_block(IrReader *r, uint8_t *bytes, bool footer, uint32_t gap) {
        uint64_t v;
        int k;

        k = ir_read_bytes_lsb(r, bytes, 4, GREE_BIT_MARK, GREE_ONE_SPACE, GREE_ZERO_SPACE);
        if (k >= 0 && footer) {
                k = ir_read_bits(r, GREE_BLOCK_FOOTER_BITS, false, GREE_BIT_MARK, GREE_ONE_SPACE,
                                 GREE_ZERO_SPACE, &v);
                if (k >= 0 && v != GREE_BLOCK_FOOTER)
                        return -ENOMSG;
        }
        if (k >= 0)
                k = ir_read_mark(r, GREE_BIT_MARK);
        if (k >= 0)
                k = ir_read_gap(r, gap);
        return k == -ENOMSG ? -ENODATA : k;
}

/* Whether "second" is the second frame a remote sends after "st", and of which kind. */
static int gree_second_kind(const uint8_t *st, const uint8_t *second) {
        static const uint8_t blank[IR_GREE_STATE_BYTES] = { [3] = GREE_BLANK_MARKER << 4 };

        if (ir_gree_checksum(second) != second[7] >> 4)
                return -EBADMSG;
        if (second[3] >> 4 == GREE_COPY_MARKER && memcmp(second, st, 3) == 0)
                return GREE_SHAPE_COPY;
        if (memcmp(second, blank, IR_GREE_STATE_BYTES - 1) == 0)
                return GREE_SHAPE_BLANK;
        return -EBADMSG;
}

static int gree_decode(IrReader *r, uint8_t *st, size_t *ret_n) {
        uint8_t *second = st + GREE_SECOND;
        int k;

        memset(st, 0, ir_protocol_gree.state_bytes);
        k = ir_read_mark(r, GREE_HDR_MARK);
        if (k >= 0)
                k = ir_read_space(r, GREE_HDR_SPACE);
        if (k < 0)
                return k;
        k = gree_read_block(r, st, true, GREE_MSG_SPACE);
        if (k < 0)
                return k;
        if (st[3] >> 4 != GREE_STATE_MARKER)
                return -ENOMSG;         /* a remote's second frame, where the first was lost */
        if (r->pos >= r->n) {
                st[GREE_SHAPE_BYTE] = GREE_SHAPE_SHORT;
                *ret_n = 4;
                return 0;
        }
        k = gree_read_block(r, st + 4, false, GREE_FRAME_GAP);
        if (k < 0)
                return k;
        if (ir_gree_checksum(st) != st[7] >> 4)
                return -EBADMSG;
        st[GREE_SHAPE_BYTE] = GREE_SHAPE_ONE;
        *ret_n = IR_GREE_STATE_BYTES;

        /* A second frame, where the remote sends one, is checked as the first: a copy that
         * disagrees with it, or a bad checksum, says the recording is garbled. Samples after the
         * frame that are none (noise) are left alone. */
        if (r->pos + 2 < r->n && ir_read_mark(r, GREE_HDR_MARK) >= 0 && ir_read_space(r, GREE_HDR_SPACE) >= 0 &&
            gree_read_block(r, second, true, GREE_MSG_SPACE) >= 0 &&
            gree_read_block(r, second + 4, false, GREE_FRAME_GAP) >= 0) {
                k = gree_second_kind(st, second);
                if (k < 0)
                        return k;
                st[GREE_SHAPE_BYTE] = (uint8_t) k;
                /* A fan the steps do not give is the first frame's copy. */
                if (k == GREE_SHAPE_COPY && (second[6] >> 4) != gree_fan_steps[(st[0] >> 4) & 3])
                        st[GREE_SHAPE_BYTE] |= GREE_SHAPE_FAN_COPY;
        } else
                memset(second, 0, IR_GREE_STATE_BYTES);
        return 0;
}

static int gree_parse(const uint8_t *st, IrDecoded *d) {
        HvacMode mode;

        if (ir_mode_from_code(&ir_protocol_gree, st[0] & 7, &mode) < 0)
                return -ERANGE;
        d->state = (HvacState) {
                .power = st[0] & 0x08,
                .mode = mode,
                .target_temperature = ir_protocol_gree.min_temperature + (st[1] & 0x0F),
                .fan = (HvacFan) ((st[0] >> 4) & 3),
        };
        if (d->state.target_temperature > ir_protocol_gree.max_temperature)
                return -ERANGE;
        d->has_fan = d->has_temperature = d->state.power;
        /* The remotes lock auto mode to 25 °C: the frame does not say what was chosen. */
        if (d->state.mode == HVAC_MODE_AUTO)
                d->has_temperature = false;
        /* …and dry mode to the lowest fan speed (but for the short frame's remotes). */
        if (d->state.mode == HVAC_MODE_DRY && (st[GREE_SHAPE_BYTE] & GREE_FRAMES_MASK) != GREE_SHAPE_SHORT)
                d->has_fan = false;
        return 0;
}

const IrProtocol ir_protocol_gree = {
        .name = "gree",
        .description = "Gree (YAW1F, YB1FA, YAP1F remotes; short GMV and two-frame variants)",
        .carrier = 38000,
        .min_temperature = 16,
        .max_temperature = 30,
        .state_bytes = IR_GREE_STATE_BYTES + 1 + IR_GREE_STATE_BYTES,
        .options = gree_options,
        .table_driven = true,
        .mode_codes = { [HVAC_MODE_COOL] = 1, [HVAC_MODE_HEAT] = 4, [HVAC_MODE_DRY] = 2,
                        [HVAC_MODE_FAN_ONLY] = 3, [HVAC_MODE_AUTO] = 0 },
        .build = gree_build,
        .encode = gree_encode,
        .decode = gree_decode,
        .parse = gree_parse,
};
