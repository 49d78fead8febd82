/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include "bus-util.h"
#include "bus-watch.h"

#define BUS_WATCH_PROPERTIES_MAX 64

struct BusWatch {
        sd_bus *bus;
        char *name, *path, *interface;
        const BusWatchProperty *properties;
        BusWatchCallbacks callbacks;
        void *userdata;

        sd_bus_slot *owner_match, *properties_match, *owner_call, *get_all_call;
        char *owner;
        uint64_t mistyped_reported;     /* one bit a table entry */
};

const char *bus_watch_owner(const BusWatch *w) {
        return w->owner;
}

static int call_async(BusWatch *w, sd_bus_slot **slot, const char *destination, const char *path,
                      const char *interface, const char *member, sd_bus_message_handler_t callback,
                      const char *argument) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_method_call(w->bus, &m, destination, path, interface, member);
        if (r < 0)
                return r;
        /* Never ask the bus to start anything: we want to know what is there. */
        r = sd_bus_message_set_auto_start(m, false);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "s", argument);
        if (r < 0)
                return r;
        *slot = sd_bus_slot_unref(*slot);
        return sd_bus_call_async(w->bus, slot, m, callback, w, 0);
}

static int property_read(sd_bus_message *m, const char *name, void *userdata) {
        BusWatch *w = userdata;
        const char *contents;
        char type;
        size_t i;
        int r;

        for (i = 0; w->properties[i].name; i++)
                if (streq(w->properties[i].name, name))
                        break;
        if (!w->properties[i].name)
                return sd_bus_message_skip(m, "v");

        r = sd_bus_message_peek_type(m, &type, &contents);
        if (r < 0)
                return r;
        if (type != SD_BUS_TYPE_VARIANT)
                return -EBADMSG;
        if (!streq(contents, w->properties[i].signature)) {
                if (!(w->mistyped_reported & (UINT64_C(1) << i))) {
                        w->mistyped_reported |= UINT64_C(1) << i;
                        if (w->callbacks.property_mistyped)
                                w->callbacks.property_mistyped(name, contents, w->userdata);
                }
                return sd_bus_message_skip(m, "v");
        }

        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_VARIANT, contents);
        if (r < 0)
                return r;
        if (w->callbacks.property) {
                r = w->callbacks.property(m, name, w->userdata);
                if (r < 0)
                        return r;
        } else {
                r = sd_bus_message_skip(m, contents);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_exit_container(m);
}

static void properties_read(BusWatch *w, sd_bus_message *m) {
        int r;

        r = bus_read_property_dict(m, property_read, w);
        if (w->callbacks.properties_read)
                w->callbacks.properties_read(r < 0 ? r : 0, w->userdata);
}

static int on_get_all(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusWatch *w = userdata;

        w->get_all_call = sd_bus_slot_unref(w->get_all_call);
        if (sd_bus_message_is_method_error(m, NULL)) {
                int r = sd_bus_error_get_errno(sd_bus_message_get_error(m));

                if (w->callbacks.properties_read)
                        w->callbacks.properties_read(r > 0 ? -r : -EIO, w->userdata);
                return 0;
        }
        properties_read(w, m);
        return 0;
}

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusWatch *w = userdata;
        const char *interface;

        /* Anyone may send a signal with this path and interface: only the owner's are believed.
         * While GetAll is out, its answer brings all that changed before it. */
        if (!w->owner || w->get_all_call || !streq_ptr(sd_bus_message_get_sender(m), w->owner))
                return 0;
        if (sd_bus_message_read(m, "s", &interface) < 0 || !streq(interface, w->interface))
                return 0;
        properties_read(w, m);
        return 0;
}

