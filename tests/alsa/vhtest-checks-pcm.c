/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The vhtest capture PCM through alsa-lib: period sizes, bit-exact data paced in real time, the
 * switch file, overruns (natural and forced) and their recovery, end of file, WAV input and
 * unplugging. */

#include "vhtest-checks.h"

/* ---- checks --------------------------------------------------------------------------- */

int check_period_time(void) {
        snd_pcm_hw_params_t *hw;
        snd_pcm_uframes_t period;
        unsigned period_us = 20000, rate = RATE;
        snd_pcm_t *pcm;
        int r;

        r = snd_pcm_open(&pcm, "vhtest", SND_PCM_STREAM_CAPTURE, 0);
        CHECK(r >= 0, "snd_pcm_open(vhtest): %s", snd_strerror(r));
        snd_pcm_hw_params_alloca(&hw);
        r = snd_pcm_hw_params_any(pcm, hw);
        if (r >= 0)
                r = snd_pcm_hw_params_set_access(pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED);
        if (r >= 0)
                r = snd_pcm_hw_params_set_format(pcm, hw, SND_PCM_FORMAT_S16_LE);
        if (r >= 0)
                r = snd_pcm_hw_params_set_channels(pcm, hw, 1);
        if (r >= 0)
                r = snd_pcm_hw_params_set_rate_near(pcm, hw, &rate, NULL);
        if (r >= 0)
                r = snd_pcm_hw_params_set_period_time_near(pcm, hw, &period_us, NULL);
        if (r >= 0)
                r = snd_pcm_hw_params(pcm, hw);
        if (r >= 0)
                r = snd_pcm_hw_params_get_period_size(hw, &period, NULL);
        snd_pcm_close(pcm);
        CHECK(r >= 0, "hw_params with period_time_near 20000: %s", snd_strerror(r));
        CHECK(rate == RATE && period == RATE / 50, "20 ms periods: got %lu frames at %u Hz", period, rate);
        printf("ok: period_time_near 20000 us gives %lu frames\n", period);
        return 0;
}

int check_open_and_read(Ctx *c) {
        const size_t n = RATE / 2;
        unsigned wakes, periods;
        uint64_t t0, elapsed;
        int r;

        r = snd_pcm_open(&c->pcm, "vhtest", SND_PCM_STREAM_CAPTURE, 0);
        CHECK(r >= 0, "snd_pcm_open(vhtest): %s", snd_strerror(r));
        r = snd_pcm_set_params(c->pcm, SND_PCM_FORMAT_S16_LE, SND_PCM_ACCESS_RW_INTERLEAVED, 1, RATE, 1, 100000);
        CHECK(r >= 0, "snd_pcm_set_params(16 kHz mono, 100 ms): %s", snd_strerror(r));
        r = snd_pcm_get_params(c->pcm, &c->buffer, &c->period);
        CHECK(r >= 0, "snd_pcm_get_params: %s", snd_strerror(r));
        CHECK(c->period > 0 && c->buffer >= 2 * c->period && c->buffer >= RATE / 20 && c->buffer <= RATE / 5,
              "negotiated buffer %lu / period %lu frames for 100 ms latency", c->buffer, c->period);
        printf("ok: set_params(100 ms) gives buffer %lu, period %lu frames\n", c->buffer, c->period);

        t0 = now_usec();
        r = snd_pcm_start(c->pcm);
        CHECK(r >= 0, "snd_pcm_start: %s", snd_strerror(r));
        r = read_polled(c->pcm, frames_buf, n, c->period, &wakes);
        elapsed = now_usec() - t0;
        CHECK(r >= 0, "reading 0.5 s through poll: %s", snd_strerror(r));

        if (check_pattern(frames_buf, n, 0, "first 0.5 s") < 0)
                return -1;
        c->next = n;
        printf("ok: 0.5 s of capture is bit-exact\n");

        CHECK(elapsed >= 400000 && elapsed <= 2000000, "0.5 s of audio took %.3f s", elapsed / 1e6);
        periods = (unsigned) ((n + c->period - 1) / c->period);
        CHECK(wakes <= 2 * periods + 2, "%u poll wake-ups for %u periods", wakes, periods);
        printf("ok: paced in real time (%.3f s), %u wake-ups for %u periods\n", elapsed / 1e6, wakes, periods);
        return 0;
}

