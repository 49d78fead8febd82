/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The IR encoders against codes published for these protocols: state codes and bytes from the
 * protocol notes and unit tests of IRremoteESP8266 (ir_Coolix, ir_Midea, ir_Gree), and raw
 * captures of real remotes from its issue tracker (Coolix #1694, Gree #386). A small decoder
 * of this test's own reads our frames and the captures alike. Then hvacd's decoders: every
 * state round-trips, the captures of real remotes in tests/ir-captures decode to their labels
 * and are reproduced bit for bit, and broken frames fail with the error that says why. */

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "harness.h"
#include "ir.h"
#include "ir-capture.h"
#include "string-util.h"

/* A Coolix remote (an off-timer command, sent as two copies), µs. */
static const uint32_t coolix_capture[199] = {
        4342, 4454, 486, 1724, 436, 658, 438, 1748, 464, 1718, 462, 634,
        440, 656, 462, 1696, 488, 634, 462, 634, 436, 1722, 516, 608,
        462, 660, 436, 1694, 488, 1720, 440, 630, 488, 1700, 488, 1704,
        458, 660, 462, 1698, 490, 632, 462, 634, 436, 684, 436, 1700,
        464, 1748, 462, 634, 462, 1720, 436, 658, 462, 1700, 488, 1692,
        512, 1696, 438, 684, 410, 686, 434, 688, 408, 1696, 488, 1694,
        464, 682, 414, 1748, 436, 1722, 488, 632, 438, 686, 408, 662,
        462, 1696, 488, 1722, 462, 1696, 462, 1746, 436, 1798, 386, 1694,
        490, 1720, 516, 5234, 4370, 4446, 490, 1690, 492, 658, 434, 1726,
        436, 1746, 464, 604, 488, 658, 412, 1718, 490, 636, 460, 660,
        438, 1698, 460, 662, 458, 632, 436, 1718, 490, 1720, 488, 608,
        436, 1754, 462, 1726, 438, 682, 414, 1748, 464, 632, 460, 660,
        410, 658, 438, 1748, 464, 1694, 464, 660, 436, 1720, 488, 634,
        460, 1726, 462, 1724, 462, 1692, 490, 606, 462, 714, 384, 660,
        460, 1722, 460, 1722, 490, 606, 464, 1718, 490, 1670, 486, 634,
        462, 662, 410, 660, 460, 1722, 464, 1718, 460, 1696, 464, 1720,
        462, 1720, 462, 1722, 486, 1700, 462,
};
#define COOLIX_CAPTURE_CODE UINT64_C(0xB24DA35C6C7F)

/* A Gree YAW1F remote: cool, 26 °C, fan low, swing position 2, outside temperature display. */
static const uint32_t gree_capture[139] = {
        9008, 4496, 644, 1660, 676, 530, 648, 558, 672, 1636, 646, 1660,
        644, 556, 650, 584, 626, 560, 644, 580, 628, 1680, 624, 560,
        648, 1662, 644, 582, 648, 536, 674, 530, 646, 580, 628, 560,
        670, 532, 646, 562, 644, 556, 672, 536, 648, 1662, 646, 1660,
        652, 554, 644, 558, 672, 538, 644, 560, 668, 560, 648, 1638,
        668, 536, 644, 1660, 668, 532, 648, 560, 648, 1660, 674, 554,
        622, 19990, 646, 580, 624, 1660, 648, 556, 648, 558, 674, 556,
        622, 560, 644, 564, 668, 536, 646, 1662, 646, 1658, 672, 534,
        648, 558, 644, 562, 648, 1662, 644, 584, 622, 558, 648, 562,
        668, 534, 670, 536, 670, 532, 672, 536, 646, 560, 646, 558,
        648, 558, 670, 534, 650, 558, 646, 560, 646, 560, 668, 1638,
        646, 1662, 646, 1660, 646, 1660, 648,
};
static const uint8_t gree_capture_state[8] = { 0x19, 0x0A, 0x60, 0x50, 0x02, 0x23, 0x00, 0xF0 };

typedef struct Timing {
        uint32_t hdr_mark, hdr_space, bit_mark, one_space, zero_space;
} Timing;

static const Timing coolix_timing = { 4692, 4416, 552, 1656, 552 };
static const Timing gree_timing = { 9000, 4500, 620, 1600, 540 };

static bool near(uint32_t measured, uint32_t expected, double tolerance) {
        return fabs((double) measured - (double) expected) <= tolerance * expected;
}

/* Reads nbits of mark + one/zero space from s[*pos]. */
static int decode_bits(const uint32_t *s, size_t n, size_t *pos, unsigned nbits, bool msb_first,
                       const Timing *t, double tolerance, uint64_t *ret) {
        uint64_t v = 0;

        for (unsigned i = 0; i < nbits; i++, *pos += 2) {
                bool one;

                if (*pos + 1 >= n || !near(s[*pos], t->bit_mark, tolerance))
                        return -EBADMSG;
                if (near(s[*pos + 1], t->one_space, tolerance))
                        one = true;
                else if (near(s[*pos + 1], t->zero_space, tolerance))
                        one = false;
                else
                        return -EBADMSG;
                if (msb_first)
                        v = v << 1 | one;
                else
                        v |= (uint64_t) one << i;
        }
        *ret = v;
        return 0;
}

static int decode_header(const uint32_t *s, size_t n, size_t *pos, const Timing *t, double tolerance) {
        if (*pos + 1 >= n || !near(s[*pos], t->hdr_mark, tolerance) || !near(s[*pos + 1], t->hdr_space, tolerance))
                return -EBADMSG;
        *pos += 2;
        return 0;
}

/* Coolix: two copies of header, 48 bits MSB first, mark, gap. */
static int decode_coolix(const uint32_t *s, size_t n, double tolerance, uint64_t *ret) {
        uint64_t copies[2];
        size_t pos = 0;

        for (unsigned c = 0; c < 2; c++) {
                if (decode_header(s, n, &pos, &coolix_timing, tolerance) < 0 ||
                    decode_bits(s, n, &pos, 48, true, &coolix_timing, tolerance, &copies[c]) < 0)
                        return -EBADMSG;
                if (pos >= n || !near(s[pos], coolix_timing.bit_mark, tolerance))
                        return -EBADMSG;
                pos++;
                if (c == 0) {
                        if (pos >= n || !near(s[pos], 5244, tolerance))
                                return -EBADMSG;
                        pos++;
                }
        }
        if (pos != n || copies[0] != copies[1])
                return -EBADMSG;
        *ret = copies[0];
        return 0;
}

/* Gree: header, bytes 0–3, footer 0b010, mark, long gap, bytes 4–7, mark; LSB first. */
static int decode_gree(const uint32_t *s, size_t n, double tolerance, uint8_t ret[8]) {
        uint64_t lo, hi, footer;
        size_t pos = 0;

        if (decode_header(s, n, &pos, &gree_timing, tolerance) < 0 ||
            decode_bits(s, n, &pos, 32, false, &gree_timing, tolerance, &lo) < 0 ||
            decode_bits(s, n, &pos, 3, false, &gree_timing, tolerance, &footer) < 0 || footer != 0x2)
                return -EBADMSG;
        if (pos + 1 >= n || !near(s[pos], gree_timing.bit_mark, tolerance) || !near(s[pos + 1], 19980, tolerance))
                return -EBADMSG;
        pos += 2;
        if (decode_bits(s, n, &pos, 32, false, &gree_timing, tolerance, &hi) < 0)
                return -EBADMSG;
        if (pos + 1 != n || !near(s[pos], gree_timing.bit_mark, tolerance))
                return -EBADMSG;
        for (unsigned i = 0; i < 4; i++) {
                ret[i] = (uint8_t) (lo >> (8 * i));
                ret[4 + i] = (uint8_t) (hi >> (8 * i));
        }
        return 0;
}

static HvacState state(bool power, HvacMode mode, double t, HvacFan fan) {
        return (HvacState) { power, mode, t, fan };
}

static void expect_coolix(HvacState s, uint32_t expected) {
        IrFrame f;
        uint32_t code = 0;
        uint64_t decoded = 0, want;
        int r;

        r = ir_coolix_code(&s, &code);
        check(r == 0 && code == expected, "coolix %s/%g/%s: 0x%06X, expected 0x%06X", hvac_mode_to_string(s.mode),
              s.target_temperature, hvac_fan_to_string(s.fan), code, expected);

        /* On the air each byte is followed by its inverse. */
        want = 0;
        for (int shift = 16; shift >= 0; shift -= 8) {
                uint8_t b = (expected >> shift) & 0xFF;
                want = want << 16 | (uint64_t) b << 8 | (uint8_t) ~b;
        }
        check(ir_encode(&ir_protocol_coolix, &s, NULL, &f) == 0, "encode");
        check(f.n == ELEMENTSOF(coolix_capture), "coolix frame has %zu samples like a real remote's, got %zu",
              ELEMENTSOF(coolix_capture), f.n);
        check(decode_coolix(f.samples, f.n, 0, &decoded) == 0 && decoded == want,
              "coolix frame decodes to 0x%012llX, expected 0x%012llX", (unsigned long long) decoded,
              (unsigned long long) want);
        check(f.carrier == 38000, "carrier");
}

static void test_coolix(void) {
        uint64_t code = 0;
        IrFrame f;

        /* The decoder agrees with a real remote at the usual tolerance… */
        check(decode_coolix(coolix_capture, ELEMENTSOF(coolix_capture), 0.35, &code) == 0 &&
              code == COOLIX_CAPTURE_CODE, "real capture decodes to 0x%012llX", (unsigned long long) code);

        /* …and our frames say what the published codes say. */
        expect_coolix(state(true, HVAC_MODE_COOL, 24, HVAC_FAN_AUTO), 0xB2BF40);
        expect_coolix(state(true, HVAC_MODE_HEAT, 25, HVAC_FAN_AUTO), 0xB2BFCC);
        expect_coolix(state(true, HVAC_MODE_FAN_ONLY, 24, HVAC_FAN_AUTO), 0xB2BFE4);
        expect_coolix(state(true, HVAC_MODE_COOL, 17, HVAC_FAN_LOW), 0xB29F00);
        expect_coolix(state(true, HVAC_MODE_AUTO, 25, HVAC_FAN_AUTO), 0xB21FC8);
        /* Dry and auto mode: the remotes send fan 000 whatever fan was chosen. */
        expect_coolix(state(true, HVAC_MODE_AUTO, 25, HVAC_FAN_HIGH), 0xB21FC8);
        expect_coolix(state(true, HVAC_MODE_DRY, 24, HVAC_FAN_LOW), 0xB21F44);
        expect_coolix(state(true, HVAC_MODE_FAN_ONLY, 24, HVAC_FAN_LOW), 0xB29FE4);
        expect_coolix(state(false, HVAC_MODE_HEAT, 22, HVAC_FAN_HIGH), IR_COOLIX_OFF);

        /* Every temperature of the range has its own code. */
        for (int a = 17; a <= 30; a++)
                for (int b = a + 1; b <= 30; b++) {
                        uint32_t ca, cb;
                        ir_coolix_code(&(HvacState) { true, HVAC_MODE_COOL, a, HVAC_FAN_AUTO }, &ca);
                        ir_coolix_code(&(HvacState) { true, HVAC_MODE_COOL, b, HVAC_FAN_AUTO }, &cb);
                        check(ca != cb, "%i and %i °C share a code", a, b);
                }

        check(ir_encode(&ir_protocol_coolix, &(HvacState) { true, HVAC_MODE_COOL, 16, HVAC_FAN_AUTO }, NULL, &f) == -ERANGE,
              "16 °C");
        check(ir_encode(&ir_protocol_coolix, &(HvacState) { true, HVAC_MODE_COOL, 31, HVAC_FAN_AUTO }, NULL, &f) == -ERANGE,
              "31 °C");
        check(ir_encode(&ir_protocol_coolix, &(HvacState) { true, HVAC_MODE_COOL, 24.5, HVAC_FAN_AUTO }, NULL, &f) ==
              -EINVAL, "24.5 °C");
}

/* The YAW1F remote IRremoteESP8266's notes describe: health (its "model A" bit) set while on,
 * one frame. */
static void gree_yaw1f_options(unsigned options[IR_OPTIONS_MAX]) {
        ir_options_default(&ir_protocol_gree, options);
        options[ir_option_index(&ir_protocol_gree, "health")] = 1;
}

static void expect_gree(HvacState s, const uint8_t expected[8]) {
        uint8_t st[IR_STATE_BYTES_MAX] = {}, decoded[8] = {};
        unsigned options[IR_OPTIONS_MAX];
        IrFrame f;

        gree_yaw1f_options(options);
        check(ir_protocol_gree.build(&s, options, st) == 0 && memcmp(st, expected, 8) == 0,
              "gree %s %s/%g/%s: %02X %02X %02X %02X %02X %02X %02X %02X", s.power ? "on" : "off",
              hvac_mode_to_string(s.mode), s.target_temperature, hvac_fan_to_string(s.fan),
              st[0], st[1], st[2], st[3], st[4], st[5], st[6], st[7]);
        check(ir_encode(&ir_protocol_gree, &s, options, &f) == 0, "encode");
        check(f.n == ELEMENTSOF(gree_capture), "gree frame has %zu samples like a real remote's, got %zu",
              ELEMENTSOF(gree_capture), f.n);
        check(decode_gree(f.samples, f.n, 0, decoded) == 0 && memcmp(decoded, expected, 8) == 0,
              "gree frame decodes to the state");
}

static void test_gree(void) {
        /* Published states and their checksums (top nibble of the last byte). */
        static const uint8_t published[][8] = {
                { 0x59, 0x07, 0x60, 0x50, 0x01, 0x20, 0x00, 0xC0 },
                { 0x51, 0x07, 0x20, 0x50, 0x01, 0x20, 0x00, 0x40 },
                { 0x19, 0x0A, 0x60, 0x50, 0x02, 0x23, 0x00, 0xF0 },
                { 0x00, 0x09, 0x20, 0x50, 0x00, 0x20, 0x00, 0x50 },
                { 0xA9, 0x05, 0xD0, 0x50, 0x00, 0x20, 0x00, 0xA0 },
                { 0x08, 0x09, 0x60, 0x50, 0x00, 0x44, 0x00, 0xF0 },
                { 0x09, 0x09, 0x60, 0x50, 0x00, 0x40, 0x00, 0x00 },
                { 0x4C, 0x04, 0x60, 0x50, 0x01, 0x02, 0x00, 0xA0 },
                { 0x1D, 0x09, 0x60, 0x58, 0x00, 0x20, 0x00, 0xA0 },
        };
        uint8_t decoded[8] = {};

        for (size_t i = 0; i < ELEMENTSOF(published); i++)
                check(ir_gree_checksum(published[i]) == published[i][7] >> 4, "checksum of published state %zu", i);

        check(decode_gree(gree_capture, ELEMENTSOF(gree_capture), 0.25, decoded) == 0 &&
              memcmp(decoded, gree_capture_state, 8) == 0, "real capture decodes to its published state");

        /* The remote's reset state: off, auto, 25 °C, fan auto, light on. */
        expect_gree(state(false, HVAC_MODE_AUTO, 25, HVAC_FAN_AUTO),
                    (const uint8_t[]) { 0x00, 0x09, 0x20, 0x50, 0x00, 0x20, 0x00, 0x50 });
        /* Cool 23 °C fan low, YAW1F: the published "on" state without its swing bits. */
        expect_gree(state(true, HVAC_MODE_COOL, 23, HVAC_FAN_LOW),
                    (const uint8_t[]) { 0x19, 0x07, 0x60, 0x50, 0x00, 0x20, 0x00, 0xC0 });
        /* The captured state without swing and display settings: same first four bytes. */
        expect_gree(state(true, HVAC_MODE_COOL, 26, HVAC_FAN_LOW),
                    (const uint8_t[]) { 0x19, 0x0A, 0x60, 0x50, 0x00, 0x20, 0x00, 0xF0 });
        /* Auto is locked to 25 °C, dry to the lowest fan speed. */
        expect_gree(state(true, HVAC_MODE_AUTO, 20, HVAC_FAN_HIGH),
                    (const uint8_t[]) { 0x38, 0x09, 0x60, 0x50, 0x00, 0x20, 0x00, 0xD0 });
        expect_gree(state(true, HVAC_MODE_DRY, 20, HVAC_FAN_HIGH),
                    (const uint8_t[]) { 0x1A, 0x04, 0x60, 0x50, 0x00, 0x20, 0x00, 0xA0 });
        expect_gree(state(true, HVAC_MODE_HEAT, 30, HVAC_FAN_MEDIUM),
                    (const uint8_t[]) { 0x2C, 0x0E, 0x60, 0x50, 0x00, 0x20, 0x00, 0x60 });
}

static void test_frame_limits(void) {
        static const char *const names[] = { "coolix", "midea", "gree", "mitsubishi", "daikin", "fujitsu", "lg",
                                             "panasonic", "hitachi", "samsung", "toshiba", "mitsubishi_heavy",
                                             "mitsubishi_heavy_88", "daikin216", "daikin152", "mitsubishi112" };

        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                const IrProtocol *p = ir_protocol_find(names[i]);
                IrFrame f;

                require(p, "protocol %s", names[i]);
                for (int m = 0; m < _HVAC_MODE_MAX; m++)
                        for (int fan = 0; fan < _HVAC_FAN_MAX; fan++)
                                for (int t = p->min_temperature; t <= p->max_temperature; t++) {
                                        HvacState s = { true, m, t, fan };

                                        if (ir_encode(p, &s, NULL, &f) < 0) {
                                                check(false, "%s cannot encode %s/%i/%s", p->name,
                                                      hvac_mode_to_string(m), t, hvac_fan_to_string(fan));
                                                continue;
                                        }
                                        /* What the kernel takes in one write: ≤ 1024 samples, an odd
                                         * number (pulse first and last), ≤ 500 ms. */
                                        if (f.n > IR_FRAME_SAMPLES_MAX || f.n % 2 != 1 || ir_frame_duration(&f) > 500000)
                                                check(false, "%s frame for %i °C: %zu samples, %llu µs", p->name, t,
                                                      f.n, (unsigned long long) ir_frame_duration(&f));
                                }
                check(ir_protocol_find("nec") == NULL, "unknown protocol");
        }
}

