/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdlib.h>

#include "bus-contract.h"
#include "bus-util.h"
#include "harness.h"
#include "hvac-client.h"

static sd_bus *hvac_bus;

void hvac_client_init(sd_bus *bus) {
        hvac_bus = bus;
}

double hvac_double(const char *property) {
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        double d = -999;

        if (sd_bus_get_property_trivial(hvac_bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, property,
                                        &e, 'd', &d) < 0)
                test_log("get %s: %s", property, e.message);
        return d;
}

int hvac_bool(const char *property) {
        int b = -1;

        (void) sd_bus_get_property_trivial(hvac_bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, property,
                                           NULL, 'b', &b);
        return b;
}

uint64_t hvac_u64(const char *property) {
        uint64_t t = UINT64_MAX;

        (void) sd_bus_get_property_trivial(hvac_bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, property,
                                           NULL, 't', &t);
        return t;
}

char *hvac_string(const char *property) {
        char *s = NULL;

        (void) sd_bus_get_property_string(hvac_bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, property,
                                          NULL, &s);
        return s;
}

bool hvac_string_is(const char *property, const char *value) {
        _cleanup_free_ char *s = hvac_string(property);

        return streq_ptr(s, value);
}

pid_t hvac_start(const char *log_name, const char *state_dir, const char *config, const char *const *options) {
        _cleanup_free_ char *binary = test_build_path("hvacd/hvacd");
        char *argv[16] = { binary, (char *) "--config", (char *) config };
        size_t n = 3;
        pid_t pid;

        for (; options && *options; options++) {
                require(n < ELEMENTSOF(argv) - 1, "at most %zu options for hvacd", ELEMENTSOF(argv) - 4);
                argv[n++] = (char *) *options;
        }
        setenv("STATE_DIRECTORY", state_dir, 1);
        pid = test_spawn(log_name, argv);
        require(pid > 0, "spawn hvacd");
        require(test_wait_for_name(hvac_bus, VH_HVAC_BUS_NAME, 10 * USEC_PER_SEC) == 0, "hvacd owns %s",
                VH_HVAC_BUS_NAME);
        return pid;
}

void hvac_stop(pid_t pid, const char *what) {
        int r = test_stop(pid, 10 * USEC_PER_SEC);

        check(r == 0, "%s: hvacd exits 0 on SIGTERM (got %d)", what, r);
        require(WAIT_FOR(sd_bus_get_name_creds(hvac_bus, VH_HVAC_BUS_NAME, 0, NULL) < 0, 5 * USEC_PER_SEC),
                "name released");
}
