/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the checks of tests/test-alsa-plugin.c share: the test files and the running PCM (Ctx),
 * the sample pattern every file carries, file writers, and reading a PCM the way audiod does.
 * The checks are grouped by job: the capture PCM (vhtest-checks-pcm.c) and the capture switch
 * through snd_ctl (vhtest-checks-ctl.c). A check returns 0, or -1 after printing FAIL. */
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <alsa/asoundlib.h>

#define RATE 16000U
#define MAIN_FRAMES (RATE * 20)         /* 20 s: no check gets near the end */
#define STOP_FRAMES 800U                /* 50 ms file for eof "stop" */
#define WAV_RATE 8000U
#define WAV_CHANNELS 2U
#define WAV_FRAMES 400U                 /* 50 ms file for eof "loop" */
#define XRUN_AFTER_MS 300U
#define MAX_FRAMES (RATE * 2)

#define EXIT_SKIP 77

typedef struct Ctx {
        char *dir;
        char *raw;
        char *stop_raw;
        char *wav;
        char *switch_path;
        char *unplug;
        char *conf;

        snd_pcm_t *pcm;                 /* "vhtest", running through most checks */
        snd_pcm_uframes_t period, buffer;
        uint64_t next;                  /* file frame "vhtest" should deliver next */
        uint8_t wav_data[WAV_FRAMES * WAV_CHANNELS * 2];
} Ctx;

/* A scratch buffer large enough for any read of the checks. */
extern uint8_t frames_buf[MAX_FRAMES * 2 * 2];

int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define CHECK(cond, ...) do { if (!(cond)) return fail(__VA_ARGS__); } while (0)

/* vhtest-checks-util.c */
uint64_t now_usec(void);
void sleep_usec(uint64_t usec);
int16_t pattern(uint64_t n);
int16_t sample_at(const uint8_t *buf, size_t i);
void put_le16(uint8_t *p, uint32_t v);
int write_file(const char *path, const void *data, size_t len);
int read_text(const char *path, char *buf, size_t size);
char *strdup_printf(const char *fmt, ...);
int replace_file(const char *path, const char *text);
int write_raw(const char *path, uint64_t first, unsigned n);
int write_wav(Ctx *c);
void expect_alsa_errors(bool expect);
int pcm_error_from_state(snd_pcm_t *pcm);
int read_polled(snd_pcm_t *pcm, uint8_t *buf, size_t n, snd_pcm_uframes_t chunk, unsigned *ret_wakes);
int check_pattern(const uint8_t *buf, size_t n, uint64_t first, const char *what);
long find_switch_point(const uint8_t *buf, size_t n, uint64_t first, bool from_audio, const char *what);

/* vhtest-checks-pcm.c */
int check_period_time(void);
int check_open_and_read(Ctx *c);
int check_mute_file(Ctx *c);
int check_overrun(Ctx *c);
int check_forced_xrun(void);
int check_eof_stop(void);
int check_wav_loop(Ctx *c);
int check_unplug(Ctx *c);
int check_pcm_keys(void);

/* vhtest-checks-ctl.c */
int check_ctl(Ctx *c);
int check_ctl_keys(void);