static void test_text_format(void) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0, n = 0;
        IrFrame f;
        FILE *m;
        bool ok = true;
        unsigned v;
        char word[16], *line, *saveptr = NULL;

        require(ir_encode(&ir_protocol_coolix, &(HvacState) { true, HVAC_MODE_COOL, 24, HVAC_FAN_AUTO }, NULL, &f) == 0,
                "encode");
        m = open_memstream(&text, &size);
        require(m, "memstream");
        check(ir_frame_write_text(&f, "coolix test", m) == 0, "write");
        fclose(m);

        /* The mode2-like format ir-ctl --send reads: a comment, the carrier, pulse/space lines. */
        line = strtok_r(text, "\n", &saveptr);
        check(line && streq(line, "# coolix test"), "comment line: %s", line);
        line = strtok_r(NULL, "\n", &saveptr);
        check(line && streq(line, "carrier 38000"), "carrier line: %s", line);
        while ((line = strtok_r(NULL, "\n", &saveptr))) {
                if (sscanf(line, "%15s %u", word, &v) != 2 || n >= f.n ||
                    !streq(word, n % 2 == 0 ? "pulse" : "space") || v != f.samples[n])
                        ok = false;
                n++;
        }
        check(ok && n == f.n, "%zu pulse/space lines matching the frame (of %zu)", n, f.n);
}

