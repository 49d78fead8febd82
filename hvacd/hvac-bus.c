/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* org.voicehvac.Hvac1: the vtable, its getters and handlers, and the voice intents that arrive
 * as org.voicehvac.WakeWord1.CommandRecognized signals. Handlers go read → validate → no-op
 * shortcut → act → PropertiesChanged → reply; manager_apply_change() does the middle part. */

#include <errno.h>
#include <math.h>
#include <string.h>

#include "bus-util.h"
#include "errors.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "string-util.h"

static int property_get_power(sd_bus *bus, const char *path, const char *interface, const char *property,
                              sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        return sd_bus_message_append(reply, "b", (int) m->state.power);
}

static int property_get_mode(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        return sd_bus_message_append(reply, "s", hvac_mode_to_string(m->state.mode));
}

static int property_get_target_temperature(sd_bus *bus, const char *path, const char *interface,
                                           const char *property, sd_bus_message *reply, void *userdata,
                                           sd_bus_error *error) {
        Manager *m = userdata;
        return sd_bus_message_append(reply, "d", m->state.target_temperature);
}

static int property_get_fan_speed(sd_bus *bus, const char *path, const char *interface, const char *property,
                                  sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        return sd_bus_message_append(reply, "s", hvac_fan_to_string(m->state.fan));
}

static int property_get_backend(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        return sd_bus_message_append(reply, "s", m->backend->ops->name);
}

static int property_get_assumed(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        return sd_bus_message_append(reply, "b", (int) hvac_backend_assumed(m->backend));
}

static int property_get_last_error(sd_bus *bus, const char *path, const char *interface, const char *property,
                                   sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        return sd_bus_message_append(reply, "s", m->last_error ?: "");
}

static int property_get_state_unsaved(sd_bus *bus, const char *path, const char *interface, const char *property,
                                      sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        return sd_bus_message_append(reply, "b", state_saver_unsaved(m->saver));
}

static int property_get_degraded(sd_bus *bus, const char *path, const char *interface, const char *property,
                                 sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        return sd_bus_message_append(reply, "b", (int) m->degraded);
}

static int reply_after_change(Manager *m, sd_bus_message *msg, const HvacChange *c, sd_bus_error *error) {
        _cleanup_free_ char *problem = NULL;
        HvacState n;
        int r;

        /* Validated before authorizing, so that a bad value is named whoever sends it. */
        r = hvac_change_apply(&m->state, c, &m->limits, &n, &problem);
        if (r == -ENOMEM)
                return vh_bus_error_set_errnof(error, r, "Out of memory");
        if (r < 0)
                return sd_bus_error_setf(error, VH_ERROR_INVALID_ARGUMENT, "%s", problem ?: "Invalid argument");

        r = bus_verify_control_async(msg, m->control_gid, m->config.control_group, VH_POLKIT_HVAC_SET,
                                     "Changing the air conditioner", m->polkit, error);
        if (r < 0)
                return r;
        if (r == 0)
                return 1;       /* polkit is asked; the call comes back here with its answer */

        free(TAKE_PTR(problem));
        r = manager_apply_change(m, c, &problem);
        if (r == -ENOMEM)
                return vh_bus_error_set_errnof(error, r, "Out of memory");
        if (r < 0)
                return sd_bus_error_setf(error, VH_ERROR_INVALID_ARGUMENT, "%s", problem ?: "Invalid argument");
        return sd_bus_reply_method_return(msg, NULL);
}

static int method_set_power(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        HvacChange c = { .has_power = true };
        int power, r;

        r = sd_bus_message_read(msg, "b", &power);
        if (r < 0)
                return vh_bus_error_set_unreadable(error, r);
        c.power = power;
        return reply_after_change(userdata, msg, &c, error);
}

static int parse_mode(const char *s, HvacMode *ret, sd_bus_error *error) {
        HvacMode mode = hvac_mode_from_string(s);

        if (mode < 0)
                return sd_bus_error_setf(error, VH_ERROR_INVALID_ARGUMENT,
                                         "Invalid mode '%s', expected one of " VH_HVAC_MODES_LIST,
                                         str_echo((char[ECHO_STR_MAX]) {}, s));
        *ret = mode;
        return 0;
}

