/*
 * vhtest — a capture-only ALSA I/O plugin that feeds a file to alsa-lib in real time, so
 * audiod, arecord and the tests run on a machine without a sound card.
 *
 *   pcm.vhtest {
 *           type vhtest
 *           file "/path/speech.wav"  # RIFF PCM S16_LE (rate, channels from its header),
 *                                    # or raw S16_LE (anything not starting with RIFF/WAVE)
 *           rate 16000               # raw files: sample rate (default 16000)
 *           channels 1               # raw files: channels (default 1)
 *           eof silence              # after the file: silence (zeros forever, default),
 *                                    # loop, or stop (see below)
 *           switch "/path/switch"    # capture switch file, "1" on / "0" muted; created as "1"
 *           unplug "/path/unplug"    # while this file exists the "card" is gone
 *           stall "/path/stall"      # a run started while this file exists never produces
 *           xrun_after_ms 300        # force one overrun this long after start (once per open)
 *   }
 *
 * The stream exposes S16_LE at the file's rate and channels only.
 *
 * Timing: start arms a CLOCK_MONOTONIC timerfd at the period interval; it is the poll
 * descriptor, so a poller wakes once per period. The hardware position is computed from
 * the monotonic time elapsed since start, never accumulated, so it does not drift, and
 * it moves frame by frame like a DMA position, not in period steps.
 *
 * Poll: a tick keeps the descriptor readable until the application has read avail below
 * avail_min (the transfer callback drains it then) or poll_revents finds less than
 * avail_min ready (it drains and reports nothing), so an application that polls and
 * reads without ever calling snd_pcm_poll_descriptors_revents() does not spin either.
 * POLLIN means avail >= avail_min (the period size unless sw_params say otherwise).
 *
 * Position model: stream frame N of a run (prepare → start → stop/xrun) carries file frame
 * file_base + N. After an overrun or stop the next run resumes at the first frame the
 * application had not read, so the audio stays bit-exact across recoveries; the lost
 * time shows only as a jump in timestamps.
 *
 * Errors, and how an application sees them:
 *   overrun    avail would reach the buffer size (or xrun_after_ms fired): the pointer
 *              callback returns -EPIPE, alsa-lib sets XRUN, readi returns -EPIPE and
 *              snd_pcm_recover() + start resumes.
 *   unplug     the pointer callback sets state DISCONNECTED (not a negative return:
 *              alsa-lib would turn that into XRUN and the app would "recover" forever);
 *              readi and snd_pcm_wait() then return -ENODEV, poll reports POLLERR, and
 *              prepare/start keep failing with -ENODEV on this handle, as on a real
 *              card that went away. Opening fails with -ENODEV while the file exists.
 *   stall      the run opens and starts without error, but its clock never ticks: no frame,
 *              no wakeup, state RUNNING — a device that is there and silent, like a USB
 *              microphone with a dead clock or a sound server's suspended source. Looked at
 *              when a run starts, so the next open (or prepare and start) after the file
 *              is gone delivers again.
 *   eof stop   frames beyond the file are never produced; once the application has read
 *              the last one the pointer returns -EIO (alsa-lib: XRUN, readi: -EPIPE) and
 *              prepare fails with -EIO from then on, so snd_pcm_recover() reports the end.
 *
 * Muting: the switch file is read when the position crosses into a new period (and the
 * application or its poll looks). Frames not captured by then carry the new state,
 * frames already captured keep theirs, as with a hardware switch in front of the ADC: a
 * mute shows in the data after what was already buffered plus at most about a period.
 *
 * Must be built with -fPIC -DPIC and without sanitizers: it is dlopen()ed into arecord,
 * amixer and other uninstrumented programs.
 */

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

#include "vhtest-switch.h"

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

static uint64_t now_ns(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * NSEC_PER_SEC + (uint64_t) ts.tv_nsec;
}

static struct timespec timespec_from_ns(uint64_t ns) {
        return (struct timespec) {
                .tv_sec = (time_t) (ns / NSEC_PER_SEC),
                .tv_nsec = (long) (ns % NSEC_PER_SEC),
        };
}

/* ---- the source file ------------------------------------------------------------ */