static void test_midea(void) {
        /* IRremoteESP8266's ir_Midea tests: cool, fan low, 17 and 30 °C. */
        static const struct {
                HvacState s;
                uint64_t code;
        } published[] = {
                { { true, HVAC_MODE_COOL, 17, HVAC_FAN_LOW }, UINT64_C(0xA18840FFFF56) },
                { { true, HVAC_MODE_COOL, 30, HVAC_FAN_LOW }, UINT64_C(0xA1884DFFFF5D) },
        };
        uint8_t st[IR_STATE_BYTES_MAX];
        unsigned options[IR_OPTIONS_MAX];
        IrDecoded d;
        IrFrame f;

        ir_options_default(&ir_protocol_midea, options);
        for (size_t i = 0; i < ELEMENTSOF(published); i++) {
                uint64_t code = 0;

                require(ir_protocol_midea.build(&published[i].s, options, st) == 0, "midea build");
                for (size_t b = 0; b < 6; b++)
                        code = code << 8 | st[b];
                check(code == published[i].code, "midea %g °C: 0x%012llX, expected 0x%012llX",
                      published[i].s.target_temperature, (unsigned long long) code,
                      (unsigned long long) published[i].code);
        }

        /* The frame: 48 bits, then the same inverted, each with header and footer. */
        require(ir_encode(&ir_protocol_midea, &published[0].s, NULL, &f) == 0, "midea encode");
        check(f.n == 2 * (2 + 96 + 2) - 1, "midea frame has %zu samples", f.n);
        check(ir_decode(NULL, f.samples, f.n, &d) == 0 && d.protocol == &ir_protocol_midea, "midea decodes as midea");
        /* The first copy lost: the inverted second says it all. */
        check(ir_decode(NULL, f.samples + 2 + 96 + 2, f.n - (2 + 96 + 2), &d) == 0 &&
              d.protocol == &ir_protocol_midea && d.state.target_temperature == 17 && d.state.fan == HVAC_FAN_LOW &&
              d.bytes[0] == 0xA1, "midea from its inverted copy");

        /* A second copy that is not the inverse of the first is a bad frame. */
        f.samples[2 * 48 + 2 + 2 + 3] = f.samples[2 * 48 + 2 + 2 + 3] > 1000 ? 560 : 1680;
        check(ir_decode(&ir_protocol_midea, f.samples, f.n, &d) == -EBADMSG, "midea bad inverse copy");
}

/* A state decodes to itself, with what the frame carries; a frame of the protocol's own table
 * is told from the other protocols' too. */
static bool state_round_trips(const IrProtocol *p, const IrFanTable *table, const HvacState *s, IrFrame *f) {
        bool own = !table || table == p->fan_tables;
        IrDecoded d;

        return ir_encode_table(p, table, s, NULL, f) == 0 &&
                ir_decode_table(own ? NULL : p, own ? NULL : table, f->samples, f->n, &d) == 0 &&
                d.protocol == p && d.state.power == s->power && (!s->power || d.state.mode == s->mode) &&
                (!d.has_fan || d.state.fan == s->fan) &&
                (!d.has_temperature || d.state.target_temperature == s->target_temperature);
}

/* Every state each protocol can send round-trips, with each of its fan tables. */
static void test_round_trip(void) {
        size_t n;
        const IrProtocol *const *protocols = ir_protocols(&n);
        _cleanup_free_ IrFrame *f = malloc(sizeof(IrFrame));

        require(f, "malloc");
        for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k == 0 || (protocols[i]->fan_tables && protocols[i]->fan_tables[k].name); k++) {
                const IrProtocol *p = protocols[i];
                const IrFanTable *table = p->fan_tables ? &p->fan_tables[k] : NULL;
                unsigned bad = 0, total = 0;

                for (int power = 0; power <= 1; power++)
                        for (int m = 0; m < _HVAC_MODE_MAX; m++)
                                for (int fan = 0; fan < _HVAC_FAN_MAX; fan++)
                                        for (int t = p->min_temperature; t <= p->max_temperature; t++) {
                                                HvacState s = { power, m, t, fan };

                                                total++;
                                                if (!state_round_trips(p, table, &s, f) && bad++ < 3)
                                                        check(false, "%s (%s): %s %s %i °C %s does not round-trip",
                                                              p->name, table ? table->name : "-", power ? "on" : "off",
                                                              hvac_mode_to_string(m), t, hvac_fan_to_string(fan));
                                        }
                check(bad == 0, "%s (%s): %u of %u states round-trip", p->name, table ? table->name : "-",
                      total - bad, total);
        }
}

/* The check the configuration and the command line share: the table, or why none, naming the
 * protocol's tables. */
static void test_fan_table_check(void) {
        _cleanup_free_ char *wrong = NULL, *one = NULL;
        const IrFanTable *t = NULL;
        char *none = NULL;

        check(ir_fan_table_check(&ir_protocol_samsung, "upper", &t, &none) == 0 && t && streq(t->name, "upper") &&
              !none, "samsung has upper");
        check(ir_fan_table_check(&ir_protocol_samsung, "", &t, &none) == 0 && t == ir_protocol_samsung.fan_tables,
              "none named: the protocol's own");
        check(ir_fan_table_check(&ir_protocol_gree, NULL, &t, &none) == 0 && !t && !none, "gree: its one table");
        check(ir_fan_table_check(&ir_protocol_samsung, "uper", &t, &wrong) == -EINVAL && wrong &&
              streq(wrong, "protocol 'samsung' has no fan table 'uper' (it has: standard, upper)"),
              "a wrong name names the tables: %s", strna(wrong));
        check(ir_fan_table_check(&ir_protocol_gree, "upper", &t, &one) == -EINVAL && one &&
              streq(one, "protocol 'gree' has one fan table only; 'upper' names none"),
              "a protocol with one table: %s", strna(one));
}

/* A fan table changes the codes of low, medium and high, for sending and reading alike; a code
 * the mode fixes stays. */
static void test_fan_tables(void) {
        const IrProtocol *samsung = &ir_protocol_samsung, *daikin = &ir_protocol_daikin152;
        const IrFanTable *upper = ir_fan_table_find(samsung, "upper"), *middle = ir_fan_table_find(daikin, "middle");
        int code = ir_option_index(samsung, "fan_code"), dcode = ir_option_index(daikin, "fan_code");
        _cleanup_free_ IrFrame *f = malloc(sizeof(IrFrame));
        unsigned raw[IR_OPTIONS_MAX];
        char list[64];
        IrDecoded d;

        require(f && upper && middle && code >= 0 && dcode >= 0, "tables and fields");
        check(ir_fan_table_find(samsung, NULL) == samsung->fan_tables && ir_fan_table_find(samsung, "") ==
              samsung->fan_tables && !ir_fan_table_find(samsung, "uper"), "found by name; none: the protocol's own");
        check(!ir_fan_table_find(&ir_protocol_gree, "upper") && !ir_fan_table_find(&ir_protocol_gree, NULL),
              "gree has one table");
        ir_fan_tables_list(samsung, list, sizeof(list));
        check(streq(list, "standard, upper"), "listed: %s", list);
        ir_fan_tables_list(&ir_protocol_gree, list, sizeof(list));
        check(streq(list, ""), "gree lists none: %s", list);
        test_fan_table_check();

        /* Samsung "upper": high is code 7, which the protocol's own table has no word for. */
        require(ir_encode_table(samsung, upper, &(HvacState) { true, HVAC_MODE_COOL, 24, HVAC_FAN_HIGH }, NULL, f) == 0,
                "encode");
        check(ir_decode_table(samsung, upper, f->samples, f->n, &d) == 0 && d.has_fan && d.state.fan == HVAC_FAN_HIGH,
              "upper's high reads back as high");
        ir_options_read(samsung, d.bytes, raw);
        check(raw[code] == 7 + 1, "sent as code 7: %u", raw[code] - 1);
        check(ir_decode(samsung, f->samples, f->n, &d) == 0 && !d.has_fan && d.fan_beyond_model,
              "the protocol's own table has no word for it");
        /* Low is 4, the own table's medium. */
        require(ir_encode_table(samsung, upper, &(HvacState) { true, HVAC_MODE_HEAT, 24, HVAC_FAN_LOW }, NULL, f) == 0,
                "encode");
        check(ir_decode(samsung, f->samples, f->n, &d) == 0 && d.state.fan == HVAC_FAN_MEDIUM &&
              ir_decode_table(samsung, upper, f->samples, f->n, &d) == 0 && d.state.fan == HVAC_FAN_LOW,
              "upper's low is the own table's medium");
        /* Auto mode's fan auto is a code of its own (6) in every table. */
        require(ir_encode_table(samsung, upper, &(HvacState) { true, HVAC_MODE_AUTO, 24, HVAC_FAN_AUTO }, NULL, f) == 0,
                "encode");
        ir_options_read(samsung, (ir_decode_table(samsung, upper, f->samples, f->n, &d), d.bytes), raw);
        check(!d.has_fan && !d.fan_beyond_model && raw[code] == 6 + 1, "auto mode's auto stays code 6");

        /* Daikin "middle": speeds 2, 3, 4; dry mode sends fan auto whatever the table. */
        require(ir_encode_table(daikin, middle, &(HvacState) { true, HVAC_MODE_COOL, 24, HVAC_FAN_LOW }, NULL, f) == 0,
                "encode");
        ir_options_read(daikin, (ir_decode_table(daikin, middle, f->samples, f->n, &d), d.bytes), raw);
        check(d.has_fan && d.state.fan == HVAC_FAN_LOW && raw[dcode] == 4 + 1, "middle's low is speed 2 (code 4)");
        require(ir_encode_table(daikin, middle, &(HvacState) { true, HVAC_MODE_DRY, 24, HVAC_FAN_HIGH }, NULL, f) == 0,
                "encode");
        ir_options_read(daikin, (ir_decode_table(daikin, middle, f->samples, f->n, &d), d.bytes), raw);
        check(!d.has_fan && raw[dcode] == 0xA + 1, "dry mode sends fan auto in every table: %u", raw[dcode] - 1);
}