static int parse_fan(const char *s, HvacFan *ret, sd_bus_error *error) {
        HvacFan fan = hvac_fan_from_string(s);

        if (fan < 0)
                return sd_bus_error_setf(error, VH_ERROR_INVALID_ARGUMENT,
                                         "Invalid fan_speed '%s', expected one of " VH_HVAC_FANS_LIST,
                                         str_echo((char[ECHO_STR_MAX]) {}, s));
        *ret = fan;
        return 0;
}

/* SetMode() and SetFanSpeed(): one string, checked against its list. */
static int method_set_string(sd_bus_message *msg, Manager *m, bool mode, sd_bus_error *error) {
        HvacChange c = { .has_mode = mode, .has_fan = !mode };
        const char *s;
        int r;

        r = sd_bus_message_read(msg, "s", &s);
        if (r < 0)
                return vh_bus_error_set_unreadable(error, r);
        r = mode ? parse_mode(s, &c.mode, error) : parse_fan(s, &c.fan, error);
        if (r < 0)
                return r;
        return reply_after_change(m, msg, &c, error);
}

static int method_set_mode(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return method_set_string(msg, userdata, true, error);
}

static int method_set_target_temperature(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        HvacChange c = { .has_target = true };
        int r;

        r = sd_bus_message_read(msg, "d", &c.target_temperature);
        if (r < 0)
                return vh_bus_error_set_unreadable(error, r);
        return reply_after_change(userdata, msg, &c, error);
}

static int method_set_fan_speed(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return method_set_string(msg, userdata, false, error);
}

/* Reads the variant of an a{sv} entry, which must hold exactly "type". */
static int read_variant(sd_bus_message *msg, const char *key, const char *type, void *ret, sd_bus_error *error) {
        const char *contents;
        int r;

        r = sd_bus_message_peek_type(msg, NULL, &contents);
        if (r < 0)
                return vh_bus_error_set_unreadable(error, r);
        if (!streq(contents, type))
                return sd_bus_error_setf(error, VH_ERROR_INVALID_ARGUMENT,
                                         "Invalid type '%s' for key '%s', expected '%s'", contents, key, type);
        r = sd_bus_message_read(msg, "v", type, ret);
        return r < 0 ? vh_bus_error_set_unreadable(error, r) : r;
}

static int read_apply_entry(sd_bus_message *msg, HvacChange *c, sd_bus_error *error) {
        const char *key, *s;
        bool *seen;
        int b, r;

        r = sd_bus_message_read(msg, "s", &key);
        if (r < 0)
                return vh_bus_error_set_unreadable(error, r);

        if (streq(key, "power"))
                seen = &c->has_power;
        else if (streq(key, "mode"))
                seen = &c->has_mode;
        else if (streq(key, "target_temperature"))
                seen = &c->has_target;
        else if (streq(key, "fan_speed"))
                seen = &c->has_fan;
        else
                return sd_bus_error_setf(error, VH_ERROR_INVALID_ARGUMENT,
                                         "Unknown key '%s', expected power, mode, target_temperature or fan_speed",
                                         str_echo((char[ECHO_STR_MAX]) {}, key));
        if (*seen)
                return sd_bus_error_setf(error, VH_ERROR_INVALID_ARGUMENT, "Key '%s' given twice", key);
        *seen = true;

        if (streq(key, "power")) {
                r = read_variant(msg, key, "b", &b, error);
                c->power = b;
        } else if (streq(key, "target_temperature"))
                r = read_variant(msg, key, "d", &c->target_temperature, error);
        else {
                r = read_variant(msg, key, "s", &s, error);
                if (r >= 0)
                        r = streq(key, "mode") ? parse_mode(s, &c->mode, error) : parse_fan(s, &c->fan, error);
        }
        return r;
}

