/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The IR protocols against captures of real remotes (tests/ir-captures, converted from SmartIR's
 * climate codes): per protocol, how many captures decode to the mode, fan and temperature they
 * are labelled with, how many the encoder reproduces bit for bit (every frame the capture holds,
 * copies and second frames a decoder does not need included) from the state and options the
 * capture carries, and how many it reproduces with the remote's default options. Every capture
 * that disagrees is listed with the reason, and each remote's own figure. captures.list says
 * which protocol each remote speaks ("PROTOCOL:TABLE" where the remote needs a fan table of its
 * own, as lirc.fan_table would name it); "-" marks a remote of a protocol not covered yet. A
 * "#note TEXT" line says why the remote above it disagrees where the listing cannot (what a look
 * at its frames showed); it is printed under the remote's figure.
 *
 * A disagreeing capture is explained when its frame is bit for bit one that another capture of
 * the remote carries under another label and agrees with (a label copied in the source data:
 * found here, not written down), or when a "#why LINES TEXT" line under the remote names it
 * (LINES: the label's line in the capture file, "N", "N-M", or a comma-separated list of those).
 * The reason goes on the capture's line; the others say "unexplained", and each protocol's count
 * of both follows its figures. A "#why" that names no disagreeing capture is reported: the rule
 * it explained may have gone into the code since. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir-capture.h"
#include "macro.h"

#define LIST_PER_REMOTE 60
#define WHY_RANGES_MAX 16

typedef struct Tally {
        unsigned remotes, captures, in_model, label, reproduced, defaults, undecoded;
        unsigned disagreeing, twins, noted;
} Tally;

typedef struct Why {
        unsigned n_ranges, from[WHY_RANGES_MAX], to[WHY_RANGES_MAX];
        unsigned list_line;             /* in captures.list */
        unsigned used;
        char *text;
} Why;

typedef struct Remote {
        char file[64], proto[32], table_name[32];       /* table_name: "" for the protocol's own */
        char *rest;                     /* maker and models, or what the captures show */
        char **notes;
        size_t n_notes;
        Why *whys;
        size_t n_whys;
} Remote;

/* What one capture came to, kept for the second look (its twins). */
typedef struct Outcome {
        unsigned line;
        char label[sizeof(((IrCapture *) NULL)->label)];
        bool ok, in_model;
        IrCaptureResult res;
} Outcome;

static double percent(unsigned a, unsigned b) {
        return b ? 100.0 * a / b : 0;
}

static void remotes_free(Remote *r, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(r[i].rest);
                for (size_t k = 0; k < r[i].n_notes; k++)
                        free(r[i].notes[k]);
                free(r[i].notes);
                for (size_t k = 0; k < r[i].n_whys; k++)
                        free(r[i].whys[k].text);
                free(r[i].whys);
        }
        free(r);
}

/* "N", "N-M", comma-separated, then a space and the text. */
static int why_parse(const char *s, unsigned list_line, Why *ret) {
        const char *p = s;
        char *end;

        *ret = (Why) { .list_line = list_line };
        for (;;) {
                unsigned long a, b;

                if (ret->n_ranges >= WHY_RANGES_MAX)
                        return -E2BIG;
                a = strtoul(p, &end, 10);
                if (end == p || a == 0)
                        return -EINVAL;
                b = a;
                if (*end == '-') {
                        p = end + 1;
                        b = strtoul(p, &end, 10);
                        if (end == p || b < a)
                                return -EINVAL;
                }
                ret->from[ret->n_ranges] = (unsigned) a;
                ret->to[ret->n_ranges++] = (unsigned) b;
                if (*end != ',')
                        break;
                p = end + 1;
        }
        if (*end != ' ')
                return -EINVAL;
        while (*end == ' ')
                end++;
        if (*end == '\0' || *end == '\n')
                return -EINVAL;
        ret->text = strndup(end, strcspn(end, "\n"));
        return ret->text ? 0 : -ENOMEM;
}

static const Why *why_find(Remote *r, unsigned line) {
        for (size_t i = 0; i < r->n_whys; i++)
                for (unsigned k = 0; k < r->whys[i].n_ranges; k++)
                        if (line >= r->whys[i].from[k] && line <= r->whys[i].to[k]) {
                                r->whys[i].used++;
                                return &r->whys[i];
                        }
        return NULL;
}

/* A "#note" or "#why" line for remote "r". */
static int remote_annotate(Remote *r, const char *buf, const char *path, unsigned line) {
        if (buf[1] == 'w') {
                Why *p = reallocarray(r->whys, r->n_whys + 1, sizeof(Why));
                int k;

                if (!p)
                        return -ENOMEM;
                r->whys = p;
                k = why_parse(buf + 5, line, &r->whys[r->n_whys]);
                if (k < 0) {
                        fprintf(stderr, "%s:%u: not '#why LINE[-LINE][,…] TEXT'\n", path, line);
                        return k;
                }
                r->n_whys++;
        } else {
                char **p = reallocarray(r->notes, r->n_notes + 1, sizeof(char *));

                if (!p)
                        return -ENOMEM;
                r->notes = p;
                r->notes[r->n_notes] = strdup(buf + 6);
                if (!r->notes[r->n_notes])
                        return -ENOMEM;
                r->n_notes++;
        }
        return 0;
}