int check_mute_file(Ctx *c) {
        const size_t n = c->buffer + 4 * c->period;
        const long limit = (long) (c->buffer + 2 * c->period);
        long k;
        int r;

        /* In place, like "echo 0 > FILE", so a reader may catch it empty. */
        r = write_file(c->switch_path, "0\n", 2);
        CHECK(r >= 0, "writing %s: %s", c->switch_path, strerror(-r));
        r = read_polled(c->pcm, frames_buf, n, c->period, NULL);
        CHECK(r >= 0, "reading while muted: %s", snd_strerror(r));
        k = find_switch_point(frames_buf, n, c->next, true, "after writing 0 to the switch");
        if (k < 0)
                return -1;
        CHECK(k <= limit, "muting took %ld frames to show (limit %ld)", k, limit);
        c->next += n;
        printf("ok: switch file 0 zeroes the capture after %ld frames\n", k);

        r = write_file(c->switch_path, "1\n", 2);
        CHECK(r >= 0, "writing %s: %s", c->switch_path, strerror(-r));
        r = read_polled(c->pcm, frames_buf, n, c->period, NULL);
        CHECK(r >= 0, "reading after unmute: %s", snd_strerror(r));
        k = find_switch_point(frames_buf, n, c->next, false, "after writing 1 to the switch");
        if (k < 0)
                return -1;
        CHECK(k <= limit, "unmuting took %ld frames to show (limit %ld)", k, limit);
        c->next += n;
        printf("ok: switch file 1 restores the file's audio after %ld frames, in step with the file\n", k);
        return 0;
}

int check_overrun(Ctx *c) {
        struct pollfd pfds[8];
        unsigned short revents;
        snd_pcm_sframes_t k;
        int n, r;

        /* Not reading for longer than the buffer holds. */
        sleep_usec(c->buffer * 1000000U / RATE + 150000);

        n = snd_pcm_poll_descriptors(c->pcm, pfds, 8);
        CHECK(n > 0, "snd_pcm_poll_descriptors: %d", n);
        r = poll(pfds, (nfds_t) n, 0);
        CHECK(r == 1, "an overrun PCM's descriptor is not readable (%d)", r);
        r = snd_pcm_poll_descriptors_revents(c->pcm, pfds, (unsigned) n, &revents);
        CHECK(r >= 0 && (revents & POLLERR), "overrun: revents 0x%x, expected POLLERR", revents);
        CHECK(snd_pcm_state(c->pcm) == SND_PCM_STATE_XRUN, "overrun: state %s",
              snd_pcm_state_name(snd_pcm_state(c->pcm)));
        k = snd_pcm_readi(c->pcm, frames_buf, c->period);
        CHECK(k == -EPIPE, "readi after an overrun: %ld, expected -EPIPE", (long) k);
        printf("ok: falling behind by more than the buffer gives XRUN, POLLERR and -EPIPE\n");

        r = snd_pcm_recover(c->pcm, (int) k, 1);
        CHECK(r == 0, "snd_pcm_recover: %s", snd_strerror(r));
        r = snd_pcm_start(c->pcm);
        CHECK(r == 0, "snd_pcm_start after recover: %s", snd_strerror(r));
        r = read_polled(c->pcm, frames_buf, 2 * c->period, c->period, NULL);
        CHECK(r >= 0, "reading after recover: %s", snd_strerror(r));
        if (check_pattern(frames_buf, 2 * c->period, c->next, "after recover") < 0)
                return -1;
        c->next += 2 * c->period;
        printf("ok: snd_pcm_recover + start resumes at the first unread frame\n");
        return 0;
}

