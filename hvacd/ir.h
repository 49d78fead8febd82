/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Full-state infrared frames for air conditioners, as the pulse/space microsecond lists that
 * /dev/lircN takes in LIRC_MODE_PULSE and gives in LIRC_MODE_MODE2. An A/C remote sends
 * everything (power, mode, temperature, fan, and its own options) in every frame, so one frame
 * carries the whole HvacState.
 *
 * Each protocol works on its state bytes, the data the frame carries, in the order the
 * protocol's notes number them. Bytes past the data describe the frame's shape (a remote that
 * sends a shorter frame, say); they are options like the others but never go on the air. The
 * bits the climate model has no word for (a display light, a beep) are named options, so a
 * configuration can set them and a decoder can report them. */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "state.h"

/* What one write() to a LIRC device may carry (the kernel's LIRCBUF_SIZE). */
#define IR_FRAME_SAMPLES_MAX 1024
#define IR_STATE_BYTES_MAX 40
#define IR_OPTIONS_MAX 24

typedef struct IrFrame {
        unsigned carrier;                       /* Hz */
        unsigned duty_cycle;                    /* percent */
        size_t n;                               /* odd: starts and ends with a pulse */
        uint32_t samples[IR_FRAME_SAMPLES_MAX]; /* µs: pulse, space, pulse, … */
} IrFrame;

/* A remote option: "width" bits at "shift" in state byte "byte", and what the remote sends by
 * default. An override option shares its bits with the climate state (a fan speed the climate
 * model has no word for, say): 0 leaves them to the state, N sends N − 1 instead. A decoder
 * reports 0 where the state accounts for the bits. A clock option holds the remote's clock, which
 * a sender sets to the time of the send (the protocol's set_clock()). */
typedef struct IrOptionField {
        const char *name;
        uint8_t byte, shift, width;
        uint8_t def;
        const char *description;
        bool override;
        bool clock;                     /* the remote's clock: set_clock() writes it */
} IrOptionField;

/* A remote's fan codes: the values of the protocol's "fan_code" field it sends for auto, low,
 * medium and high. Remotes of one protocol differ here (a remote with five speeds calls its
 * middle three low, medium and high, say), and a frame cannot tell which remote sent it: the
 * configuration names the table ("lirc.fan_table"). The protocol's first table is the one its
 * build() and parse() speak; a mode that fixes the fan (dry mode's auto, say) keeps its code
 * whatever the table. */
typedef struct IrFanTable {
        const char *name;
        const char *description;
        uint8_t code[_HVAC_FAN_MAX];
} IrFanTable;

/* What a frame says, and what it leaves out (dry mode locks some units' fan, say). */
typedef struct IrDecoded {
        const struct IrProtocol *protocol;
        HvacState state;
        bool has_fan, has_temperature;
        bool fan_beyond_model;                  /* a speed the climate model has no word for */
        unsigned options[IR_OPTIONS_MAX];       /* in the order of protocol->options */
        uint8_t bytes[IR_STATE_BYTES_MAX];
        size_t n_bytes;                         /* the data bytes the frame carried */
} IrDecoded;

/* Reads a pulse/space list. Failures: -ENOMSG (not this protocol's frame), -EBADMSG (its
 * frame, with a bad checksum or a bad copy), -ENODATA (its frame, cut short). */
typedef struct IrReader {
        const uint32_t *s;
        size_t n, pos;
} IrReader;

typedef struct IrProtocol {
        const char *name;
        const char *description;
        unsigned carrier;
        int min_temperature, max_temperature;   /* whole °C the protocol can carry */
        size_t state_bytes;                     /* data and shape bytes */
        const IrOptionField *options;           /* NULL-name-terminated */
        /* NULL-name-terminated, the protocol's own first; NULL: remotes agree on one. */
        const IrFanTable *fan_tables;
        /* Where the protocol's mode and fan fields map one code to one word (table_driven): the
         * mode field's code for each HvacMode, the fan's in fan_tables[0]; whether dry mode sends
         * the fan auto code, and whether a dry frame's fan is the unit's choice (a decoder says
         * nothing of it). The others map in their own build() and parse(). */
        bool table_driven;
        uint8_t mode_codes[_HVAC_MODE_MAX];
        bool dry_fan_auto, dry_fan_unsaid;
        /* State and option values → state bytes (checksum included). */
        int (*build)(const HvacState *s, const unsigned *options, uint8_t *ret);
        /* State bytes → frame. */
        int (*encode)(const uint8_t *state, IrFrame *ret);
        /* Frame → state bytes (shape bytes included); *ret_n: the data bytes read. */
        int (*decode)(IrReader *r, uint8_t *ret, size_t *ret_n);
        /* State bytes → climate state. */
        int (*parse)(const uint8_t *state, IrDecoded *ret);
        /* A remote that sends its clock sets it to the time of the press: the local time "tm"
         * into the option values that carry the clock. NULL: the frame carries no clock. */
        void (*set_clock)(unsigned *options, const struct tm *tm);
} IrProtocol;

