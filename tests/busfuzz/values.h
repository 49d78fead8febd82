/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Values for the bus fuzzer: appends one complete D-Bus type to a message, choosing from
 * boundary values (integer extremes, NaN, ±inf, denormals, empty and huge strings, deep variant
 * nesting, dictionaries with unknown or repeated keys) and random ones, and writes a short
 * description of what it appended, so a failing call can be read back from the log. Every value
 * is one the wire allows (sd-bus itself refuses invalid UTF-8, object paths and signatures). */

#include <stdint.h>
#include <stdio.h>
#include <systemd/sd-bus.h>

typedef struct Fuzz {
        uint64_t rng;
        char **words;                   /* the contract's documented values */
        size_t n_words;
        int null_fd;                    /* what "h" arguments carry */
        size_t budget;                  /* array elements left for the message being built */
        size_t huge_left;               /* and huge strings */
        size_t fds_left;                /* and fds (one sendmsg() carries at most 253) */
} Fuzz;

uint64_t fuzz_random(Fuzz *f);
/* 0 … n-1 */
size_t fuzz_pick(Fuzz *f, size_t n);

/* Length of the first complete type in "signature", 0 if none. */
size_t signature_first_length(const char *signature);

/* A random single complete type, from basic ones to nested containers. */
const char *fuzz_random_type(Fuzz *f);

/* Appends a value of the single complete type "type" (length len). */
int fuzz_append(Fuzz *f, sd_bus_message *m, const char *type, size_t len, FILE *desc, unsigned depth);

/* Appends values for a whole signature (several complete types). fuzz_append_signature() starts
 * a new message's budget of array elements; fuzz_append() goes on with the current one. */
void fuzz_new_message(Fuzz *f);
int fuzz_append_signature(Fuzz *f, sd_bus_message *m, const char *signature, FILE *desc);
