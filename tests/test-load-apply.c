/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* 1,000 Apply calls per second to hvacd from four clients for three seconds. The final state is
 * the last one sent, and the backend saw coalesced transmissions only.
 *
 * "Last one sent" with four clients at once: hvacd handles calls one at a time somewhere within
 * each call's [sent, returned] span, so the final state must be that of a call that returned
 * after the last call was sent (one that could have been handled last). The sim backend's
 * transmit log is what the unit received: each line a state that some call asked for, the lines
 * at least coalesce_ms apart (a window opens with the first change after a transmission and the
 * transmission is synchronous, so this holds exactly for the logged stamps), so no more than
 * duration / coalesce_ms + 1 of them, and the last one is the final state. */

#include <json-c/json.h>
#include <math.h>
#include <pthread.h>

#include "bus-util.h"
#include "fileio.h"
#include "harness.h"
#include "stack.h"

#define CLIENTS 4
#define RATE_PER_CLIENT 250
#define SECONDS 3
#define CALLS_PER_CLIENT (RATE_PER_CLIENT * SECONDS)
#define COALESCE_MS 100

typedef struct State {
        bool power;
        const char *mode, *fan;
        double target;
} State;

typedef struct Call {
        usec_t sent, returned;
        State state;
        int r;
} Call;

typedef struct Client {
        unsigned id;
        usec_t start;
        Call calls[CALLS_PER_CLIENT];
} Client;

static Client clients[CLIENTS];
static const char *const modes[] = { VH_HVAC_MODE_WORDS };
static const char *const fans[] = { VH_HVAC_FAN_WORDS };

static bool state_equal(const State *a, const State *b) {
        return a->power == b->power && streq(a->mode, b->mode) && streq(a->fan, b->fan) && a->target == b->target;
}

static int apply(sd_bus *bus, const State *s) {
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;

        return sd_bus_call_method(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, "Apply", &e, NULL,
                                  "a{sv}", 4,
                                  "power", "b", s->power, "mode", "s", s->mode,
                                  "target_temperature", "d", s->target, "fan_speed", "s", s->fan);
}

static void *client_run(void *userdata) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        Client *c = userdata;
        unsigned seed = c->id * 7919 + 1;

        if (test_bus_connect(&bus) < 0)
                return (void *) 1;
        for (unsigned i = 0; i < CALLS_PER_CLIENT; i++) {
                Call *call = &c->calls[i];
                usec_t due = c->start + (usec_t) i * USEC_PER_SEC / RATE_PER_CLIENT, now = now_usec(CLOCK_MONOTONIC);

                if (due > now)
                        usleep(due - now);
                call->state = (State) {
                        .power = rand_r(&seed) % 2,
                        .mode = modes[rand_r(&seed) % ELEMENTSOF(modes)],
                        .fan = fans[rand_r(&seed) % ELEMENTSOF(fans)],
                        .target = 16 + 0.5 * (rand_r(&seed) % 29),
                };
                call->sent = now_usec(CLOCK_MONOTONIC);
                call->r = apply(bus, &call->state);
                call->returned = now_usec(CLOCK_MONOTONIC);
        }
        return NULL;
}

static State read_state(sd_bus *bus, char **mode, char **fan) {
        State s = { .target = NAN };
        int power = -1;

        (void) sd_bus_get_property_trivial(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, "Power",
                                           NULL, 'b', &power);
        (void) sd_bus_get_property_trivial(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE,
                                           "TargetTemperature", NULL, 'd', &s.target);
        (void) sd_bus_get_property_string(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, "Mode", NULL,
                                          mode);
        (void) sd_bus_get_property_string(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, "FanSpeed",
                                          NULL, fan);
        s.power = power == 1;
        s.mode = *mode ?: "?";
        s.fan = *fan ?: "?";
        return s;
}

static bool was_sent(const State *s) {
        for (unsigned a = 0; a < CLIENTS; a++)
                for (unsigned i = 0; i < CALLS_PER_CLIENT; i++)
                        if (state_equal(&clients[a].calls[i].state, s))
                                return true;
        return false;
}

typedef struct Transmitted {
        unsigned lines, foreign, too_close;
        usec_t first, last, closest;
        State final;
        char final_mode[16], final_fan[16];
} Transmitted;