#define IR_PROTOCOLS_LIST "coolix, midea, gree, mitsubishi, daikin, fujitsu, lg, panasonic, hitachi, samsung, " \
        "toshiba, mitsubishi_heavy, mitsubishi_heavy_88, daikin216, daikin152, mitsubishi112"

const IrProtocol *ir_protocol_find(const char *name);
const IrProtocol *const *ir_protocols(size_t *ret_n);

/* Whether the protocol can carry "t" (a whole number of °C in its range). */
int ir_protocol_check_temperature(const IrProtocol *p, double t);

/* Option values: the remote's defaults, or by name. */
void ir_options_default(const IrProtocol *p, unsigned ret[IR_OPTIONS_MAX]);
int ir_option_index(const IrProtocol *p, const char *name);
unsigned ir_option_max(const IrOptionField *o);
/* The value of option "name" (which the protocol has) in "values". */
unsigned ir_option_get(const IrProtocol *p, const unsigned *values, const char *name);
/* Sets option "name" in "values": -ENOENT when the protocol has no such option, -ERANGE when
 * its field cannot hold "value". */
int ir_option_set(const IrProtocol *p, unsigned *values, const char *name, unsigned value);
void ir_options_write(const IrProtocol *p, const unsigned *values, uint8_t *state);
void ir_options_read(const IrProtocol *p, const uint8_t *state, unsigned *ret);

/* The codes of a table-driven protocol: the mode's and the fan's for a state (the fan auto code
 * in dry mode where dry_fan_auto), -EINVAL for a word outside the model. */
int ir_mode_code(const IrProtocol *p, HvacMode m);
int ir_fan_code(const IrProtocol *p, const HvacState *s);
/* A frame's mode code as the climate model's word, -ERANGE when the protocol defines none. */
int ir_mode_from_code(const IrProtocol *p, unsigned code, HvacMode *ret);
/* A frame's fan code into "d" (its mode already set): has_fan with the word of the protocol's own
 * table, fan_beyond_model for a code it has none for, neither in dry mode where dry_fan_unsaid. */
void ir_decoded_set_fan(const IrProtocol *p, IrDecoded *d, unsigned code);

/* A fan table by name; NULL or "" names the protocol's own (NULL for a protocol with one). NULL
 * when the protocol has no table of that name. */
const IrFanTable *ir_fan_table_find(const IrProtocol *p, const char *name);
/* The names of the protocol's tables, ", "-separated, for messages; "" when it has none. */
void ir_fan_tables_list(const IrProtocol *p, char *buf, size_t size);
/* The table "name" names, as ir_fan_table_find(); -EINVAL when none, with why in *ret_problem
 * (allocated; NULL when out of memory) naming the tables the protocol has, for the configuration
 * and the command line alike. */
int ir_fan_table_check(const IrProtocol *p, const char *name, const IrFanTable **ret, char **ret_problem);

/* The state bytes for a state, with fan table "t" (NULL: the protocol's own). */
int ir_build(const IrProtocol *p, const IrFanTable *t, const HvacState *s, const unsigned *options,
             uint8_t *ret);

/* The frame for a state; "options" NULL: the remote's defaults. */
int ir_encode(const IrProtocol *p, const HvacState *s, const unsigned *options, IrFrame *ret);
int ir_encode_table(const IrProtocol *p, const IrFanTable *t, const HvacState *s, const unsigned *options,
                    IrFrame *ret);

/* Tries every protocol (or only "p") on the samples. -EPROTONOSUPPORT when no protocol knows
 * the frame; otherwise the most telling failure of one that recognised its start. */