/* Five-speed remotes whose low is the quiet code, "lower" (Fujitsu AR-RBE1E, Hitachi RAS-DX):
 * each word one code below the protocol's own table; that table reads their medium as low. And
 * Hitachi's own low is 3: 2 is the quiet speed of the remotes whose highest speed is high. */
static void test_fan_tables_lower(void) {
        static const struct {
                const IrProtocol *p;
                unsigned code[_HVAC_FAN_MAX];   /* the fan field as sent, low to high */
                HvacFan own_medium;             /* what the protocol's own table reads lower's medium as */
        } cases[] = {
                { &ir_protocol_fujitsu, { 0, 4, 3, 2 }, HVAC_FAN_LOW },
                { &ir_protocol_hitachi, { 0x80, 0x40, 0xC0, 0x20 }, HVAC_FAN_LOW },
        };
        _cleanup_free_ IrFrame *f = malloc(sizeof(IrFrame));
        unsigned raw[IR_OPTIONS_MAX];
        IrDecoded d;

        require(f, "malloc");
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const IrProtocol *p = cases[i].p;
                const IrFanTable *lower = ir_fan_table_find(p, "lower");
                int code = ir_option_index(p, "fan_code");

                require(lower && code >= 0, "%s: a table 'lower' and a fan field", p->name);
                for (HvacFan fan = HVAC_FAN_LOW; fan <= HVAC_FAN_HIGH; fan++) {
                        HvacState s = { true, HVAC_MODE_COOL, 24, fan };

                        require(ir_encode_table(p, lower, &s, NULL, f) == 0, "%s: encode", p->name);
                        check(ir_decode_table(p, lower, f->samples, f->n, &d) == 0 && d.has_fan && d.state.fan == fan,
                              "%s: lower's %s reads back", p->name, hvac_fan_to_string(fan));
                        ir_options_read(p, d.bytes, raw);
                        check(raw[code] == cases[i].code[fan] + 1, "%s: lower's %s sent as %u (%u)", p->name,
                              hvac_fan_to_string(fan), cases[i].code[fan], raw[code] - 1);
                        require(ir_decode(p, f->samples, f->n, &d) == 0, "%s: decode", p->name);
                        if (fan == HVAC_FAN_LOW)
                                check(!d.has_fan && d.fan_beyond_model, "%s: lower's low is the own table's quiet",
                                      p->name);
                        if (fan == HVAC_FAN_MEDIUM)
                                check(d.has_fan && d.state.fan == cases[i].own_medium,
                                      "%s: lower's medium is the own table's low", p->name);
                }
        }

        require(ir_encode(&ir_protocol_hitachi, &(HvacState) { true, HVAC_MODE_HEAT, 22, HVAC_FAN_LOW }, NULL, f) == 0,
                "encode");
        check(ir_decode(&ir_protocol_hitachi, f->samples, f->n, &d) == 0 && d.has_fan && d.state.fan == HVAC_FAN_LOW &&
              d.bytes[13] == 0xC0, "hitachi's low is code 3 (0x%02X)", d.bytes[13]);
}

/* The code tables read back: no two modes share a code, nor two fan speeds in one table; a code
 * no mode has is out of range. */
static void test_code_tables(void) {
        size_t n;
        const IrProtocol *const *protocols = ir_protocols(&n);

        for (size_t i = 0; i < n; i++) {
                const IrProtocol *p = protocols[i];
                bool ok = true;

                if (!p->table_driven)
                        continue;
                for (HvacMode m = 0; m < _HVAC_MODE_MAX; m++) {
                        HvacMode back;

                        ok = ok && ir_mode_code(p, m) >= 0 &&
                                ir_mode_from_code(p, (unsigned) ir_mode_code(p, m), &back) == 0 && back == m;
                }
                ok = ok && ir_mode_code(p, _HVAC_MODE_MAX) == -EINVAL;
                for (size_t k = 0; p->fan_tables && p->fan_tables[k].name; k++)
                        for (HvacFan a = 0; a < _HVAC_FAN_MAX; a++)
                                for (HvacFan b = a + 1; b < _HVAC_FAN_MAX; b++)
                                        ok = ok && p->fan_tables[k].code[a] != p->fan_tables[k].code[b];
                check(ok, "%s: mode and fan codes are one to one", p->name);
        }
        {
                HvacState dry_high = { true, HVAC_MODE_DRY, 24, HVAC_FAN_HIGH };
                HvacMode m;

                check(ir_mode_from_code(&ir_protocol_fujitsu, 7, &m) == -ERANGE, "fujitsu has no mode 7");
                check(ir_fan_code(&ir_protocol_fujitsu, &dry_high) == 0, "fujitsu sends fan auto in dry mode");
                check(ir_fan_code(&ir_protocol_mitsubishi_heavy, &dry_high) == 3,
                      "mitsubishi_heavy sends the chosen fan in dry mode");
        }
}

/* Options go out and come back. */
static void test_options(void) {
        HvacState s = { true, HVAC_MODE_COOL, 24, HVAC_FAN_LOW };
        unsigned options[IR_OPTIONS_MAX];
        int light = ir_option_index(&ir_protocol_gree, "light"), frames = ir_option_index(&ir_protocol_gree, "frames");
        IrDecoded d;
        IrFrame f;

        require(light >= 0 && frames >= 0, "gree options");
        check(ir_option_index(&ir_protocol_gree, "nonsense") == -ENOENT, "unknown option");
        ir_options_default(&ir_protocol_gree, options);
        check(options[light] == 1, "the display light is on by default");

        options[light] = 0;
        require(ir_encode(&ir_protocol_gree, &s, options, &f) == 0, "encode");
        check(ir_decode(NULL, f.samples, f.n, &d) == 0 && d.options[light] == 0 && (d.bytes[2] & 0x20) == 0,
              "light off goes out");

        /* The short frame: four bytes, no checksum. */
        options[frames] = 0;
        require(ir_encode(&ir_protocol_gree, &s, options, &f) == 0, "encode");
        check(f.n == 2 + 2 * 35 + 1, "short gree frame has %zu samples", f.n);
        check(ir_decode(NULL, f.samples, f.n, &d) == 0 && d.n_bytes == 4 && d.options[frames] == 0 &&
              d.state.target_temperature == 24, "short gree frame decodes");

        /* Two frames. */
        options[frames] = 2;
        require(ir_encode(&ir_protocol_gree, &s, options, &f) == 0, "encode");
        check(ir_decode(NULL, f.samples, f.n, &d) == 0 && d.options[frames] == 2, "two-frame gree decodes");
}

/* The second frame of a two-frame Gree remote (GWH18ACD) alone: a valid checksum, but byte 3
 * says it is not a state, and it is not read as "off". */
static void test_gree_second_frame(void) {
        uint8_t st[IR_STATE_BYTES_MAX] = { 0x00, 0x00, 0x00, 0xA0, 0x00, 0x00, 0x00, 0xA0, 1 };
        IrDecoded d;
        IrFrame f;

        require(ir_gree_checksum(st) == st[7] >> 4, "the second frame's checksum holds");
        require(ir_protocol_gree.encode(st, &f) == 0, "encode");
        check(ir_decode(&ir_protocol_gree, f.samples, f.n, &d) < 0, "a gree second frame alone is no state");

        /* The same frame with a state's byte 3 is one: off, auto. */
        st[3] = 0x50;
        st[7] = (uint8_t) (ir_gree_checksum(st) << 4);
        require(ir_protocol_gree.encode(st, &f) == 0, "encode");
        check(ir_decode(&ir_protocol_gree, f.samples, f.n, &d) == 0 && !d.state.power, "with 0x50 it is a state");
}

/* The two-frame remotes' second frame, as their captures carry it (tests/ir-captures), from the
 * state and the options; a second frame that is not the first's is a garbled recording. */