static int method_apply(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        HvacChange c = {};
        int r;

        r = sd_bus_message_enter_container(msg, 'a', "{sv}");
        if (r < 0)
                return vh_bus_error_set_unreadable(error, r);
        while ((r = sd_bus_message_enter_container(msg, 'e', "sv")) > 0) {
                r = read_apply_entry(msg, &c, error);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(msg);
                if (r < 0)
                        return vh_bus_error_set_unreadable(error, r);
        }
        if (r < 0)
                return vh_bus_error_set_unreadable(error, r);
        r = sd_bus_message_exit_container(msg);
        if (r < 0)
                return vh_bus_error_set_unreadable(error, r);

        return reply_after_change(userdata, msg, &c, error);
}

static const sd_bus_vtable hvac_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Power", "b", property_get_power, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Mode", "s", property_get_mode, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("TargetTemperature", "d", property_get_target_temperature, 0,
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("FanSpeed", "s", property_get_fan_speed, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("CurrentTemperature", "d", NULL, offsetof(Manager, current_temperature),
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("MinTemperature", "d", NULL, offsetof(Manager, limits.min), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("MaxTemperature", "d", NULL, offsetof(Manager, limits.max), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("TemperatureStep", "d", NULL, offsetof(Manager, limits.step), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Backend", "s", property_get_backend, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Assumed", "b", property_get_assumed, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("LastError", "s", property_get_last_error, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Degraded", "b", property_get_degraded, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("StateUnsaved", "b", property_get_state_unsaved, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Transmissions", "t", NULL, offsetof(Manager, transmissions),
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD_WITH_ARGS("SetPower", SD_BUS_ARGS("b", power), SD_BUS_NO_RESULT,
                                method_set_power, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("SetMode", SD_BUS_ARGS("s", mode), SD_BUS_NO_RESULT,
                                method_set_mode, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("SetTargetTemperature", SD_BUS_ARGS("d", temperature), SD_BUS_NO_RESULT,
                                method_set_target_temperature, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("SetFanSpeed", SD_BUS_ARGS("s", speed), SD_BUS_NO_RESULT,
                                method_set_fan_speed, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Apply", SD_BUS_ARGS("a{sv}", changes), SD_BUS_NO_RESULT,
                                method_apply, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END
};

/* One value of an intent, as whatever number type the sender chose. */
static int read_intent_value(sd_bus_message *msg, HvacValue *v) {
        const char *contents;
        int32_t i32;
        uint32_t u32;
        int64_t i64;
        int b, r;

        r = sd_bus_message_peek_type(msg, NULL, &contents);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(msg, 'v', contents);
        if (r < 0)
                return r;
        if (streq(contents, "b")) {
                r = sd_bus_message_read(msg, "b", &b);
                *v = (HvacValue) { .type = HVAC_VALUE_BOOL, .b = b };
        } else if (streq(contents, "i")) {
                r = sd_bus_message_read(msg, "i", &i32);
                *v = (HvacValue) { .type = HVAC_VALUE_INT, .i = i32 };
        } else if (streq(contents, "u")) {
                r = sd_bus_message_read(msg, "u", &u32);
                *v = (HvacValue) { .type = HVAC_VALUE_INT, .i = u32 };
        } else if (streq(contents, "x")) {
                r = sd_bus_message_read(msg, "x", &i64);
                *v = (HvacValue) { .type = HVAC_VALUE_INT, .i = i64 };
        } else if (streq(contents, "d")) {
                *v = (HvacValue) { .type = HVAC_VALUE_DOUBLE };
                r = sd_bus_message_read(msg, "d", &v->d);
        } else if (streq(contents, "s")) {
                *v = (HvacValue) { .type = HVAC_VALUE_STRING };
                r = sd_bus_message_read(msg, "s", &v->s);
        } else {
                *v = (HvacValue) { .type = HVAC_VALUE_OTHER };
                r = sd_bus_message_skip(msg, contents);
        }
        if (r < 0)
                return r;
        snprintf(v->signature, sizeof(v->signature), "%s", contents);
        return sd_bus_message_exit_container(msg);
}

typedef struct IntentFields {
        const char **action;
        HvacValue *value;
} IntentFields;

static int read_intent_field(sd_bus_message *msg, const char *key, void *userdata) {
        IntentFields *f = userdata;

        if (streq(key, "action"))
                return sd_bus_message_read(msg, "v", "s", f->action);
        if (streq(key, "value"))
                return read_intent_value(msg, f->value);
        /* more may come (confidence, slots …); not ours */
        return sd_bus_message_skip(msg, "v");
}

static int read_intent(sd_bus_message *msg, const char **ret_action, HvacValue *ret_value) {
        IntentFields f = { .action = ret_action, .value = ret_value };

        return bus_read_property_dict(msg, read_intent_field, &f);
}

/* Intents are input from another process: anything wrong with them is logged and dropped. */
static int on_command_recognized(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error) {
        _cleanup_free_ char *problem = NULL;
        Manager *m = userdata;
        const char *text = NULL, *action = NULL;
        HvacValue value = {};
        HvacChange c;
        uint64_t audio_usec = 0;
        int r;

        if (!sd_bus_message_has_signature(msg, "sa{sv}t")) {
                log_warning("Ignoring CommandRecognized from %s with signature '%s', expected 'sa{sv}t'.",
                            strna(sd_bus_message_get_sender(msg)), strna(sd_bus_message_get_signature(msg, true)));
                return 0;
        }

        r = sd_bus_message_read(msg, "s", &text);
        if (r >= 0)
                r = read_intent(msg, &action, &value);
        if (r >= 0)
                r = sd_bus_message_read(msg, "t", &audio_usec);
        if (r < 0) {
                log_warning_errno(r, "Ignoring malformed CommandRecognized: %m");
                return 0;
        }

        r = hvac_intent_to_change(action, &value, &c, &problem);
        if (r < 0) {
                log_warning("Ignoring voice command '%s': %s", text, problem ?: "invalid intent");
                return 0;
        }

        r = manager_apply_change(m, &c, &problem);
        if (r < 0)
                log_warning("Ignoring voice command '%s': %s", text, problem ?: "invalid intent");
        else
                log_info("Voice command '%s' (%s): %s.", text, action, r > 0 ? "applied" : "already so");
        return 0;
}

void manager_bus_emit_changed_strv(Manager *m, char **names) {
        int r;

        r = bus_emit_properties_changed_strv(m->bus, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, names);
        if (r < 0)
                log_warning_errno(r, "Failed to emit PropertiesChanged for %s: %m", names[0]);
}

void manager_bus_emit_state_changed(Manager *m, const HvacState *old) {
        char *names[5];
        size_t n = 0;

        if (m->state.power != old->power)
                names[n++] = (char *) "Power";
        if (m->state.mode != old->mode)
                names[n++] = (char *) "Mode";
        if (m->state.target_temperature != old->target_temperature)
                names[n++] = (char *) "TargetTemperature";
        if (m->state.fan != old->fan)
                names[n++] = (char *) "FanSpeed";
        names[n] = NULL;

        manager_bus_emit_changed_strv(m, names);
}

int manager_bus_setup(Manager *m) {
        int r;

        r = sd_bus_add_object_vtable(m->bus, NULL, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, hvac_vtable, m);
        if (r < 0)
                return log_error_errno(r, "Failed to add the %s object: %m", VH_HVAC_OBJECT_PATH);

        /* Matched on path, interface and member, not on the sender: wakeword's unique name changes
         * every time it restarts. */
        r = sd_bus_match_signal_async(m->bus, &m->intent_slot, NULL, VH_WAKEWORD_OBJECT_PATH, VH_WAKEWORD_INTERFACE,
                                      "CommandRecognized", on_command_recognized, NULL, m);
        if (r < 0)
                return log_error_errno(r, "Failed to subscribe to CommandRecognized: %m");

        return 0;
}