/* Blocking readi, no poll: one forced overrun after xrun_after_ms, and only one. */
int check_forced_xrun(void) {
        snd_pcm_uframes_t buffer, period;
        uint64_t t0, at = 0, got = 0;
        unsigned xruns = 0;
        snd_pcm_t *pcm;
        int r;

        r = snd_pcm_open(&pcm, "vhtest_xrun", SND_PCM_STREAM_CAPTURE, 0);
        CHECK(r >= 0, "snd_pcm_open(vhtest_xrun): %s", snd_strerror(r));
        r = snd_pcm_set_params(pcm, SND_PCM_FORMAT_S16_LE, SND_PCM_ACCESS_RW_INTERLEAVED, 1, RATE, 1, 100000);
        if (r >= 0)
                r = snd_pcm_get_params(pcm, &buffer, &period);
        if (r < 0) {
                snd_pcm_close(pcm);
                return fail("setting up vhtest_xrun: %s", snd_strerror(r));
        }

        t0 = now_usec();
        while (now_usec() - t0 < 2 * XRUN_AFTER_MS * 1000U + 200000U && got + period <= MAX_FRAMES) {
                snd_pcm_sframes_t k = snd_pcm_readi(pcm, frames_buf + 2 * got, period);

                if (k == -EPIPE) {
                        xruns++;
                        at = now_usec() - t0;
                        r = snd_pcm_recover(pcm, (int) k, 1);
                        if (r >= 0)
                                r = snd_pcm_start(pcm);
                        if (r < 0)
                                break;
                        continue;
                }
                if (k < 0) {
                        r = (int) k;
                        break;
                }
                got += (uint64_t) k;
        }
        snd_pcm_close(pcm);

        CHECK(r >= 0, "blocking readi on vhtest_xrun: %s", snd_strerror(r));
        CHECK(xruns == 1, "%u overruns with xrun_after_ms %u, expected exactly 1", xruns, XRUN_AFTER_MS);
        CHECK(at >= XRUN_AFTER_MS * 1000U && at <= XRUN_AFTER_MS * 1000U + 250000U,
              "the forced overrun came after %.3f s, expected about %.3f s", at / 1e6, XRUN_AFTER_MS / 1e3);
        if (check_pattern(frames_buf, got, 0, "blocking readi across a forced overrun") < 0)
                return -1;
        printf("ok: xrun_after_ms gives one overrun at %.3f s; blocking readi recovers, data stays in step\n", at / 1e6);
        return 0;
}

int check_eof_stop(void) {
        snd_pcm_sframes_t k;
        snd_pcm_t *pcm;
        int r;

        r = snd_pcm_open(&pcm, "vhtest_stop", SND_PCM_STREAM_CAPTURE, 0);
        CHECK(r >= 0, "snd_pcm_open(vhtest_stop): %s", snd_strerror(r));
        r = snd_pcm_set_params(pcm, SND_PCM_FORMAT_S16_LE, SND_PCM_ACCESS_RW_INTERLEAVED, 1, RATE, 1, 100000);
        if (r < 0) {
                snd_pcm_close(pcm);
                return fail("setting up vhtest_stop: %s", snd_strerror(r));
        }

        k = snd_pcm_readi(pcm, frames_buf, 2 * STOP_FRAMES);
        r = k == STOP_FRAMES ? check_pattern(frames_buf, STOP_FRAMES, 0, "eof stop") : -1;
        if (r < 0) {
                snd_pcm_close(pcm);
                return fail("eof stop: readi of %u frames from a %u-frame file returned %ld",
                            2 * STOP_FRAMES, STOP_FRAMES, (long) k);
        }
        k = snd_pcm_readi(pcm, frames_buf, STOP_FRAMES);
        expect_alsa_errors(true);
        r = snd_pcm_recover(pcm, (int) k, 1);
        expect_alsa_errors(false);
        snd_pcm_close(pcm);
        CHECK(k == -EPIPE && r == -EIO, "eof stop: after the end readi gave %ld, recover %d; expected -EPIPE, -EIO",
              (long) k, r);
        printf("ok: eof stop delivers the whole file, then -EPIPE and a recover that fails with -EIO\n");
        return 0;
}