static void test_gree_two_frames(void) {
        static const struct {
                const char *what;
                HvacState s;
                const char *option[3];
                unsigned value[3];
                uint8_t second[IR_GREE_STATE_BYTES];
        } cases[] = {
                /* 1180 "heat high 24": the fan in five steps, high is 5. */
                { "GWH12-KF heat high", { true, HVAC_MODE_HEAT, 24, HVAC_FAN_HIGH }, { "frames", "health", "swing_auto" },
                  { 2, 1, 1 },
                  { 0x7C, 0x08, 0x60, 0x70, 0x00, 0x00, 0x50, 0x30 } },
                /* 1181 "cool sleep 20": quiet. */
                { "cool low, quiet", { true, HVAC_MODE_COOL, 20, HVAC_FAN_LOW }, { "frames", "quiet" }, { 2, 1 },
                  { 0x19, 0x04, 0x20, 0x70, 0x80, 0x00, 0x10, 0x00 } },
                /* 1185 "cool high 24": the first frame's fan. */
                { "YAP1F2 cool high", { true, HVAC_MODE_COOL, 24, HVAC_FAN_HIGH }, { "frames", "fan_copy" }, { 2, 1 },
                  { 0x39, 0x08, 0x20, 0x70, 0x00, 0x00, 0x30, 0xE0 } },
                /* 1186 "heat low 20": blank. */
                { "GWH18ACD heat low", { true, HVAC_MODE_HEAT, 20, HVAC_FAN_LOW }, { "frames", "light" }, { 3, 1 },
                  { 0x00, 0x00, 0x00, 0xA0, 0x00, 0x00, 0x00, 0xA0 } },
        };
        const IrProtocol *p = &ir_protocol_gree;
        int frames = ir_option_index(p, "frames"), quiet = ir_option_index(p, "quiet"),
                fan_copy = ir_option_index(p, "fan_copy");

        require(frames >= 0 && quiet >= 0 && fan_copy >= 0, "gree's options");
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                uint8_t st[IR_STATE_BYTES_MAX] = {};
                unsigned options[IR_OPTIONS_MAX];
                IrDecoded d;
                IrFrame f;

                ir_options_default(p, options);
                for (size_t k = 0; k < ELEMENTSOF(cases[i].option) && cases[i].option[k]; k++)
                        require(ir_option_set(p, options, cases[i].option[k], cases[i].value[k]) == 0, "option");
                require(ir_build(p, NULL, &cases[i].s, options, st) == 0, "%s: build", cases[i].what);
                check(memcmp(st + IR_GREE_STATE_BYTES + 1, cases[i].second, IR_GREE_STATE_BYTES) == 0,
                      "%s: the second frame the remote sends (%02X %02X %02X %02X %02X %02X %02X %02X)", cases[i].what,
                      st[9], st[10], st[11], st[12], st[13], st[14], st[15], st[16]);

                require(ir_encode(p, &cases[i].s, options, &f) == 0, "%s: encode", cases[i].what);
                check(ir_decode(p, f.samples, f.n, &d) == 0 && d.options[frames] == options[frames] &&
                      d.options[quiet] == options[quiet] &&
                      memcmp(d.bytes + IR_GREE_STATE_BYTES + 1, cases[i].second, IR_GREE_STATE_BYTES) == 0,
                      "%s: decodes with its shape (frames %u, quiet %u)", cases[i].what, d.options[frames],
                      d.options[quiet]);

                /* A second frame with a bad checksum, or a copy of another state, is garbled. */
                st[IR_GREE_STATE_BYTES + 1 + 6] ^= 0x20;
                require(p->encode(st, &f) == 0, "encode");
                check(ir_decode(p, f.samples, f.n, &d) == -EBADMSG, "%s: a bad second checksum", cases[i].what);
                st[IR_GREE_STATE_BYTES + 1 + 6] ^= 0x20;
                st[IR_GREE_STATE_BYTES + 1 + 1] ^= 0x01;
                st[IR_GREE_STATE_BYTES + 1 + 7] = (uint8_t) (ir_gree_checksum(st + IR_GREE_STATE_BYTES + 1) << 4);
                require(p->encode(st, &f) == 0, "encode");
                check(ir_decode(p, f.samples, f.n, &d) == -EBADMSG, "%s: a second frame not the first's",
                      cases[i].what);
        }
}

/* The Hitachi RAF and RAK remotes' clock message after the frame, as their captures carry it
 * (tests/ir-captures 1088, 1089): the frame, then the clock the options set; one that fails its
 * checksum is a garbled recording, a clock no calendar has is not sent. */
static void test_hitachi_clock(void) {
        static const struct {
                const char *what;
                HvacState s;
                unsigned byte7, byte9, swing, byte25, month, day, hour, minute, weekday;
                uint8_t frame[28], clock[16];
        } cases[] = {
                /* 1088 "cool high 16", recorded on 14 March at 23:10, a Tuesday. */
                { "RAF-25REX cool high 16", { true, HVAC_MODE_COOL, 16, HVAC_FAN_HIGH }, 0x48, 0xC0, 0x60, 0x00,
                  3, 14, 23, 10, 2,
                  { 0x80, 0x08, 0x0C, 0x02, 0xFD, 0x80, 0x7F, 0x48, 0x48, 0xC0, 0x20, 0x04, 0x00, 0xA0, 0x60, 0x60,
                    0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x80, 0x00, 0x00, 0x45 },
                  { 0x80, 0x08, 0x0C, 0x02, 0xFD, 0x08, 0xF7, 0x44, 0x60, 0xE8, 0xC0, 0x70, 0xE8, 0x50, 0x40, 0x31 } },
                /* 1089 "on" (heat high 21), 12 February at 17:02, a Sunday. */
                { "RAK-35RXE heat high 21", { true, HVAC_MODE_HEAT, 21, HVAC_FAN_HIGH }, 0x48, 0xC0, 0xE0, 0x30,
                  2, 12, 17, 2, 7,
                  { 0x80, 0x08, 0x0C, 0x02, 0xFD, 0x80, 0x7F, 0x48, 0x48, 0xC0, 0xC0, 0x54, 0x00, 0xA0, 0xE0, 0xE0,
                    0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x80, 0x30, 0x00, 0xD1 },
                  { 0x80, 0x08, 0x0C, 0x02, 0xFD, 0x08, 0xF7, 0x44, 0x60, 0xE8, 0x40, 0x30, 0x88, 0x40, 0xE0, 0x19 } },
        };
        static const char *const names[] = { "clock_month", "clock_day", "clock_hour", "clock_minute", "clock_weekday" };
        const IrProtocol *p = &ir_protocol_hitachi;
        int clock = ir_option_index(p, "clock"), month = ir_option_index(p, "clock_month");

        require(clock >= 0 && month >= 0, "hitachi's clock options");
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const unsigned fields[] = { cases[i].month, cases[i].day, cases[i].hour, cases[i].minute,
                                            cases[i].weekday };
                unsigned options[IR_OPTIONS_MAX];
                uint8_t msg[16];
                size_t at = 0;
                IrDecoded d;
                IrFrame f;

                ir_options_default(p, options);
                check(options[clock] == 0, "the clock is off by default");
                require(ir_option_set(p, options, "byte7", cases[i].byte7) == 0 &&
                        ir_option_set(p, options, "byte9", cases[i].byte9) == 0 &&
                        ir_option_set(p, options, "swing_v", cases[i].swing) == 0 &&
                        ir_option_set(p, options, "swing_h", cases[i].swing) == 0 &&
                        ir_option_set(p, options, "byte23", 1) == 0 &&
                        ir_option_set(p, options, "byte25", cases[i].byte25) == 0 &&
                        ir_option_set(p, options, "clock", 1) == 0, "options");
                for (size_t k = 0; k < ELEMENTSOF(names); k++)
                        require(ir_option_set(p, options, names[k], fields[k]) == 0, "%s", names[k]);

                require(ir_encode(p, &cases[i].s, options, &f) == 0, "%s: encode", cases[i].what);
                /* The frame, a 33 ms pause, the lead-in pulse, the header, 128 bits, the closing mark. */
                check(f.n == 451 + 1 + 2 + 2 + 256 + 1, "%s: %zu samples", cases[i].what, f.n);
                for (size_t k = 1; k < f.n && at == 0; k += 2)
                        if (f.samples[k] > 20000)
                                at = k + 5;
                require(at > 0, "%s: a pause after the frame", cases[i].what);
                IrReader r = { f.samples, f.n, at };
                for (size_t k = 0; k < sizeof(msg); k++) {
                        uint64_t v = 0;

                        check(ir_read_bits(&r, 8, true, 400, 1250, 500, &v) == 0, "%s: clock byte %zu reads",
                              cases[i].what, k);
                        msg[k] = (uint8_t) v;
                }
                check(memcmp(msg, cases[i].clock, sizeof(msg)) == 0, "%s: the clock message the remote sends "
                      "(%02X %02X … %02X %02X %02X %02X %02X %02X)", cases[i].what, msg[0], msg[1], msg[10], msg[11],
                      msg[12], msg[13], msg[14], msg[15]);

                require(ir_decode(p, f.samples, f.n, &d) == 0, "%s: decode", cases[i].what);
                check(d.n_bytes == 28 && memcmp(d.bytes, cases[i].frame, 28) == 0 && d.options[clock] == 1,
                      "%s: the frame the remote sends, read with its clock", cases[i].what);
                for (size_t k = 0; k < ELEMENTSOF(names); k++)
                        check(d.options[month + k] == fields[k], "%s: %s %u read back (%u)", cases[i].what, names[k],
                              fields[k], d.options[month + k]);

                /* A clock message with a bad checksum is garbled; a minute no clock shows is not sent. */
                at = f.n - 2 - 2 * 8 * 2;       /* the minute's last bit's space */
                f.samples[at] = f.samples[at] > 800 ? 500 : 1250;
                check(ir_decode(p, f.samples, f.n, &d) == -EBADMSG, "%s: a bad clock checksum", cases[i].what);
                require(ir_option_set(p, options, "clock_minute", 60) == 0, "clock_minute 60");
                check(ir_encode(p, &cases[i].s, options, &f) == -EINVAL, "%s: no minute 60", cases[i].what);

                /* Without the clock: the frame alone; a pulse after it is noise. */
                options[clock] = 0;
                require(ir_encode(p, &cases[i].s, options, &f) == 0, "%s: encode", cases[i].what);
                check(f.n == 451, "%s: the frame alone (%zu samples)", cases[i].what, f.n);
                f.samples[f.n++] = 40000;
                f.samples[f.n++] = 400;
                check(ir_decode(p, f.samples, f.n, &d) == 0 && d.options[clock] == 0 &&
                      memcmp(d.bytes, cases[i].frame, 28) == 0, "%s: noise after the frame", cases[i].what);
        }
}

