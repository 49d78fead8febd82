/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* libpulse, loaded when a sound server's source is mirrored and not before. Linked in, it maps
 * libpulse and what it needs (libX11, libsndfile and its codecs, D-Bus) into every audiod, some
 * 3 MiB of peak RSS, on a board that reads a card and runs no sound server at all. */

#include <pulse/context.h>
#include <pulse/error.h>
#include <pulse/introspect.h>
#include <pulse/operation.h>
#include <pulse/subscribe.h>

#define PULSE_SYMBOLS(X)                        \
        X(pa_context_connect)                   \
        X(pa_context_disconnect)                \
        X(pa_context_errno)                     \
        X(pa_context_get_source_info_by_name)   \
        X(pa_context_get_state)                 \
        X(pa_context_new)                       \
        X(pa_context_set_source_mute_by_name)   \
        X(pa_context_set_state_callback)        \
        X(pa_context_set_subscribe_callback)    \
        X(pa_context_subscribe)                 \
        X(pa_context_unref)                     \
        X(pa_operation_unref)                   \
        X(pa_strerror)

#define PULSE_SYMBOL_DECLARE(s) extern typeof(s) *sym_##s;
PULSE_SYMBOLS(PULSE_SYMBOL_DECLARE)

/* Loads libpulse.so.0 once and resolves the sym_* pointers above: 0, or -EOPNOTSUPP when the
 * library is not installed, -ELIBBAD when it lacks one of them. */
int pulse_dlopen(void);