static uint16_t le16(const uint8_t *p) {
        return (uint16_t) (p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p) {
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static int read_whole_file(const char *path, uint8_t **ret, size_t *ret_len) {
        struct stat st;
        uint8_t *buf;
        size_t len = 0;
        int fd, r;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0) {
                r = -errno;
                goto fail_close;
        }
        if (!S_ISREG(st.st_mode)) {
                r = -EINVAL;
                goto fail_close;
        }
        if ((uint64_t) st.st_size > SOURCE_MAX_BYTES) {
                r = -EFBIG;
                goto fail_close;
        }

        buf = malloc((size_t) st.st_size + 1);
        if (!buf) {
                r = -ENOMEM;
                goto fail_close;
        }
        while (len < (size_t) st.st_size) {
                ssize_t n = read(fd, buf + len, (size_t) st.st_size - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        r = -errno;
                        free(buf);
                        goto fail_close;
                }
                if (n == 0)
                        break;  /* shrank under us; take what is there */
                len += (size_t) n;
        }
        close(fd);
        *ret = buf;
        *ret_len = len;
        return 0;

fail_close:
        close(fd);
        return r;
}

/* Returns 1 and the data chunk for a PCM S16_LE WAV file, 0 if buf is not RIFF/WAVE
 * at all (a raw file), or -EINVAL for a WAV file this plugin cannot play. */
static int wav_parse(const uint8_t *buf, size_t len, const char *path,
                     const uint8_t **ret_data, size_t *ret_len,
                     unsigned *ret_rate, unsigned *ret_channels) {
        unsigned rate = 0, channels = 0;
        bool have_fmt = false;
        size_t off = 12;

        if (len < 12 || memcmp(buf, "RIFF", 4) != 0 || memcmp(buf + 8, "WAVE", 4) != 0)
                return 0;

        while (len - off >= 8) {
                const uint8_t *chunk = buf + off;
                size_t size = le32(chunk + 4), body = off + 8;

                if (memcmp(chunk, "fmt ", 4) == 0) {
                        unsigned tag, bits;

                        if (size < 16 || len - body < 16) {
                                SNDERR("vhtest: %s: short fmt chunk", path);
                                return -EINVAL;
                        }
                        tag = le16(buf + body);
                        channels = le16(buf + body + 2);
                        rate = le32(buf + body + 4);
                        bits = le16(buf + body + 14);
                        /* WAVE_FORMAT_EXTENSIBLE carries the real tag in its sub-format GUID. */
                        if (tag == 0xFFFE && size >= 40 && len - body >= 40)
                                tag = le16(buf + body + 24);
                        if (tag != 1 || bits != 16) {
                                SNDERR("vhtest: %s: only PCM S16_LE WAV is supported (format %u, %u bits)",
                                       path, tag, bits);
                                return -EINVAL;
                        }
                        have_fmt = true;
                } else if (memcmp(chunk, "data", 4) == 0) {
                        if (!have_fmt) {
                                SNDERR("vhtest: %s: data chunk before fmt chunk", path);
                                return -EINVAL;
                        }
                        /* Streamed WAVs (arecord to a pipe) carry a bogus, too large size. */
                        *ret_data = buf + body;
                        *ret_len = size < len - body ? size : len - body;
                        *ret_rate = rate;
                        *ret_channels = channels;
                        return 1;
                }

                if (size > len - body)
                        break;
                off = body + size + (size & 1);
                if (off > len)
                        break;
        }

        SNDERR("vhtest: %s: WAV file without a data chunk", path);
        return -EINVAL;
}

/* rate/channels < 0: not given in the configuration. */
static int vh_load_source(VhPcm *vh, const char *path, long rate, long channels) {
        const uint8_t *data = NULL;
        size_t file_len = 0, len = 0;
        unsigned wav_rate = 0, wav_channels = 0;
        int r;

        r = read_whole_file(path, &vh->file_buf, &file_len);
        if (r < 0) {
                SNDERR("vhtest: cannot read file %s: %s", path, strerror(-r));
                return r;
        }

        r = wav_parse(vh->file_buf, file_len, path, &data, &len, &wav_rate, &wav_channels);
        if (r < 0)
                return r;
        if (r > 0) {
                if ((rate >= 0 && (unsigned long) rate != wav_rate) ||
                    (channels >= 0 && (unsigned long) channels != wav_channels)) {
                        SNDERR("vhtest: %s is a WAV file of %u Hz, %u channels; rate/channels keys disagree",
                               path, wav_rate, wav_channels);
                        return -EINVAL;
                }
                rate = wav_rate;
                channels = wav_channels;
        } else {
                data = vh->file_buf;
                len = file_len;
                if (rate < 0)
                        rate = 16000;
                if (channels < 0)
                        channels = 1;
        }
        if (rate < 1000 || rate > 384000 || channels < 1 || channels > 32) {
                SNDERR("vhtest: %s: unsupported format %ld Hz, %ld channels", path, rate, channels);
                return -EINVAL;
        }

        vh->samples = data;
        vh->rate = (unsigned) rate;
        vh->channels = (unsigned) channels;
        vh->n_frames = len / (2 * vh->channels);
        return 0;
}

/* The bytes of file frame n, or NULL where the file has none (silence). */
static const uint8_t *vh_source_frame(const VhPcm *vh, uint64_t n) {
        if (n >= vh->n_frames) {
                if (vh->eof != EOF_LOOP || vh->n_frames == 0)
                        return NULL;
                n %= vh->n_frames;
        }
        return vh->samples + n * vh->channels * 2;
}

/* ---- timer -------------------------------------------------------------------- */

static void vh_timer_drain(VhPcm *vh) {
        uint64_t expirations;
        ssize_t n;

        n = read(vh->timer_fd, &expirations, sizeof expirations);
        (void) n;  /* -EAGAIN: nothing pending, which is fine */
}

static int vh_timer_set(VhPcm *vh, uint64_t first_ns, uint64_t interval_ns, int flags) {
        struct itimerspec its = {
                .it_value = timespec_from_ns(first_ns),
                .it_interval = timespec_from_ns(interval_ns),
        };

        if (timerfd_settime(vh->timer_fd, flags, &its, NULL) < 0)
                return -errno;
        return 0;
}

static void vh_timer_stop(VhPcm *vh) {
        (void) vh_timer_set(vh, 0, 0, 0);
        vh_timer_drain(vh);
}

/* ---- mute state per captured frame ---------------------------------------------- */

static bool vh_muted_last(const VhPcm *vh) {
        return vh->n_marks > 0 ? vh->marks[vh->n_marks - 1].muted : vh->muted_base;
}

static void vh_mark(VhPcm *vh, uint64_t pos, bool muted) {
        if (vh_muted_last(vh) == muted)
                return;
        if (vh->n_marks == MUTE_MARKS_MAX) {
                /* Someone toggles faster than the app reads; blur the oldest change. */
                vh->muted_base = vh->marks[0].muted;
                memmove(vh->marks, vh->marks + 1, --vh->n_marks * sizeof vh->marks[0]);
        }
        vh->marks[vh->n_marks++] = (MuteMark) { .pos = pos, .muted = muted };
}

/* Frames before pos are gone to the application; fold their marks into the base state. */
static void vh_forget_marks(VhPcm *vh, uint64_t pos) {
        unsigned i = 0;

        while (i < vh->n_marks && vh->marks[i].pos <= pos)
                vh->muted_base = vh->marks[i++].muted;
        memmove(vh->marks, vh->marks + i, (vh->n_marks - i) * sizeof vh->marks[0]);
        vh->n_marks -= i;
}

/* ---- the position model ----------------------------------------------------------- */

static bool vh_unplugged(const VhPcm *vh) {
        return vh->unplug_path && access(vh->unplug_path, F_OK) == 0;
}

/* alsa-lib's own count of frames ready for the application, as of the last pointer call. */
static uint64_t vh_lib_avail(const VhPcm *vh) {
        return snd_pcm_ioplug_avail(&vh->io, vh->io.hw_ptr, vh->io.appl_ptr);
}

static uint64_t vh_frames_at(const VhPcm *vh, uint64_t t) {
        uint64_t d = t > vh->start_ns ? t - vh->start_ns : 0;

        return d / NSEC_PER_SEC * vh->rate + d % NSEC_PER_SEC * vh->rate / NSEC_PER_SEC;
}

/* eof=stop: the last stream position this run can reach. */
static uint64_t vh_stop_limit(const VhPcm *vh) {
        return vh->n_frames > vh->file_base ? vh->n_frames - vh->file_base : 0;
}

/* Once per period of audio: has the card gone, has the switch moved? */
static void vh_check_files(VhPcm *vh, uint64_t pos) {
        int r;

        vh->checked = true;
        vh->checked_pos = pos;
        if (vh_unplugged(vh)) {
                vh->disconnected = true;
                return;
        }
        if (!vh->switch_path)
                return;
        r = switch_file_read(vh->switch_path);
        if (r >= 0)
                vh_mark(vh, vh->seen, r == 0);
}

/* Makes the poll descriptor readable for good, so a poller wakes and looks at the state —
 * the kernel likewise reports POLLERR at once for a stream in XRUN or DISCONNECTED. */
static int vh_fail(VhPcm *vh, int error) {
        if (error == -ENODEV)
                vh->disconnected = true;
        else
                vh->error = error;
        (void) vh_timer_set(vh, 1, 0, 0);
        return error;
}

/* Brings the model up to now. Returns 0, or the error the stream ran into. */
static int vh_advance(VhPcm *vh) {
        uint64_t t, pos, avail;

        if (vh->disconnected)
                return -ENODEV;
        if (vh->error < 0)
                return vh->error;
        if (!vh->running || vh->stalled)
                return 0;

        t = now_ns();
        pos = vh_frames_at(vh, t);
        if (vh->eof == EOF_STOP && pos > vh_stop_limit(vh))
                pos = vh_stop_limit(vh);
        if (pos < vh->seen)
                pos = vh->seen;

        /* On crossing into a new period, not "a period after the last look", which jitter
         * would keep pushing one period late. */
        if (!vh->checked || pos / vh->io.period_size != vh->checked_pos / vh->io.period_size) {
                vh_check_files(vh, pos);
                if (vh->disconnected)
                        return vh_fail(vh, -ENODEV);
        }
        vh->seen = pos;
        vh->consumed = vh->hw_pos - vh_lib_avail(vh);
        avail = pos - vh->consumed;

        if (vh->xrun_after_ns > 0 && !vh->xrun_done && t - vh->start_ns >= vh->xrun_after_ns) {
                vh->xrun_done = true;
                return vh_fail(vh, -EPIPE);
        }
        /* Like the kernel's default stop_threshold: a full buffer is an overrun. It also
         * keeps every step below buffer_size, which the lib's wrap arithmetic needs. */
        if (avail >= vh->io.buffer_size)
                return vh_fail(vh, -EPIPE);
        if (vh->eof == EOF_STOP && pos == vh_stop_limit(vh) && avail == 0) {
                vh->exhausted = true;
                return vh_fail(vh, -EIO);
        }
        return 0;
}

/* ---- ioplug callbacks ------------------------------------------------------------ */

static int vh_start(snd_pcm_ioplug_t *io) {
        VhPcm *vh = io->private_data;
        int r;

        if (vh->disconnected)
                return -ENODEV;

        vh->start_ns = now_ns();
        vh->running = true;
        vh->hw_pos = vh->seen = vh->consumed = 0;
        vh->n_marks = 0;
        vh->checked = true;
        vh->checked_pos = 0;
        if (vh->switch_path) {
                r = switch_file_read(vh->switch_path);
                if (r >= 0)
                        vh->muted_base = r == 0;
        }

        vh->stalled = vh->stall_path && access(vh->stall_path, F_OK) == 0;
        if (vh->stalled)
                return 0;
        return vh_timer_set(vh, vh->start_ns + vh->period_ns, vh->period_ns, TFD_TIMER_ABSTIME);
}

static int vh_stop(snd_pcm_ioplug_t *io) {
        VhPcm *vh = io->private_data;

        /* After an error, vh_advance() already pinned consumed at the moment it struck. */
        if (vh->running && vh->error == 0 && !vh->disconnected)
                vh->consumed = vh->hw_pos - vh_lib_avail(vh);
        vh->running = false;
        vh_timer_stop(vh);
        return 0;
}

static snd_pcm_sframes_t vh_pointer(snd_pcm_ioplug_t *io) {
        VhPcm *vh = io->private_data;
        int r;

        if (io->buffer_size == 0)
                return 0;

        r = vh_advance(vh);
        if (r == -ENODEV) {
                /* Any negative return would read as XRUN; a vanished card is DISCONNECTED. */
                snd_pcm_ioplug_set_state(io, SND_PCM_STATE_DISCONNECTED);
                return (snd_pcm_sframes_t) (vh->hw_pos % io->buffer_size);
        }
        if (r < 0)
                return r;

        vh->hw_pos = vh->seen;
        return (snd_pcm_sframes_t) (vh->hw_pos % io->buffer_size);
}

static snd_pcm_sframes_t vh_transfer(snd_pcm_ioplug_t *io, const snd_pcm_channel_area_t *areas,
                                     snd_pcm_uframes_t offset, snd_pcm_uframes_t size) {
        VhPcm *vh = io->private_data;
        uint64_t avail = vh_lib_avail(vh);
        uint64_t first = vh->hw_pos - avail;
        unsigned m = 0;
        bool muted = vh->muted_base;

        for (snd_pcm_uframes_t i = 0; i < size; i++) {
                uint64_t pos = first + i;
                const uint8_t *src;

                while (m < vh->n_marks && vh->marks[m].pos <= pos)
                        muted = vh->marks[m++].muted;
                src = muted ? NULL : vh_source_frame(vh, vh->file_base + pos);

                for (unsigned c = 0; c < vh->channels; c++) {
                        uint8_t *dst = (uint8_t *) areas[c].addr +
                                (areas[c].first + (offset + i) * areas[c].step) / 8;

                        dst[0] = src ? src[2 * c] : 0;
                        dst[1] = src ? src[2 * c + 1] : 0;
                }
        }

        vh->consumed = first + size;
        vh_forget_marks(vh, first);

        /* The tick that woke the app is used up once it cannot fill avail_min again, so
         * an app that polls and reads without calling poll_revents does not spin. */
        if (vh->error == 0 && !vh->disconnected && avail - (size < avail ? size : avail) < vh->avail_min)
                vh_timer_drain(vh);

        return (snd_pcm_sframes_t) size;
}

static int vh_poll_revents(snd_pcm_ioplug_t *io, struct pollfd *pfd, unsigned int nfds,
                           unsigned short *revents) {
        VhPcm *vh = io->private_data;
        int r;

        if (nfds != 1)
                return -EINVAL;
        *revents = 0;

        if (pfd[0].revents & (POLLERR | POLLNVAL)) {
                *revents = POLLERR;
                return 0;
        }

        switch (io->state) {
        case SND_PCM_STATE_RUNNING:
                break;
        case SND_PCM_STATE_XRUN:
        case SND_PCM_STATE_DISCONNECTED:
                *revents = POLLIN | POLLERR;
                return 0;
        default:
                if (pfd[0].revents & POLLIN)
                        vh_timer_drain(vh);
                return 0;
        }

        r = vh_advance(vh);
        if (r < 0) {
                snd_pcm_ioplug_set_state(io, r == -ENODEV ? SND_PCM_STATE_DISCONNECTED : SND_PCM_STATE_XRUN);
                *revents = POLLIN | POLLERR;
                return 0;
        }

        /* eof=stop: the tail of the file may be shorter than avail_min and never grows. */
        if (vh->seen - vh->consumed >= vh->avail_min ||
            (vh->eof == EOF_STOP && vh->seen == vh_stop_limit(vh) && vh->seen > vh->consumed))
                *revents = POLLIN;
        else
                vh_timer_drain(vh);
        return 0;
}

static int vh_prepare(snd_pcm_ioplug_t *io) {
        VhPcm *vh = io->private_data;

        if (vh->disconnected || vh_unplugged(vh)) {
                vh->disconnected = true;
                return -ENODEV;
        }

        vh->file_base += vh->consumed;
        if (vh->eof == EOF_LOOP && vh->n_frames > 0)
                vh->file_base %= vh->n_frames;
        vh->running = false;
        vh->error = 0;
        vh->hw_pos = vh->seen = vh->consumed = 0;
        vh->n_marks = 0;
        vh->checked = false;
        vh_timer_stop(vh);

        return vh->exhausted ? -EIO : 0;
}

/* Capture has nothing to flush: stop at once rather than let alsa-lib's generic drain
 * wait for the buffer to fill. */
static int vh_drain(snd_pcm_ioplug_t *io) {
        (void) io;
        return 0;
}

static int vh_hw_params(snd_pcm_ioplug_t *io, snd_pcm_hw_params_t *params) {
        VhPcm *vh = io->private_data;

        (void) params;
        if (io->rate == 0 || io->period_size == 0)
                return -EINVAL;
        /* Rounded up, so at tick k at least k periods have elapsed by the frame clock. */
        vh->period_ns = ((uint64_t) io->period_size * NSEC_PER_SEC + io->rate - 1) / io->rate;
        vh->avail_min = io->period_size;
        return 0;
}

static int vh_sw_params(snd_pcm_ioplug_t *io, snd_pcm_sw_params_t *params) {
        VhPcm *vh = io->private_data;
        snd_pcm_uframes_t avail_min;

        if (snd_pcm_sw_params_get_avail_min(params, &avail_min) >= 0)
                vh->avail_min = avail_min > 0 ? avail_min : 1;
        return 0;
}

static void vh_free(VhPcm *vh) {
        if (!vh)
                return;
        if (vh->timer_fd >= 0)
                close(vh->timer_fd);
        free(vh->file_buf);
        free(vh->switch_path);
        free(vh->unplug_path);
        free(vh->stall_path);
        free(vh);
}

static int vh_close(snd_pcm_ioplug_t *io) {
        vh_free(io->private_data);
        return 0;
}

static const snd_pcm_ioplug_callback_t vh_callbacks = {
        .start = vh_start,
        .stop = vh_stop,
        .pointer = vh_pointer,
        .transfer = vh_transfer,
        .close = vh_close,
        .hw_params = vh_hw_params,
        .sw_params = vh_sw_params,
        .prepare = vh_prepare,
        .drain = vh_drain,
        .poll_revents = vh_poll_revents,
};

/* ---- configuration ---------------------------------------------------------------- */

static int config_get_long(snd_config_t *n, const char *id, long min, long max, long *ret) {
        const char *s;
        char *end;
        long v;

        if (snd_config_get_integer(n, &v) < 0) {
                if (snd_config_get_string(n, &s) < 0)
                        goto invalid;
                errno = 0;
                v = strtol(s, &end, 10);
                if (errno != 0 || end == s || *end != '\0')
                        goto invalid;
        }
        if (v < min || v > max) {
                SNDERR("vhtest: %s must be within %ld..%ld, not %ld", id, min, max, v);
                return -EINVAL;
        }
        *ret = v;
        return 0;

invalid:
        SNDERR("vhtest: %s must be an integer", id);
        return -EINVAL;
}

static int config_get_path(snd_config_t *n, const char *id, char **ret) {
        const char *s;

        if (snd_config_get_string(n, &s) < 0 || !*s) {
                SNDERR("vhtest: %s must be a non-empty string", id);
                return -EINVAL;
        }
        free(*ret);
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

static int config_get_eof(snd_config_t *n, EofMode *ret) {
        const char *s;

        if (snd_config_get_string(n, &s) < 0)
                s = "";
        if (strcmp(s, "silence") == 0)
                *ret = EOF_SILENCE;
        else if (strcmp(s, "loop") == 0)
                *ret = EOF_LOOP;
        else if (strcmp(s, "stop") == 0)
                *ret = EOF_STOP;
        else {
                SNDERR("vhtest: eof must be \"silence\", \"loop\" or \"stop\"");
                return -EINVAL;
        }
        return 0;
}

static int vh_configure(VhPcm *vh, snd_config_t *conf) {
        snd_config_iterator_t i, next;
        char *file = NULL;
        long rate = -1, channels = -1, xrun_ms = 0;
        int r = 0;

        snd_config_for_each(i, next, conf) {
                snd_config_t *n = snd_config_iterator_entry(i);
                const char *id;

                if (snd_config_get_id(n, &id) < 0)
                        continue;
                if (strcmp(id, "comment") == 0 || strcmp(id, "type") == 0 || strcmp(id, "hint") == 0)
                        continue;

                if (strcmp(id, "file") == 0)
                        r = config_get_path(n, id, &file);
                else if (strcmp(id, "switch") == 0)
                        r = config_get_path(n, id, &vh->switch_path);
                else if (strcmp(id, "unplug") == 0)
                        r = config_get_path(n, id, &vh->unplug_path);
                else if (strcmp(id, "stall") == 0)
                        r = config_get_path(n, id, &vh->stall_path);
                else if (strcmp(id, "eof") == 0)
                        r = config_get_eof(n, &vh->eof);
                else if (strcmp(id, "rate") == 0)
                        r = config_get_long(n, id, 1000, 384000, &rate);
                else if (strcmp(id, "channels") == 0)
                        r = config_get_long(n, id, 1, 32, &channels);
                else if (strcmp(id, "xrun_after_ms") == 0)
                        r = config_get_long(n, id, 0, 86400000, &xrun_ms);
                else {
                        SNDERR("vhtest: unknown key %s", id);
                        r = -EINVAL;
                }
                if (r < 0)
                        goto finish;
        }

        if (!file) {
                SNDERR("vhtest: the file key is required");
                r = -EINVAL;
                goto finish;
        }
        vh->xrun_after_ns = (uint64_t) xrun_ms * 1000000ULL;

        if (vh_unplugged(vh)) {
                r = -ENODEV;
                goto finish;
        }
        r = vh_load_source(vh, file, rate, channels);
        if (r < 0)
                goto finish;
        if (vh->switch_path) {
                r = switch_file_ensure(vh->switch_path);
                if (r < 0)
                        SNDERR("vhtest: cannot create switch file %s: %s", vh->switch_path, strerror(-r));
        }

finish:
        free(file);
        return r;
}

static int vh_set_constraints(VhPcm *vh) {
        static const unsigned int accesses[] = {
                SND_PCM_ACCESS_RW_INTERLEAVED,
                SND_PCM_ACCESS_RW_NONINTERLEAVED,
                SND_PCM_ACCESS_MMAP_INTERLEAVED,
                SND_PCM_ACCESS_MMAP_NONINTERLEAVED,
        };
        static const unsigned int formats[] = { SND_PCM_FORMAT_S16_LE };
        snd_pcm_ioplug_t *io = &vh->io;
        int r;

        r = snd_pcm_ioplug_set_param_list(io, SND_PCM_IOPLUG_HW_ACCESS, 4, accesses);
        if (r >= 0)
                r = snd_pcm_ioplug_set_param_list(io, SND_PCM_IOPLUG_HW_FORMAT, 1, formats);
        if (r >= 0)
                r = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_CHANNELS, vh->channels, vh->channels);
        if (r >= 0)
                r = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_RATE, vh->rate, vh->rate);
        /* 2 ms .. 8 s periods at 16 kHz mono; the buffer holds 2 .. 1024 of them, up to 4 MiB. */
        if (r >= 0)
                r = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_PERIOD_BYTES, 64, 256 * 1024);
        if (r >= 0)
                r = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_BUFFER_BYTES, 128, 4 * 1024 * 1024);
        if (r >= 0)
                r = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_PERIODS, 2, 1024);
        return r;
}

