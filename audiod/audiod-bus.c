/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "bus-util.h"
#include "errors.h"
#include "log.h"
#include "manager.h"

static int property_get_muted(sd_bus *bus, const char *path, const char *interface, const char *property,
                              sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        return sd_bus_message_append(reply, "b", m->muted);
}

static int property_get_state_unsaved(sd_bus *bus, const char *path, const char *interface, const char *property,
                                      sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        return sd_bus_message_append(reply, "b", state_saver_unsaved(m->mute_saver));
}

static int property_get_state(sd_bus *bus, const char *path, const char *interface, const char *property,
                              sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        return sd_bus_message_append(reply, "s", capture_state_to_string(m->state));
}

static int property_get_device(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        return sd_bus_message_append(reply, "s", m->config.device);
}

static int property_get_mute_control(sd_bus *bus, const char *path, const char *interface, const char *property,
                                     sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        return sd_bus_message_append(reply, "s", m->mixer ? mixer_ctl_name(m->mixer) : "");
}

static int property_get_unsigned(sd_bus *bus, const char *path, const char *interface, const char *property,
                                 sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "u", *(unsigned *) userdata);
}

static int property_get_uint64(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "t", *(uint64_t *) userdata);
}

static int property_get_clients(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        return sd_bus_message_append(reply, "u", stream_set_clients(m->streams));
}

static int property_get_dropped(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        return sd_bus_message_append(reply, "t", stream_set_dropped(m->streams));
}

static int method_set_mute(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        int muted, r;

        r = sd_bus_message_read(message, "b", &muted);
        if (r < 0)
                return vh_bus_error_set_unreadable(error, r);

        if (!!muted == m->muted)
                return sd_bus_reply_method_return(message, NULL);

        /* Anyone the bus policy lets through may mute; opening the microphone takes more. */
        if (!muted) {
                r = bus_verify_control_async(message, m->unmute_gid, m->config.unmute_group, VH_POLKIT_AUDIO_UNMUTE,
                                             "Unmuting", m->polkit, error);
                if (r < 0)
                        return r;
                if (r == 0)
                        return 1;       /* polkit is asked; the call comes back here with its answer */
        }

        r = manager_set_muted(m, muted);
        if (r < 0)
                return vh_bus_error_set_errnof(error, r, "Failed to %s the capture switch: %s",
                                               muted ? "turn off" : "turn on", strerror(-r));

        return sd_bus_reply_method_return(message, NULL);
}

static int method_open_stream(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_close_ int fd = -EBADF;
        Manager *m = userdata;
        int r;

        r = stream_set_add_client(m->streams, &fd);
        if (r == -EUSERS)
                return sd_bus_error_setf(error, VH_ERROR_LIMIT_EXCEEDED,
                                         "Too many stream clients (at most %u).", m->config.max_clients);
        if (r < 0)
                return vh_bus_error_set_errnof(error, r, "Failed to create a stream: %s", strerror(-r));

        /* The reply carries a duplicate; ours is closed on return. */
        return sd_bus_reply_method_return(message, "h", fd);
}

/* Distinct connections that may follow the level at once. */
#define LEVEL_LISTENERS_MAX 64

static int method_start_level(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        int r;

        if (sd_bus_track_count_sender(m->level_listeners, message) == 0 &&
            sd_bus_track_count(m->level_listeners) >= LEVEL_LISTENERS_MAX)
                return sd_bus_error_setf(error, VH_ERROR_LIMIT_EXCEEDED,
                                         "Too many level listeners (at most %u).", LEVEL_LISTENERS_MAX);

        r = sd_bus_track_add_sender(m->level_listeners, message);
        if (r < 0)
                return vh_bus_error_set_errnof(error, r, "Failed to follow the caller: %s", strerror(-r));

        return sd_bus_reply_method_return(message, NULL);
}

static int method_stop_level(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        int r;

        r = sd_bus_track_remove_sender(m->level_listeners, message);
        if (r < 0)
                return vh_bus_error_set_errnof(error, r, "Failed to forget the caller: %s", strerror(-r));
        if (r == 0)
                return sd_bus_error_setf(error, VH_ERROR_INVALID_ARGUMENT,
                                         "StopLevel without a StartLevel from this connection.");

        return sd_bus_reply_method_return(message, NULL);
}

static const sd_bus_vtable audio_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Muted", "b", property_get_muted, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("StateUnsaved", "b", property_get_state_unsaved, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("State", "s", property_get_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Device", "s", property_get_device, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("MuteControl", "s", property_get_mute_control, 0, 0),
        SD_BUS_PROPERTY("SampleRate", "u", property_get_unsigned, offsetof(Manager, rate),
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Channels", "u", property_get_unsigned, offsetof(Manager, channels),
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("PeriodFrames", "u", property_get_unsigned, offsetof(Manager, period_frames),
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Xruns", "t", property_get_uint64, offsetof(Manager, xruns),
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Clients", "u", property_get_clients, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("DroppedPackets", "t", property_get_dropped, 0, 0),
        SD_BUS_METHOD_WITH_ARGS("SetMute",
                                SD_BUS_ARGS("b", muted),
                                SD_BUS_NO_RESULT,
                                method_set_mute,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("OpenStream",
                                SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("h", fd),
                                method_open_stream,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("StartLevel",
                                SD_BUS_NO_ARGS,
                                SD_BUS_NO_RESULT,
                                method_start_level,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("StopLevel",
                                SD_BUS_NO_ARGS,
                                SD_BUS_NO_RESULT,
                                method_stop_level,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_ARGS("Level",
                                SD_BUS_ARGS("d", rms_dbfs, "d", peak_dbfs, "t", audio_usec),
                                0),
        SD_BUS_VTABLE_END
};

void manager_bus_emit_changed_strv(Manager *m, char **names) {
        int r;

        r = bus_emit_properties_changed_strv(m->bus, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE, names);
        if (r < 0)
                log_warning_errno(r, "Failed to emit PropertiesChanged for %s: %m", names[0]);
}

void manager_emit_level(Manager *m, const LevelReading *lr, usec_t audio_usec) {
        if (m->bus)
                (void) sd_bus_emit_signal(m->bus, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE, "Level", "ddt",
                                          lr->rms_dbfs, lr->peak_dbfs, (uint64_t) audio_usec);
}

int manager_bus_setup(Manager *m) {
        int r;

        r = sd_bus_track_new(m->bus, &m->level_listeners, NULL, NULL);
        if (r >= 0)
                r = sd_bus_track_set_recursive(m->level_listeners, true);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the level listeners: %m");

        r = sd_bus_add_object_vtable(m->bus, NULL, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE, audio_vtable, m);
        if (r < 0)
                return log_error_errno(r, "Failed to add the %s object: %m", VH_AUDIO_OBJECT_PATH);

        return 0;
}
