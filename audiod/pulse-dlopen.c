/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>

#include "pulse-dlopen.h"

#define PULSE_SYMBOL_DEFINE(s) typeof(s) *sym_##s = NULL;
PULSE_SYMBOLS(PULSE_SYMBOL_DEFINE)

int pulse_dlopen(void) {
        static void *library = NULL;
        void *dl;

        if (library)
                return 0;

        /* NODELETE as libpulse itself is: it cannot be unloaded once its threads have run. */
        dl = dlopen("libpulse.so.0", RTLD_NOW | RTLD_NODELETE);
        if (!dl)
                return -EOPNOTSUPP;

#define PULSE_SYMBOL_LOAD(s)                                    \
        sym_##s = (typeof(s) *) dlsym(dl, #s);                  \
        if (!sym_##s) {                                         \
                (void) dlclose(dl);                             \
                return -ELIBBAD;                                \
        }
        PULSE_SYMBOLS(PULSE_SYMBOL_LOAD)
#undef PULSE_SYMBOL_LOAD

        library = dl;
        return 0;
}
