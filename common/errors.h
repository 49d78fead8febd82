/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The named D-Bus errors every voicehvac service answers with: their names are in
 * bus-contract.h, errno becomes one of them here. */

#include <systemd/sd-bus.h>

#include "bus-contract.h"          /* the VH_ERROR_* names */

extern const sd_bus_error_map vh_error_map[];

/* Registers vh_error_map with sd-bus, so that a client's sd_bus_error_get_errno() (and the
 * negative errno of sd_bus_call()) turns our names back into errno. Only that way round: to
 * name an errno, sd_bus_error_set_errno() and a method handler's bare negative return use
 * sd-bus's own fixed table (org.freedesktop.DBus.Error.*), whatever is registered. So a method
 * handler never returns a negative errno with the error unset: it replies through
 * vh_bus_error_set_errnof() or vh_bus_error_set_unreadable(). (A call whose signature is not
 * the method's, or to a method that does not exist, is refused by sd-bus before any handler
 * runs, with the bus's standard InvalidArgs or UnknownMethod.) A daemon's bus_open_service()
 * (bus-util.h) calls it once; a client calls it itself. */
int vh_errors_register(void);

/* The one place errno becomes a named error for a reply: EINVAL → InvalidArgument,
 * EACCES/EPERM → NotAuthorized, ENODEV/ENOENT/ENXIO → DeviceUnavailable, EIO → BackendFailed,
 * EUSERS/EMFILE → LimitExceeded, EBUSY → Busy, EOPNOTSUPP → NotSupported, else Failed. */
const char *vh_error_name_from_errno(int error);
int vh_bus_error_set_errnof(sd_bus_error *error, int r, const char *format, ...)
        __attribute__((format(printf, 3, 4)));
/* A call's arguments could not be read (r from sd_bus_message_read() and friends): the message
 * is malformed, so InvalidArgument; -ENOMEM stays Failed. Returns the negative errno to return. */
int vh_bus_error_set_unreadable(sd_bus_error *error, int r);
