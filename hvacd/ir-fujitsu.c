/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Fujitsu General (FUJITSU_AC in IRremoteESP8266's ir_Fujitsu), two remote families: ARRAH2E
 * (and AR-RAE1E, AR-RY4 …: 16-byte states) and ARDB1 (AR-JW2 …: 15 bytes). Sent LSB first:
 *   0–4: 14 63 00 10 10; 5: FE for a state (ARDB1: FC), else a command (02 off, 09 econo …)
 *   6: the number of bytes after it (09; ARDB1 08); 7: version, 30 (31 on AR-REW4E and kin)
 *   8: temperature − 16 °C (4–7; version 0x31: bits 2–7 are 2 × (temperature − 8 °C)), turn on
 *      (0: set when the unit is to start)
 *   9: mode (0–2: auto 0, cool 1, dry 2, fan 3, heat 4), clean (3), timer type (4–5)
 *   10: fan (0–2: auto 0, high 1, medium 2, low 3, quiet 4), swing (4–5); the remotes with a
 *       "highest" speed (AR-RBE1E) call 4 low, 3 medium, 2 high and 1 highest (fan table "lower")
 *   11–13: off and on timers; 14 (ARRAH2E): 0x20, filter (3)
 *   last: checksum — ARRAH2E: minus the sum of bytes 7–14; ARDB1: 0x9B minus the sum of all
 * Commands are short frames: bytes 0–5, and (ARRAH2E) the inverse of byte 5. Power off is the
 * command 02. In dry mode the remotes send fan auto. State byte 16 holds the family: 0 ARRAH2E,
 * 1 ARDB1. */

#include <errno.h>
#include <string.h>

#include "ir.h"
#include "macro.h"

#define FUJITSU_HDR_MARK        3324
#define FUJITSU_HDR_SPACE       1574
#define FUJITSU_BIT_MARK        448
#define FUJITSU_ONE_SPACE       1182
#define FUJITSU_ZERO_SPACE      390
#define FUJITSU_GAP             8100
#define FUJITSU_LONG            16
#define FUJITSU_LONG_ARDB1      15
#define FUJITSU_SHORT           7
#define FUJITSU_SHORT_ARDB1     6
#define FUJITSU_MODEL_BYTE      16
#define FUJITSU_CMD_OFF         0x02
#define FUJITSU_CMD_STATE       0xFE
#define FUJITSU_CMD_STATE_ARDB1 0xFC
#define FUJITSU_VERSION         0x30
#define FUJITSU_VERSION_HALF    0x31

enum { FUJITSU_ARRAH2E, FUJITSU_ARDB1 };

static const uint8_t fujitsu_fixed[5] = { 0x14, 0x63, 0x00, 0x10, 0x10 };

static const IrOptionField fujitsu_options[] = {
        { "fan_code", 10, 0, 3, 0, "a raw fan code: 4 quiet (override)", .override = true },
        { "turn_on", 8, 0, 1, 1, "the start bit: the remote sets it in the frame that starts the unit" },
        { "swing", 10, 4, 2, 0, "0 off, 1 vertical, 2 horizontal, 3 both" },
        { "clean", 9, 3, 1, 0, "coil clean" },
        { "timer_type", 9, 4, 2, 0, "0 none, 1 sleep, 2 off, 3 on" },
        { "timer_11", 11, 0, 8, 0, "off timer, low byte" },
        { "timer_12", 12, 0, 8, 0, "off timer high bits, on timer low bits" },
        { "timer_13", 13, 0, 8, 0, "on timer, high bits" },
        { "version", 7, 0, 8, FUJITSU_VERSION, "0x30; 0x31 on the remotes (AR-REW4E) with half degrees" },
        { "byte14", 14, 0, 8, 0x20, "ARRAH2E: 0x20, filter (bit 3), outside quiet (bit 7)" },
        { "model", FUJITSU_MODEL_BYTE, 0, 1, FUJITSU_ARRAH2E, "0: ARRAH2E (16 bytes), 1: ARDB1 (15 bytes)" },
        {}
};
_Static_assert(ELEMENTSOF(fujitsu_options) <= IR_OPTIONS_MAX, "too many options");

#define FUJITSU_OPTION_MODEL (ELEMENTSOF(fujitsu_options) - 2)

static uint8_t fujitsu_sum(const uint8_t *st, size_t from, size_t to) {
        uint8_t sum = 0;

        for (size_t i = from; i < to; i++)
                sum = (uint8_t) (sum + st[i]);
        return sum;
}

static size_t fujitsu_length(const uint8_t *st) {
        bool ardb1 = st[FUJITSU_MODEL_BYTE] == FUJITSU_ARDB1;

        if (st[5] == FUJITSU_CMD_STATE || st[5] == FUJITSU_CMD_STATE_ARDB1)
                return ardb1 ? FUJITSU_LONG_ARDB1 : FUJITSU_LONG;
        return ardb1 ? FUJITSU_SHORT_ARDB1 : FUJITSU_SHORT;
}

static void fujitsu_checksum(uint8_t *st) {
        size_t n = fujitsu_length(st);

        if (n == FUJITSU_LONG)
                st[n - 1] = (uint8_t) (0 - fujitsu_sum(st, 7, n - 1));
        else if (n == FUJITSU_LONG_ARDB1)
                st[n - 1] = (uint8_t) (0x9B - fujitsu_sum(st, 0, n - 1));
        else if (n == FUJITSU_SHORT)
                st[n - 1] = (uint8_t) ~st[5];
}

static int fujitsu_build(const HvacState *s, const unsigned *options, uint8_t *st) {
        bool ardb1 = options[FUJITSU_OPTION_MODEL] == FUJITSU_ARDB1;
        int mode, fan, r;

        r = ir_protocol_check_temperature(&ir_protocol_fujitsu, s->target_temperature);
        if (r < 0)
                return r;
        mode = ir_mode_code(&ir_protocol_fujitsu, s->mode);
        fan = ir_fan_code(&ir_protocol_fujitsu, s);
        if (mode < 0 || fan < 0)
                return -EINVAL;

        memset(st, 0, FUJITSU_MODEL_BYTE + 1);
        memcpy(st, fujitsu_fixed, sizeof(fujitsu_fixed));
        if (!s->power) {
                st[5] = FUJITSU_CMD_OFF;
                st[FUJITSU_MODEL_BYTE] = ardb1;
                fujitsu_checksum(st);
                return 0;
        }
        st[5] = ardb1 ? FUJITSU_CMD_STATE_ARDB1 : FUJITSU_CMD_STATE;
        st[6] = ardb1 ? FUJITSU_LONG_ARDB1 - 7 : FUJITSU_LONG - 7;
        st[9] = (uint8_t) mode;
        st[10] = (uint8_t) fan;
        ir_options_write(&ir_protocol_fujitsu, options, st);
        if (st[7] == FUJITSU_VERSION_HALF)
                st[8] = (uint8_t) ((st[8] & 0x03) | (((int) s->target_temperature - 8) * 2) << 2);
        else
                st[8] = (uint8_t) ((st[8] & 0x0F) |
                                   ((int) s->target_temperature - ir_protocol_fujitsu.min_temperature) << 4);
        fujitsu_checksum(st);
        return 0;
}

static int fujitsu_encode(const uint8_t *st, IrFrame *f) {
        int r;

        ir_frame_init(f, 38000, 50);
        r = ir_frame_add(f, true, FUJITSU_HDR_MARK);
        if (r >= 0)
                r = ir_frame_add(f, false, FUJITSU_HDR_SPACE);
        if (r >= 0)
                r = ir_frame_add_bytes_lsb(f, st, fujitsu_length(st), FUJITSU_BIT_MARK, FUJITSU_ONE_SPACE,
                                           FUJITSU_ZERO_SPACE);
        if (r >= 0)
                r = ir_frame_add(f, true, FUJITSU_BIT_MARK);
        if (r < 0)
                return r;
        ir_frame_finish(f);
        return 0;
}

static int fujitsu_decode(IrReader *r, uint8_t *st, size_t *ret_n) {
        size_t n = 0;
        int k;

        memset(st, 0, FUJITSU_MODEL_BYTE + 1);
        /* Without its leader, the five fixed bytes below still tell the frame. */
        k = ir_read_leader(r, FUJITSU_HDR_MARK, FUJITSU_HDR_SPACE, FUJITSU_BIT_MARK);
        if (k < 0)
                return k;
        /* As many bytes as come before the footer. */
        while (n < FUJITSU_LONG && r->pos + 2 < r->n && r->s[r->pos + 1] < FUJITSU_GAP / 2) {
                k = ir_read_bytes_lsb(r, st + n, 1, FUJITSU_BIT_MARK, FUJITSU_ONE_SPACE, FUJITSU_ZERO_SPACE);
                if (k < 0)
                        return n < sizeof(fujitsu_fixed) ? -ENOMSG : -ENODATA;
                n++;
        }
        if (n < sizeof(fujitsu_fixed) || memcmp(st, fujitsu_fixed, sizeof(fujitsu_fixed)) != 0)
                return -ENOMSG;
        k = ir_read_mark(r, FUJITSU_BIT_MARK);
        if (k >= 0)
                k = ir_read_gap(r, FUJITSU_GAP);
        if (k < 0)
                return -ENODATA;

        switch (n) {
        case FUJITSU_LONG:
        case FUJITSU_SHORT:
                st[FUJITSU_MODEL_BYTE] = FUJITSU_ARRAH2E;
                break;
        case FUJITSU_LONG_ARDB1:
        case FUJITSU_SHORT_ARDB1:
                st[FUJITSU_MODEL_BYTE] = FUJITSU_ARDB1;
                break;
        default:
                return n < FUJITSU_SHORT ? -ENODATA : -ERANGE;   /* another family (ARREW4E: 18 bytes) */
        }
        if (fujitsu_length(st) != n)
                return -EBADMSG;
        if (n == FUJITSU_LONG || n == FUJITSU_LONG_ARDB1 || n == FUJITSU_SHORT) {
                uint8_t want[FUJITSU_MODEL_BYTE + 1];

                memcpy(want, st, sizeof(want));
                fujitsu_checksum(want);
                if (want[n - 1] != st[n - 1])
                        return -EBADMSG;
        }
        *ret_n = n;
        return 0;
}

static int fujitsu_parse(const uint8_t *st, IrDecoded *d) {
        size_t n = fujitsu_length(st);
        HvacMode mode;

        d->state = (HvacState) { .power = false, .mode = HVAC_MODE_COOL, .target_temperature = 24 };
        if (n == FUJITSU_SHORT || n == FUJITSU_SHORT_ARDB1)
                return st[5] == FUJITSU_CMD_OFF ? 0 : -ERANGE;  /* econo, swing steps …: commands */

        if (ir_mode_from_code(&ir_protocol_fujitsu, st[9] & 7, &mode) < 0)
                return -ERANGE;
        d->state = (HvacState) {
                .power = true,
                .mode = mode,
                .target_temperature = st[7] == FUJITSU_VERSION_HALF ? (st[8] >> 2) / 2.0 + 8 :
                                      ir_protocol_fujitsu.min_temperature + (st[8] >> 4),
        };
        if (d->state.target_temperature > ir_protocol_fujitsu.max_temperature ||
            d->state.target_temperature < ir_protocol_fujitsu.min_temperature)
                return -ERANGE;
        d->has_temperature = true;
        ir_decoded_set_fan(&ir_protocol_fujitsu, d, st[10] & 7);
        /* The remotes send the last temperature in fan mode. */
        if (d->state.mode == HVAC_MODE_FAN_ONLY)
                d->has_temperature = false;
        return 0;
}

static const IrFanTable fujitsu_fan_tables[] = {
        { "standard", "low 3, medium 2, high 1", { [HVAC_FAN_AUTO] = 0, [HVAC_FAN_LOW] = 3, [HVAC_FAN_MEDIUM] = 2,
                                                   [HVAC_FAN_HIGH] = 1 } },
        { "lower", "low 4 (quiet), medium 3, high 2: remotes with a highest speed (1)",
          { [HVAC_FAN_AUTO] = 0, [HVAC_FAN_LOW] = 4, [HVAC_FAN_MEDIUM] = 3, [HVAC_FAN_HIGH] = 2 } },
        {}
};

const IrProtocol ir_protocol_fujitsu = {
        .name = "fujitsu",
        .description = "Fujitsu General (ARRAH2E 16-byte and ARDB1 15-byte states)",
        .carrier = 38000,
        .min_temperature = 16,
        .max_temperature = 30,
        .state_bytes = FUJITSU_MODEL_BYTE + 1,
        .options = fujitsu_options,
        .fan_tables = fujitsu_fan_tables,
        .table_driven = true,
        .mode_codes = { [HVAC_MODE_AUTO] = 0, [HVAC_MODE_COOL] = 1, [HVAC_MODE_DRY] = 2, [HVAC_MODE_FAN_ONLY] = 3,
                        [HVAC_MODE_HEAT] = 4 },
        .dry_fan_auto = true,
        .dry_fan_unsaid = true,
        .build = fujitsu_build,
        .encode = fujitsu_encode,
        .decode = fujitsu_decode,
        .parse = fujitsu_parse,
};
