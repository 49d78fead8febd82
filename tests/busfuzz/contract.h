/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The reviewed bus contract, read from dbus-interfaces/<name>.xml: the service's interface, its
 * methods with their input signatures, its properties, and every "quoted" word of the
 * documentation comments (the values a method documents, e.g. "cool" or "target_temperature",
 * which steer the fuzzer into the code behind the argument checks). */

#include <stdbool.h>
#include <stddef.h>

typedef struct ContractMethod {
        char *name;
        char *in_signature;
} ContractMethod;

typedef struct ContractProperty {
        char *name;
        char *type;
        bool writable;
} ContractProperty;

typedef struct Contract {
        char *bus_name;                 /* = the interface name, by the project's convention */
        char *object_path;              /* /org/voicehvac/Audio1 for org.voicehvac.Audio1 */
        char *interface;
        ContractMethod *methods;
        size_t n_methods;
        ContractProperty *properties;
        size_t n_properties;
        char **words;
        size_t n_words;
} Contract;

/* Loads one XML file; -EBADMSG when it holds no interface. */
int contract_load(const char *path, Contract *ret);
void contract_done(Contract *c);
