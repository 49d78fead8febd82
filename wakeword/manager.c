/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <grp.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "adaptation.h"
#include "adaptation-state.h"
#include "bus-util.h"
#include "cmn-state.h"
#include "fileio.h"
#include "grammar.h"
#include "log.h"
#include "manager.h"
#include "strv.h"

const char *wakeword_state_to_string(WakewordState s) {
        static const char *const table[_WAKEWORD_STATE_MAX] = {
                [WAKEWORD_LISTENING] = "listening",
                [WAKEWORD_COMMAND] = "command",
                [WAKEWORD_MUTED] = "muted",
                [WAKEWORD_NO_AUDIO] = "no-audio",
        };
        return (unsigned) s < _WAKEWORD_STATE_MAX ? table[s] : NULL;
}

static void state_update(Manager *m) {
        WakewordState s;

        if (stream_client_is_muted(m->stream))
                s = WAKEWORD_MUTED;
        else if (!stream_client_has_audio(m->stream))
                s = WAKEWORD_NO_AUDIO;
        else if (m->in_command)
                s = WAKEWORD_COMMAND;
        else
                s = WAKEWORD_LISTENING;
        if (s == m->state)
                return;
        log_debug("State %s → %s.", wakeword_state_to_string(m->state), wakeword_state_to_string(s));
        m->state = s;
        manager_bus_emit_changed(m, "State");
}

static void on_stream_state(void *userdata) {
        Manager *m = userdata;

        /* Whatever was being decoded belongs to audio that is gone or muted. */
        if (stream_client_is_muted(m->stream) || !stream_client_has_audio(m->stream)) {
                (void) worker_reset(m->worker);
                m->in_command = false;
                live_enrol_reset_audio(&m->enrol);
        }
        state_update(m);
}

static void on_stream_audio(const int16_t *samples, size_t n, uint64_t first_usec, bool gap, void *userdata) {
        Manager *m = userdata;
        int r;

        if (gap)
                log_debug("Audio: gap before %zu samples at %llu us.", n, (unsigned long long) first_usec);
        if (++m->packets % 500 == 0) {
                int64_t sum = 0;
                for (size_t i = 0; i < n; i++)
                        sum += abs(samples[i]);
                log_debug("Audio: %llu packets, %llu samples decoded, level %lld.", (unsigned long long) m->packets,
                          (unsigned long long) worker_samples_decoded(m->worker), (long long) (sum / (int64_t) n));
        }
        if (gap)
                live_enrol_reset_audio(&m->enrol);
        live_enrol_feed(&m->enrol, samples, n);
        r = worker_push(m->worker, samples, n, first_usec, gap);
        if (r == -ENOBUFS)
                log_warning("Decoder fell behind; dropping audio.");
        else if (r < 0)
                log_error_errno(r, "Failed to queue audio: %m");
}

static void event_handle(Manager *m, const RecognizerEvent *e) {
        char words[sizeof e->text];

        /* The person enrolling says the phrase and commands on purpose: none of them is meant. */
        if (m->enrol.state == ENROL_RECORDING) {
                if (e->type != RECOGNIZER_WAKE)
                        m->in_command = false;
                log_debug("Enrolling: not acting on \"%s\".", e->text);
                state_update(m);
                return;
        }

        switch (e->type) {
        case RECOGNIZER_WAKE:
                m->detections++;
                m->in_command = true;
                m->last_wake_realtime = now_usec(CLOCK_REALTIME);
                log_info("Heard \"%s\" (score %.0f).", e->text, e->score);
                (void) manager_bus_emit_wake(m, e);
                manager_bus_emit_changed(m, "Detections", "LastWakeTimestamp");
                break;
        case RECOGNIZER_COMMAND:
                m->in_command = false;
                log_info("Command \"%s\" → %s (confidence %.1f).", e->text,
                         intent_action_to_string(e->intent.action), e->score);
                snprintf(m->last_command, sizeof m->last_command, "%s", e->text);
                (void) manager_bus_emit_command(m, e);
                manager_bus_emit_changed(m, "LastCommand");
                break;
        case RECOGNIZER_REJECTED:
                m->in_command = false;
                hypothesis_plain_words(e->text, words, sizeof words);
                log_info("No command after the phrase: %s%s%s%s (confidence %.1f).", e->reason,
                         !words[0] ? "" : " (\"", words, !words[0] ? "" : "\")", e->score);
                snprintf(m->last_rejection, sizeof m->last_rejection, "%s%s%s%s", e->reason,
                         !words[0] ? "" : ": \"", words, !words[0] ? "" : "\"");
                manager_bus_emit_changed(m, "LastRejection");
                break;
        }
        state_update(m);
}

