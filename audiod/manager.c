/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <grp.h>
#include <malloc.h>
#include <stdio.h>

#include "alsa-config.h"
#include "bus-util.h"
#include "config.h"
#include "fileio.h"
#include "log.h"
#include "manager.h"
#include "mute-state.h"

/* The device is not there (yet), as opposed to there and failing. */
static bool errno_is_device_gone(int r) {
        return r == -ENOENT || r == -ENODEV || r == -ENXIO || r == -EHOSTDOWN;
}

static const ConfigField audiod_config_fields[] = {
        { "device",        CONFIG_STRING, offsetof(Manager, config.device) },
        { "rate",          CONFIG_UINT,   offsetof(Manager, config.rate), 8000, 48000 },
        { "channels",      CONFIG_UINT,   offsetof(Manager, config.channels), 1, 2 },
        { "period_ms",     CONFIG_UINT,   offsetof(Manager, config.period_ms), 5, 100 },
        { "buffer_ms",     CONFIG_UINT,   offsetof(Manager, config.buffer_ms), 20, 2000 },
        { "mixer_device",  CONFIG_STRING, offsetof(Manager, config.mixer_device) },
        { "mute_control",  CONFIG_STRING, offsetof(Manager, config.mute_control) },
        { "max_clients",   CONFIG_UINT,   offsetof(Manager, config.max_clients), 1, 64 },
        { "unmute_group",  CONFIG_STRING, offsetof(Manager, config.unmute_group) },
        { "default_muted", CONFIG_BOOL,   offsetof(Manager, config.default_muted) },
        { "retry_max_ms",  CONFIG_UINT,   offsetof(Manager, config.retry_max_ms), 100, 600000 },
        { "pulse_source",  CONFIG_STRING, offsetof(Manager, config.pulse_source) },
        { "pulse_server",  CONFIG_STRING, offsetof(Manager, config.pulse_server) },
        {}
};

const char *capture_state_to_string(CaptureState s) {
        switch (s) {
        case CAPTURE_RUNNING:
                return "running";
        case CAPTURE_DISCONNECTED:
                return "disconnected";
        case CAPTURE_STALLED:
                return "stalled";
        default:
                return "error";
        }
}

static void manager_on_clients_changed(StreamSet *s, void *userdata) {
        manager_bus_emit_changed(userdata, "Clients");
}

int manager_new(Manager **ret) {
        _cleanup_(manager_freep) Manager *m = NULL;
        int r;

        m = calloc(1, sizeof(Manager));
        if (!m)
                return -ENOMEM;

        m->config = (AudiodConfig) {
                .device = strdup("default"),
                .rate = 16000,
                .channels = 1,
                .period_ms = 20,
                .buffer_ms = 400,
                .mixer_device = strdup(""),
                .mute_control = strdup("Capture Switch"),
                .max_clients = 8,
                .unmute_group = strdup("voicehvac"),
                .retry_max_ms = 5000,
                .pulse_source = strdup(""),
                .pulse_server = strdup(""),
        };
        if (!m->config.device || !m->config.mixer_device || !m->config.mute_control || !m->config.unmute_group ||
            !m->config.pulse_source || !m->config.pulse_server)
                return -ENOMEM;
        m->unmute_gid = (gid_t) -1;
        m->card = -1;
        m->state = CAPTURE_DISCONNECTED;

        r = event_new_with_defaults(&m->event);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(m);
        return 0;
}

static void manager_close_capture(Manager *m) {
        m->capture = capture_free(m->capture);
        m->mixer = mixer_free(m->mixer);
        m->close_defer = sd_event_source_disable_unref(m->close_defer);
        m->card = -1;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;

        manager_close_capture(m);
        m->reopen_timer = sd_event_source_disable_unref(m->reopen_timer);
        m->streams = stream_set_free(m->streams);
        m->hotplug = hotplug_free(m->hotplug);
        m->pulse = pulse_mirror_free(m->pulse);
        m->polkit = polkit_registry_free(m->polkit);
        m->level_listeners = sd_bus_track_unref(m->level_listeners);
        sd_bus_flush_close_unref(m->bus);
        sd_event_unref(m->event);
        config_free_strings(audiod_config_fields, m);
        free(m->config_path);
        m->mute_saver = state_saver_free(m->mute_saver);
        free(m->mute_state_path);
        free(m);
        return NULL;
}