/* set_clock(): the remote's clock at a local time, written into its clock options only, as the
 * frame carries it: Daikin's minutes since midnight and day (1 Sunday) in bytes 13–14, Hitachi's
 * clock message (1 Monday … 7 Sunday), Mitsubishi Electric's 10-minute units in byte 10. */
static void test_set_clock(void) {
        static const struct {
                const char *what;
                struct tm tm;
                uint8_t daikin13, daikin14;
                unsigned hitachi[5];            /* month, day, hour, minute, weekday */
                unsigned mitsubishi;
        } cases[] = {
                { "Sunday 31 December 23:59", { .tm_year = 123, .tm_mon = 11, .tm_mday = 31, .tm_hour = 23,
                                                .tm_min = 59, .tm_wday = 0 },
                  0x9F, 1 << 3 | 5, { 12, 31, 23, 59, 7 }, 143 },
                { "Monday 1 January 00:00", { .tm_year = 124, .tm_mon = 0, .tm_mday = 1, .tm_hour = 0, .tm_min = 0,
                                              .tm_wday = 1 },
                  0x00, 2 << 3, { 1, 1, 0, 0, 1 }, 0 },
                { "Saturday 29 February 12:34", { .tm_year = 120, .tm_mon = 1, .tm_mday = 29, .tm_hour = 12,
                                                  .tm_min = 34, .tm_wday = 6 },
                  0xF2, 7 << 3 | 2, { 2, 29, 12, 34, 6 }, 75 },
        };
        static const char *const hitachi_names[] = { "clock_month", "clock_day", "clock_hour", "clock_minute",
                                                     "clock_weekday" };
        const HvacState s = { true, HVAC_MODE_COOL, 24, HVAC_FAN_AUTO };
        size_t n_protocols;
        const IrProtocol *const *protocols = ir_protocols(&n_protocols);

        /* A protocol has a clock hook exactly where it has clock options, and the hook writes those
         * alone, whatever the time. */
        for (size_t i = 0; i < n_protocols; i++) {
                const IrProtocol *p = protocols[i];
                bool has_clock = false;

                for (size_t k = 0; p->options && p->options[k].name; k++)
                        has_clock = has_clock || p->options[k].clock;
                check(has_clock == !!p->set_clock, "%s: a clock hook (%d) where clock options are (%d)", p->name,
                      !!p->set_clock, has_clock);
                for (size_t c = 0; p->set_clock && c < ELEMENTSOF(cases); c++) {
                        unsigned before[IR_OPTIONS_MAX], after[IR_OPTIONS_MAX];
                        bool changed = false;

                        ir_options_default(p, before);
                        memcpy(after, before, sizeof(after));
                        p->set_clock(after, &cases[c].tm);
                        for (size_t k = 0; p->options[k].name; k++) {
                                check(after[k] <= ir_option_max(&p->options[k]), "%s, %s: %s %u fits", p->name,
                                      cases[c].what, p->options[k].name, after[k]);
                                check(p->options[k].clock || after[k] == before[k], "%s, %s: %s left alone",
                                      p->name, cases[c].what, p->options[k].name);
                                changed = changed || after[k] != before[k];
                        }
                        check(changed || c == 1, "%s, %s: the clock set", p->name, cases[c].what);
                }
        }

        for (size_t c = 0; c < ELEMENTSOF(cases); c++) {
                unsigned options[IR_OPTIONS_MAX];
                int month = ir_option_index(&ir_protocol_hitachi, "clock_month");
                int clock = ir_option_index(&ir_protocol_mitsubishi, "clock");
                IrDecoded d;
                IrFrame f;

                /* Daikin: bytes 13 and 14 of the second frame, its sum right (the decoder checks it);
                 * byte 14's top bits, which carry no clock, are kept. */
                ir_options_default(&ir_protocol_daikin, options);
                require(ir_option_set(&ir_protocol_daikin, options, "clock_day", 0xC0) == 0, "clock_day");
                ir_protocol_daikin.set_clock(options, &cases[c].tm);
                require(ir_encode(&ir_protocol_daikin, &s, options, &f) == 0, "daikin, %s: encode", cases[c].what);
                check(ir_decode(&ir_protocol_daikin, f.samples, f.n, &d) == 0 && d.bytes[13] == cases[c].daikin13 &&
                      d.bytes[14] == (0xC0 | cases[c].daikin14), "daikin, %s: bytes 13–14 %02X %02X (%02X %02X)",
                      cases[c].what, cases[c].daikin13, 0xC0 | cases[c].daikin14, d.bytes[13], d.bytes[14]);

                /* Hitachi: the clock message read back. */
                ir_options_default(&ir_protocol_hitachi, options);
                require(month >= 0 && ir_option_set(&ir_protocol_hitachi, options, "clock", 1) == 0, "hitachi clock");
                ir_protocol_hitachi.set_clock(options, &cases[c].tm);
                require(ir_encode(&ir_protocol_hitachi, &s, options, &f) == 0, "hitachi, %s: encode", cases[c].what);
                require(ir_decode(&ir_protocol_hitachi, f.samples, f.n, &d) == 0, "hitachi, %s: decode",
                        cases[c].what);
                for (size_t k = 0; k < ELEMENTSOF(hitachi_names); k++)
                        check(d.options[month + (int) k] == cases[c].hitachi[k], "hitachi, %s: %s %u (%u)",
                              cases[c].what, hitachi_names[k], cases[c].hitachi[k], d.options[month + (int) k]);

                /* Mitsubishi Electric: byte 10. */
                ir_options_default(&ir_protocol_mitsubishi, options);
                ir_protocol_mitsubishi.set_clock(options, &cases[c].tm);
                require(clock >= 0 && ir_encode(&ir_protocol_mitsubishi, &s, options, &f) == 0, "mitsubishi, %s: "
                        "encode", cases[c].what);
                check(ir_decode(&ir_protocol_mitsubishi, f.samples, f.n, &d) == 0 &&
                      d.bytes[10] == cases[c].mitsubishi && d.options[clock] == cases[c].mitsubishi, "mitsubishi, %s: byte 10 %u (%u)", cases[c].what,
                      cases[c].mitsubishi, d.bytes[10]);
        }
}

/* A capture is reproduced when every frame it holds is the encoder's, bit for bit: a frame the
 * decoder does not read (a copy) counts, noise before and after does not. */
static void test_capture_frames(void) {
        HvacState s = { true, HVAC_MODE_COOL, 24, HVAC_FAN_AUTO };
        _cleanup_free_ IrCapture *c = calloc(1, sizeof(IrCapture));
        IrCaptureResult res;
        IrFrame f;
        size_t copy = 0;

        require(c, "calloc");
        require(ir_encode(&ir_protocol_mitsubishi, &s, NULL, &f) == 0, "encode");
        strcpy(c->label, "test");
        memcpy(c->samples, f.samples, f.n * sizeof(uint32_t));
        c->n = f.n;
        ir_capture_check(NULL, NULL, c, &res);
        check(res.decode == 0 && res.reproduced, "the encoder's own frames are reproduced (%s)", res.why);

        /* Noise: a pulse and a long pause before, a pause and a pulse after. */
        c->samples[0] = 250;
        c->samples[1] = 40000;
        memcpy(c->samples + 2, f.samples, f.n * sizeof(uint32_t));
        c->samples[f.n + 2] = 60000;
        c->samples[f.n + 3] = 200;
        c->n = f.n + 4;
        ir_capture_check(NULL, NULL, c, &res);
        check(res.decode == 0 && res.reproduced, "noise before and after is no frame (%s)", res.why);

        /* The copy (after the first frame's pause) with a zero turned one. */
        for (size_t i = 1; i < f.n; i += 2)
                if (f.samples[i] > 10000)
                        copy = i;
        require(copy > 0 && copy + 20 < f.n, "a copy");
        memcpy(c->samples, f.samples, f.n * sizeof(uint32_t));
        c->n = f.n;
        for (size_t i = copy + 3; i < f.n; i += 2)
                if (f.samples[i] < 600) {
                        c->samples[i] = 1300;
                        break;
                }
        ir_capture_check(NULL, NULL, c, &res);
        check(res.decode == 0 && !res.reproduced && strstr(res.why, "frame 2 differs"),
              "a copy that differs is not reproduced (%s)", res.why);

        /* The first frame alone: the encoder sends one more. */
        c->n = copy;
        ir_capture_check(NULL, NULL, c, &res);
        check(res.decode == 0 && !res.reproduced, "a frame fewer is not reproduced (%s)", res.why);
}

