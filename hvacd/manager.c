/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus-util.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "persist.h"
#include "time-util.h"

int manager_new(Manager **ret) {
        _cleanup_(manager_freep) Manager *m = NULL;
        int r;

        m = calloc(1, sizeof(Manager));
        if (!m)
                return -ENOMEM;
        m->current_temperature = NAN;

        r = hvac_config_init(&m->config);
        if (r < 0)
                return r;
        r = event_new_with_defaults(&m->event);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(m);
        return 0;
}

int manager_load_config(Manager *m, const char *path, bool explicit_path, const HvacConfigOverrides *overrides) {
        _cleanup_free_ char *error = NULL;
        int r;

        r = hvac_config_load(&m->config, path, explicit_path, &error);
        if (r >= 0)
                r = hvac_config_override(&m->config, path, overrides, &error);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return log_error_errno(r, "%s", error ?: "Invalid configuration");

        m->limits = (HvacLimits) {
                m->config.min_temperature, m->config.max_temperature, m->config.temperature_step,
        };
        hvac_state_init_default(&m->state, &m->limits);
        return 0;
}

/* Whether the unit may not have the state yet: a restart sends it then. */
static bool manager_state_pending(Manager *m) {
        return !m->delivered_valid || !hvac_state_equal(&m->delivered, &m->state);
}

static int manager_write_state(void *userdata) {
        Manager *m = userdata;
        bool pending = manager_state_pending(m);
        int r;

        if (m->saved_valid && hvac_state_equal(&m->saved, &m->state) && m->saved_pending == pending)
                return 0;
        r = hvac_state_save_pending(m->state_path, &m->state, pending);
        if (r < 0)
                return r;
        m->saved = m->state;
        m->saved_valid = true;
        m->saved_pending = pending;
        return 0;
}

static void manager_on_state_saved(StateSaver *s, int error, void *userdata) {
        Manager *m = userdata;

        if (error < 0)
                log_error_errno(error, "Failed to write state file %s, keeping the state in memory and retrying: %m",
                                m->state_path);
        else
                log_notice("Wrote state file %s after %u failed attempt%s.", m->state_path, state_saver_failures(s),
                           state_saver_failures(s) == 1 ? "" : "s");
        manager_bus_emit_changed(m, "StateUnsaved");
}

/* Written at once, or retried until it is (StateUnsaved meanwhile). */
static void manager_save_state(Manager *m) {
        if (m->saver)
                (void) state_saver_save(m->saver);
}

/* The final state must not be lost on SIGTERM: it goes to the state file, and what the
 * coalescing window still held goes to the backend once more (a LIRC frame already handed to
 * the sender thread is sent before the thread stops). */
static void manager_flush(Manager *m) {
        if (m->backend && m->dirty && !m->in_flight &&
            !(m->retry_timer && sd_event_source_get_enabled(m->retry_timer, NULL) > 0)) {
                int r = hvac_backend_transmit(m->backend, &m->state);
                if (r < 0 && r != -EINPROGRESS)
                        log_warning_errno(r, "Final transmission before exit failed: %m");
                if (r == 0) {
                        m->delivered = m->state;
                        m->delivered_valid = true;
                }
                m->dirty = false;
        }

        /* After the transmission: whether the unit has it decides "pending". */
        manager_save_state(m);
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;

        manager_flush(m);

        sd_bus_slot_unref(m->intent_slot);
        m->polkit = polkit_registry_free(m->polkit);
        sd_bus_flush_close_unref(m->bus);
        sd_event_source_disable_unref(m->coalesce_timer);
        sd_event_source_disable_unref(m->retry_timer);
        state_saver_free(m->saver);
        hvac_backend_free(m->backend);
        sd_event_unref(m->event);

        hvac_config_done(&m->config);
        free(m->state_path);
        free(m->last_error);
        free(m);
        return NULL;
}

static bool timer_armed(sd_event_source *s) {
        return s && sd_event_source_get_enabled(s, NULL) > 0;
}

static int arm_timer(Manager *m, sd_event_source **s, uint64_t usec, sd_event_time_handler_t handler,
                     const char *description) {
        int r;

        if (!*s) {
                /* Accuracy 1 µs: the default 250 ms would swallow the coalescing window. */
                r = sd_event_add_time_relative(m->event, s, CLOCK_MONOTONIC, usec, 1, handler, m);
                if (r < 0)
                        return r;
                (void) sd_event_source_set_description(*s, description);
                return 0;
        }
        r = sd_event_source_set_time_relative(*s, usec);
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(*s, SD_EVENT_ONESHOT);
}