/* Reads the log; false while its last line is still being written. */
static bool read_transmit_log(const char *path, Transmitted *t) {
        _cleanup_free_ char *text = NULL;
        char *save = NULL;
        size_t size;

        *t = (Transmitted) { .closest = UINT64_MAX };
        require(read_full_file(path, 16 * 1024 * 1024, &text, &size) >= 0, "read the transmit log");
        if (size > 0 && text[size - 1] != '\n')
                return false;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                struct json_object *o = json_tokener_parse(line), *v;
                usec_t at;
                State s;

                require(o, "transmit log line is JSON: %s", line);
                at = json_object_object_get_ex(o, "monotonic_usec", &v) ? (usec_t) json_object_get_int64(v) : 0;
                s.power = json_object_object_get_ex(o, "power", &v) && json_object_get_boolean(v);
                s.target = json_object_object_get_ex(o, "target_temperature", &v) ? json_object_get_double(v) : NAN;
                snprintf(t->final_mode, sizeof(t->final_mode), "%s",
                         json_object_object_get_ex(o, "mode", &v) ? json_object_get_string(v) : "?");
                snprintf(t->final_fan, sizeof(t->final_fan), "%s",
                         json_object_object_get_ex(o, "fan_speed", &v) ? json_object_get_string(v) : "?");
                s.mode = t->final_mode;
                s.fan = t->final_fan;
                if (!was_sent(&s))
                        t->foreign++;
                if (t->lines > 0) {
                        t->closest = MIN(t->closest, at - t->last);
                        if (at - t->last < COALESCE_MS * USEC_PER_MSEC)
                                t->too_close++;
                } else
                        t->first = at;
                t->last = at;
                t->final = s;
                t->lines++;
                json_object_put(o);
        }
        return true;
}

int main(void) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *hvacd = test_build_path("hvacd/hvacd"), *mode = NULL, *fan = NULL;
        pthread_t threads[CLIENTS];
        usec_t start, end, last_sent = 0;
        unsigned failed = 0, max_lines;
        bool possible = false;
        Transmitted tx;
        State final;
        Stack s = {};

        test_require_built("hvacd/hvacd");
        stack_use_tmpfs_state(&s);
        require(test_bus_start() == 0, "private dbus-daemon");
        require(test_bus_connect(&bus) >= 0, "connect");
        stack_start_hvacd(&s, bus, COALESCE_MS);

        start = now_usec(CLOCK_MONOTONIC) + 50 * USEC_PER_MSEC;
        for (unsigned i = 0; i < CLIENTS; i++) {
                clients[i] = (Client) { .id = i, .start = start };
                require(pthread_create(&threads[i], NULL, client_run, &clients[i]) == 0, "thread");
        }
        for (unsigned i = 0; i < CLIENTS; i++)
                require(pthread_join(threads[i], NULL) == 0, "join");
        end = now_usec(CLOCK_MONOTONIC);
        test_log("%u Apply calls in %.2f s: %.0f calls/s", CLIENTS * CALLS_PER_CLIENT, (end - start) / 1e6,
                 CLIENTS * CALLS_PER_CLIENT / ((end - start) / 1e6));

        for (unsigned a = 0; a < CLIENTS; a++)
                for (unsigned i = 0; i < CALLS_PER_CLIENT; i++) {
                        failed += clients[a].calls[i].r < 0;
                        last_sent = MAX(last_sent, clients[a].calls[i].sent);
                }
        check(failed == 0, "every Apply succeeded (%u failed)", failed);

        final = read_state(bus, &mode, &fan);
        for (unsigned a = 0; a < CLIENTS; a++)
                for (unsigned i = 0; i < CALLS_PER_CLIENT; i++)
                        if (clients[a].calls[i].returned >= last_sent && state_equal(&clients[a].calls[i].state, &final))
                                possible = true;
        check(possible, "the final state (%d %s %g %s) is that of a call that could have been handled last",
              final.power, final.mode, final.target, final.fan);

        /* The window still open at the end closes within coalesce_ms. */
        check(WAIT_FOR(read_transmit_log(s.tx_log, &tx) && state_equal(&tx.final, &final),
                       (COALESCE_MS + 200) * USEC_PER_MSEC),
              "the final state is transmitted within %d ms", COALESCE_MS + 200);
        max_lines = (unsigned) ((end - start) / (COALESCE_MS * USEC_PER_MSEC)) + 2;
        test_log("%u transmissions, %.1f s from first to last, closest two %llu ms apart", tx.lines,
                 (tx.last - tx.first) / 1e6, (unsigned long long) (tx.closest / USEC_PER_MSEC));
        check(tx.lines >= 2 && tx.lines <= max_lines, "coalesced: %u transmissions for %u calls (at most %u)",
              tx.lines, CLIENTS * CALLS_PER_CLIENT, max_lines);
        check(tx.too_close == 0, "transmissions at least %d ms apart (%u closer, closest %llu us)", COALESCE_MS,
              tx.too_close, (unsigned long long) tx.closest);
        check(tx.foreign == 0, "every transmitted state is one a client asked for (%u are not)", tx.foreign);
        check(state_equal(&tx.final, &final), "the last transmission carries the final state (%d %s %g %s)",
              tx.final.power, tx.final.mode, tx.final.target, tx.final.fan);

        {
                _cleanup_free_ char *note = NULL;
                require(asprintf(&note, "%u Apply from %u clients at %.0f/s → %u transmissions", CLIENTS * CALLS_PER_CLIENT,
                                 CLIENTS, CLIENTS * CALLS_PER_CLIENT / ((end - start) / 1e6), tx.lines) > 0, "asprintf");
                stack_report("load-apply", CLIENTS * CALLS_PER_CLIENT, CLIENTS * CALLS_PER_CLIENT, 0,
                             failed + !possible + tx.too_close + tx.foreign + !state_equal(&tx.final, &final), note);
        }
        stack_stop(&s);
        return test_result();
}
