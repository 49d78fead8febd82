/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>

#include "cgroup.h"
#include "config.h"
#include "fileio.h"
#include "macro.h"

#define CGROUP_SUBTREE "voicehvac"
#define CPU_PERIOD_USEC 100000U

#define BUDGET_FIELDS(svc)                                                                              \
        static const ConfigField svc##_fields[] = {                                                     \
                { "cpu_weight", CONFIG_UINT, offsetof(BudgetTable, svc.cpu_weight), 1, 10000 },         \
                { "cpu_quota_percent", CONFIG_UINT, offsetof(BudgetTable, svc.cpu_quota_percent), 0, 10000 }, \
                { "memory_high_mib", CONFIG_UINT, offsetof(BudgetTable, svc.memory_high_mib), 1, 1048576 },   \
                { "memory_max_mib", CONFIG_UINT, offsetof(BudgetTable, svc.memory_max_mib), 1, 1048576 },     \
                { "memory_swap_max_mib", CONFIG_UINT, offsetof(BudgetTable, svc.memory_swap_max_mib), 0, 1048576 }, \
                {}                                                                                      \
        }

BUDGET_FIELDS(audiod);
BUDGET_FIELDS(wakeword);
BUDGET_FIELDS(hvacd);
BUDGET_FIELDS(mqttd);
BUDGET_FIELDS(watchdogd);

static const ConfigField budget_fields[] = {
        { "audiod", CONFIG_OBJECT, .fields = audiod_fields },
        { "wakeword", CONFIG_OBJECT, .fields = wakeword_fields },
        { "hvacd", CONFIG_OBJECT, .fields = hvacd_fields },
        { "mqttd", CONFIG_OBJECT, .fields = mqttd_fields },
        { "watchdogd", CONFIG_OBJECT, .fields = watchdogd_fields },
        {}
};

void budget_table_init(BudgetTable *t) {
        /* Only used when the budget file is missing; cgroups/budget.json is the reference. */
        static const CgroupBudget fallback = {
                .cpu_weight = 100, .cpu_quota_percent = 0,
                .memory_high_mib = 256, .memory_max_mib = 320, .memory_swap_max_mib = 0,
        };
        *t = (BudgetTable) { fallback, fallback, fallback, fallback, fallback };
}

int budget_table_load(BudgetTable *t, const char *path, char **ret_error) {
        const CgroupBudget *all[] = { &t->audiod, &t->wakeword, &t->hvacd, &t->mqttd, &t->watchdogd };
        int r;

        r = config_load_file(path, budget_fields, t, true, ret_error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(all); i++)
                if (all[i]->memory_high_mib > all[i]->memory_max_mib) {
                        if (asprintf(ret_error, "%s: memory_high_mib must not exceed memory_max_mib", path) < 0)
                                return -ENOMEM;
                        return -EINVAL;
                }
        return 0;
}

const CgroupBudget *budget_table_find(const BudgetTable *t, const char *service) {
        if (streq(service, "audiod"))
                return &t->audiod;
        if (streq(service, "wakeword"))
                return &t->wakeword;
        if (streq(service, "hvacd"))
                return &t->hvacd;
        if (streq(service, "mqttd"))
                return &t->mqttd;
        if (streq(service, "watchdogd"))
                return &t->watchdogd;
        return NULL;
}

int cgroup_write(const char *dir, const char *file, const char *text) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -EBADF;
        size_t len = strlen(text);
        ssize_t n;

        if (asprintf(&path, "%s/%s", dir, file) < 0)
                return -ENOMEM;
        /* O_CREAT only matters on an ordinary directory tree; cgroupfs has the file already. */
        fd = open(path, O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
                return negative_errno();
        n = write(fd, text, len);
        if (n < 0)
                return negative_errno();
        return (size_t) n == len ? 0 : -EIO;
}

static char *strip_newline(char *s) {
        size_t l = strlen(s);

        while (l > 0 && (s[l - 1] == '\n' || s[l - 1] == ' '))
                s[--l] = '\0';
        return s;
}

static bool has_words(const char *text, const char *const *words) {
        for (; *words; words++) {
                size_t l = strlen(*words);
                const char *p = text;
                bool found = false;

                while ((p = strstr(p, *words))) {
                        if ((p == text || p[-1] == ' ' || p[-1] == '\n') && (p[l] == ' ' || p[l] == '\n' || p[l] == '\0')) {
                                found = true;
                                break;
                        }
                        p += l;
                }
                if (!found)
                        return false;
        }
        return true;
}