/* Every protocol's option table fits its state bytes and the options array. */
static void test_option_tables(void) {
        size_t n;
        const IrProtocol *const *protocols = ir_protocols(&n);

        for (size_t i = 0; i < n; i++) {
                const IrProtocol *p = protocols[i];
                size_t k = 0;

                check(p->state_bytes <= IR_STATE_BYTES_MAX, "%s: %zu state bytes", p->name, p->state_bytes);
                for (; p->options && p->options[k].name; k++) {
                        const IrOptionField *o = &p->options[k];

                        check(o->byte < p->state_bytes && o->width > 0 && o->shift + o->width <= 8 &&
                              o->def <= ir_option_max(o), "%s: option %s fits", p->name, o->name);
                        check(ir_option_index(p, o->name) == (int) k, "%s: option %s named once", p->name, o->name);
                }
                check(k < IR_OPTIONS_MAX, "%s: %zu options", p->name, k);
        }
}

/* Broken frames fail with the reason. */
static void test_decode_errors(void) {
        HvacState s = { true, HVAC_MODE_HEAT, 22, HVAC_FAN_HIGH };
        static const uint32_t noise[] = { 300, 9000, 300, 12000, 250 };
        IrDecoded d;
        IrFrame f;

        require(ir_encode(&ir_protocol_gree, &s, NULL, &f) == 0, "encode");
        check(ir_decode(NULL, f.samples, 41, &d) == -ENODATA, "a cut gree frame is truncated");
        /* One bit of the temperature flipped: the checksum no longer matches. */
        f.samples[2 + 2 * 8 + 1] = f.samples[2 + 2 * 8 + 1] > 1000 ? 540 : 1600;
        check(ir_decode(NULL, f.samples, f.n, &d) == -EBADMSG, "a flipped gree bit is a bad checksum");
        check(ir_decode(NULL, noise, ELEMENTSOF(noise), &d) == -EPROTONOSUPPORT, "noise is no protocol");

        require(ir_encode(&ir_protocol_coolix, &s, NULL, &f) == 0, "encode");
        check(ir_decode(NULL, f.samples, 61, &d) == -ENODATA, "a cut coolix frame is truncated");
        /* The first copy lost: the second still says it all. */
        check(ir_decode(NULL, f.samples + 100, f.n - 100, &d) == 0 && d.protocol == &ir_protocol_coolix &&
              d.state.target_temperature == 22, "coolix from its second copy");
        /* Noise before the frame is skipped. */
        memmove(f.samples + 2, f.samples, f.n * sizeof(uint32_t));
        f.samples[0] = 200;
        f.samples[1] = 90000;
        check(ir_decode(NULL, f.samples, f.n + 2, &d) == 0 && d.state.mode == HVAC_MODE_HEAT, "coolix after noise");
}

static bool decodes_to(const IrProtocol *p, const uint32_t *samples, size_t n, const HvacState *s, IrDecoded *d) {
        return ir_decode(NULL, samples, n, d) == 0 && d->protocol == p && d->state.power == s->power &&
                d->state.mode == s->mode && d->has_fan && d->state.fan == s->fan && d->has_temperature &&
                d->state.target_temperature == s->target_temperature;
}

/* A recording that starts after the frame's leader (the receiver woke up late) still decodes
 * where the protocol's fixed bytes tell the frame; but only at the recording's start. */
static void test_leaderless(void) {
        static const struct {
                const IrProtocol *protocol;
                HvacState state;
        } cases[] = {
                { &ir_protocol_mitsubishi_heavy_88, { true, HVAC_MODE_COOL, 20, HVAC_FAN_MEDIUM } },
                { &ir_protocol_mitsubishi_heavy, { true, HVAC_MODE_HEAT, 25, HVAC_FAN_LOW } },
                { &ir_protocol_mitsubishi112, { true, HVAC_MODE_HEAT, 23, HVAC_FAN_HIGH } },
                { &ir_protocol_lg, { true, HVAC_MODE_COOL, 18, HVAC_FAN_HIGH } },
                { &ir_protocol_fujitsu, { true, HVAC_MODE_COOL, 24, HVAC_FAN_LOW } },
        };
        _cleanup_free_ IrFrame *f = malloc(sizeof(IrFrame));
        IrDecoded d;

        require(f, "malloc");
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const IrProtocol *p = cases[i].protocol;

                require(ir_encode(p, &cases[i].state, NULL, f) == 0, "%s: encode", p->name);
                check(decodes_to(p, f->samples + 2, f->n - 2, &cases[i].state, &d),
                      "%s: the frame without its leader decodes", p->name);
                /* After a mark and a space of something else, the first bit is no leader. */
                f->samples[0] = 3000;
                f->samples[1] = 20000;
                check(ir_decode(NULL, f->samples, f->n, &d) < 0, "%s: no leader past the recording's start", p->name);
        }
        /* Without the leader, a frame whose fixed bytes are not the protocol's is not taken. */
        require(ir_encode(&ir_protocol_lg, &cases[3].state, NULL, f) == 0, "lg: encode");
        f->samples[3] = f->samples[3] > 1000 ? 550 : 1600;
        check(ir_decode(NULL, f->samples + 2, f->n - 2, &d) == -EPROTONOSUPPORT, "lg: a leader-less frame, signature "
              "broken");
}

/* Panasonic's first frame is fixed: the state frame decodes alone, when the recording lost the
 * first or a glitch broke it, and its checksum still guards it. */
static void test_panasonic_state_frame(void) {
        const HvacState s = { true, HVAC_MODE_HEAT, 22, HVAC_FAN_HIGH };
        /* Leader, 8 bytes, the footer mark and the gap: the state frame's leader follows. */
        const size_t second = 2 + 8 * 16 + 2;
        _cleanup_free_ IrFrame *f = malloc(sizeof(IrFrame));
        uint8_t bytes[IR_STATE_BYTES_MAX];
        IrDecoded d;

        require(f, "malloc");
        require(ir_encode(&ir_protocol_panasonic, &s, NULL, f) == 0, "encode");
        require(decodes_to(&ir_protocol_panasonic, f->samples, f->n, &s, &d), "panasonic decodes");
        memcpy(bytes, d.bytes, sizeof(bytes));
        check(decodes_to(&ir_protocol_panasonic, f->samples + second, f->n - second, &s, &d) &&
              memcmp(d.bytes, bytes, d.n_bytes) == 0, "panasonic: the state frame alone");
        f->samples[20] = 900;
        f->samples[21] = 130;
        check(decodes_to(&ir_protocol_panasonic, f->samples, f->n, &s, &d) && memcmp(d.bytes, bytes, d.n_bytes) == 0,
              "panasonic: a glitch in the fixed frame");
        /* One bit of the temperature flipped. */
        f->samples[second + 2 + 2 * (6 * 8 + 1) + 1] = f->samples[second + 2 + 2 * (6 * 8 + 1) + 1] > 800 ? 432 : 1296;
        check(ir_decode(NULL, f->samples + second, f->n - second, &d) == -EBADMSG, "panasonic: the state frame's "
              "checksum");
}

/* Mitsubishi's i-save: heat at 10 °C is the i-save bit with 16 °C in the temperature field. */
static void test_mitsubishi_isave(void) {
        const IrProtocol *p = &ir_protocol_mitsubishi;
        const HvacState heat10 = { true, HVAC_MODE_HEAT, 10, HVAC_FAN_MEDIUM },
                        heat16 = { true, HVAC_MODE_HEAT, 16, HVAC_FAN_MEDIUM },
                        cool10 = { true, HVAC_MODE_COOL, 10, HVAC_FAN_MEDIUM };
        _cleanup_free_ IrFrame *f = malloc(sizeof(IrFrame));
        unsigned options[IR_OPTIONS_MAX];
        uint8_t st[IR_STATE_BYTES_MAX] = {};
        IrDecoded d;

        require(f, "malloc");
        ir_options_default(p, options);
        check(ir_build(p, NULL, &heat10, options, st) == 0 && st[7] == 0 && (st[15] & 0x20),
              "mitsubishi heat 10 °C: 16 °C and the i-save bit (%02X %02X)", st[7], st[15]);
        check(ir_encode(p, &heat10, NULL, f) == 0 && decodes_to(p, f->samples, f->n, &heat10, &d),
              "mitsubishi heat 10 °C decodes");
        check(ir_build(p, NULL, &heat16, options, st) == 0 && st[7] == 0 && !(st[15] & 0x20),
              "mitsubishi heat 16 °C: no i-save");
        check(ir_encode(p, &heat16, NULL, f) == 0 && decodes_to(p, f->samples, f->n, &heat16, &d),
              "mitsubishi heat 16 °C decodes");
        check(ir_build(p, NULL, &cool10, options, st) == -ERANGE, "mitsubishi: i-save is heat only");
}