/* A remote's line: 1 when it was one, 0 for a blank line. */
static int remote_parse(const char *buf, Remote *ret) {
        char *colon;
        int rest = 0;

        *ret = (Remote) {};
        if (sscanf(buf, "%63s %31s %n", ret->file, ret->proto, &rest) != 2)
                return 0;
        ret->rest = strdup(buf + rest);
        if (!ret->rest)
                return -ENOMEM;
        colon = strchr(ret->proto, ':');
        if (colon) {
                snprintf(ret->table_name, sizeof(ret->table_name), "%s", colon + 1);
                *colon = '\0';
        }
        return 1;
}

static int list_read(const char *path, Remote **ret, size_t *ret_n) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        _cleanup_free_ char *buf = NULL;
        Remote *remotes = NULL;
        size_t n = 0, size = 0;
        unsigned line = 0;
        bool attach = false;    /* the line above is a remote's, or its #note or #why */
        int r = 0;

        if (!f) {
                fprintf(stderr, "%s: %m\n", path);
                return -errno;
        }
        while (r >= 0 && getline(&buf, &size, f) > 0) {
                Remote *p;

                line++;
                if (strncmp(buf, "#note ", 6) == 0 || strncmp(buf, "#why ", 5) == 0) {
                        if (!attach) {
                                fprintf(stderr, "%s:%u: not under a remote\n", path, line);
                                r = -EINVAL;
                        } else
                                r = remote_annotate(&remotes[n - 1], buf, path, line);
                        continue;
                }
                attach = false;
                if (buf[0] == '#')
                        continue;
                p = reallocarray(remotes, n + 1, sizeof(Remote));
                if (!p) {
                        r = -ENOMEM;
                        continue;
                }
                remotes = p;
                r = remote_parse(buf, &remotes[n]);
                if (r > 0) {
                        n++;
                        attach = true;
                }
        }
        if (r < 0) {
                remotes_free(remotes, n);
                return r;
        }
        *ret = remotes;
        *ret_n = n;
        return 0;
}

/* Another capture of the remote that carries the same frame under another label the climate
 * model can say, and agrees with it: the one the disagreeing capture's label was copied from, or
 * NULL. */
static const Outcome *twin_find(const Outcome *o, size_t n, size_t i) {
        const IrDecoded *d = &o[i].res.decoded;

        if (o[i].res.decode < 0)
                return NULL;
        for (size_t k = 0; k < n; k++) {
                const IrDecoded *e = &o[k].res.decoded;

                if (k == i || !o[k].ok || !o[k].in_model || streq(o[k].label, o[i].label))
                        continue;
                if (e->protocol == d->protocol && e->n_bytes == d->n_bytes &&
                    memcmp(e->bytes, d->bytes, d->n_bytes) == 0)
                        return &o[k];
        }
        return NULL;
}

static int bench_remote(const char *dir, Remote *remote, const IrProtocol *p, const IrFanTable *table, Tally *t,
                        IrCapture *c) {
        _cleanup_free_ char *path = NULL;
        _cleanup_free_ Outcome *o = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        const char *file = remote->file;
        unsigned line = 0, listed = 0, more = 0, in_model = 0, label = 0, label_own = 0;
        size_t n = 0;
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
                Outcome *p_o = reallocarray(o, n + 1, sizeof(Outcome));
                IrCaptureResult *res;

                if (!p_o)
                        return -ENOMEM;
                o = p_o;
                res = &o[n].res;
                o[n].line = c->line;
                o[n].in_model = c->in_model;
                strcpy(o[n].label, c->label);
                ir_capture_check(p, table, c, res);
                if (c->in_model && table != p->fan_tables) {
                        IrCaptureResult own;

                        ir_capture_check(p, NULL, c, &own);
                        label_own += own.decode >= 0 && own.matches_label;
                }
                in_model += c->in_model;
                label += res->decode >= 0 && c->in_model && res->matches_label;
                t->captures++;
                t->in_model += c->in_model;
                t->undecoded += res->decode < 0;
                t->label += res->decode >= 0 && c->in_model && res->matches_label;
                t->reproduced += res->decode >= 0 && res->reproduced;
                t->defaults += res->decode >= 0 && res->reproduced_defaults;
                o[n].ok = res->decode >= 0 && (res->matches_label || !c->in_model) && res->reproduced;
                n++;
        }
        if (r < 0) {
                fprintf(stderr, "%s:%u: not a capture file\n", path, line);
                return r;
        }

        for (size_t i = 0; i < n; i++) {
                const Outcome *twin;
                const Why *why;
                char reason[512];

                if (o[i].ok)
                        continue;
                t->disagreeing++;
                twin = twin_find(o, n, i);
                why = why_find(remote, o[i].line);
                if (twin) {
                        t->twins++;
                        snprintf(reason, sizeof(reason), "%s%sthe same frame as line %u ('%s')", why ? why->text : "",
                                 why ? "; " : "", twin->line, twin->label);
                } else if (why) {
                        t->noted++;
                        snprintf(reason, sizeof(reason), "%s", why->text);
                } else
                        snprintf(reason, sizeof(reason), "unexplained");
                if (listed++ < LIST_PER_REMOTE)
                        printf("    %s:%u \"%s\": %s; %s\n", file, o[i].line, o[i].label, o[i].res.why, reason);
                else
                        more++;
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
        for (size_t i = 0; i < remote->n_whys; i++)
                if (remote->whys[i].used == 0)
                        printf("    %s: the #why of captures.list line %u names no disagreeing capture\n", file,
                               remote->whys[i].list_line);
        for (size_t i = 0; i < remote->n_notes; i++)
                printf("      note: %s", remote->notes[i]);
        return 0;
}

