/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The IR protocols against captures of real remotes (tests/ir-captures, converted from SmartIR's
 * climate codes): per protocol, how many captures decode to the mode, fan and temperature they
 * are labelled with, how many the encoder reproduces bit for bit from the state and options the
 * capture carries, and how many it reproduces with the remote's default options. Every capture
 * that disagrees is listed with the reason, and each remote's own figure. captures.list says
 * which protocol each remote speaks ("PROTOCOL:TABLE" where the remote needs a fan table of its
 * own, as lirc.fan_table would name it); "-" marks a remote of a protocol not covered yet. A
 * "#note TEXT" line says why the remote above it disagrees where the listing cannot (what a look
 * at its frames showed); it is printed under the remote's figure. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir-capture.h"
#include "macro.h"

#define LIST_PER_REMOTE 60

typedef struct Tally {
        unsigned remotes, captures, in_model, label, reproduced, defaults, undecoded;
} Tally;

static double percent(unsigned a, unsigned b) {
        return b ? 100.0 * a / b : 0;
}

static int bench_remote(const char *dir, const char *file, const IrProtocol *p, const IrFanTable *table, Tally *t,
                        IrCapture *c) {
        _cleanup_free_ char *path = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        unsigned line = 0, listed = 0, more = 0, in_model = 0, label = 0, label_own = 0;
        int r;

        if (asprintf(&path, "%s/%s", dir, file) < 0)
                return -ENOMEM;
        f = fopen(path, "re");
        if (!f) {
                fprintf(stderr, "%s: %m\n", path);
                return -errno;
        }
        t->remotes++;
        while ((r = ir_capture_read(f, c, &line)) > 0) {
                IrCaptureResult res;
                bool ok;

                ir_capture_check(p, table, c, &res);
                if (c->in_model && table != p->fan_tables) {
                        IrCaptureResult own;

                        ir_capture_check(p, NULL, c, &own);
                        label_own += own.decode >= 0 && own.matches_label;
                }
                in_model += c->in_model;
                label += res.decode >= 0 && c->in_model && res.matches_label;
                t->captures++;
                t->in_model += c->in_model;
                t->undecoded += res.decode < 0;
                t->label += res.decode >= 0 && c->in_model && res.matches_label;
                t->reproduced += res.decode >= 0 && res.reproduced;
                t->defaults += res.decode >= 0 && res.reproduced_defaults;
                ok = res.decode >= 0 && (res.matches_label || !c->in_model) && res.reproduced;
                if (ok)
                        continue;
                if (listed++ < LIST_PER_REMOTE)
                        printf("    %s:%u \"%s\": %s\n", file, c->line, c->label, res.why);
                else
                        more++;
        }
        if (r < 0) {
                fprintf(stderr, "%s:%u: not a capture file\n", path, line);
                return r;
        }
        if (more > 0)
                printf("    %s: %u more disagreeing\n", file, more);
        if (table != p->fan_tables)
                printf("    %s fan table %-9s label %3u/%-3u %5.1f %%  (the protocol's own table: %u/%u %.1f %%)\n",
                       file, table->name, label, in_model, percent(label, in_model), label_own, in_model,
                       percent(label_own, in_model));
        else
                printf("    %s                     label %3u/%-3u %5.1f %%\n", file, label, in_model,
                       percent(label, in_model));
        return 0;
}

int main(void) {
        const char *srcdir = getenv("VH_SRCDIR") ?: ".";
        _cleanup_free_ char *dir = NULL, *list = NULL, *buf = NULL;
        _cleanup_free_ IrCapture *capture = malloc(sizeof(IrCapture));
        _cleanup_fclose_ FILE *f = NULL;
        const IrProtocol *const *protocols;
        size_t n_protocols, size = 0;
        Tally uncovered = {}, all = {};

        if (!capture || asprintf(&dir, "%s/tests/ir-captures", srcdir) < 0 ||
            asprintf(&list, "%s/captures.list", dir) < 0)
                return EXIT_FAILURE;

        printf("IR protocols against SmartIR captures (tests/ir-captures). label: captures whose label the\n"
               "climate model can say (not 'quiet', 'level3', swing positions …) that decode to it;\n"
               "reproduced: captures the encoder sends bit for bit from the state and options they carry;\n"
               "defaults: the same with the remote's default options\n");
        protocols = ir_protocols(&n_protocols);
        for (size_t i = 0; i <= n_protocols; i++) {
                const IrProtocol *p = i < n_protocols ? protocols[i] : NULL;
                Tally t = {};
                bool benched = false;   /* the last remote line was this protocol's */

                f = fopen(list, "re");
                if (!f) {
                        fprintf(stderr, "%s: %m\n", list);
                        return EXIT_FAILURE;
                }
                if (p)
                        printf("  %s (%s)\n", p->name, p->description);
                else
                        printf("  not covered (no captures kept; what the captures show):\n");
                while (getline(&buf, &size, f) > 0) {
                        char file[64], proto[32], *table_name;
                        const IrFanTable *table;
                        int rest = 0;

                        if (strncmp(buf, "#note ", 6) == 0) {
                                if (benched)
                                        printf("      note: %s", buf + 6);
                                continue;
                        }
                        if (buf[0] != '#')
                                benched = false;
                        if (buf[0] == '#' || sscanf(buf, "%63s %31s %n", file, proto, &rest) != 2)
                                continue;
                        if (!p) {
                                if (streq(proto, "-")) {
                                        printf("    %s %s", file, buf + rest);
                                        uncovered.remotes++;
                                }
                                continue;
                        }
                        table_name = strchr(proto, ':');
                        if (table_name)
                                *table_name++ = '\0';
                        if (!streq(proto, p->name))
                                continue;
                        table = ir_fan_table_find(p, table_name);
                        if (table_name && !table) {
                                fprintf(stderr, "%s: %s: protocol %s has no fan table '%s'\n", list, file, p->name,
                                        table_name);
                                return EXIT_FAILURE;
                        }
                        if (bench_remote(dir, file, p, table, &t, capture) < 0)
                                return EXIT_FAILURE;
                        benched = true;
                }
                fclose(f);
                f = NULL;
                if (!p)
                        break;
                printf("  %-10s %2u remotes %4u captures: label %4u/%-4u %5.1f %%  reproduced %4u/%-4u %5.1f %%  "
                       "defaults %4u/%-4u %5.1f %%\n", p->name, t.remotes, t.captures, t.label, t.in_model,
                       percent(t.label, t.in_model), t.reproduced, t.captures, percent(t.reproduced, t.captures),
                       t.defaults, t.captures, percent(t.defaults, t.captures));
                all.remotes += t.remotes;
                all.captures += t.captures;
                all.in_model += t.in_model;
                all.label += t.label;
                all.reproduced += t.reproduced;
        }
        printf("  covered: %u remotes, %u captures: label %u/%u %.1f %%, reproduced %u/%u %.1f %%; "
               "not covered: %u remotes\n", all.remotes, all.captures, all.label, all.in_model,
               percent(all.label, all.in_model), all.reproduced, all.captures, percent(all.reproduced, all.captures),
               uncovered.remotes);
        return EXIT_SUCCESS;
}
