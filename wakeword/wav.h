/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A strict reader for the recordings "wakeword --decode" accepts: RIFF/WAVE, PCM (plain or
 * WAVE_FORMAT_EXTENSIBLE), 16 bit, mono, 16 kHz, a complete data chunk. Anything else is refused
 * up front with a message saying what is wrong, instead of decoding noise. */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define WAV_RATE 16000

typedef struct WavReader {
        FILE *f;
        uint64_t frames;                /* in the data chunk */
        uint64_t frames_read;
} WavReader;

/* Returns 0, or -errno with *ret_problem set to a static string describing the first problem
 * (-EINVAL not a WAV file, -EMEDIUMTYPE unsupported format, -EBADMSG truncated). */
int wav_open(const char *path, WavReader *ret, const char **ret_problem);
/* Reads up to n frames; returns the count (0 at the end) or -EBADMSG when the file was truncated
 * while reading. */
ssize_t wav_read(WavReader *w, int16_t *buf, size_t n);
void wav_close(WavReader *w);

/* Writes 16 kHz mono 16 bit samples as a WAV file (created or truncated). */
int wav_write_file(const char *path, const int16_t *samples, size_t n);