int manager_load_config(Manager *m, const char *path, bool explicit_path, const char *device_override) {
        _cleanup_free_ char *error = NULL;
        int r;

        m->config_path = strdup(path);
        if (!m->config_path)
                return log_oom();

        r = config_load_file(path, audiod_config_fields, m, explicit_path, &error);
        if (r < 0)
                return log_error_errno(r, "%s", error ?: "Failed to load configuration.");

        if (device_override) {
                free(m->config.device);
                m->config.device = strdup(device_override);
                if (!m->config.device)
                        return log_oom();
        }
        if (isempty(m->config.device))
                return log_error_errno(-EINVAL, "%s: key 'device': must not be empty", path);
        if (m->config.buffer_ms < 2 * m->config.period_ms)
                return log_error_errno(-EINVAL, "%s: key 'buffer_ms': %u ms is less than two periods (period_ms=%u)",
                                       path, m->config.buffer_ms, m->config.period_ms);

        m->rate = m->config.rate;
        m->channels = m->config.channels;
        m->period_frames = m->config.rate * m->config.period_ms / 1000;
        return 0;
}

static void manager_set_state(Manager *m, CaptureState state, int error) {
        m->last_error = error;
        if (m->state == state)
                return;
        m->state = state;
        log_info("Capture %s%s%s.", capture_state_to_string(state),
                 error ? ": " : "", error ? strerror(-error) : "");
        manager_bus_emit_changed(m, "State");
}

/* The mute is on disk at once, or retried until it is (StateUnsaved meanwhile); a save that
 * cannot complete leaves the file saying so, so a crash meanwhile starts muted (mute-state.h). */
static void manager_persist_mute(Manager *m) {
        (void) state_saver_save(m->mute_saver);
}

static int manager_write_mute(void *userdata) {
        Manager *m = userdata;

        return mute_state_save(m->mute_state_path, m->muted);
}

static void manager_on_mute_saved(StateSaver *s, int error, void *userdata) {
        Manager *m = userdata;

        if (error < 0)
                log_error_errno(error, "Failed to save the mute state to %s, keeping it in memory and retrying: %m",
                                m->mute_state_path);
        else
                log_notice("Saved the mute state to %s after %u failed attempt%s.", m->mute_state_path,
                           state_saver_failures(s), state_saver_failures(s) == 1 ? "" : "s");
        manager_bus_emit_changed(m, "StateUnsaved");
}

typedef enum MuteOrigin {
        MUTE_ORIGIN_START,
        MUTE_ORIGIN_MIXER,
        MUTE_ORIGIN_PULSE,
} MuteOrigin;

/* Takes a mute state that was decided elsewhere (the card's switch, the sound server, start-up)
 * and carries it to the other places mute lives, so they all agree. No authorisation: whoever
 * flipped the switch had the device in hand. */
static void manager_adopt_muted(Manager *m, bool muted, MuteOrigin origin) {
        static const char *const why[] = {
                [MUTE_ORIGIN_START] = "capture switch is off",
                [MUTE_ORIGIN_MIXER] = "capture switch changed",
                [MUTE_ORIGIN_PULSE] = "sound server source changed",
        };
        int r;

        if (m->muted == muted)
                return;
        m->muted = muted;
        if (!muted) {
                m->unmuted_at = now_usec(CLOCK_MONOTONIC);
                stream_set_mark_discontinuity(m->streams);
        }
        log_notice("Microphone %s (%s).", muted ? "muted" : "unmuted", why[origin]);

        if (m->mixer && origin != MUTE_ORIGIN_MIXER) {
                r = mixer_set_muted(m->mixer, muted);
                if (r < 0)
                        log_warning_errno(r, "Failed to set the capture switch: %m");
        }
        if (m->pulse && origin != MUTE_ORIGIN_PULSE)
                pulse_mirror_set_muted(m->pulse, muted);
        manager_persist_mute(m);
        manager_bus_emit_changed(m, "Muted");
}

