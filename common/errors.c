/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"

const sd_bus_error_map vh_error_map[] = {
        SD_BUS_ERROR_MAP(VH_ERROR_INVALID_ARGUMENT,   EINVAL),
        SD_BUS_ERROR_MAP(VH_ERROR_NOT_AUTHORIZED,     EACCES),
        SD_BUS_ERROR_MAP(VH_ERROR_DEVICE_UNAVAILABLE, ENODEV),
        SD_BUS_ERROR_MAP(VH_ERROR_BACKEND_FAILED,     EIO),
        SD_BUS_ERROR_MAP(VH_ERROR_HARDWARE_MUTED,     EROFS),
        SD_BUS_ERROR_MAP(VH_ERROR_LIMIT_EXCEEDED,     EUSERS),
        SD_BUS_ERROR_MAP(VH_ERROR_BUSY,               EBUSY),
        SD_BUS_ERROR_MAP(VH_ERROR_NOT_SUPPORTED,      EOPNOTSUPP),
        SD_BUS_ERROR_MAP(VH_ERROR_FAILED,             EIO),
        SD_BUS_ERROR_MAP_END
};

int vh_errors_register(void) {
        int r;

        r = sd_bus_error_add_map(vh_error_map);
        return r < 0 ? r : 0;
}

const char *vh_error_name_from_errno(int error) {
        switch (abs(error)) {
        case EINVAL:
        case ERANGE:
        case EDOM:
                return VH_ERROR_INVALID_ARGUMENT;
        case EACCES:
        case EPERM:
                return VH_ERROR_NOT_AUTHORIZED;
        case ENODEV:
        case ENOENT:
        case ENXIO:
        case ESHUTDOWN:
                return VH_ERROR_DEVICE_UNAVAILABLE;
        case EIO:
        case ECOMM:
        case ETIMEDOUT:
        case ECONNREFUSED:
        case EHOSTUNREACH:
                return VH_ERROR_BACKEND_FAILED;
        case EROFS:
                return VH_ERROR_HARDWARE_MUTED;
        case EUSERS:
        case EMFILE:
        case ENFILE:
                return VH_ERROR_LIMIT_EXCEEDED;
        case EBUSY:
                return VH_ERROR_BUSY;
        case EOPNOTSUPP:
                return VH_ERROR_NOT_SUPPORTED;
        default:
                return VH_ERROR_FAILED;
        }
}

int vh_bus_error_set_errnof(sd_bus_error *error, int r, const char *format, ...) {
        va_list ap;
        int k;

        va_start(ap, format);
        errno = abs(r);
        k = sd_bus_error_setfv(error, vh_error_name_from_errno(r), format, ap);
        va_end(ap);
        return k;
}

int vh_bus_error_set_unreadable(sd_bus_error *error, int r) {
        if (r == -ENOMEM)
                return vh_bus_error_set_errnof(error, r, "Out of memory");
        return sd_bus_error_setf(error, VH_ERROR_INVALID_ARGUMENT, "Cannot read the arguments: %s", strerror(abs(r)));
}