static void manager_transmit(Manager *m);

static int on_coalesce_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        manager_transmit(userdata);
        return 0;
}

static int on_retry_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        manager_transmit(userdata);
        return 0;
}

/* The window starts with the first change and is not extended by later ones, so a stream of
 * changes still goes out every coalesce_ms. While a transmission is in flight or a retry is
 * waiting, the change rides along with that. */
static void manager_schedule_transmit(Manager *m) {
        int r;

        if (!m->dirty || m->in_flight || timer_armed(m->retry_timer) || timer_armed(m->coalesce_timer))
                return;

        r = arm_timer(m, &m->coalesce_timer, m->config.coalesce_ms * USEC_PER_MSEC, on_coalesce_timer, "coalesce");
        if (r < 0) {
                log_error_errno(r, "Failed to arm the coalescing timer, sending at once: %m");
                manager_transmit(m);
        }
}

static void manager_transmission_done(Manager *m, int result);

static void manager_transmit(Manager *m) {
        int r;

        if (m->in_flight)
                return;

        m->dirty = false;
        m->sending = m->state;
        r = hvac_backend_transmit(m->backend, &m->sending);
        if (r == -EINPROGRESS) {
                m->in_flight = true;
                /* After the backend has it: the fsync()s of the state file are not the unit's business. */
                manager_save_state(m);
                return;
        }
        manager_transmission_done(m, r);
}

/* A transmission or a read-back failed: LastError says why, and enough of them in a row make
 * the service degraded. "what" is "Sending to" or "Reading from". */
static void manager_backend_failed(Manager *m, int result, const char *what) {
        _cleanup_free_ char *message = NULL;
        const char *detail = hvac_backend_error_message(m->backend);
        bool was_degraded = m->degraded;

        m->failures++;
        m->last_failure = result;
        m->degraded = m->failures >= m->config.degraded_after_failures;

        if (asprintf(&message, "%s %s failed: %s", what, m->backend_target, detail ?: strerror(-result)) >= 0) {
                free(m->last_error);
                m->last_error = TAKE_PTR(message);
        }
        if (m->degraded && !was_degraded)
                log_error("%u requests in a row to %s failed; reporting the service as degraded.", m->failures,
                          m->backend_target);

        manager_bus_emit_changed_strv(m, m->degraded != was_degraded ? BUS_PROPERTY_NAMES("LastError", "Degraded")
                                                                : BUS_PROPERTY_NAMES("LastError"));
}

/* The unit answered: clears LastError and Degraded. "transmitted" counts a transmission. */
static void manager_backend_succeeded(Manager *m, bool transmitted) {
        bool was_failing = m->failures > 0 || m->degraded;

        if (transmitted)
                m->transmissions++;
        if (!was_failing && !transmitted)
                return;
        if (was_failing)
                log_info("%s answers again after %u failures.", m->backend_target, m->failures);
        m->failures = 0;
        m->last_failure = 0;
        m->retry_delay_usec = 0;
        m->degraded = false;
        free(m->last_error);
        m->last_error = NULL;

        if (transmitted)
                manager_bus_emit_changed_strv(m, was_failing ? BUS_PROPERTY_NAMES("Transmissions", "LastError", "Degraded")
                                                      : BUS_PROPERTY_NAMES("Transmissions"));
        else
                manager_bus_emit_changed(m, "LastError", "Degraded");
}

static void manager_transmission_failed(Manager *m, int result) {
        uint64_t initial = m->config.retry_initial_ms * USEC_PER_MSEC, max = m->config.retry_max_ms * USEC_PER_MSEC;
        int r;

        m->dirty = true;        /* the unit still has to get this state */
        m->retry_delay_usec = m->retry_delay_usec == 0 ? initial : MIN(m->retry_delay_usec * 2, max);
        log_warning_errno(result, "Transmission %u in a row to %s failed, retrying in %" PRIu64 " ms: %s",
                          m->failures + 1, m->backend_target, (uint64_t) (m->retry_delay_usec / USEC_PER_MSEC),
                          hvac_backend_error_message(m->backend) ?: strerror(-result));
        manager_backend_failed(m, result, "Sending to");

        r = arm_timer(m, &m->retry_timer, m->retry_delay_usec, on_retry_timer, "retry");
        if (r < 0)
                log_error_errno(r, "Failed to arm the retry timer, waiting for the next change: %m");
}