static void print_explained(const char *name, const Tally *t) {
        printf("  %-10s disagreeing %4u: explained %4u (the same frame as another label %u, noted %u), "
               "unexplained %u\n", name, t->disagreeing, t->twins + t->noted, t->twins, t->noted,
               t->disagreeing - t->twins - t->noted);
}

int main(void) {
        const char *srcdir = getenv("VH_SRCDIR") ?: ".";
        _cleanup_free_ char *dir = NULL, *list = NULL;
        _cleanup_free_ IrCapture *capture = malloc(sizeof(IrCapture));
        const IrProtocol *const *protocols;
        Remote *remotes = NULL;
        size_t n_protocols, n_remotes = 0;
        Tally uncovered = {}, all = {};
        int ret = EXIT_FAILURE;

        if (!capture || asprintf(&dir, "%s/tests/ir-captures", srcdir) < 0 ||
            asprintf(&list, "%s/captures.list", dir) < 0)
                return EXIT_FAILURE;
        if (list_read(list, &remotes, &n_remotes) < 0)
                return EXIT_FAILURE;

        printf("IR protocols against SmartIR captures (tests/ir-captures). label: captures whose label the\n"
               "climate model can say (not 'quiet', 'level3', swing positions …) that decode to it;\n"
               "reproduced: captures the encoder sends bit for bit, every frame they hold, from the state\n"
               "and options they carry;\n"
               "defaults: the same with the remote's default options; disagreeing: the captures listed,\n"
               "explained where their frame is another label's or captures.list says why\n");
        protocols = ir_protocols(&n_protocols);
        for (size_t i = 0; i <= n_protocols; i++) {
                const IrProtocol *p = i < n_protocols ? protocols[i] : NULL;
                Tally t = {};

                if (p)
                        printf("  %s (%s)\n", p->name, p->description);
                else
                        printf("  not covered (no captures kept; what the captures show):\n");
                for (size_t k = 0; k < n_remotes; k++) {
                        Remote *e = &remotes[k];
                        const IrFanTable *table;

                        if (!p) {
                                if (streq(e->proto, "-")) {
                                        printf("    %s %s", e->file, e->rest);
                                        uncovered.remotes++;
                                }
                                continue;
                        }
                        if (!streq(e->proto, p->name))
                                continue;
                        table = ir_fan_table_find(p, e->table_name);
                        if (!table && !isempty(e->table_name)) {
                                fprintf(stderr, "%s: %s: protocol %s has no fan table '%s'\n", list, e->file, p->name,
                                        e->table_name);
                                goto finish;
                        }
                        if (bench_remote(dir, e, p, table, &t, capture) < 0)
                                goto finish;
                }
                if (!p)
                        break;
                printf("  %-10s %2u remotes %4u captures: label %4u/%-4u %5.1f %%  reproduced %4u/%-4u %5.1f %%  "
                       "defaults %4u/%-4u %5.1f %%\n", p->name, t.remotes, t.captures, t.label, t.in_model,
                       percent(t.label, t.in_model), t.reproduced, t.captures, percent(t.reproduced, t.captures),
                       t.defaults, t.captures, percent(t.defaults, t.captures));
                print_explained(p->name, &t);
                all.remotes += t.remotes;
                all.captures += t.captures;
                all.in_model += t.in_model;
                all.label += t.label;
                all.reproduced += t.reproduced;
                all.disagreeing += t.disagreeing;
                all.twins += t.twins;
                all.noted += t.noted;
        }
        printf("  covered: %u remotes, %u captures: label %u/%u %.1f %%, reproduced %u/%u %.1f %%; "
               "not covered: %u remotes\n", all.remotes, all.captures, all.label, all.in_model,
               percent(all.label, all.in_model), all.reproduced, all.captures, percent(all.reproduced, all.captures),
               uncovered.remotes);
        print_explained("covered:", &all);
        ret = EXIT_SUCCESS;
finish:
        remotes_free(remotes, n_remotes);
        return ret;
}
