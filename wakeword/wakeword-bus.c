/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <string.h>

#include "bus-util.h"
#include "errors.h"
#include "log.h"
#include "manager.h"

static int property_get_keyphrase(sd_bus *bus, const char *path, const char *interface, const char *property,
                                  sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;

        return sd_bus_message_append(reply, "s", recognizer_keyphrase(m->recognizer));
}

static int property_get_state(sd_bus *bus, const char *path, const char *interface, const char *property,
                              sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;

        return sd_bus_message_append(reply, "s", wakeword_state_to_string(m->state));
}

/* A char array inside the Manager ("offset" in the vtable). */
static int property_get_string(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", (const char *) userdata);
}

static int property_get_enrolment(sd_bus *bus, const char *path, const char *interface, const char *property,
                                  sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;

        return sd_bus_message_append(reply, "s", enrol_state_to_string(m->enrol.state));
}

static int property_get_enrolment_prompt(sd_bus *bus, const char *path, const char *interface, const char *property,
                                         sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;

        return sd_bus_message_append(reply, "s", live_enrol_prompt(&m->enrol));
}

static int property_get_enrolment_progress(sd_bus *bus, const char *path, const char *interface, const char *property,
                                           sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;

        return sd_bus_message_append(reply, "(uu)", m->enrol.taken, m->enrol.n_prompts);
}

/* Enrolling changes what the daemon hears with: privileged like opening the microphone. */
static int check_enrol_allowed(Manager *m, sd_bus_message *message, const char *what, sd_bus_error *error) {
        bool allowed;
        int r;

        r = bus_message_sender_in_group(message, m->enrol_gid, &allowed);
        if (r < 0)
                return vh_bus_error_set_errnof(error, r, "Cannot check the caller's credentials: %s", strerror(-r));
        if (!allowed)
                return sd_bus_error_setf(error, VH_ERROR_NOT_AUTHORIZED, "%s requires root or membership of group '%s'.",
                                         what, m->config.enrol_group);
        return 1;
}

static int method_start_enrolment(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        int r;

        r = check_enrol_allowed(m, message, "Enrolling", error);
        if (r <= 0)
                return r;
        r = manager_enrolment_start(m);
        if (r == -EBUSY)
                return sd_bus_error_setf(error, VH_ERROR_BUSY, "An enrolment is already %s.",
                                         m->enrol.state != ENROL_IDLE ? enrol_state_to_string(m->enrol.state) : "being loaded");
        if (r == -ENODEV)
                return sd_bus_error_setf(error, VH_ERROR_DEVICE_UNAVAILABLE, "No audio to record from: the microphone is %s.",
                                         wakeword_state_to_string(m->state));
        if (r == -EOPNOTSUPP)
                return sd_bus_error_set(error, VH_ERROR_NOT_SUPPORTED, "wakeword was started with --no-adaptation.");
        if (r < 0)
                return vh_bus_error_set_errnof(error, r, "Cannot start the enrolment: %s", strerror(-r));
        return sd_bus_reply_method_return(message, NULL);
}

static int method_cancel_enrolment(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        int r;

        r = check_enrol_allowed(m, message, "Cancelling an enrolment", error);
        if (r <= 0)
                return r;
        manager_enrolment_cancel(m);            /* nothing to cancel: nothing to do */
        return sd_bus_reply_method_return(message, NULL);
}

static int method_reset_adaptation(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        int r;

        r = check_enrol_allowed(m, message, "Resetting the adaptation", error);
        if (r <= 0)
                return r;
        r = manager_adaptation_reset(m);
        if (r == -EBUSY)
                return sd_bus_error_set(error, VH_ERROR_BUSY, "An enrolment is under way; cancel it first.");
        if (r < 0)
                return vh_bus_error_set_errnof(error, r, "Cannot remove the adaptation: %s", strerror(-r));
        return sd_bus_reply_method_return(message, NULL);
}