static int on_worker(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Manager *m = userdata;
        Recognizer *old;
        RecognizerEvent e;
        int r;

        old = worker_take_retired(m->worker);
        if (old) {
                recognizer_free(old);
                m->recognizer = worker_recognizer(m->worker);
        }
        while ((r = worker_pop_event(m->worker, &e)) != 0) {
                if (r < 0) {
                        /* The decoder is in an unknown state: let the service manager restart us. */
                        log_error_errno(r, "Decoder failed: %m");
                        return sd_event_exit(m->event, r);
                }
                event_handle(m, &e);
        }
        return 0;
}

static int manager_restore_cmn(Manager *m) {
        _cleanup_(state_file_load_done) StateFileLoad load = {};
        int r;

        r = cmn_state_load(m->recognizer, m->cmn_path, &load);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                log_warning_errno(r, "Cannot read %s, starting from a typical cepstral mean: %m", m->cmn_path);
        else if (load.status == STATE_FILE_CORRUPT)
                log_state_file_unusable("Cepstral mean file", m->cmn_path, &load, "starting from a typical mean");
        else if (load.status == STATE_FILE_LOADED)
                log_debug("Restored the cepstral mean from %s.", m->cmn_path);
        return 0;
}

/* Stops the decoder thread; the recogniser it listened with last is m->recognizer then. */
static void manager_worker_stop(Manager *m) {
        m->worker_source = sd_event_source_disable_unref(m->worker_source);
        if (!m->worker)
                return;
        worker_stop(m->worker);
        recognizer_free(worker_take_retired(m->worker));
        m->recognizer = worker_recognizer(m->worker);
        m->worker = worker_free(m->worker);
}

/* --- enrolment and the adaptation in use */

static void adaptation_describe(Manager *m) {
        char when[32] = "";
        struct stat st;
        struct tm tm;

        if (!m->use_adaptation || lstat(m->adaptation_path, &st) < 0 || !S_ISREG(st.st_mode)) {
                snprintf(m->adaptation, sizeof m->adaptation, "none");
                return;
        }
        if (gmtime_r(&st.st_mtime, &tm))
                strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        if (m->enrolled_clips > 0)
                snprintf(m->adaptation, sizeof m->adaptation, "%s, %u clips", when, m->enrolled_clips);
        else
                snprintf(m->adaptation, sizeof m->adaptation, "%s", when);
}

static void build_finish(Manager *m) {
        _cleanup_free_ char *error = NULL;
        bool enrolled = m->build_after_enrolment;
        Recognizer *r = NULL;
        char message[128];
        int k;

        m->build_source = sd_event_source_disable_unref(m->build_source);
        k = recognizer_build_finish(TAKE_PTR(m->build), &r, &error);
        m->build_after_enrolment = false;
        if (k < 0) {
                log_error_errno(k, "Cannot build the recogniser, going on with the one running: %s", error ?: "out of memory");
                if (enrolled)
                        (void) manager_bus_emit_enrolment_finished(m, false, "the adapted model could not be loaded");
                return;
        }
        worker_replace_recognizer(m->worker, r);
        adaptation_describe(m);
        log_info("Recogniser replaced; adaptation: %s.", m->adaptation);
        manager_bus_emit_changed(m, "Adaptation");
        if (enrolled) {
                snprintf(message, sizeof message, "the adaptation of %u clips is in use", m->enrolled_clips);
                (void) manager_bus_emit_enrolment_finished(m, true, message);
        }
}

static int on_build(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        build_finish(userdata);
        return 0;
}

