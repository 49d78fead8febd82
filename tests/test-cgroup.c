/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* cgroup v2 placement against an ordinary directory tree standing in for /sys/fs/cgroup: the
 * hierarchy check, the controllers enabled on the way down, the budget files with the numbers of
 * cgroups/budget.json, and the pid in cgroup.procs. Also that this machine's own hierarchy is
 * judged correctly (here: v1/hybrid → not usable, with a reason). */

#include <stdio.h>
#include <sys/stat.h>

#include "cgroup.h"
#include "fileio.h"
#include "harness.h"

static char *read_text(const char *dir, const char *file) {
        char *path = NULL, *text = NULL;

        if (asprintf(&path, "%s/%s", dir, file) < 0)
                return NULL;
        if (read_full_file(path, 4096, &text, NULL) < 0)
                text = NULL;
        free(path);
        return text;
}

static void check_file(const char *dir, const char *file, const char *expected) {
        _cleanup_free_ char *text = read_text(dir, file);

        check(text && streq(text, expected), "%s/%s is '%s', expected '%s'", dir, file, text ?: "(missing)", expected);
}

static void test_budget_file(BudgetTable *t) {
        _cleanup_free_ char *path = test_src_path("cgroups/budget.json"), *error = NULL;
        const char *names[] = { "audiod", "wakeword", "hvacd", "mqttd", "watchdogd" };

        budget_table_init(t);
        require(budget_table_load(t, path, &error) == 0, "cgroups/budget.json loads: %s", error ?: "");
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                const CgroupBudget *b = budget_table_find(t, names[i]);
                check(b && b->memory_high_mib <= b->memory_max_mib && b->cpu_weight >= 1, "%s budget sane", names[i]);
        }
        check(t->audiod.cpu_weight > t->wakeword.cpu_weight && t->audiod.cpu_weight > t->hvacd.cpu_weight &&
              t->audiod.cpu_weight > t->mqttd.cpu_weight,
              "audio gets the highest CPU weight");
        check(budget_table_find(t, "nope") == NULL, "unknown service");

        {
                _cleanup_free_ char *bad = test_tmp_path("bad-budget.json"), *e = NULL;
                BudgetTable u;

                budget_table_init(&u);
                require(test_write_file(bad, "{ \"hvacd\": { \"memory_high_mib\": 64, \"memory_max_mib\": 32 } }") == 0, "write");
                check(budget_table_load(&u, bad, &e) < 0 && e && strstr(e, "memory_high_mib"), "high > max refused: %s", e ?: "");
        }
}

int main(void) {
        _cleanup_free_ char *root = test_tmp_path("cgroup"), *path = NULL, *reason = NULL, *subtree = NULL;
        _cleanup_free_ char *expect = NULL;
        BudgetTable t;
        uint64_t current, max, counter;
        int r;

        test_budget_file(&t);

        /* Not a v2 hierarchy: an empty directory. */
        require(mkdir(root, 0755) == 0, "mkdir");
        check(cgroup_v2_usable(root, &reason) < 0 && reason && strstr(reason, "not a cgroup v2"), "empty dir: %s",
              reason ?: "");
        reason = mfree(reason);

        /* v2 without the memory controller. */
        require(asprintf(&path, "%s/cgroup.controllers", root) > 0, "asprintf");
        require(test_write_file(path, "cpuset cpu io pids\n") == 0, "write");
        check(cgroup_v2_usable(root, &reason) < 0 && reason && strstr(reason, "lacks"), "no memory controller: %s",
              reason ?: "");
        reason = mfree(reason);

        /* Usable. */
        require(test_write_file(path, "cpuset cpu io memory hugetlb pids rdma misc\n") == 0, "write");
        path = mfree(path);
        require(asprintf(&path, "%s/cgroup.subtree_control", root) > 0, "asprintf");
        require(test_write_file(path, "") == 0, "write");
        path = mfree(path);
        check(cgroup_v2_usable(root, &reason) == 0, "usable: %s", reason ?: "");

        r = cgroup_service_create(root, "audiod", &t.audiod, &path);
        require(r == 0 && path, "create audiod's cgroup: %s", strerror(-r));
        require(asprintf(&subtree, "%s/voicehvac", root) > 0 && asprintf(&expect, "%s/voicehvac/audiod", root) > 0, "asprintf");
        check(streq(path, expect), "path %s", path);
        check_file(root, "cgroup.subtree_control", "+cpu +memory");
        check_file(subtree, "cgroup.subtree_control", "+cpu +memory");
        {
                char text[64];

                (void) snprintf(text, sizeof text, "%u", t.audiod.cpu_weight);
                check_file(path, "cpu.weight", text);
                if (t.audiod.cpu_quota_percent)
                        (void) snprintf(text, sizeof text, "%u 100000", t.audiod.cpu_quota_percent * 1000);
                else
                        (void) snprintf(text, sizeof text, "max 100000");
                check_file(path, "cpu.max", text);
                (void) snprintf(text, sizeof text, "%llu", (unsigned long long) t.audiod.memory_high_mib << 20);
                check_file(path, "memory.high", text);
                (void) snprintf(text, sizeof text, "%llu", (unsigned long long) t.audiod.memory_max_mib << 20);
                check_file(path, "memory.max", text);
                (void) snprintf(text, sizeof text, "%llu", (unsigned long long) t.audiod.memory_swap_max_mib << 20);
                check_file(path, "memory.swap.max", text);
        }

        check(cgroup_attach(path, 4242) == 0, "attach");
        check_file(path, "cgroup.procs", "4242");

        /* Reading back what the kernel would show. */
        {
                _cleanup_free_ char *f = NULL;

                require(asprintf(&f, "%s/memory.current", path) > 0, "asprintf");
                require(test_write_file(f, "1048576\n") == 0, "write");
                check(cgroup_read_memory(path, &current, &max) == 0 && current == 1048576 &&
                      max == (uint64_t) t.audiod.memory_max_mib << 20, "memory %llu of %llu",
                      (unsigned long long) current, (unsigned long long) max);
                f = mfree(f);
                require(asprintf(&f, "%s/memory.events", path) > 0, "asprintf");
                require(test_write_file(f, "low 0\nhigh 3\nmax 1\noom 1\noom_kill 2\n") == 0, "write");
                check(cgroup_read_counter(path, "memory.events", "oom_kill", &counter) == 0 && counter == 2,
                      "oom_kill %llu", (unsigned long long) counter);
                check(cgroup_read_counter(path, "memory.events", "oom_group_kill", &counter) == -ENOENT, "missing key");
        }

        /* A second service reuses the subtree. */
        {
                _cleanup_free_ char *p2 = NULL;
                check(cgroup_service_create(root, "hvacd", &t.hvacd, &p2) == 0 && p2 && strstr(p2, "/voicehvac/hvacd"),
                      "second service");
        }

        /* This machine: whatever it is, the answer must match what /sys/fs/cgroup is. */
        {
                _cleanup_free_ char *why = NULL;
                bool v2 = access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0;
                r = cgroup_v2_usable("/sys/fs/cgroup", &why);
                if (!v2)
                        check(r < 0 && why && strstr(why, "v1 or hybrid"), "hybrid/v1 host reported as such: %s", why ?: "");
                test_log("this machine: %s", r == 0 ? "cgroup v2 usable" : why);
        }
        return test_result();
}
