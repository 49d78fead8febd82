/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What reaches the air conditioner. One interface, chosen by configuration: "sim" (a room
 * thermal model), "lirc" (IR frames to /dev/lircN), "http" (a Daikin Wi-Fi adapter's local
 * API). Backends live in the event loop but know nothing of D-Bus; they report back to the
 * manager through the callbacks. */

#include <math.h>
#include <stdbool.h>
#include <systemd/sd-event.h>

#include "ir.h"
#include "macro.h"
#include "state.h"

typedef struct HvacBackend HvacBackend;

typedef struct HvacBackendCallbacks {
        /* A transmission that transmit() answered -EINPROGRESS for has ended with "result". */
        void (*transmitted)(HvacBackend *b, int result, void *userdata);
        /* The measured room temperature changed. */
        void (*current_temperature)(HvacBackend *b, double celsius, void *userdata);
        /* A receiver heard the unit's remote: the unit now runs "s" (of which the frame may leave
         * the fan or the temperature out). */
        void (*received)(HvacBackend *b, const HvacState *s, bool has_fan, bool has_temperature, void *userdata);
        /* A backend that can ask the unit read it back: "result" < 0 when that failed, else
         * "reported" is what the unit is doing (target_temperature NAN when it has none). */
        void (*polled)(HvacBackend *b, int result, const HvacState *reported, void *userdata);
} HvacBackendCallbacks;

typedef struct HvacBackendOps {
        const char *name;
        /* The state is what was sent, not what the unit reported. */
        bool assumed;
        /* Starts sending the whole state. 0: sent; -EINPROGRESS: ->transmitted() follows;
         * other < 0: failed. Never called while a transmission is in progress. */
        int (*transmit)(HvacBackend *b, const HvacState *s);
        /* °C, or NAN when the backend has no sensor. */
        double (*current_temperature)(HvacBackend *b);
        /* What went wrong in the last failure, in words, or NULL: strerror() is all there is. */
        const char *(*error_message)(HvacBackend *b);
        void (*free)(HvacBackend *b);
} HvacBackendOps;

struct HvacBackend {
        const HvacBackendOps *ops;
        sd_event *event;
        HvacBackendCallbacks callbacks;
        void *userdata;
        bool heard;                     /* a receiver has heard the remote: the state is known */
};

typedef struct SimConfig {
        double ambient;                 /* °C the room drifts to with the unit off */
        double initial_temperature;     /* °C at start; NAN: ambient */
        double rate_per_minute;         /* °C/min while the unit works toward the target */
        double drift_per_minute;        /* °C/min toward ambient */
        double resolution;              /* °C per step of CurrentTemperature */
        char *transmit_log;             /* when set, one JSON line per transmission is appended */
} SimConfig;

typedef struct IrOptionSetting {
        char name[32];
        unsigned value;
} IrOptionSetting;

typedef struct LircConfig {
        char *device;
        char *protocol;
        unsigned carrier;               /* Hz; 0: the protocol's */
        /* The remote's options ("lirc.options"): the protocol's defaults, then these. */
        IrOptionSetting option_settings[IR_OPTIONS_MAX];
        size_t n_option_settings;
        char *receiver;                 /* /dev/lircN in LIRC_MODE_MODE2 following the remote; NULL: none */
        char *fan_table;                /* the remote's fan codes (IrFanTable); NULL or "": the protocol's */
        /* The remote's clock, where the protocol carries one: "local" the local time of each
         * send, "fixed" the options' values; NULL: "fixed" where an option sets the clock (as
         * before the key existed), else "local". */
        char *clock;
} LircConfig;

/* The values of the remote's options: the protocol's defaults, then the settings; -EINVAL where a
 * setting names no option of the protocol or holds more than its field. */
int lirc_config_options(const LircConfig *c, const IrProtocol *p, unsigned ret[IR_OPTIONS_MAX]);
/* The first setting of an option that sets the remote's clock; NULL: none does. */
const IrOptionSetting *lirc_config_clock_option(const LircConfig *c, const IrProtocol *p);
/* Whether each send carries the local time as the remote's clock (see LircConfig.clock). */
bool lirc_config_clock_local(const LircConfig *c, const IrProtocol *p);

typedef struct HttpConfig {
        char *url;                      /* http://HOST[:PORT], no path */
        unsigned connect_timeout_ms;
        unsigned timeout_ms;            /* one request, start to end */
        unsigned poll_interval_ms;
        /* Not keys of the "http" object: the manager's retry settings. */
        unsigned failures_to_open;      /* failed requests in a row that open the circuit */
        unsigned probe_initial_ms;      /* first probe after it opened; doubles up to … */
        unsigned probe_max_ms;
} HttpConfig;

int hvac_backend_new_sim(sd_event *event, const SimConfig *config, const HvacState *initial,
                         const HvacBackendCallbacks *callbacks, void *userdata, HvacBackend **ret);
int hvac_backend_new_lirc(sd_event *event, const LircConfig *config,
                          const HvacBackendCallbacks *callbacks, void *userdata, HvacBackend **ret);

int hvac_backend_new_http(sd_event *event, const HttpConfig *config,
                          const HvacBackendCallbacks *callbacks, void *userdata, HvacBackend **ret);

static inline int hvac_backend_transmit(HvacBackend *b, const HvacState *s) {
        return b->ops->transmit(b, s);
}

/* Whether the state is what hvacd sent, not what the unit is known to run. */
static inline bool hvac_backend_assumed(HvacBackend *b) {
        return b->ops->assumed && !b->heard;
}

static inline double hvac_backend_current_temperature(HvacBackend *b) {
        return b->ops->current_temperature ? b->ops->current_temperature(b) : NAN;
}

static inline const char *hvac_backend_error_message(HvacBackend *b) {
        return b->ops->error_message ? b->ops->error_message(b) : NULL;
}

static inline HvacBackend *hvac_backend_free(HvacBackend *b) {
        if (b)
                b->ops->free(b);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(HvacBackend *, hvac_backend_free);
