/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The common bus watcher against a real private dbus-daemon: a service connection that takes and
 * gives up a name and publishes properties (one of them of the wrong type), a watcher on a second
 * connection, and a third that sends a PropertiesChanged in the service's name, all in one event
 * loop. */

#include <inttypes.h>
#include <systemd/sd-event.h>

#include "bus-watch.h"
#include "harness.h"
#include "string-util.h"

#define NAME "org.voicehvac.TestWatch1"
#define PATH "/org/voicehvac/TestWatch1"
#define INTERFACE "org.voicehvac.TestWatch1"
#define DEADLINE (5 * USEC_PER_SEC)

/* The service side: Level is published as "u" where the watcher expects "s". */
typedef struct ServiceProps {
        int muted;
        uint32_t level;
        uint64_t count;
        const char *other;
} ServiceProps;

static ServiceProps service = { .level = 7, .count = 41, .other = "not watched" };

static const sd_bus_vtable service_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Muted", "b", NULL, offsetof(ServiceProps, muted), SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Level", "u", NULL, offsetof(ServiceProps, level), SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Count", "t", NULL, offsetof(ServiceProps, count), SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Other", "s", NULL, offsetof(ServiceProps, other), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_VTABLE_END
};

/* What the watcher saw. */
static char *seen_owner;
static unsigned owner_calls;
static int seen_muted = -1;
static uint64_t seen_count;
static unsigned seen_levels, mistyped_calls, reads, read_failures, spoofed;
static bool pinged;

static const BusWatchProperty watched[] = {
        { "Muted", "b" },
        { "Level", "s" },       /* the service sends "u": skipped, reported once */
        { "Count", "t" },
        {}
};

static void on_owner(const char *owner, void *userdata) {
        free(seen_owner);
        seen_owner = owner ? strdup(owner) : NULL;
        owner_calls++;
}

static int on_property(sd_bus_message *m, const char *name, void *userdata) {
        int b;

        if (streq(name, "Muted")) {
                if (sd_bus_message_read(m, "b", &b) < 0)
                        return -EBADMSG;
                seen_muted = b;
        } else if (streq(name, "Count")) {
                if (sd_bus_message_read(m, "t", &seen_count) < 0)
                        return -EBADMSG;
                if (seen_count == 99)
                        spoofed++;      /* must never happen: not sent by the owner */
        } else if (streq(name, "Level"))
                seen_levels++;  /* must never happen: it has the wrong type */
        return 0;
}

static void on_read(int r, void *userdata) {
        reads++;
        if (r < 0)
                read_failures++;
}

static void on_mistyped(const char *name, const char *got, void *userdata) {
        check(streq(name, "Level") && streq(got, "u"), "mistyped %s as '%s'", name, got);
        mistyped_calls++;
}

static bool run_until(sd_event *e, bool (*cond)(void)) {
        usec_t end = now_usec(CLOCK_MONOTONIC) + test_scaled_usec(DEADLINE);

        while (!cond() && now_usec(CLOCK_MONOTONIC) < end)
                (void) sd_event_run(e, 50 * USEC_PER_MSEC);
        return cond();
}

static unsigned want_owner_calls, want_reads;
static uint64_t want_count;
static bool owner_calls_reached(void) { return owner_calls >= want_owner_calls; }
static bool reads_reached(void) { return reads >= want_reads; }
static bool count_reached(void) { return seen_count == want_count; }
static bool ping_answered(void) { return pinged; }

static int on_ping(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        pinged = true;
        return 0;
}

