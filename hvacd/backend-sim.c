/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A room and an air conditioner that does what it is told: the room temperature moves toward
 * the target while the unit works on it, and drifts toward ambient otherwise. It advances in
 * steps of "resolution" °C, one timer expiry per step, and the timer is off once the room has
 * settled, so a settled simulation does not wake the process at all. */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "backend.h"
#include "macro.h"
#include "time-util.h"

typedef struct SimBackend {
        HvacBackend backend;
        SimConfig config;               /* transmit_log is our own copy */
        HvacState applied;
        double current;
        sd_event_source *timer;
        uint64_t transmissions;
} SimBackend;

#define SIM_SETTLED_EPSILON 1e-9

/* Where the room is heading under the applied state, and how fast (°C/min). */
static void sim_goal(const SimBackend *s, double *ret_goal, double *ret_rate) {
        const SimConfig *c = &s->config;
        double target = s->applied.target_temperature;

        if (!s->applied.power || s->applied.mode == HVAC_MODE_FAN_ONLY) {
                *ret_goal = c->ambient;
                *ret_rate = c->drift_per_minute;
                return;
        }

        switch (s->applied.mode) {
        case HVAC_MODE_COOL:
        case HVAC_MODE_DRY:
                /* The unit only pulls down; below the target the room warms toward ambient on its
                 * own, until the target (or ambient, if that is lower) is reached. */
                *ret_goal = MIN(target, c->ambient);
                *ret_rate = s->current > *ret_goal ? c->rate_per_minute : c->drift_per_minute;
                break;
        case HVAC_MODE_HEAT:
                *ret_goal = MAX(target, c->ambient);
                *ret_rate = s->current < *ret_goal ? c->rate_per_minute : c->drift_per_minute;
                break;
        default:
                *ret_goal = target;
                *ret_rate = c->rate_per_minute;
        }
}

static int sim_schedule(SimBackend *s);

static int sim_tick(sd_event_source *source, uint64_t usec, void *userdata) {
        SimBackend *s = userdata;
        double goal, rate;

        sim_goal(s, &goal, &rate);
        if (fabs(goal - s->current) <= s->config.resolution * (1 + SIM_SETTLED_EPSILON))
                s->current = goal;
        else {
                s->current += goal > s->current ? s->config.resolution : -s->config.resolution;
                /* Stay on the resolution grid, so 24.299999999 does not show up on the bus. */
                s->current = hvac_temperature_snap(s->current, 0, s->config.resolution);
        }

        if (s->backend.callbacks.current_temperature)
                s->backend.callbacks.current_temperature(&s->backend, s->current, s->backend.userdata);

        (void) sim_schedule(s);
        return 0;
}

static int sim_schedule(SimBackend *s) {
        double goal, rate;
        uint64_t interval;
        int r;

        sim_goal(s, &goal, &rate);
        if (fabs(goal - s->current) < SIM_SETTLED_EPSILON || rate <= 0) {
                if (s->timer)
                        (void) sd_event_source_set_enabled(s->timer, SD_EVENT_OFF);
                return 0;
        }

        interval = (uint64_t) (s->config.resolution / rate * 60.0 * USEC_PER_SEC);
        interval = MAX(interval, (uint64_t) USEC_PER_MSEC);

        if (!s->timer) {
                r = sd_event_add_time_relative(s->backend.event, &s->timer, CLOCK_MONOTONIC, interval,
                                               interval / 10, sim_tick, s);
                if (r < 0)
                        return r;
                (void) sd_event_source_set_description(s->timer, "sim-thermal");
                return 0;
        }

        r = sd_event_source_set_time_relative(s->timer, interval);
        if (r < 0)
                return r;
        (void) sd_event_source_set_time_accuracy(s->timer, interval / 10);
        return sd_event_source_set_enabled(s->timer, SD_EVENT_ONESHOT);
}

/* One line per transmission, what a receiver at the unit would have decoded. */
static int sim_log_transmission(SimBackend *s) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *line = NULL;
        int n;

        if (!s->config.transmit_log)
                return 0;

        n = asprintf(&line, "{\"transmission\":%" PRIu64 ",\"monotonic_usec\":%" PRIu64
                     ",\"power\":%s,\"mode\":\"%s\",\"target_temperature\":%.6g,\"fan_speed\":\"%s\"}\n",
                     s->transmissions + 1, now_usec(CLOCK_MONOTONIC), s->applied.power ? "true" : "false",
                     hvac_mode_to_string(s->applied.mode), s->applied.target_temperature,
                     hvac_fan_to_string(s->applied.fan));
        if (n < 0)
                return -ENOMEM;

        fd = open(s->config.transmit_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
        if (fd < 0)
                return negative_errno();
        /* O_APPEND and one write(): a line is never torn or interleaved. */
        if (write(fd, line, (size_t) n) != n)
                return negative_errno();
        return 0;
}

static int sim_transmit(HvacBackend *b, const HvacState *state) {
        SimBackend *s = (SimBackend *) b;
        HvacState previous = s->applied;
        int r;

        s->applied = *state;
        r = sim_log_transmission(s);
        if (r < 0) {
                /* Not received: the room goes on as before. */
                s->applied = previous;
                return r;
        }
        s->transmissions++;

        return sim_schedule(s);
}

static double sim_current_temperature(HvacBackend *b) {
        return ((SimBackend *) b)->current;
}

static void sim_free(HvacBackend *b) {
        SimBackend *s = (SimBackend *) b;

        sd_event_source_disable_unref(s->timer);
        sd_event_unref(s->backend.event);
        free(s->config.transmit_log);
        free(s);
}

static const HvacBackendOps sim_ops = {
        .name = "sim",
        .assumed = false,
        .transmit = sim_transmit,
        .current_temperature = sim_current_temperature,
        .free = sim_free,
};

int hvac_backend_new_sim(sd_event *event, const SimConfig *config, const HvacState *initial,
                         const HvacBackendCallbacks *callbacks, void *userdata, HvacBackend **ret) {
        _cleanup_(hvac_backend_freep) HvacBackend *b = NULL;
        SimBackend *s;
        int r;

        assert(event && config && initial && ret);

        if (!(config->resolution > 0) || !(config->rate_per_minute > 0) || config->drift_per_minute < 0)
                return -EINVAL;

        s = calloc(1, sizeof(SimBackend));
        if (!s)
                return -ENOMEM;
        s->backend = (HvacBackend) {
                .ops = &sim_ops,
                .event = sd_event_ref(event),
                .callbacks = *callbacks,
                .userdata = userdata,
        };
        b = &s->backend;

        s->config = *config;
        s->config.transmit_log = NULL;
        if (config->transmit_log) {
                s->config.transmit_log = strdup(config->transmit_log);
                if (!s->config.transmit_log)
                        return -ENOMEM;
        }
        s->applied = *initial;
        s->current = isnan(config->initial_temperature) ? config->ambient : config->initial_temperature;

        /* The unit kept running while we were away: pick up from the restored state. */
        r = sim_schedule(s);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(b);
        return 0;
}