/* A new recogniser from the state directory, to replace the running one once it is built. */
static int recognizer_rebuild(Manager *m, bool after_enrolment) {
        int k;

        assert(!m->build);
        k = recognizer_build_start(&m->config.recognizer, m->use_adaptation, &m->build);
        if (k < 0)
                return k;
        k = sd_event_add_io(m->event, &m->build_source, recognizer_build_fd(m->build), EPOLLIN, on_build, m);
        if (k < 0) {
                Recognizer *r = NULL;

                if (recognizer_build_finish(TAKE_PTR(m->build), &r, NULL) >= 0)
                        recognizer_free(r);
                return k;
        }
        m->build_after_enrolment = after_enrolment;
        return 0;
}

static void on_enrol_take(unsigned index, const char *prompt, bool accepted, const char *reason, void *userdata) {
        (void) manager_bus_emit_enrolment_take(userdata, index, prompt, accepted, reason);
}

static void on_enrol_changed(void *userdata) {
        manager_bus_emit_changed(userdata, "Enrolment", "EnrolmentPrompt", "EnrolmentProgress");
}

static void on_enrol_finished(bool ok, unsigned clips, const char *message, void *userdata) {
        Manager *m = userdata;
        int k;

        if (!ok) {
                log_warning("Enrolment failed: %s", message);
                (void) manager_bus_emit_enrolment_finished(m, false, message);
                return;
        }
        m->enrolled_clips = clips;
        log_info("Enrolment: adaptation of %u clips written; loading it.", clips);
        k = recognizer_rebuild(m, true);
        if (k < 0) {
                log_error_errno(k, "Cannot load the new adaptation: %m");
                (void) manager_bus_emit_enrolment_finished(m, false, "the adapted model could not be loaded");
        }
}

int manager_enrolment_start(Manager *m) {
        int k;

        if (!m->use_adaptation)
                return -EOPNOTSUPP;
        if (m->enrol.state != ENROL_IDLE || m->build)
                return -EBUSY;
        if (m->state == WAKEWORD_MUTED || m->state == WAKEWORD_NO_AUDIO)
                return -ENODEV;
        k = live_enrol_start(&m->enrol);
        if (k < 0)
                return k;
        log_info("Enrolment started: %u prompts.", m->enrol.n_prompts);
        on_enrol_changed(m);
        return 0;
}

void manager_enrolment_cancel(Manager *m) {
        if (m->enrol.state == ENROL_IDLE)
                return;
        live_enrol_cancel(&m->enrol);
        log_info("Enrolment cancelled.");
        on_enrol_changed(m);
        (void) manager_bus_emit_enrolment_finished(m, false, "cancelled");
}

int manager_adaptation_reset(Manager *m) {
        if (m->enrol.state != ENROL_IDLE || m->build)
                return -EBUSY;
        if (unlink(m->adaptation_path) < 0) {
                if (errno != ENOENT)
                        return negative_errno();
                return 0;       /* the stock model is what runs already */
        }
        log_info("Adaptation %s removed; back to the stock model.", m->adaptation_path);
        m->enrolled_clips = 0;
        adaptation_describe(m);
        manager_bus_emit_changed(m, "Adaptation");
        return recognizer_rebuild(m, false);
}

int manager_new(Manager **ret) {
        _cleanup_(manager_freep) Manager *m = NULL;
        int r;

        m = calloc(1, sizeof *m);
        if (!m)
                return -ENOMEM;
        m->state = WAKEWORD_NO_AUDIO;
        m->enrol_gid = (gid_t) -1;
        r = event_new_with_defaults(&m->event);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        return 0;
}

