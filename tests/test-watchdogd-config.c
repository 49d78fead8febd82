/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* watchdogd.json (watchdog-config.c): each kind of bad configuration refused with a message that
 * names the key and the problem, and the shipped file loading complete. */

#include <stdlib.h>

#include "harness.h"
#include "watchdog-config.h"

static void test_config(void) {
        static const struct { const char *text, *needle; } bad[] = {
                { "{ \"ping_interval_ms\": 1000, \"ping_timeout_ms\": 2000 }", "ping_timeout_ms must be shorter" },
                { "{ \"missed_pings\": 0 }", "missed_pings" },
                { "{ \"hvacd\": { \"exec\": [] } }", "hvacd.exec" },
                { "{ \"hvacd\": { \"exec\": [ \"hvacd\" ] } }", "not an absolute path" },
                { "{ \"audiod\": { \"exec\": [ \"/bin/true\", 3 ] } }", "element 1" },
                { "{ \"bogus\": 1 }", "bogus" },
        };
        char *path = test_tmp_path("watchdogd.json");

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                WatchdogConfig c;
                char *error = NULL;

                require(watchdog_config_init(&c) == 0, "init");
                require(test_write_file(path, bad[i].text) == 0, "write");
                check(watchdog_config_load(&c, path, true, &error) < 0 && error && strstr(error, bad[i].needle),
                      "'%s' refused naming '%s': %s", bad[i].text, bad[i].needle, error ?: "(accepted)");
                free(error);
                watchdog_config_done(&c);
        }

        {
                WatchdogConfig c;
                char *error = NULL, *shipped = test_src_path("watchdogd/watchdogd.json");

                require(watchdog_config_init(&c) == 0, "init");
                check(watchdog_config_load(&c, shipped, true, &error) == 0, "the shipped config loads: %s", error ?: "");
                check(c.rules.restart_burst >= 1 && c.services[SERVICE_HVACD].exec && c.services[SERVICE_HVACD].exec[0][0] == '/',
                      "shipped config is complete");
                free(error);
                free(shipped);
                watchdog_config_done(&c);
        }
        free(path);
}

int main(void) {
        test_config();
        return test_result();
}
