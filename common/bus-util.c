/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <signal.h>
#include <systemd/sd-daemon.h>

#include "bus-util.h"
#include "errors.h"

int bus_open_system_attached(sd_event *event, sd_bus **ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        assert(event);
        assert(ret);

        r = sd_bus_open_system(&bus);
        if (r < 0)
                return r;

        r = sd_bus_attach_event(bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(bus);
        return 0;
}

int bus_open_service(sd_event *event, sd_bus **ret) {
        int r;

        r = vh_errors_register();
        if (r < 0)
                return r;
        return bus_open_system_attached(event, ret);
}

int bus_request_name_and_notify(sd_bus *bus, const char *name) {
        int r;

        assert(bus);
        assert(name);

        /* Synchronous on purpose: the objects are in place, and nothing else may happen until we
         * know whether we are the owner. */
        r = sd_bus_request_name(bus, name, 0);
        if (r < 0)
                return r;

        (void) sd_notify(false, "READY=1\nSTATUS=Running.");
        return 0;
}

int event_new_with_defaults(sd_event **ret) {
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        sigset_t mask;
        int r;

        assert(ret);

        r = sd_event_default(&event);
        if (r < 0)
                return r;

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return negative_errno();

        r = sd_event_add_signal(event, NULL, SIGTERM, NULL, NULL);
        if (r < 0)
                return r;
        r = sd_event_add_signal(event, NULL, SIGINT, NULL, NULL);
        if (r < 0)
                return r;

        /* Does nothing unless WATCHDOG_USEC is set for this process. */
        r = sd_event_set_watchdog(event, true);
        if (r < 0)
                return r;

        /* A client that disconnects while we write to its socket must not kill us. */
        (void) signal(SIGPIPE, SIG_IGN);

        *ret = TAKE_PTR(event);
        return 0;
}

int bus_emit_properties_changed_strv(sd_bus *bus, const char *path, const char *interface, char **names) {
        assert(path);
        assert(interface);

        if (!bus || !names || !names[0])
                return 0;
        return sd_bus_emit_properties_changed_strv(bus, path, interface, names);
}

typedef struct SenderIds {
        uint32_t uid;
        bool have_uid, have_gids, member;
        gid_t gid;
} SenderIds;

static int read_sender_id(sd_bus_message *m, const char *name, void *userdata) {
        SenderIds *ids = userdata;
        uint32_t g;
        int r;

        if (streq(name, "UnixUserID")) {
                r = sd_bus_message_read(m, "v", "u", &ids->uid);
                ids->have_uid = r >= 0;
                return r;
        }
        if (!streq(name, "UnixGroupIDs"))
                return sd_bus_message_skip(m, "v");

        r = sd_bus_message_enter_container(m, 'v', "au");
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(m, 'a', "u");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(m, "u", &g)) > 0)
                ids->member = ids->member || (ids->gid != (gid_t) -1 && g == ids->gid);
        if (r < 0)
                return r;
        ids->have_gids = true;
        r = sd_bus_message_exit_container(m);
        return r < 0 ? r : sd_bus_message_exit_container(m);
}

/* What the bus daemon recorded of the sender when it connected (SO_PEERCRED, SO_PEERGROUPS),
 * through GetConnectionCredentials: not read from /proc, so it cannot race with the caller's
 * process and needs no view of it (ProtectProc=invisible). */
static int sender_ids_from_bus(sd_bus_message *m, SenderIds *ids) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *sender = sd_bus_message_get_sender(m);
        int r;

        if (!sender)
                return -EBADMSG;
        r = sd_bus_call_method(sd_bus_message_get_bus(m), "org.freedesktop.DBus", "/org/freedesktop/DBus",
                               "org.freedesktop.DBus", "GetConnectionCredentials", NULL, &reply, "s", sender);
        if (r < 0)
                return r;
        return bus_read_property_dict(reply, read_sender_id, ids);
}

int bus_message_sender_in_group(sd_bus_message *m, gid_t gid, bool *ret) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        SenderIds ids = { .gid = gid };
        const gid_t *gids = NULL;
        uid_t euid;
        gid_t egid;
        int r, n;

        assert(m);
        assert(ret);

        r = sender_ids_from_bus(m, &ids);
        if (r >= 0 && ids.have_uid && ids.have_gids) {
                /* UnixGroupIDs holds the primary group too. */
                *ret = ids.uid == 0 || ids.member;
                return 0;
        }

        /* A bus that does not say (an older dbus-daemon): sd-bus's view, from /proc. */
        r = sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID | SD_BUS_CREDS_EGID |
                                         SD_BUS_CREDS_SUPPLEMENTARY_GIDS | SD_BUS_CREDS_AUGMENT, &creds);
        if (r < 0)
                return r;

        r = sd_bus_creds_get_euid(creds, &euid);
        if (r < 0)
                return r;
        if (euid == 0) {
                *ret = true;
                return 0;
        }

        if (gid != (gid_t) -1) {
                if (sd_bus_creds_get_egid(creds, &egid) >= 0 && egid == gid) {
                        *ret = true;
                        return 0;
                }

                n = sd_bus_creds_get_supplementary_gids(creds, &gids);
                for (int i = 0; i < n; i++)
                        if (gids[i] == gid) {
                                *ret = true;
                                return 0;
                        }
        }

        *ret = false;
        return 0;
}

int bus_read_property_dict(sd_bus_message *m, bus_property_reader_t one, void *userdata) {
        const char *name;
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                r = sd_bus_message_read(m, "s", &name);
                if (r < 0)
                        return r;
                r = one(m, name, userdata);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}