int manager_load_config(Manager *m, const char *path, bool adaptation) {
        _cleanup_free_ char *error = NULL;
        int r;

        r = wakeword_config_load(path, &m->config, &error);
        if (r < 0) {
                log_error("%s", error ?: "Out of memory.");
                return r;
        }
        if (path) {
                m->config_path = strdup(path);
                if (!m->config_path)
                        return log_oom();
        }
        m->use_adaptation = adaptation;
        return 0;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;
        m->stream = stream_client_free(m->stream);
        live_enrol_done(&m->enrol);
        if (m->build) {
                Recognizer *r = NULL;

                m->build_source = sd_event_source_disable_unref(m->build_source);
                if (recognizer_build_finish(TAKE_PTR(m->build), &r, NULL) >= 0)
                        recognizer_free(r);
        }
        manager_worker_stop(m);                 /* joins the thread before the recogniser goes */
        m->recognizer = recognizer_free(m->recognizer);
        free(m->cmn_path);
        free(m->adaptation_path);
        free(m->config_path);
        sd_bus_flush_close_unref(m->bus);
        sd_event_unref(m->event);
        wakeword_config_done(&m->config);
        free(m);
        return NULL;
}

int manager_start(Manager *m) {
        _cleanup_free_ char *error = NULL;
        int r;

        r = recognizer_new_from_state(&m->config.recognizer, m->use_adaptation, &m->recognizer, &error);
        if (r < 0)
                return log_error_errno(r, "Cannot set up the recogniser: %s", error ?: "out of memory");
        listener_init(&m->listener, m->recognizer, m->config.vad_threshold_db, m->config.vad_hangover_msec);
        r = state_file_path(CMN_STATE_FILE, &m->cmn_path);
        if (r < 0)
                return log_error_errno(r, "Failed to find the state directory: %m");
        r = state_file_path(ADAPTATION_STATE_FILE, &m->adaptation_path);
        if (r < 0)
                return log_error_errno(r, "Failed to find the state directory: %m");
        adaptation_describe(m);
        if (!isempty(m->config.enrol_group)) {
                struct group *g = getgrnam(m->config.enrol_group);

                if (g)
                        m->enrol_gid = g->gr_gid;
                else
                        log_notice("Group '%s' does not exist; only root may enrol.", m->config.enrol_group);
        }
        r = manager_restore_cmn(m);
        if (r < 0)
                return r;

        r = bus_open_service(m->event, &m->bus);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus: %m");
        r = worker_new(&m->listener, &m->worker);
        if (r < 0)
                return log_error_errno(r, "Failed to start the decoder thread: %m");
        r = sd_event_add_io(m->event, &m->worker_source, worker_event_fd(m->worker), EPOLLIN, on_worker, m);
        if (r < 0)
                return log_error_errno(r, "Failed to watch the decoder: %m");
        {
                _cleanup_(strv_freep) char **prompts = NULL;

                r = enrol_prompts(m->config.recognizer.keyphrase, m->config.enrol_wake_takes,
                                  m->config.enrol_command_takes, &prompts);
                if (r < 0)
                        return log_oom();
                r = live_enrol_init(&m->enrol, m->event, m->config_path, TAKE_PTR(prompts),
                                    &(EnrolCallbacks) { .take = on_enrol_take, .changed = on_enrol_changed,
                                                        .finished = on_enrol_finished }, m);
                if (r < 0)
                        return log_error_errno(r, "Failed to set up enrolment: %m");
        }
        r = stream_client_new(m->event, m->bus,
                              &(StreamClientCallbacks) { .audio = on_stream_audio, .state_changed = on_stream_state },
                              m, &m->stream);
        if (r < 0)
                return log_oom();

        r = manager_bus_setup(m);
        if (r < 0)
                return r;
        r = stream_client_start(m->stream);
        if (r < 0)
                return r;
        r = bus_request_name_and_notify(m->bus, VH_WAKEWORD_BUS_NAME);
        if (r < 0)
                return log_error_errno(r, "Failed to own %s: %m", VH_WAKEWORD_BUS_NAME);
        log_info("Listening for \"%s\".", recognizer_keyphrase(m->recognizer));
        return 0;
}

int manager_run(Manager *m) {
        int r, k;

        r = sd_event_loop(m->event);
        /* The decoder's adaptation outlives the process; the worker is stopped first, it owns
         * the recogniser. */
        manager_worker_stop(m);
        k = cmn_state_save(m->recognizer, m->cmn_path);
        if (k < 0)
                log_warning_errno(k, "Cannot keep the cepstral mean in %s: %m", m->cmn_path);
        return r;
}
