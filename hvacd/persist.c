/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "fileio.h"
#include "macro.h"
#include "persist.h"

typedef struct StateFile {
        int power;                      /* -1: missing */
        char *mode;
        double target_temperature;      /* NAN: missing */
        char *fan_speed;
        int pending;                    /* -1: missing, which is "delivered" */
} StateFile;

static const char *const mode_choices[] = { VH_HVAC_MODE_WORDS, NULL };
static const char *const fan_choices[] = { VH_HVAC_FAN_WORDS, NULL };

static int parse_power(struct json_object *v, void *dest, void *base, char **ret_problem) {
        if (!json_object_is_type(v, json_type_boolean)) {
                if (asprintf(ret_problem, "expected boolean, got %s",
                             json_type_to_name(json_object_get_type(v))) < 0)
                        return -ENOMEM;
                return -EINVAL;
        }
        *(int *) dest = json_object_get_boolean(v);
        return 0;
}

static const ConfigField state_fields[] = {
        { "power", CONFIG_CUSTOM, offsetof(StateFile, power), .parse = parse_power },
        { "mode", CONFIG_STRING, offsetof(StateFile, mode), .choices = mode_choices },
        { "target_temperature", CONFIG_DOUBLE, offsetof(StateFile, target_temperature) },
        { "fan_speed", CONFIG_STRING, offsetof(StateFile, fan_speed), .choices = fan_choices },
        { "pending", CONFIG_CUSTOM, offsetof(StateFile, pending), .parse = parse_power },
        {}
};

int hvac_state_to_json(const HvacState *s, char **ret) {
        if (asprintf(ret, "{\"power\":%s,\"mode\":\"%s\",\"target_temperature\":%.6g,\"fan_speed\":\"%s\"}\n",
                     s->power ? "true" : "false", hvac_mode_to_string(s->mode), s->target_temperature,
                     hvac_fan_to_string(s->fan)) < 0)
                return -ENOMEM;
        return 0;
}

static int state_file_convert(const char *path, const StateFile *f, const HvacLimits *l,
                              HvacState *ret, char **ret_problem) {
        _cleanup_free_ char *problem = NULL;
        const char *missing = NULL;
        HvacState s;
        int r;

        if (f->power < 0)
                missing = "power";
        else if (!f->mode)
                missing = "mode";
        else if (isnan(f->target_temperature))
                missing = "target_temperature";
        else if (!f->fan_speed)
                missing = "fan_speed";
        if (missing) {
                if (asprintf(ret_problem, "%s: key '%s' is missing", path, missing) < 0)
                        return -ENOMEM;
                return -EBADMSG;
        }

        s = (HvacState) {
                .power = f->power,
                .mode = hvac_mode_from_string(f->mode),
                .target_temperature = f->target_temperature,
                .fan = hvac_fan_from_string(f->fan_speed),
        };
        r = hvac_state_check(&s, l, &problem);
        if (r < 0) {
                if (asprintf(ret_problem, "%s: %s", path, problem ?: "invalid state") < 0)
                        return -ENOMEM;
                return -EBADMSG;
        }

        *ret = s;
        return 0;
}

int hvac_state_parse(const char *name, const char *text, size_t size, const HvacLimits *l, HvacState *ret,
                     bool *ret_pending, char **ret_problem) {
        StateFile f = { .power = -1, .target_temperature = NAN, .pending = -1 };
        int r;

        *ret_problem = NULL;

        r = config_load_string(name, text, size, state_fields, &f, ret_problem);
        if (r == -ENOMEM)
                goto finish;
        if (r < 0) {
                r = -EBADMSG;
                goto finish;
        }

        r = state_file_convert(name, &f, l, ret, ret_problem);
        if (r >= 0 && ret_pending)
                *ret_pending = f.pending > 0;
finish:
        config_free_strings(state_fields, &f);
        return r;
}

int hvac_state_load(const char *path, const HvacLimits *l, HvacState *ret, char **ret_problem) {
        return hvac_state_load_pending(path, l, ret, NULL, ret_problem);
}

int hvac_state_load_pending(const char *path, const HvacLimits *l, HvacState *ret, bool *ret_pending,
                            char **ret_problem) {
        _cleanup_free_ char *text = NULL, *problem = NULL;
        size_t size;
        int r;

        *ret_problem = NULL;

        r = state_file_read(path, HVAC_STATE_FILE_MAX, &text, &size, &problem);
        if (r == -EBADMSG) {
                if (asprintf(ret_problem, "%s: not a state file: %s", path, problem ?: "?") < 0)
                        return -ENOMEM;
                return r;
        }
        if (r < 0)
                return r;
        return hvac_state_parse(path, text, size, l, ret, ret_pending, ret_problem);
}

typedef struct RestoreContext {
        const char *path;
        const HvacLimits *limits;
        HvacState *state;
        bool *pending;
} RestoreContext;

static int restore_parse(const char *text, size_t size, void *userdata, char **ret_problem) {
        RestoreContext *c = userdata;

        return hvac_state_parse(c->path, text, size, c->limits, c->state, c->pending, ret_problem);
}

int hvac_state_restore(const char *path, const HvacLimits *l, HvacState *ret, bool *ret_pending,
                       StateFileLoad *ret_load) {
        RestoreContext c = { path, l, ret, ret_pending };

        return state_file_load(path, HVAC_STATE_FILE_MAX, restore_parse, &c, ret_load);
}

int hvac_state_save(const char *path, const HvacState *s) {
        return hvac_state_save_pending(path, s, false);
}

int hvac_state_save_pending(const char *path, const HvacState *s, bool pending) {
        _cleanup_free_ char *text = NULL;
        int r;

        r = hvac_state_to_json(s, &text);
        if (r < 0)
                return r;
        if (pending) {
                /* One more key before the closing brace: the unit has not confirmed this state. */
                char *p = strrchr(text, '}');
                _cleanup_free_ char *with = NULL;

                assert(p);
                if (asprintf(&with, "%.*s,\"pending\":true}\n", (int) (p - text), text) < 0)
                        return -ENOMEM;
                free(text);
                text = TAKE_PTR(with);
        }
        return write_file_atomic(path, text, strlen(text), 0644);
}