static void test_parse_text(void) {
        uint32_t s[16];
        size_t n = 0;
        unsigned line = 0;

        check(ir_samples_parse_text("# comment\ncarrier 38000\npulse 9000\nspace 4500\npulse 600\nspace 500\n"
                                    "space 100\npulse 620\ntimeout 125000\n", s, ELEMENTSOF(s), &n, &line) == 0 &&
              n == 5 && s[0] == 9000 && s[3] == 600 && s[4] == 620, "mode2 text: %zu samples", n);
        check(ir_samples_parse_text("-5000 +9000 -4500\n+600 -1600 +620 # timeout 125000\n", s, ELEMENTSOF(s), &n,
                                    &line) == 0 && n == 5 && s[0] == 9000 && s[4] == 620,
              "ir-ctl -r text: %zu samples", n);
        check(ir_samples_parse_text("+9000 -4500\nbogus 12\n", s, ELEMENTSOF(s), &n, &line) == -EINVAL && line == 2,
              "a bad word names its line (%u)", line);
        check(ir_samples_parse_text("+9000 -x\n", s, ELEMENTSOF(s), &n, &line) == -EINVAL, "a bad number");
        check(ir_samples_parse_text("+1 -1 +1 -1 +1 -1 +1 -1 +1 -1 +1 -1 +1 -1 +1 -1 +1\n", s, ELEMENTSOF(s), &n,
                                    &line) == -E2BIG, "too many samples");
}

/* Remotes whose captures hvacd matches in full (but for those mislabelled, undecodable, or garbled
 * past a frame the decoder reads: unreproduced); the rest are in the benchmark's table. */
static void test_captures(void) {
        static const struct {
                const char *file;
                const IrProtocol *protocol;
                unsigned mislabelled, undecodable;
                const char *fan_table;
                unsigned unreproduced;
        } remotes[] = {
                { "1394.ir", &ir_protocol_coolix, 0, 0 },       /* Midea RG70C/BGEF */
                { "1392.ir", &ir_protocol_midea, 0 },   /* Midea MPD-12CRN7 */
                { "1185.ir", &ir_protocol_gree, 0 },    /* Gree YAP1F2: two frames, the fan copied */
                /* Gree GWH12-KF: one frame, but two in heat mode, the fan in five steps. */
                { "1180.ir", &ir_protocol_gree, 0 },
                { "1188.ir", &ir_protocol_gree, 0 },    /* Gree VIR18HP230V1AH: a °F remote */
                /* Gree GWH18ACD: two frames, the second all but empty; its "cool auto 24" has a
                 * garbled first frame, and the second alone is not a state. */
                { "1186.ir", &ir_protocol_gree, 1, 1 },
                { "1129.ir", &ir_protocol_mitsubishi, 0 },      /* Mitsubishi Electric MSZ: vane positions */
                /* Mitsubishi Electric: quiet, highest; one copy garbled. */
                { "1124.ir", &ir_protocol_mitsubishi, 0, 0, NULL, 1 },
                /* Daikin ARC470: the remote's clock in every frame; one pause garbled. */
                { "1101.ir", &ir_protocol_daikin, 0, 0, NULL, 1 },
                { "1292.ir", &ir_protocol_fujitsu, 0 }, /* Fujitsu ARRAH2E: swing */
                /* Fujitsu, version 0x31: half degrees. Its fan-mode codes lack their header and decode by
                 * their fixed bytes. */
                { "1289.ir", &ir_protocol_fujitsu, 0, 0 },
                { "1060.ir", &ir_protocol_lg, 0, 0 },   /* LG: LG's header */
                { "1061.ir", &ir_protocol_lg, 0, 0 },   /* LG: LG2's header, AKB74955603 fan codes */
                { "1023.ir", &ir_protocol_panasonic, 0, 0 },    /* Panasonic: five speeds */
                { "1021.ir", &ir_protocol_panasonic, 0, 0 },    /* Panasonic: three speeds, other model bytes */
                { "1092.ir", &ir_protocol_hitachi, 0, 0 },      /* Hitachi RAR-2P2 */
                /* Hitachi RAF-25REX, RAK-35RXE: the remote's clock after the frame. One code of each
                 * is garbled, and 1088's "fan_only auto 24" carries low: fan mode has no fan auto. */
                { "1088.ir", &ir_protocol_hitachi, 2, 1 },
                { "1089.ir", &ir_protocol_hitachi, 1, 1 },
                /* Samsung: swing, the extended off. Dry mode goes no lower than 18 °C, fan mode
                 * has no fan auto: the remote sends 18 and low for three of the labels. */
                { "1408.ir", &ir_protocol_samsung, 3, 0 },
                { "1260.ir", &ir_protocol_toshiba, 0, 0 },      /* Toshiba WH-TA04NE */
                { "1689.ir", &ir_protocol_mitsubishi_heavy, 1, 1 },     /* Mitsubishi Heavy ZMS; one code garbled */
                { "1687.ir", &ir_protocol_mitsubishi_heavy_88, 0, 0 },  /* Mitsubishi Heavy ZJS */
                /* Mitsubishi Heavy SRK..ZSP: five codes recorded without their leader. */
                { "1688.ir", &ir_protocol_mitsubishi_heavy_88, 0, 0 },
                /* Panasonic CS-E12JKDW: three codes without their first frame's leader. */
                { "1030.ir", &ir_protocol_panasonic, 0, 0 },
                /* Panasonic CS-CU-HU18YKYF: a glitch in one code's first frame. */
                { "1032.ir", &ir_protocol_panasonic, 0, 0, NULL, 1 },
                /* Mitsubishi Electric MSZ-AP: i-save heat at 10 °C; in cool its "10 °C" code is
                 * the 16 °C one. Its codes lead with the state's first five bytes and send the
                 * frame once, a shape the encoder does not send. */
                { "1122.ir", &ir_protocol_mitsubishi, 1, 0, NULL, 31 },
                { "1100.ir", &ir_protocol_daikin216, 0, 0 },    /* Daikin FTXS */
                { "1112.ir", &ir_protocol_daikin152, 0, 0 },    /* Daikin FTKQ */
                { "1132.ir", &ir_protocol_mitsubishi112, 0, 0 },        /* Mitsubishi Electric MSC-A12YV */
                /* Gree GMV: the short frame. Its "dry low 16" and "heat medium 16" are 30 °C codes. */
                { "1182.ir", &ir_protocol_gree, 2 },
                /* Remotes with fan tables of their own (lirc.fan_table). Samsung AR**TSHZ: fan mode
                 * has no fan auto. */
                { "1404.ir", &ir_protocol_samsung, 2, 0, "upper" },
                { "1685.ir", &ir_protocol_mitsubishi_heavy, 0, 0, "ultra_low" },  /* SRK50ZS-S */
                { "1691.ir", &ir_protocol_mitsubishi_heavy, 0, 0, "ultra_low" },  /* SRK71ZRA-W */
                /* Daikin DTXF35TVMA: one code is not a frame. */
                { "1117.ir", &ir_protocol_daikin152, 1, 1, "middle" },
                /* Fujitsu AR-RBE1E: low is the quiet code; its "highest" code lacks its header. */
                { "1280.ir", &ir_protocol_fujitsu, 0, 0, "lower" },
                { "1084.ir", &ir_protocol_hitachi, 0, 0, "lower" },    /* Hitachi RAS-DX18HDK */
                /* Daikin ARC433B51: five named speeds; its "dry auto off 10" is a heat code. */
                { "5120.ir", &ir_protocol_daikin216, 1, 0, "five_named" },
        };
        const char *srcdir = getenv("VH_SRCDIR") ?: ".";
        _cleanup_free_ IrCapture *c = malloc(sizeof(IrCapture));

        require(c, "malloc");
        for (size_t i = 0; i < ELEMENTSOF(remotes); i++) {
                _cleanup_free_ char *path = NULL;
                _cleanup_fclose_ FILE *f = NULL;
                unsigned line = 0, n = 0, labelled = 0, in_model = 0, reproduced = 0, undecoded = 0, unreproduced = 0;
                int r;

                require(asprintf(&path, "%s/tests/ir-captures/%s", srcdir, remotes[i].file) > 0, "asprintf");
                f = fopen(path, "re");
                require(f, "%s: %m", path);
                while ((r = ir_capture_read(f, c, &line)) > 0) {
                        IrCaptureResult res;

                        ir_capture_check(remotes[i].protocol, ir_fan_table_find(remotes[i].protocol,
                                                                                remotes[i].fan_table), c, &res);
                        n++;
                        in_model += c->in_model;
                        labelled += c->in_model && res.decode == 0 && res.matches_label;
                        reproduced += res.decode == 0 && res.reproduced;
                        unreproduced += res.decode == 0 && !res.reproduced;
                        undecoded += res.decode < 0;
                        if (res.decode == 0 && !res.reproduced && remotes[i].unreproduced == 0)
                                check(false, "%s:%u \"%s\": %s", remotes[i].file, c->line, c->label, res.why);
                }
                check(r == 0, "%s:%u: capture file reads", remotes[i].file, line);
                check(n >= 20 && labelled + remotes[i].mislabelled == in_model && undecoded == remotes[i].undecodable &&
                      unreproduced == remotes[i].unreproduced && reproduced + unreproduced + undecoded == n,
                      "%s: %u captures, %u of %u decode to their label, %u reproduced, %u not, %u undecodable",
                      remotes[i].file, n, labelled, in_model, reproduced, unreproduced, undecoded);
        }
}

int main(void) {
        test_coolix();
        test_gree();
        test_midea();
        test_frame_limits();
        test_round_trip();
        test_fan_tables();
        test_fan_tables_lower();
        test_code_tables();
        test_options();
        test_gree_second_frame();
        test_gree_two_frames();
        test_hitachi_clock();
        test_set_clock();
        test_capture_frames();
        test_option_tables();
        test_decode_errors();
        test_leaderless();
        test_panasonic_state_frame();
        test_mitsubishi_isave();
        test_parse_text();
        test_captures();
        test_text_format();
        return test_result();
}
