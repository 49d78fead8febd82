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

#include "pcm_vhtest.h"
#include "vhtest-switch.h"

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