int check_wav_loop(Ctx *c) {
        const size_t n = 2 * WAV_FRAMES + WAV_FRAMES / 2;
        snd_pcm_sframes_t k;
        snd_pcm_t *pcm;
        int r;

        r = snd_pcm_open(&pcm, "vhtest_wav", SND_PCM_STREAM_CAPTURE, 0);
        CHECK(r >= 0, "snd_pcm_open(vhtest_wav): %s", snd_strerror(r));
        expect_alsa_errors(true);
        r = snd_pcm_set_params(pcm, SND_PCM_FORMAT_S16_LE, SND_PCM_ACCESS_RW_INTERLEAVED, 1, RATE, 0, 100000);
        expect_alsa_errors(false);
        snd_pcm_close(pcm);
        CHECK(r < 0, "an 8 kHz stereo WAV accepted 16 kHz mono");

        r = snd_pcm_open(&pcm, "vhtest_wav", SND_PCM_STREAM_CAPTURE, 0);
        CHECK(r >= 0, "snd_pcm_open(vhtest_wav): %s", snd_strerror(r));
        r = snd_pcm_set_params(pcm, SND_PCM_FORMAT_S16_LE, SND_PCM_ACCESS_RW_INTERLEAVED,
                               WAV_CHANNELS, WAV_RATE, 0, 100000);
        k = r >= 0 ? snd_pcm_readi(pcm, frames_buf, n) : r;
        snd_pcm_close(pcm);
        CHECK(k == (snd_pcm_sframes_t) n, "reading %zu frames of the 8 kHz stereo WAV: %ld", n, (long) k);

        for (size_t i = 0; i < n; i++)
                CHECK(memcmp(frames_buf + i * WAV_CHANNELS * 2, c->wav_data + (i % WAV_FRAMES) * WAV_CHANNELS * 2,
                             WAV_CHANNELS * 2) == 0,
                      "WAV with eof loop: frame %zu differs from file frame %zu", i, i % WAV_FRAMES);
        printf("ok: WAV header sets the format (8 kHz stereo only), data bit-exact, eof loop wraps\n");
        return 0;
}

int check_unplug(Ctx *c) {
        snd_pcm_t *pcm;
        snd_ctl_t *ctl;
        snd_pcm_sframes_t k;
        int r;

        r = write_file(c->unplug, "", 0);
        CHECK(r >= 0, "creating %s: %s", c->unplug, strerror(-r));

        r = read_polled(c->pcm, frames_buf, c->buffer + 4 * c->period, c->period, NULL);
        CHECK(r == -ENODEV, "reading a PCM whose card is unplugged: %d (%s), expected -ENODEV", r, snd_strerror(r));
        CHECK(snd_pcm_state(c->pcm) == SND_PCM_STATE_DISCONNECTED, "unplugged: state %s",
              snd_pcm_state_name(snd_pcm_state(c->pcm)));
        k = snd_pcm_readi(c->pcm, frames_buf, c->period);
        r = snd_pcm_recover(c->pcm, (int) k, 1);
        CHECK(k == -ENODEV && r == -ENODEV, "unplugged: readi %ld, recover %d; expected -ENODEV twice", (long) k, r);
        printf("ok: unplugging a running PCM gives POLLERR, DISCONNECTED and -ENODEV\n");

        r = snd_pcm_open(&pcm, "vhtest", SND_PCM_STREAM_CAPTURE, 0);
        if (r >= 0)
                snd_pcm_close(pcm);
        CHECK(r == -ENODEV, "snd_pcm_open while unplugged: %d (%s), expected -ENODEV", r, snd_strerror(r));
        r = snd_ctl_open(&ctl, "vhtest", 0);
        if (r >= 0)
                snd_ctl_close(ctl);
        CHECK(r == -ENODEV, "snd_ctl_open while unplugged: %d (%s), expected -ENODEV", r, snd_strerror(r));

        CHECK(unlink(c->unplug) == 0, "removing %s: %s", c->unplug, strerror(errno));
        r = snd_pcm_open(&pcm, "vhtest", SND_PCM_STREAM_CAPTURE, 0);
        CHECK(r >= 0, "snd_pcm_open after replugging: %s", snd_strerror(r));
        snd_pcm_close(pcm);
        printf("ok: opening fails with -ENODEV while unplugged and works again after\n");
        return 0;
}

/* The keys of a PCM block: a bad one refuses the open. */
int check_pcm_keys(void) {
        static const char *const refused[] = { "vhtest_badkey", "vhtest_badrate", "vhtest_badeof", "vhtest_nofile" };
        snd_pcm_t *pcm;
        int r;

        for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
                expect_alsa_errors(true);
                r = snd_pcm_open(&pcm, refused[i], SND_PCM_STREAM_CAPTURE, 0);
                expect_alsa_errors(false);
                if (r >= 0)
                        snd_pcm_close(pcm);
                CHECK(r == -EINVAL, "snd_pcm_open(%s) gave %d (%s), expected -EINVAL", refused[i], r, snd_strerror(r));
        }
        printf("ok: a PCM with an unknown key, a rate out of range, an unknown eof or no file is refused\n");
        return 0;
}
