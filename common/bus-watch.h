/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Follows one service on the bus as any client sees it: whether its well-known name has an owner
 * (GetNameOwner once at start, then NameOwnerChanged; no polling) and, when given a table, the
 * properties of one interface (GetAll each time an owner appears, then PropertiesChanged: only
 * the current owner's, and none while GetAll is out, since its answer is newer).
 * Every call is asynchronous and never asks the bus to activate the service, so a hung or
 * missing service never holds up the caller's loop.
 *
 * A property is handed over only with the type its table entry gives. One that comes with
 * another type is skipped, the others of the same reply or signal are still read, and
 * property_mistyped is called the first time that property is seen so (once per watch, so the
 * caller logs it once). A property the table does not name is skipped without a word.
 * The callbacks may use the bus but must not free the watch.
 * A change of owner in one NameOwnerChanged is seen as the old owner leaving, then the new one
 * arriving. Library code: it does not log. */

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "macro.h"

typedef struct BusWatch BusWatch;

typedef struct BusWatchProperty {
        const char *name;
        const char *signature;          /* one complete type: "b", "s", "t", "a{sv}" … */
} BusWatchProperty;

typedef struct BusWatchCallbacks {
        /* The name's owner (its unique name), or NULL for none: once when the first look-up
         * answers, then at every change. */
        void (*owner_changed)(const char *owner, void *userdata);
        /* One property of the table: m is positioned at its value, which has the table's type.
         * A negative return stops reading that reply or signal. */
        int (*property)(sd_bus_message *m, const char *name, void *userdata);
        /* After each GetAll reply and each PropertiesChanged: r < 0 when the call failed or the
         * message could not be read to its end (what was read before has been handed over). */
        void (*properties_read)(int r, void *userdata);
        /* A property of the table came with another type ("got" is the variant's signature). */
        void (*property_mistyped)(const char *name, const char *got, void *userdata);
} BusWatchCallbacks;

/* Watches "name". With "properties" (NULL-name-terminated, at most 64 entries, kept by
 * reference), also the properties of "interface" at "path"; with NULL, the owner alone. Strings
 * are copied. Nothing happens before bus_watch_start(). */
int bus_watch_new(sd_bus *bus, const char *name, const char *path, const char *interface,
                  const BusWatchProperty *properties, const BusWatchCallbacks *callbacks, void *userdata,
                  BusWatch **ret);
BusWatch *bus_watch_free(BusWatch *w);
DEFINE_TRIVIAL_CLEANUP_FUNC(BusWatch *, bus_watch_free);

/* Adds the matches and asks who owns the name now. */
int bus_watch_start(BusWatch *w);

/* The owner's unique name, NULL while there is none (or before the first answer). */
const char *bus_watch_owner(const BusWatch *w);