int manager_set_muted(Manager *m, bool muted) {
        int r;

        if (muted) {
                /* The stream first: from here on, no captured period leaves this process. */
                m->muted = true;
                r = m->mixer ? mixer_set_muted(m->mixer, true) : 0;
                if (m->pulse)
                        pulse_mirror_set_muted(m->pulse, true);
                manager_persist_mute(m);
                manager_bus_emit_changed(m, "Muted");
                if (r < 0)
                        return log_warning_errno(r, "Stream muted, but the capture switch could not be turned off: %m");
                return 0;
        }

        /* Unmute the hardware first: if that fails we stay muted everywhere. */
        if (m->mixer) {
                r = mixer_set_muted(m->mixer, false);
                if (r < 0)
                        return log_warning_errno(r, "Failed to turn the capture switch on: %m");
        }
        m->muted = false;
        m->unmuted_at = now_usec(CLOCK_MONOTONIC);
        stream_set_mark_discontinuity(m->streams);
        if (m->pulse)
                pulse_mirror_set_muted(m->pulse, false);
        manager_persist_mute(m);
        manager_bus_emit_changed(m, "Muted");
        return 0;
}

static void manager_on_mixer_change(Mixer *mixer, bool muted, void *userdata) {
        manager_adopt_muted(userdata, muted, MUTE_ORIGIN_MIXER);
}

static void manager_on_pulse_change(PulseMirror *p, bool muted, void *userdata) {
        manager_adopt_muted(userdata, muted, MUTE_ORIGIN_PULSE);
}

/* "running" means audio arrives, not that the device opened: a PCM that opens and then stays
 * silent (a sound server's source that never starts) must not look healthy. And only audio
 * arriving ends the back-off, so a device that keeps stalling is retried less and less often. */
static void manager_capture_flowing(Manager *m) {
        m->reopen_attempts = 0;
        manager_set_state(m, CAPTURE_RUNNING, 0);
}

static bool manager_level_wanted(Manager *m) {
        return m->level_listeners && sd_bus_track_count(m->level_listeners) > 0;
}

/* The Level signal: one reading per VH_AUDIO_LEVEL_SPAN_USEC of audio, only while someone has
 * asked for it, and never from audio a mute holds back. */
static void manager_level_feed(Manager *m, const int16_t *samples, size_t frames, unsigned channels, unsigned rate,
                               usec_t timestamp) {
        LevelReading lr;

        if (!manager_level_wanted(m)) {
                m->level_rate = 0;      /* the next listener starts with a fresh span */
                return;
        }
        if (rate != m->level_rate) {
                m->level_rate = rate;
                level_meter_init(&m->level, (uint64_t) rate * VH_AUDIO_LEVEL_SPAN_USEC / USEC_PER_SEC);
        }
        if (level_meter_add(&m->level, samples, frames, channels, &lr))
                manager_emit_level(m, &lr, timestamp + (usec_t) frames * USEC_PER_SEC / MAX(rate, 1u));
}

static void manager_on_period(Capture *c, const int16_t *samples, size_t frames, usec_t timestamp,
                              bool discontinuity, void *userdata) {
        Manager *m = userdata;
        unsigned channels = capture_channels(c), rate = capture_rate(c);

        if (_unlikely_(m->state != CAPTURE_RUNNING))
                manager_capture_flowing(m);

        if (m->muted) {
                level_meter_reset(&m->level);
                return;
        }
        if (stream_set_clients(m->streams) == 0 && !manager_level_wanted(m))
                return;

        /* Frames captured while we were still muted stay behind, even when read after the unmute. */
        if (timestamp < m->unmuted_at) {
                size_t skip = (size_t) ((m->unmuted_at - timestamp) * rate / USEC_PER_SEC) + 1;

                if (skip >= frames)
                        return;
                samples += skip * channels;
                frames -= skip;
                timestamp += (usec_t) skip * USEC_PER_SEC / rate;
                discontinuity = true;
        }

        manager_level_feed(m, samples, frames, channels, rate, timestamp);
        stream_set_send(m->streams, samples, frames, channels, rate, timestamp, discontinuity);
}