static void owner_set(BusWatch *w, const char *owner) {
        char *copy = NULL;
        int r;

        if (owner) {
                copy = strdup(owner);
                if (!copy)
                        return;         /* seen again at the next change */
        }
        free(w->owner);
        w->owner = copy;
        w->get_all_call = sd_bus_slot_unref(w->get_all_call);
        /* The properties are asked for first, so that their answer comes before the answer to
         * anything the callback asks the new owner. */
        if (owner && w->properties) {
                r = call_async(w, &w->get_all_call, w->name, w->path, "org.freedesktop.DBus.Properties",
                               "GetAll", on_get_all, w->interface);
                if (r < 0 && w->callbacks.properties_read)
                        w->callbacks.properties_read(r, w->userdata);
        }
        if (w->callbacks.owner_changed)
                w->callbacks.owner_changed(owner, w->userdata);
}

static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusWatch *w = userdata;
        const char *name, *old_owner, *new_owner;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0 || !streq(name, w->name))
                return 0;
        if (w->owner)
                owner_set(w, NULL);
        if (!isempty(new_owner))
                owner_set(w, new_owner);
        return 0;
}

static int on_get_name_owner(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusWatch *w = userdata;
        const char *owner = NULL;

        w->owner_call = sd_bus_slot_unref(w->owner_call);
        if (w->owner)
                return 0;       /* NameOwnerChanged was first */
        if (!sd_bus_message_is_method_error(m, NULL) && sd_bus_message_read(m, "s", &owner) < 0)
                owner = NULL;
        if (owner)
                owner_set(w, owner);
        else if (w->callbacks.owner_changed)
                w->callbacks.owner_changed(NULL, w->userdata);
        return 0;
}

int bus_watch_new(sd_bus *bus, const char *name, const char *path, const char *interface,
                  const BusWatchProperty *properties, const BusWatchCallbacks *callbacks, void *userdata,
                  BusWatch **ret) {
        _cleanup_(bus_watch_freep) BusWatch *w = NULL;
        size_t n = 0;

        assert(bus);
        assert(name);
        assert(callbacks);
        assert(ret);
        assert(!properties || (path && interface));

        for (const BusWatchProperty *p = properties; p && p->name; p++)
                n++;
        if (n > BUS_WATCH_PROPERTIES_MAX)
                return -E2BIG;

        w = calloc(1, sizeof *w);
        if (!w)
                return -ENOMEM;
        w->bus = sd_bus_ref(bus);
        w->properties = properties;
        w->callbacks = *callbacks;
        w->userdata = userdata;
        w->name = strdup(name);
        if (!w->name)
                return -ENOMEM;
        if (properties) {
                w->path = strdup(path);
                w->interface = strdup(interface);
                if (!w->path || !w->interface)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(w);
        return 0;
}

BusWatch *bus_watch_free(BusWatch *w) {
        if (!w)
                return NULL;
        sd_bus_slot_unref(w->owner_match);
        sd_bus_slot_unref(w->properties_match);
        sd_bus_slot_unref(w->owner_call);
        sd_bus_slot_unref(w->get_all_call);
        sd_bus_unref(w->bus);
        free(w->owner);
        free(w->name);
        free(w->path);
        free(w->interface);
        free(w);
        return NULL;
}

int bus_watch_start(BusWatch *w) {
        _cleanup_free_ char *match = NULL;
        int r;

        if (asprintf(&match, "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
                     "interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='%s'", w->name) < 0)
                return -ENOMEM;
        r = sd_bus_add_match_async(w->bus, &w->owner_match, match, on_name_owner_changed, NULL, w);
        if (r < 0)
                return r;

        if (w->properties) {
                match = mfree(match);
                if (asprintf(&match, "type='signal',sender='%s',path='%s',interface='org.freedesktop.DBus.Properties',"
                             "member='PropertiesChanged',arg0='%s'", w->name, w->path, w->interface) < 0)
                        return -ENOMEM;
                r = sd_bus_add_match_async(w->bus, &w->properties_match, match, on_properties_changed, NULL, w);
                if (r < 0)
                        return r;
        }

        return call_async(w, &w->owner_call, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                          "GetNameOwner", on_get_name_owner, w->name);
}