int ir_decode(const IrProtocol *p, const uint32_t *samples, size_t n, IrDecoded *ret);
/* The same, the fan read through table "t" of protocol "p" (NULL: its own). */
int ir_decode_table(const IrProtocol *p, const IrFanTable *t, const uint32_t *samples, size_t n, IrDecoded *ret);
const char *ir_decode_strerror(int r);

/* The decoded frame as one JSON object on one line. */
int ir_decoded_write_json(const IrDecoded *d, FILE *out);

void ir_frame_init(IrFrame *f, unsigned carrier, unsigned duty_cycle);
/* Appends a pulse or a space; one of the same kind as the last one is merged into it. */
int ir_frame_add(IrFrame *f, bool pulse, uint32_t usec);
/* Appends nbits of data, each as a mark and a one- or zero-space. */
int ir_frame_add_bits(IrFrame *f, uint64_t data, unsigned nbits, bool msb_first,
                      uint32_t mark, uint32_t one_space, uint32_t zero_space);
/* Appends bytes, each LSB first. */
int ir_frame_add_bytes_lsb(IrFrame *f, const uint8_t *bytes, size_t n,
                           uint32_t mark, uint32_t one_space, uint32_t zero_space);
/* Drops a trailing space: a transmission must end with a pulse. */
void ir_frame_finish(IrFrame *f);
/* Total duration in µs. */
uint64_t ir_frame_duration(const IrFrame *f);

/* Prints the frame in the text format `ir-ctl --send FILE` reads ("carrier N", then one
 * "pulse N"/"space N" line each); "comment" becomes a leading '#' line when set. */
int ir_frame_write_text(const IrFrame *f, const char *comment, FILE *out);

/* Parses what `ir-ctl -r` or mode2 print: "pulse N"/"space N" lines, or "+N -N …" words;
 * '#' comments, "carrier N" and "timeout N" lines are skipped. Consecutive samples of one kind
 * are merged, a leading space is dropped. -EINVAL with the line number on bad text. */
int ir_samples_parse_text(const char *text, uint32_t *samples, size_t max, size_t *ret_n,
                          unsigned *ret_line);

/* Matching with the tolerance that real remotes and receivers need. */
bool ir_match(uint32_t measured, uint32_t expected);
int ir_read_mark(IrReader *r, uint32_t expected);
int ir_read_space(IrReader *r, uint32_t expected);
/* A frame's leader mark and space: 0. 1 where a recording starts with a bit's mark instead, its
 * leader lost (the receiver woke up late): the caller then checks the frame's fixed bytes before
 * taking it. */
int ir_read_leader(IrReader *r, uint32_t mark, uint32_t space, uint32_t bit_mark);
/* A space of at least "min" µs, or the end of the samples. */
int ir_read_gap(IrReader *r, uint32_t min);
int ir_read_bits(IrReader *r, unsigned nbits, bool msb_first, uint32_t mark, uint32_t one_space,
                 uint32_t zero_space, uint64_t *ret);
int ir_read_bytes_lsb(IrReader *r, uint8_t *ret, size_t n, uint32_t mark, uint32_t one_space,
                      uint32_t zero_space);

uint8_t ir_reverse_bits(uint8_t b);

extern const IrProtocol ir_protocol_coolix, ir_protocol_midea, ir_protocol_gree, ir_protocol_mitsubishi,
        ir_protocol_daikin, ir_protocol_fujitsu, ir_protocol_lg, ir_protocol_panasonic,
        ir_protocol_hitachi, ir_protocol_samsung, ir_protocol_toshiba, ir_protocol_mitsubishi_heavy,
        ir_protocol_mitsubishi_heavy_88, ir_protocol_daikin216, ir_protocol_daikin152, ir_protocol_mitsubishi112;

/* Coolix: a 24-bit code, each byte followed by its inverse, MSB first. Power off is a code of
 * its own. State bytes: the code's top, middle, low byte. */
#define IR_COOLIX_OFF UINT32_C(0xB27BE0)
int ir_coolix_code(const HvacState *s, uint32_t *ret);

/* Daikin's five-speed fan tables, shared by its protocols. */
extern const IrFanTable ir_daikin_fan_tables[];

/* Gree: 8 bytes LSB first in two blocks of four, with a 4-bit checksum in the top of the last
 * byte. */
#define IR_GREE_STATE_BYTES 8
uint8_t ir_gree_checksum(const uint8_t state[IR_GREE_STATE_BYTES]);