SND_PCM_PLUGIN_DEFINE_FUNC(vhtest) {
        VhPcm *vh;
        int r;

        (void) root;

        if (stream != SND_PCM_STREAM_CAPTURE) {
                SNDERR("vhtest: %s is a capture-only PCM", name);
                return -EINVAL;
        }

        vh = calloc(1, sizeof *vh);
        if (!vh)
                return -ENOMEM;
        vh->timer_fd = -1;

        r = vh_configure(vh, conf);
        if (r < 0)
                goto fail;

        vh->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        if (vh->timer_fd < 0) {
                r = -errno;
                goto fail;
        }

        vh->io.version = SND_PCM_IOPLUG_VERSION;
        vh->io.name = "voicehvac test capture";
        vh->io.flags = SND_PCM_IOPLUG_FLAG_MONOTONIC;
        vh->io.poll_fd = vh->timer_fd;
        vh->io.poll_events = POLLIN;
        vh->io.mmap_rw = 0;
        vh->io.callback = &vh_callbacks;
        vh->io.private_data = vh;

        r = snd_pcm_ioplug_create(&vh->io, name, stream, mode);
        if (r < 0)
                goto fail;

        /* From here on closing the PCM frees vh through vh_close(). */
        r = vh_set_constraints(vh);
        if (r < 0) {
                snd_pcm_ioplug_delete(&vh->io);
                return r;
        }

        *pcmp = vh->io.pcm;
        return 0;

fail:
        vh_free(vh);
        return r;
}

SND_PCM_PLUGIN_SYMBOL(vhtest);