int cgroup_v2_usable(const char *root, char **ret_reason) {
        static const char *const needed[] = { "cpu", "memory", NULL };
        _cleanup_free_ char *path = NULL, *controllers = NULL;
        int r;

        if (asprintf(&path, "%s/cgroup.controllers", root) < 0)
                return -ENOMEM;
        r = read_full_file(path, 4096, &controllers, NULL);
        if (r < 0) {
                if (asprintf(ret_reason, "%s is not a cgroup v2 hierarchy (cgroup v1 or hybrid: %s)", root,
                             strerror(-r)) < 0)
                        return -ENOMEM;
                return r;
        }
        if (!has_words(controllers, needed)) {
                if (asprintf(ret_reason, "%s lacks the cpu and memory controllers (has: %s)", root,
                             strip_newline(controllers)) < 0)
                        return -ENOMEM;
                return -EOPNOTSUPP;
        }
        free(path);
        if (asprintf(&path, "%s/cgroup.subtree_control", root) < 0)
                return -ENOMEM;
        if (access(path, W_OK) < 0) {
                r = negative_errno();
                if (asprintf(ret_reason, "%s is not writable: %s", path, strerror(-r)) < 0)
                        return -ENOMEM;
                return r;
        }
        return 0;
}

static int cgroup_enable_controllers(const char *dir) {
        /* Enabling what is already enabled succeeds on cgroupfs. */
        return cgroup_write(dir, "cgroup.subtree_control", "+cpu +memory");
}

static int cgroup_write_budget(const char *dir, const CgroupBudget *b) {
        char text[64];
        int r;

        (void) snprintf(text, sizeof text, "%u", b->cpu_weight);
        r = cgroup_write(dir, "cpu.weight", text);
        if (r < 0)
                return r;

        if (b->cpu_quota_percent == 0)
                (void) snprintf(text, sizeof text, "max %u", CPU_PERIOD_USEC);
        else
                (void) snprintf(text, sizeof text, "%u %u", b->cpu_quota_percent * (CPU_PERIOD_USEC / 100),
                                CPU_PERIOD_USEC);
        r = cgroup_write(dir, "cpu.max", text);
        if (r < 0)
                return r;

        (void) snprintf(text, sizeof text, "%" PRIu64, (uint64_t) b->memory_high_mib << 20);
        r = cgroup_write(dir, "memory.high", text);
        if (r < 0)
                return r;
        (void) snprintf(text, sizeof text, "%" PRIu64, (uint64_t) b->memory_max_mib << 20);
        r = cgroup_write(dir, "memory.max", text);
        if (r < 0)
                return r;

        /* Absent when the kernel does no swap accounting: nothing to limit then. */
        (void) snprintf(text, sizeof text, "%" PRIu64, (uint64_t) b->memory_swap_max_mib << 20);
        r = cgroup_write(dir, "memory.swap.max", text);
        if (r < 0 && r != -ENOENT && r != -EACCES && r != -EPERM)
                return r;
        return 0;
}

int cgroup_service_create(const char *root, const char *service, const CgroupBudget *b, char **ret_path) {
        _cleanup_free_ char *subtree = NULL, *path = NULL;
        int r;

        if (asprintf(&subtree, "%s/" CGROUP_SUBTREE, root) < 0 || asprintf(&path, "%s/%s", subtree, service) < 0)
                return -ENOMEM;

        r = cgroup_enable_controllers(root);
        if (r < 0)
                return r;
        if (mkdir(subtree, 0755) < 0 && errno != EEXIST)
                return negative_errno();
        r = cgroup_enable_controllers(subtree);
        if (r < 0)
                return r;
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
                return negative_errno();

        r = cgroup_write_budget(path, b);
        if (r < 0)
                return r;

        *ret_path = TAKE_PTR(path);
        return 0;
}

int cgroup_attach(const char *path, pid_t pid) {
        char text[32];

        (void) snprintf(text, sizeof text, "%d", (int) pid);
        return cgroup_write(path, "cgroup.procs", text);
}

static int read_value_file(const char *dir, const char *file, char **ret) {
        _cleanup_free_ char *path = NULL;

        if (asprintf(&path, "%s/%s", dir, file) < 0)
                return -ENOMEM;
        return read_full_file(path, 65536, ret, NULL);
}

static int parse_u64_or_max(const char *s, uint64_t *ret) {
        char *end;

        if (strncmp(s, "max", 3) == 0) {
                *ret = UINT64_MAX;
                return 0;
        }
        errno = 0;
        *ret = strtoull(s, &end, 10);
        if (errno != 0 || end == s)
                return -EINVAL;
        return 0;
}

int cgroup_read_memory(const char *path, uint64_t *ret_current, uint64_t *ret_max) {
        _cleanup_free_ char *current = NULL, *max = NULL;
        int r;

        r = read_value_file(path, "memory.current", &current);
        if (r < 0)
                return r;
        r = read_value_file(path, "memory.max", &max);
        if (r < 0)
                return r;
        r = parse_u64_or_max(current, ret_current);
        if (r < 0)
                return r;
        return parse_u64_or_max(max, ret_max);
}

int cgroup_read_counter(const char *path, const char *file, const char *key, uint64_t *ret) {
        _cleanup_free_ char *text = NULL;
        size_t l = strlen(key);
        int r;

        r = read_value_file(path, file, &text);
        if (r < 0)
                return r;
        for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
                if (strncmp(line, key, l) == 0 && line[l] == ' ')
                        return parse_u64_or_max(line + l + 1, ret);
        return -ENOENT;
}