static void manager_on_xrun(Capture *c, void *userdata) {
        Manager *m = userdata;

        m->xruns++;
        log_debug("Capture overrun (%" PRIu64 " so far).", m->xruns);
        manager_bus_emit_changed(m, "Xruns");
}

static int manager_schedule_reopen(Manager *m, bool now);

static int manager_on_close_defer(sd_event_source *s, void *userdata) {
        Manager *m = userdata;

        manager_close_capture(m);
        return manager_schedule_reopen(m, false);
}

static void manager_on_capture_failure(Capture *c, int r, void *userdata) {
        Manager *m = userdata;

        if (r == -ETIME) {
                log_warning("Capture device '%s' opened but delivered no audio for %llu ms; reopening it.",
                            m->config.device, (unsigned long long) (capture_stall_usec(c) / USEC_PER_MSEC));
                manager_set_state(m, CAPTURE_STALLED, 0);
        } else {
                log_warning_errno(r, "Capture on '%s' failed: %m", m->config.device);
                manager_set_state(m, r == -ENODEV ? CAPTURE_DISCONNECTED : CAPTURE_ERROR, r);
        }

        /* Not from inside the capture's own callback: close it on the next loop iteration. */
        if (!m->close_defer)
                (void) sd_event_add_defer(m->event, &m->close_defer, manager_on_close_defer, m);
}

static int manager_open_mixer(Manager *m) {
        _cleanup_free_ char *ctl = NULL;
        bool hw_muted;
        int r;

        if (isempty(m->config.mute_control))
                return 0;

        if (!isempty(m->config.mixer_device))
                ctl = strdup(m->config.mixer_device);
        else if (m->card >= 0)
                r = asprintf(&ctl, "hw:%i", m->card) < 0 ? -ENOMEM : 0;
        else
                ctl = strdup(m->config.device);
        if (!ctl)
                return log_oom();

        r = mixer_open(m->event, ctl, m->config.mute_control, manager_on_mixer_change, m, &m->mixer);
        if (r < 0) {
                /* Many USB microphones have no switch; the stream mute alone holds then. */
                log_notice_errno(r, "No usable capture switch '%s' on '%s' (%m); muting the stream only.",
                                 m->config.mute_control, ctl);
                return 0;
        }

        /* The card may come back with its switch on: a muted microphone stays muted. And a switch
         * found off means muted, so the property never lies. */
        if (m->muted) {
                r = mixer_set_muted(m->mixer, true);
                if (r < 0)
                        log_warning_errno(r, "Failed to turn the capture switch off: %m");
        } else if (mixer_get_muted(m->mixer, &hw_muted) >= 0 && hw_muted)
                manager_adopt_muted(m, true, MUTE_ORIGIN_START);

        log_info("Mute follows '%s' on '%s'.", m->config.mute_control, ctl);
        return 0;
}

/* What opening the devices parsed (alsa-lib's configuration: 70 KiB for alsa.conf alone, more with
 * conf.d and the cards' files) is garbage once they are open; the pages go back to the system
 * rather than stay free heap for as long as the device stays. */
static void manager_release_open_memory(void) {
        alsa_config_release();
        (void) malloc_trim(0);
}