int main(void) {
        static const BusWatchCallbacks callbacks = {
                .owner_changed = on_owner,
                .property = on_property,
                .properties_read = on_read,
                .property_mistyped = on_mistyped,
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus_service = NULL, *client = NULL, *spoofer = NULL;
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *object = NULL, *everything = NULL, *ping = NULL;
        _cleanup_(bus_watch_freep) BusWatch *w = NULL;
        _cleanup_(sd_event_unrefp) sd_event *e = NULL;
        const char *unique = NULL;

        if (test_bus_start() < 0)
                test_skip("cannot start a private dbus-daemon");
        require(sd_event_new(&e) >= 0, "event loop");
        require(test_bus_connect(&bus_service) >= 0, "service connection");
        require(test_bus_connect(&client) >= 0, "client connection");
        require(test_bus_connect(&spoofer) >= 0, "spoofer connection");
        require(sd_bus_attach_event(bus_service, e, 0) >= 0 && sd_bus_attach_event(client, e, 0) >= 0, "attach");
        require(sd_bus_add_object_vtable(bus_service, &object, PATH, INTERFACE, service_vtable, &service) >= 0,
                "vtable");

        /* Not there yet: one answer, no owner, no properties. */
        require(bus_watch_new(client, NAME, PATH, INTERFACE, watched, &callbacks, NULL, &w) >= 0, "new");
        require(bus_watch_start(w) >= 0, "start");
        want_owner_calls = 1;
        check(run_until(e, owner_calls_reached), "the first look-up answers");
        check(owner_calls == 1 && !seen_owner && !bus_watch_owner(w), "no owner at first (%u calls)", owner_calls);
        check(reads == 0, "no properties read without an owner");

        /* The name appears: owner, then GetAll with the mistyped property skipped and the one after
         * it still read. */
        require(sd_bus_get_unique_name(bus_service, &unique) >= 0, "unique name");
        require(sd_bus_request_name(bus_service, NAME, 0) >= 0, "request name");
        want_owner_calls = 2;
        want_reads = 1;
        check(run_until(e, owner_calls_reached) && run_until(e, reads_reached), "owner and GetAll seen");
        check(streq_ptr(seen_owner, unique) && streq_ptr(bus_watch_owner(w), unique), "owner %s, expected %s",
              strna(seen_owner), unique);
        check(read_failures == 0, "GetAll read to its end (%u failures)", read_failures);
        check(seen_muted == 0, "Muted read (%d)", seen_muted);
        check(seen_count == 41, "Count after the mistyped Level read (%" PRIu64 ")", seen_count);
        check(seen_levels == 0, "the mistyped Level never handed over");
        check(mistyped_calls == 1, "mistyped reported once (%u)", mistyped_calls);

        /* PropertiesChanged with all three: the same again, and the mistype not reported twice. */
        service.muted = 1;
        service.count = 42;
        service.level = 8;
        require(sd_bus_emit_properties_changed(bus_service, PATH, INTERFACE, "Level", "Muted", "Count", NULL) >= 0,
                "emit");
        want_reads = 2;
        check(run_until(e, reads_reached), "PropertiesChanged seen");
        check(seen_muted == 1 && seen_count == 42, "changes read (Muted %d, Count %" PRIu64 ")", seen_muted,
              seen_count);
        check(seen_levels == 0 && mistyped_calls == 1, "Level still skipped, reported once (%u)", mistyped_calls);
        check(read_failures == 0, "no read failed");

        /* Another connection sends a PropertiesChanged with the service's path and interface. The
         * client has a broad match of its own, so the bus hands it over: the watch drops it, and
         * reads the owner's next change. Both are made to reach the client in this order. */
        require(sd_bus_add_match(client, &everything, "type='signal',interface='org.freedesktop.DBus.Properties'",
                                 NULL, NULL) >= 0, "broad match");
        require(sd_bus_emit_signal(spoofer, PATH, "org.freedesktop.DBus.Properties", "PropertiesChanged", "sa{sv}as",
                                   INTERFACE, 1, "Count", "t", UINT64_C(99), 0) >= 0, "spoof");
        require(sd_bus_call_method(spoofer, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                   "GetId", NULL, NULL, "") >= 0, "the spoof routed");
        service.count = 43;
        require(sd_bus_emit_properties_changed(bus_service, PATH, INTERFACE, "Count", NULL) >= 0, "emit");
        want_count = 43;
        check(run_until(e, count_reached), "the owner's change after the spoofed one read");
        check(spoofed == 0 && reads == 3, "the spoofed change dropped (%u handed over, %u reads)", spoofed, reads);
        everything = sd_bus_slot_unref(everything);

        /* The name goes. */
        require(sd_bus_release_name(bus_service, NAME) >= 0, "release name");
        want_owner_calls = 3;
        check(run_until(e, owner_calls_reached), "the owner's leaving seen");
        check(!seen_owner && !bus_watch_owner(w), "no owner after release");

        /* Back again, with a change sent at once: it reaches the watcher while its GetAll is out,
         * whose answer is newer, so it is not read on its own. The Ping answered after GetAll's
         * says no read is still to come. */
        require(sd_bus_request_name(bus_service, NAME, 0) >= 0, "request name again");
        service.count = 50;
        require(sd_bus_emit_properties_changed(bus_service, PATH, INTERFACE, "Count", NULL) >= 0, "emit");
        want_owner_calls = 4;
        want_reads = 4;
        check(run_until(e, owner_calls_reached) && run_until(e, reads_reached), "the owner's return seen");
        check(streq_ptr(seen_owner, unique), "owner again");
        require(sd_bus_call_method_async(client, &ping, NAME, PATH, "org.freedesktop.DBus.Peer", "Ping", on_ping,
                                         NULL, "") >= 0, "ping");
        check(run_until(e, ping_answered), "ping answered");
        check(reads == 4 && seen_count == 50, "one read, GetAll's, for the return (%u reads, Count %" PRIu64 ")",
              reads, seen_count);

        free(seen_owner);
        return test_result();
}
