/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* cgroup v2 placement for the supervised services, and the budget they get.
 *
 * The budget comes from cgroups/budget.json, the one place the numbers live: the systemd slice
 * units are written from the same file. Per service:
 *   cpu_weight          → cpu.weight       (1…10000, CPUWeight=)
 *   cpu_quota_percent   → cpu.max          ("<percent × 1000> 100000", CPUQuota=; 0 = "max")
 *   memory_high_mib     → memory.high      (MemoryHigh=)
 *   memory_max_mib      → memory.max       (MemoryMax=)
 *   memory_swap_max_mib → memory.swap.max  (MemorySwapMax=; 0 = no swap)
 *
 * Under <root>/voicehvac/<service>, with the cpu and memory controllers enabled in
 * cgroup.subtree_control of <root> and <root>/voicehvac. The root is configurable so the writes
 * can be checked against an ordinary directory tree. No bus, no logging: errors are returned. */

#include <stdint.h>
#include <sys/types.h>

typedef struct CgroupBudget {
        unsigned cpu_weight;
        unsigned cpu_quota_percent;
        unsigned memory_high_mib;
        unsigned memory_max_mib;
        unsigned memory_swap_max_mib;
} CgroupBudget;

typedef struct BudgetTable {
        CgroupBudget audiod, wakeword, hvacd, mqttd, watchdogd;
} BudgetTable;

void budget_table_init(BudgetTable *t);
int budget_table_load(BudgetTable *t, const char *path, char **ret_error);
const CgroupBudget *budget_table_find(const BudgetTable *t, const char *service);

/* 0 when root is a cgroup v2 hierarchy we can write to with the cpu and memory controllers
 * available; otherwise < 0 with *ret_reason saying why (for one log line). */
int cgroup_v2_usable(const char *root, char **ret_reason);

/* Creates <root>/voicehvac/<service>, enables the controllers on the way and writes the budget.
 * Returns the cgroup's path. */
int cgroup_service_create(const char *root, const char *service, const CgroupBudget *b, char **ret_path);

/* Moves pid into the cgroup at path. */
int cgroup_attach(const char *path, pid_t pid);

/* memory.current and memory.max (UINT64_MAX for "max"). */
int cgroup_read_memory(const char *path, uint64_t *ret_current, uint64_t *ret_max);
/* The oom_kill count of memory.events, and usage_usec of cpu.stat. */
int cgroup_read_counter(const char *path, const char *file, const char *key, uint64_t *ret);

/* Writes the text to dir/file, as one write (as cgroupfs wants it). */
int cgroup_write(const char *dir, const char *file, const char *text);