static int manager_open_capture(Manager *m) {
        static const CaptureCallbacks callbacks = {
                .on_period = manager_on_period,
                .on_failure = manager_on_capture_failure,
                .on_xrun = manager_on_xrun,
        };
        CaptureParams params = {
                .device = m->config.device,
                .rate = m->config.rate,
                .channels = m->config.channels,
                .period_usec = m->config.period_ms * 1000,
                .buffer_usec = m->config.buffer_ms * 1000,
        };
        int r;

        manager_close_capture(m);

        r = capture_open(m->event, &params, &callbacks, m, &m->capture);
        if (r < 0) {
                /* Said once, and again when the reason changes (gone → no permission, …). */
                bool gone = errno_is_device_gone(r), news = m->reopen_attempts <= 1 || r != m->reopen_error;

                m->reopen_error = r;
                manager_set_state(m, gone ? CAPTURE_DISCONNECTED : CAPTURE_ERROR, r);
                return log_full_errno(news ? LOG_WARNING : LOG_DEBUG, r,
                                      "Cannot open capture device '%s': %m", m->config.device);
        }

        m->card = capture_card(m->capture);
        (void) manager_open_mixer(m);
        manager_release_open_memory();

        if (m->rate != capture_rate(m->capture) || m->channels != capture_channels(m->capture) ||
            m->period_frames != capture_period_frames(m->capture)) {
                m->rate = capture_rate(m->capture);
                m->channels = capture_channels(m->capture);
                m->period_frames = capture_period_frames(m->capture);
                manager_bus_emit_changed(m, "SampleRate", "Channels", "PeriodFrames");
        }

        /* State becomes "running" with the first period (manager_capture_flowing()). */
        stream_set_mark_discontinuity(m->streams);
        log_info("Opened '%s' (card %i): %u Hz, %u channel(s), %u frames per period.",
                 capture_pcm_name(m->capture), m->card, m->rate, m->channels, m->period_frames);
        return 0;
}

static int manager_on_reopen_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;

        if (manager_open_capture(m) < 0)
                return manager_schedule_reopen(m, false);
        return 0;
}

/* Whether udev will tell when the device comes back: a udev daemon sends events, the device is
 * gone (not there and failing, nor stalled), and it is a card's, not a plugin's or a sound
 * server's that udev knows nothing of. */
static bool manager_waits_for_udev(Manager *m) {
        bool on_card = m->card >= 0 || hotplug_device_on_card(m->config.device);

        return m->hotplug && on_card && m->state == CAPTURE_DISCONNECTED && hotplug_has_events(m->hotplug);
}

/* Exponential back-off from 100 ms up to retry_max_ms: a device that stays away costs a few
 * wake-ups a minute, never a spinning core. While udev will report the card's return, its events
 * reopen at once (manager_on_card()) and the timer is a slow fallback, up to a minute. */
static int manager_schedule_reopen(Manager *m, bool now) {
        usec_t delay;
        int r;

        if (now)
                m->reopen_attempts = 0;
        delay = now ? 0 : hotplug_retry_delay(m->reopen_attempts, (usec_t) m->config.retry_max_ms * USEC_PER_MSEC,
                                              manager_waits_for_udev(m));
        m->reopen_attempts++;
        log_debug("Trying to open '%s' again in %llu ms.", m->config.device, (unsigned long long) (delay / USEC_PER_MSEC));

        if (m->reopen_timer) {
                r = sd_event_source_set_time_relative(m->reopen_timer, delay);
                if (r < 0)
                        return r;
                return sd_event_source_set_enabled(m->reopen_timer, SD_EVENT_ONESHOT);
        }

        r = sd_event_add_time_relative(m->event, &m->reopen_timer, CLOCK_MONOTONIC, delay, 10 * USEC_PER_MSEC,
                                       manager_on_reopen_timer, m);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(m->reopen_timer, "capture-reopen");
        return 0;
}

static void manager_on_card(Hotplug *h, int card, bool present, void *userdata) {
        Manager *m = userdata;

        if (present) {
                if (m->capture)
                        return;
                log_debug("A device of sound card %i appeared or changed, trying to open '%s'.", card, m->config.device);
                (void) manager_schedule_reopen(m, true);
                return;
        }

        if (m->capture && card == m->card) {
                log_info("Sound card %i went away.", card);
                manager_close_capture(m);
                manager_set_state(m, CAPTURE_DISCONNECTED, -ENODEV);
                (void) manager_schedule_reopen(m, false);
        }
}

