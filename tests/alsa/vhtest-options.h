/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The keys of a vhtest plugin's configuration block, parsed from a table: one parser for the
 * PCM (pcm_vhtest_config.c) and the control (ctl_vhtest.c). Problems are reported with SNDERR
 * and -EINVAL, as alsa-lib's own plugins do. */
#pragma once

#include <alsa/asoundlib.h>

#pragma GCC visibility push(hidden)

typedef enum VhOptionType {
        VH_OPTION_STRING,       /* non-empty; a char * the caller frees (an old value is freed) */
        VH_OPTION_LONG,         /* an integer, or a string holding one, within min..max */
        VH_OPTION_CHOICE,       /* one of .choices; the int gets its index */
} VhOptionType;

typedef struct VhOption {
        const char *id;
        VhOptionType type;
        void *dest;
        long min, max;
        const char *const *choices;     /* NULL-terminated */
} VhOption;

#define VH_KEY_STRING(i, d) { .id = (i), .type = VH_OPTION_STRING, .dest = (d) }
#define VH_KEY_LONG(i, d, lo, hi) { .id = (i), .type = VH_OPTION_LONG, .dest = (d), .min = (lo), .max = (hi) }
#define VH_KEY_CHOICE(i, d, c) { .id = (i), .type = VH_OPTION_CHOICE, .dest = (d), .choices = (c) }

/* Parses every key of "conf" through "options" (NULL-id-terminated); "comment", "type" and
 * "hint" are alsa-lib's and are passed over, any other unknown key is an error. */
int vh_options_parse(snd_config_t *conf, const VhOption *options);

#pragma GCC visibility pop