static const sd_bus_vtable wakeword_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Keyphrase", "s", property_get_keyphrase, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("State", "s", property_get_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Detections", "t", NULL, offsetof(Manager, detections), SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("LastWakeTimestamp", "t", NULL, offsetof(Manager, last_wake_realtime), SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("LastCommand", "s", property_get_string, offsetof(Manager, last_command), SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("LastRejection", "s", property_get_string, offsetof(Manager, last_rejection), SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Enrolment", "s", property_get_enrolment, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("EnrolmentPrompt", "s", property_get_enrolment_prompt, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("EnrolmentProgress", "(uu)", property_get_enrolment_progress, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Adaptation", "s", property_get_string, offsetof(Manager, adaptation), SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD("StartEnrolment", NULL, NULL, method_start_enrolment, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("CancelEnrolment", NULL, NULL, method_cancel_enrolment, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("ResetAdaptation", NULL, NULL, method_reset_adaptation, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_ARGS("EnrolmentTake",
                                SD_BUS_ARGS("u", index, "s", prompt, "b", accepted, "s", reason), 0),
        SD_BUS_SIGNAL_WITH_ARGS("EnrolmentFinished",
                                SD_BUS_ARGS("b", ok, "s", message), 0),
        SD_BUS_SIGNAL_WITH_ARGS("WakeWordDetected",
                                SD_BUS_ARGS("s", phrase, "d", score, "t", audio_usec), 0),
        SD_BUS_SIGNAL_WITH_ARGS("CommandRecognized",
                                SD_BUS_ARGS("s", text, "a{sv}", intent, "t", audio_usec), 0),
        SD_BUS_VTABLE_END,
};

int manager_bus_setup(Manager *m) {
        int r;

        r = sd_bus_add_object_vtable(m->bus, NULL, VH_WAKEWORD_OBJECT_PATH, VH_WAKEWORD_INTERFACE, wakeword_vtable, m);
        if (r < 0)
                return log_error_errno(r, "Failed to register %s: %m", VH_WAKEWORD_OBJECT_PATH);
        return 0;
}

void manager_bus_emit_changed_strv(Manager *m, char **names) {
        int r;

        r = bus_emit_properties_changed_strv(m->bus, VH_WAKEWORD_OBJECT_PATH, VH_WAKEWORD_INTERFACE, names);
        if (r < 0)
                log_warning_errno(r, "Failed to emit PropertiesChanged for %s: %m", names[0]);
}

int manager_bus_emit_wake(Manager *m, const RecognizerEvent *e) {
        return sd_bus_emit_signal(m->bus, VH_WAKEWORD_OBJECT_PATH, VH_WAKEWORD_INTERFACE, "WakeWordDetected", "sdt",
                                  e->text, e->score, e->audio_usec);
}

/* The intent as a{sv}: "action" s, and "value" typed per action (see the interface XML). */
static int intent_append(sd_bus_message *msg, const Intent *intent) {
        int r;

        r = sd_bus_message_open_container(msg, 'a', "{sv}");
        if (r < 0)
                return r;
        r = sd_bus_message_append(msg, "{sv}", "action", "s", intent_action_to_string(intent->action));
        if (r < 0)
                return r;
        switch (intent->action) {
        case INTENT_SET_TEMPERATURE:
                r = sd_bus_message_append(msg, "{sv}", "value", "d", intent->temperature);
                break;
        case INTENT_ADJUST_TEMPERATURE:
                r = sd_bus_message_append(msg, "{sv}", "value", "i", (int32_t) intent->delta);
                break;
        case INTENT_SET_POWER:
                r = sd_bus_message_append(msg, "{sv}", "value", "b", (int) intent->on);
                break;
        default:
                r = sd_bus_message_append(msg, "{sv}", "value", "s", intent->name);
        }
        if (r < 0)
                return r;
        return sd_bus_message_close_container(msg);
}

int manager_bus_emit_command(Manager *m, const RecognizerEvent *e) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *msg = NULL;
        int r;

        r = sd_bus_message_new_signal(m->bus, &msg, VH_WAKEWORD_OBJECT_PATH, VH_WAKEWORD_INTERFACE,
                                      "CommandRecognized");
        if (r < 0)
                return r;
        r = sd_bus_message_append(msg, "s", e->text);
        if (r < 0)
                return r;
        r = intent_append(msg, &e->intent);
        if (r < 0)
                return r;
        r = sd_bus_message_append(msg, "t", e->audio_usec);
        if (r < 0)
                return r;
        return sd_bus_send(m->bus, msg, NULL);
}

int manager_bus_emit_enrolment_take(Manager *m, unsigned index, const char *prompt, bool accepted, const char *reason) {
        return sd_bus_emit_signal(m->bus, VH_WAKEWORD_OBJECT_PATH, VH_WAKEWORD_INTERFACE, "EnrolmentTake", "usbs",
                                  index, prompt, (int) accepted, reason);
}

int manager_bus_emit_enrolment_finished(Manager *m, bool ok, const char *message) {
        return sd_bus_emit_signal(m->bus, VH_WAKEWORD_OBJECT_PATH, VH_WAKEWORD_INTERFACE, "EnrolmentFinished", "bs",
                                  (int) ok, message);
}