static int manager_restore_mute(Manager *m) {
        _cleanup_(state_file_load_done) StateFileLoad load = {};
        bool muted = false;
        int r;

        r = state_file_path(AUDIOD_STATE_FILE, &m->mute_state_path);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the state directory: %m");
        r = state_saver_new(m->event, m->mute_state_path, manager_write_mute, manager_on_mute_saved, m,
                            &m->mute_saver);
        if (r < 0)
                return log_oom();

        /* Whatever cannot be trusted is muted: a broken file must never open the microphone. */
        r = mute_state_load(m->mute_state_path, &muted, &load);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                log_warning_errno(r, "Cannot read the mute state %s, starting muted: %m", m->mute_state_path);
        else if (load.status == STATE_FILE_UNSAVED)
                log_warning("The last mute state could not be saved to %s; starting muted.", m->mute_state_path);
        else if (load.status == STATE_FILE_CORRUPT)
                log_state_file_unusable("Mute state file", m->mute_state_path, &load, "starting muted");

        if (r >= 0 && load.status == STATE_FILE_LOADED)
                m->muted = muted;
        else if (r >= 0 && load.status == STATE_FILE_MISSING)
                m->muted = m->config.default_muted;
        else
                m->muted = true;
        log_info("Microphone starts %s.", m->muted ? "muted" : "unmuted");

        /* Anything but a valid record is replaced now, while nothing is at stake, so that later
         * mutes rewrite it in place. */
        if (r < 0 || load.status != STATE_FILE_LOADED)
                manager_persist_mute(m);
        return 0;
}

int manager_start(Manager *m) {
        struct group *g;
        int r;

        if (!isempty(m->config.unmute_group)) {
                g = getgrnam(m->config.unmute_group);
                if (g)
                        m->unmute_gid = g->gr_gid;
                else
                        log_notice("Group '%s' does not exist; only root and polkit may unmute.",
                                   m->config.unmute_group);
        }
        r = polkit_registry_new(&m->polkit);
        if (r < 0)
                return log_oom();

        r = manager_restore_mute(m);
        if (r < 0)
                return r;

        r = stream_set_new(m->event, m->config.max_clients, manager_on_clients_changed, m, &m->streams);
        if (r < 0)
                return log_oom();

        r = bus_open_service(m->event, &m->bus);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus: %m");

        r = manager_bus_setup(m);
        if (r < 0)
                return r;

        if (!isempty(m->config.pulse_source)) {
                r = pulse_mirror_new(m->event, m->config.pulse_server, m->config.pulse_source,
                                     manager_on_pulse_change, m, &m->pulse);
                if (r == -EOPNOTSUPP)
                        return log_error_errno(r, "%s: key 'pulse_source': set, but libpulse.so.0 cannot be loaded.",
                                               m->config_path);
                if (r < 0)
                        return log_error_errno(r, "Failed to set up the sound server mirror: %m");
                pulse_mirror_set_muted(m->pulse, m->muted);
        }

        r = hotplug_new(m->event, manager_on_card, m, &m->hotplug);
        if (r < 0)
                log_notice_errno(r, "No udev monitor (%m); device changes are noticed by retrying.");

        /* Mute was restored above, before the first period can be read. The first attempt to
         * open runs from the loop; cards found by enumeration take the same path as hot-plug. */
        r = manager_schedule_reopen(m, true);
        if (r < 0)
                return log_error_errno(r, "Failed to schedule opening the capture device: %m");
        if (m->hotplug)
                (void) hotplug_enumerate(m->hotplug);

        r = bus_request_name_and_notify(m->bus, VH_AUDIO_BUS_NAME);
        if (r < 0)
                return log_error_errno(r, "Failed to acquire bus name %s: %m", VH_AUDIO_BUS_NAME);
        return 0;
}

int manager_run(Manager *m) {
        return sd_event_loop(m->event);
}
