/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The vhtest capture PCM's state (see pcm_vhtest.c for what the plugin does) and the parts
 * its files share: the source file (pcm_vhtest_source.c), the clock, mute marks and position
 * model (pcm_vhtest_model.c), and the configuration (pcm_vhtest_config.c). */
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <alsa/asoundlib.h>
#include <alsa/pcm_external.h>

/* Only the plugin's entry point leaves the shared object. */
#pragma GCC visibility push(hidden)

#define NSEC_PER_SEC 1000000000ULL
#define MUTE_MARKS_MAX 64U
#define SOURCE_MAX_BYTES (512U << 20)

typedef enum EofMode {
        EOF_SILENCE,
        EOF_LOOP,
        EOF_STOP,
} EofMode;

/* From stream frame pos on, capture is muted (or not). */
typedef struct MuteMark {
        uint64_t pos;
        bool muted;
} MuteMark;

typedef struct VhPcm {
        snd_pcm_ioplug_t io;

        /* The source: the whole file in memory, S16_LE interleaved. */
        uint8_t *file_buf;
        const uint8_t *samples;
        uint64_t n_frames;
        unsigned rate;
        unsigned channels;

        EofMode eof;
        char *switch_path;
        char *unplug_path;
        char *stall_path;
        uint64_t xrun_after_ns;
        bool xrun_done;

        int timer_fd;
        uint64_t period_ns;
        snd_pcm_uframes_t avail_min;

        /* The current run. Positions are stream frames since the run's first frame. */
        bool running;
        bool stalled;           /* this run never produces (the stall file existed at start) */
        uint64_t start_ns;
        uint64_t file_base;     /* file frame carried by stream frame 0 */
        uint64_t hw_pos;        /* position last handed to alsa-lib by the pointer callback */
        uint64_t seen;          /* furthest position computed; mute state is fixed below it */
        uint64_t consumed;      /* first frame the application has not taken */
        uint64_t checked_pos;   /* position at the last look at the switch and unplug files */
        bool checked;
        bool muted_base;        /* mute state before marks[0] */
        MuteMark marks[MUTE_MARKS_MAX];
        unsigned n_marks;
        int error;              /* -EPIPE or -EIO, sticky until prepare */
        bool disconnected;      /* sticky for the handle, like a card that went away */
        bool exhausted;         /* eof=stop and every file frame was read */
} VhPcm;

static inline uint64_t now_ns(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * NSEC_PER_SEC + (uint64_t) ts.tv_nsec;
}

static inline struct timespec timespec_from_ns(uint64_t ns) {
        return (struct timespec) {
                .tv_sec = (time_t) (ns / NSEC_PER_SEC),
                .tv_nsec = (long) (ns % NSEC_PER_SEC),
        };
}

/* pcm_vhtest_source.c */
int vh_load_source(VhPcm *vh, const char *path, long rate, long channels);
const uint8_t *vh_source_frame(const VhPcm *vh, uint64_t n);

/* pcm_vhtest_model.c */
void vh_timer_drain(VhPcm *vh);
int vh_timer_set(VhPcm *vh, uint64_t first_ns, uint64_t interval_ns, int flags);
void vh_timer_stop(VhPcm *vh);
void vh_forget_marks(VhPcm *vh, uint64_t pos);
bool vh_unplugged(const VhPcm *vh);
uint64_t vh_lib_avail(const VhPcm *vh);
uint64_t vh_stop_limit(const VhPcm *vh);
int vh_advance(VhPcm *vh);

/* pcm_vhtest_config.c */
int vh_configure(VhPcm *vh, snd_config_t *conf);
int vh_set_constraints(VhPcm *vh);

#pragma GCC visibility pop
