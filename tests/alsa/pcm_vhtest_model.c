/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The vhtest PCM's clock and position model: the period timer (its poll descriptor), the mute
 * state of each captured frame, and the hardware position computed from the time since start,
 * with the overrun, unplug and end-of-file rules (see pcm_vhtest.c). */

#include "pcm_vhtest.h"
#include "vhtest-switch.h"

/* ---- timer -------------------------------------------------------------------- */

void vh_timer_drain(VhPcm *vh) {
        uint64_t expirations;
        ssize_t n;

        n = read(vh->timer_fd, &expirations, sizeof expirations);
        (void) n;  /* -EAGAIN: nothing pending, which is fine */
}

int vh_timer_set(VhPcm *vh, uint64_t first_ns, uint64_t interval_ns, int flags) {
        struct itimerspec its = {
                .it_value = timespec_from_ns(first_ns),
                .it_interval = timespec_from_ns(interval_ns),
        };

        if (timerfd_settime(vh->timer_fd, flags, &its, NULL) < 0)
                return -errno;
        return 0;
}

void vh_timer_stop(VhPcm *vh) {
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
void vh_forget_marks(VhPcm *vh, uint64_t pos) {
        unsigned i = 0;

        while (i < vh->n_marks && vh->marks[i].pos <= pos)
                vh->muted_base = vh->marks[i++].muted;
        memmove(vh->marks, vh->marks + i, (vh->n_marks - i) * sizeof vh->marks[0]);
        vh->n_marks -= i;
}

/* ---- the position model ----------------------------------------------------------- */

bool vh_unplugged(const VhPcm *vh) {
        return vh->unplug_path && access(vh->unplug_path, F_OK) == 0;
}

/* alsa-lib's own count of frames ready for the application, as of the last pointer call. */
uint64_t vh_lib_avail(const VhPcm *vh) {
        return snd_pcm_ioplug_avail(&vh->io, vh->io.hw_ptr, vh->io.appl_ptr);
}

static uint64_t vh_frames_at(const VhPcm *vh, uint64_t t) {
        uint64_t d = t > vh->start_ns ? t - vh->start_ns : 0;

        return d / NSEC_PER_SEC * vh->rate + d % NSEC_PER_SEC * vh->rate / NSEC_PER_SEC;
}

/* eof=stop: the last stream position this run can reach. */
uint64_t vh_stop_limit(const VhPcm *vh) {
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
int vh_advance(VhPcm *vh) {
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