static void manager_transmission_done(Manager *m, int result) {
        m->in_flight = false;
        if (result < 0) {
                manager_transmission_failed(m, result);
                return;
        }

        m->delivered = m->sending;
        m->delivered_valid = true;
        manager_backend_succeeded(m, true);
        manager_save_state(m);

        /* Changes that came in while this one was on its way. */
        manager_schedule_transmit(m);
}

static void on_backend_transmitted(HvacBackend *b, int result, void *userdata) {
        manager_transmission_done(userdata, result);
}

static void on_backend_current_temperature(HvacBackend *b, double celsius, void *userdata) {
        Manager *m = userdata;

        if (m->current_temperature == celsius)
                return;
        m->current_temperature = celsius;
        manager_bus_emit_changed(m, "CurrentTemperature");
}

/* The unit's own remote was pressed: the unit runs that state now. The properties follow, the
 * state file too, and nothing is sent (a change of ours still waiting for the coalescing window
 * is overtaken: the press came later). */
static void on_backend_received(HvacBackend *b, const HvacState *s, bool has_fan, bool has_temperature,
                                void *userdata) {
        Manager *m = userdata;
        _cleanup_free_ char *problem = NULL;
        HvacState n = m->state, old = m->state;

        n.power = s->power;
        if (s->power) {
                n.mode = s->mode;
                if (has_fan)
                        n.fan = s->fan;
                if (has_temperature) {
                        if (hvac_temperature_check(&m->limits, "temperature", s->target_temperature, &problem) >= 0)
                                n.target_temperature = s->target_temperature;
                        else
                                log_notice("The remote set %s; keeping %g °C.", problem ?: "a temperature outside the limits",
                                           m->state.target_temperature);
                }
        }

        if (!m->assumed_announced)
                manager_bus_emit_changed(m, "Assumed");
        m->assumed_announced = true;

        if (hvac_state_equal(&n, &m->state))
                return;
        log_info("The remote set: power %s, mode %s, %g °C, fan %s.", n.power ? "on" : "off",
                 hvac_mode_to_string(n.mode), n.target_temperature, hvac_fan_to_string(n.fan));
        m->state = n;
        m->dirty = false;
        if (timer_armed(m->coalesce_timer))
                (void) sd_event_source_set_enabled(m->coalesce_timer, SD_EVENT_OFF);
        if (timer_armed(m->retry_timer))
                (void) sd_event_source_set_enabled(m->retry_timer, SD_EVENT_OFF);
        manager_bus_emit_state_changed(m, &old);
        manager_save_state(m);
}

/* The unit read back. Ours wins while it has not reached the unit (last write wins); otherwise
 * the unit's is the truth, e.g. after someone used its own remote. */
static void on_backend_polled(HvacBackend *b, int result, const HvacState *reported, void *userdata) {
        Manager *m = userdata;
        HvacState n, old;

        if (result < 0) {
                log_warning("Reading back from %s failed (%u in a row): %s", m->backend_target, m->failures + 1,
                            hvac_backend_error_message(b) ?: strerror(-result));
                manager_backend_failed(m, result, "Reading from");
                return;
        }

        if (m->dirty || m->in_flight) {
                /* The unit answers again: what waited for it goes now, not at the next retry. A state
                 * the unit refused (PARAM NG) waits for its retry. */
                if (m->dirty && !m->in_flight && timer_armed(m->retry_timer) && m->last_failure != -EINVAL) {
                        (void) sd_event_source_set_enabled(m->retry_timer, SD_EVENT_OFF);
                        manager_transmit(m);
                }
                return;
        }

        n = *reported;
        n.target_temperature = isnan(n.target_temperature) ? m->state.target_temperature
                                                           : hvac_temperature_nearest(&m->limits, n.target_temperature);
        m->delivered = n;
        m->delivered_valid = true;
        manager_backend_succeeded(m, false);

        if (!hvac_state_equal(&n, &m->state)) {
                log_info("The unit reports power %s, mode %s, %g °C, fan %s; taking that over.",
                         n.power ? "on" : "off", hvac_mode_to_string(n.mode), n.target_temperature,
                         hvac_fan_to_string(n.fan));
                old = m->state;
                m->state = n;
                manager_bus_emit_state_changed(m, &old);
        }
        manager_save_state(m);
}

