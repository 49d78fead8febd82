/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* watchdogd's pressure files (psi.c): the lines of /proc/pressure and cgroup pressure files, and
 * the hub's cgroup found from /proc/self/cgroup. The rule on the figures is in
 * test-watchdogd-rules.c, a real load in test-watchdogd-pressure.c. */

#include "harness.h"
#include "psi.h"

static void test_psi(void) {
        PsiLine l;

        check(psi_parse("some avg10=6.94 avg60=2.86 avg300=1.30 total=18599381\n"
                        "full avg10=0.50 avg60=0.00 avg300=0.00 total=12\n", "full", &l) == 0 &&
              l.avg10 == 0.5 && l.total_usec == 12, "full line: %f %llu", l.avg10, (unsigned long long) l.total_usec);
        check(psi_parse("some avg10=6.94 avg60=2.86 avg300=1.30 total=18599381\n", "some", &l) == 0 && l.avg10 == 6.94,
              "some line");
        check(psi_parse("some avg10=x\n", "some", &l) < 0, "malformed");
        check(psi_parse("", "some", &l) == -ENOENT, "missing");
}

static void test_hub_cgroup(void) {
        static const struct { const char *text, *hub; } cases[] = {
                { "0::/voicehvac.slice/voicehvac-watchdog.slice/voicehvac-watchdogd.service\n", "/voicehvac.slice" },
                { "12:pids:/\n1:name=systemd:/voicehvac.slice/x\n0::/voicehvac.slice/voicehvac-audio.slice/voicehvac-audiod.service\n",
                  "/voicehvac.slice" },
                { "0::/machine.slice/box.scope/voicehvac.slice/voicehvac-hvac.slice\n", "/machine.slice/box.scope/voicehvac.slice" },
                { "0::/voicehvac.slice\n", "/voicehvac.slice" },
                { "0::/system.slice/voicehvac-watchdogd.service\n", NULL },
                { "0::/voicehvac.slicer/x\n", NULL },
                { "4:memory:/voicehvac.slice/x\n", NULL },
                { "", NULL },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *hub = NULL;
                int r = psi_hub_cgroup(cases[i].text, &hub);

                if (cases[i].hub)
                        check(r == 0 && streq(hub, cases[i].hub), "'%s' → %s: %d %s", cases[i].text, cases[i].hub, r, hub ?: "(none)");
                else
                        check(r == -ENOENT, "'%s' → no hub cgroup: %d %s", cases[i].text, r, hub ?: "(none)");
                free(hub);
        }
}

int main(void) {
        test_psi();
        test_hub_cgroup();
        return test_result();
}