int manager_apply_change(Manager *m, const HvacChange *c, char **ret_problem) {
        HvacState n, old;
        int r;

        r = hvac_change_apply(&m->state, c, &m->limits, &n, ret_problem);
        if (r < 0)
                return r;
        if (hvac_state_equal(&n, &m->state))
                return 0;

        old = m->state;
        m->state = n;
        manager_bus_emit_state_changed(m, &old);

        m->dirty = true;
        manager_schedule_transmit(m);
        return 1;
}

static int manager_load_state(Manager *m) {
        _cleanup_(state_file_load_done) StateFileLoad load = {};
        bool pending = false;
        int r;

        r = state_file_path(m->config.state_file, &m->state_path);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the state directory: %m");
        r = state_saver_new(m->event, m->state_path, manager_write_state, manager_on_state_saved, m, &m->saver);
        if (r < 0)
                return log_oom();

        r = hvac_state_restore(m->state_path, &m->limits, &m->state, &pending, &load);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0) {
                log_warning_errno(r, "Failed to read state file %s, starting from defaults: %m", m->state_path);
                hvac_state_init_default(&m->state, &m->limits);
                return 0;
        }
        switch (load.status) {
        case STATE_FILE_MISSING:
                log_info("No state file %s yet, starting from defaults.", m->state_path);
                return 0;
        case STATE_FILE_CORRUPT:
                log_state_file_unusable("State file", m->state_path, &load, "starting from defaults");
                hvac_state_init_default(&m->state, &m->limits);
                return 0;
        default:
                break;
        }

        m->saved = m->state;
        m->saved_valid = true;
        m->saved_pending = pending;
        if (pending)
                /* It never reached the unit: it goes out once the backend is up. */
                m->dirty = true;
        else {
                m->delivered = m->state;
                m->delivered_valid = true;
        }
        log_info("Restored state from %s%s.", m->state_path, pending ? ", not yet confirmed by the unit" : "");
        return 0;
}

static int manager_setup_backend(Manager *m) {
        static const HvacBackendCallbacks callbacks = {
                .transmitted = on_backend_transmitted,
                .current_temperature = on_backend_current_temperature,
                .received = on_backend_received,
                .polled = on_backend_polled,
        };
        int r;

        if (streq(m->config.backend, "http")) {
                /* The circuit breaker opens when the service turns degraded, and probes on the
                 * retry schedule. */
                m->config.http.failures_to_open = m->config.degraded_after_failures;
                m->config.http.probe_initial_ms = m->config.retry_initial_ms;
                m->config.http.probe_max_ms = m->config.retry_max_ms;
                r = hvac_backend_new_http(m->event, &m->config.http, &callbacks, m, &m->backend);
                m->backend_target = m->config.http.url;
        } else if (streq(m->config.backend, "lirc")) {
                r = hvac_backend_new_lirc(m->event, &m->config.lirc, &callbacks, m, &m->backend);
                m->backend_target = m->config.lirc.device;
        } else {
                r = hvac_backend_new_sim(m->event, &m->config.sim, &m->state, &callbacks, m, &m->backend);
                m->backend_target = "the simulated unit";
        }
        if (r < 0)
                return log_error_errno(r, "Failed to set up the %s backend: %m", m->config.backend);

        m->current_temperature = hvac_backend_current_temperature(m->backend);
        log_info("Using the %s backend (%s).", m->backend->ops->name, m->backend_target);

        manager_schedule_transmit(m);
        return 0;
}

/* Who may change the state: root, the control group, and whom polkit authorizes. */
static int manager_setup_control(Manager *m) {
        struct group *g;

        m->control_gid = (gid_t) -1;
        if (!isempty(m->config.control_group)) {
                g = getgrnam(m->config.control_group);
                if (g)
                        m->control_gid = g->gr_gid;
                else
                        log_notice("Group '%s' does not exist; only root and polkit may change the state.",
                                   m->config.control_group);
        }
        return polkit_registry_new(&m->polkit) < 0 ? log_oom() : 0;
}

int manager_start(Manager *m) {
        int r;

        r = manager_load_state(m);
        if (r < 0)
                return r;

        r = manager_setup_backend(m);
        if (r < 0)
                return r;

        r = manager_setup_control(m);
        if (r < 0)
                return r;

        r = bus_open_service(m->event, &m->bus);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus: %m");

        r = manager_bus_setup(m);
        if (r < 0)
                return r;

        r = bus_request_name_and_notify(m->bus, VH_HVAC_BUS_NAME);
        if (r < 0)
                return log_error_errno(r, "Failed to own bus name %s: %m", VH_HVAC_BUS_NAME);

        return 0;
}

int manager_run(Manager *m) {
        return sd_event_loop(m->event);
}
