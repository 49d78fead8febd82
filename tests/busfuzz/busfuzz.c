/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* busfuzz: calls every method and sets every property of every service described in
 * dbus-interfaces/ — with the documented signature and boundary or random values, with
 * wrong signatures, with no or extra arguments, without waiting for a reply — and reads, gets and
 * sets properties that do not exist. After each method or property it checks the service:
 * the same process still owns the name, answers Peer.Ping and a property read. At the end every
 * property must read back with the contract's type and the service must hold no more fds than
 * before. Every error reply must be a named error: the project's org.voicehvac.Error.* (with a
 * message) or one of the standard D-Bus errors for a bad call; a Failed, a System.Error.* (an
 * errno nobody mapped), no reply or a timeout is a finding.
 *
 *   busfuzz [--xml-dir DIR] [--service NAME]... [--calls N] [--seconds S] [--seed N]
 *           [--stats FILE] [--require-all] [--verbose]
 *
 * It talks to the system bus, or to $DBUS_SYSTEM_BUS_ADDRESS. Exit 0: nothing found; 1: a
 * finding (each printed with the call that caused it); 2: it could not run. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bus-contract.h"
#include "contract.h"
#include "health.h"
#include "macro.h"
#include "time-util.h"
#include "values.h"

#define CALL_TIMEOUT (5 * USEC_PER_SEC)
#define PING_EVERY 25

static const char *arg_xml_dir = NULL;
static char **arg_services = NULL;
static size_t arg_n_services = 0;
static unsigned arg_calls = 200;
static unsigned arg_seconds = 60;
static uint64_t arg_seed = 0;
static const char *arg_stats = NULL;
static bool arg_require_all = false;
static bool arg_verbose = false;

typedef struct Totals {
        unsigned services, skipped, methods, properties;
        unsigned long calls, replies, named_errors, findings;
        usec_t deadline;
        bool out_of_time;
} Totals;

static const char *const standard_errors[] = {
        SD_BUS_ERROR_INVALID_ARGS, SD_BUS_ERROR_UNKNOWN_METHOD, SD_BUS_ERROR_UNKNOWN_INTERFACE,
        SD_BUS_ERROR_UNKNOWN_OBJECT, SD_BUS_ERROR_UNKNOWN_PROPERTY, SD_BUS_ERROR_PROPERTY_READ_ONLY,
        SD_BUS_ERROR_INVALID_SIGNATURE, SD_BUS_ERROR_ACCESS_DENIED, SD_BUS_ERROR_LIMITS_EXCEEDED,
};

/* Whether an error reply names what went wrong; *ret_why says why not. */
static bool error_is_named(const sd_bus_error *e, const char **ret_why) {
        if (!e->name) {
                *ret_why = "error without a name";
                return false;
        }
        if (strncmp(e->name, VH_ERROR_PREFIX, strlen(VH_ERROR_PREFIX)) == 0) {
                if (!e->message || !*e->message) {
                        *ret_why = "project error without a message";
                        return false;
                }
                if (streq(e->name, VH_ERROR_FAILED)) {
                        *ret_why = "generic Failed";
                        return false;
                }
                return true;
        }
        for (size_t i = 0; i < ELEMENTSOF(standard_errors); i++)
                if (streq(e->name, standard_errors[i]))
                        return true;
        *ret_why = strncmp(e->name, "System.Error.", 13) == 0 ? "an errno the daemon did not map to a named error"
                   : streq(e->name, SD_BUS_ERROR_NO_REPLY) || streq(e->name, SD_BUS_ERROR_TIMEOUT) ? "no reply (hang)"
                   : streq(e->name, SD_BUS_ERROR_FAILED) ? "generic Failed"
                                                          : "not an error a client can act on";
        return false;
}

static void finding(Totals *t, const char *service, const char *call, const char *fmt, ...) _printf_(4, 5);
static void finding(Totals *t, const char *service, const char *call, const char *fmt, ...) {
        va_list ap;

        t->findings++;
        printf("FINDING %s: %s → ", service, call);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        putchar('\n');
        fflush(stdout);
}

/* Sends one call and judges the answer. "m" is consumed. */
static int judge_call(sd_bus *bus, Totals *t, const char *service, sd_bus_message *m, const char *desc) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *msg = m, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        const char *why;
        int r;

        usec_t start = now_usec(CLOCK_MONOTONIC);

        t->calls++;
        r = sd_bus_call(bus, msg, CALL_TIMEOUT, &e, &reply);
        if (arg_verbose)
                printf("%s: %s → %s (%llu us)\n", service, desc, r >= 0 ? "reply" : e.name ?: strerror(-r),
                       (unsigned long long) (now_usec(CLOCK_MONOTONIC) - start));
        if (r >= 0) {
                t->replies++;
                return 0;
        }
        if (r == -ETIMEDOUT && !sd_bus_error_is_set(&e)) {
                finding(t, service, desc, "no reply within %llu s", (unsigned long long) (CALL_TIMEOUT / USEC_PER_SEC));
                return 0;
        }
        if (!sd_bus_error_is_set(&e)) {
                if (r == -ECONNRESET || r == -ENOTCONN)
                        return r;       /* our connection is gone: stop */
                finding(t, service, desc, "failed locally: %s", strerror(-r));
                return 0;
        }
        if (!error_is_named(&e, &why)) {
                finding(t, service, desc, "%s: %s (%s)", e.name ?: "(null)", e.message ?: "", why);
                return 0;
        }
        t->named_errors++;
        return 0;
}

typedef int (*build_t)(sd_bus *bus, const Contract *c, const void *what, Fuzz *f, unsigned i,
                       sd_bus_message **ret, FILE *desc, bool *ret_expect_reply);

/* One method call: the documented signature with boundary or random values most of the time,
 * else a wrong signature, no arguments, one argument too many, or no reply expected. */
static int build_method_call(sd_bus *bus, const Contract *c, const void *what, Fuzz *f, unsigned i,
                             sd_bus_message **ret, FILE *desc, bool *ret_expect_reply) {
        const ContractMethod *method = what;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        unsigned kind = i % 8;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, c->bus_name, c->object_path, c->interface, method->name);
        if (r < 0)
                return r;
        fprintf(desc, "%s(", method->name);
        if (kind <= 3 || kind == 7)
                r = fuzz_append_signature(f, m, method->in_signature, desc);
        else if (kind == 4) {
                /* A wrong signature of one to three random types. */
                size_t n = 1 + fuzz_pick(f, 3);
                _cleanup_free_ char *sig = calloc(1, 64);

                if (!sig)
                        return -ENOMEM;
                for (size_t k = 0; k < n; k++)
                        strcat(sig, fuzz_random_type(f));
                if (streq(sig, method->in_signature))
                        strcat(sig, "s");
                r = fuzz_append_signature(f, m, sig, desc);
        } else if (kind == 5) {
                r = fuzz_append_signature(f, m, method->in_signature, desc);
                if (r >= 0) {
                        fputs(" +", desc);
                        r = fuzz_append_signature(f, m, fuzz_random_type(f), desc);
                }
        }
        /* kind 6: no arguments at all */
        if (r < 0)
                return r;
        fputc(')', desc);
        *ret_expect_reply = kind != 7;
        if (kind == 7) {
                fputs(" [no reply expected]", desc);
                r = sd_bus_message_set_expect_reply(m, 0);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(m);
        return 0;
}

/* Properties.Set with the documented type and with others, Get and GetAll of names and
 * interfaces that do not exist. */
static int build_property_call(sd_bus *bus, const Contract *c, const void *what, Fuzz *f, unsigned i,
                               sd_bus_message **ret, FILE *desc, bool *ret_expect_reply) {
        const ContractProperty *p = what;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        const char *member = i % 4 == 3 ? (i % 8 == 3 ? "GetAll" : "Get") : "Set";
        const char *iface = i % 16 == 15 ? "org.voicehvac.Nope1" : c->interface;
        const char *name = i % 4 == 2 ? "NoSuchProperty" : p->name;
        const char *type = i % 2 == 0 ? p->type : fuzz_random_type(f);
        int r;

        *ret_expect_reply = true;
        r = sd_bus_message_new_method_call(bus, &m, c->bus_name, c->object_path, "org.freedesktop.DBus.Properties", member);
        if (r < 0)
                return r;
        fprintf(desc, "Properties.%s(%s, %s", member, iface, streq(member, "GetAll") ? "" : name);
        if (streq(member, "GetAll"))
                r = sd_bus_message_append(m, "s", iface);
        else if (streq(member, "Get"))
                r = sd_bus_message_append(m, "ss", iface, name);
        else {
                r = sd_bus_message_append(m, "ss", iface, name);
                if (r >= 0)
                        r = sd_bus_message_open_container(m, 'v', type);
                if (r >= 0) {
                        fputs(", ", desc);
                        fuzz_new_message(f);
                        r = fuzz_append(f, m, type, strlen(type), desc, 1);
                }
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
        }
        if (r < 0)
                return r;
        fputc(')', desc);
        *ret = TAKE_PTR(m);
        return 0;
}

/* Calls on things that are not there: members, interfaces, objects. */
static int build_stray_call(sd_bus *bus, const Contract *c, const void *what, Fuzz *f, unsigned i,
                            sd_bus_message **ret, FILE *desc, bool *ret_expect_reply) {
        static const char *const paths[] = { "/", "/org/voicehvac", "/org/voicehvac/Nope1" };
        const char *path = i % 3 == 0 ? paths[fuzz_pick(f, ELEMENTSOF(paths))] : c->object_path;
        const char *iface = i % 3 == 1 ? "org.voicehvac.Nope1" : c->interface;
        const char *member = i % 3 == 2 ? "NoSuchMethod" : c->n_methods ? c->methods[i % c->n_methods].name : "Nope";
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        *ret_expect_reply = true;
        r = sd_bus_message_new_method_call(bus, &m, c->bus_name, path, iface, member);
        if (r < 0)
                return r;
        fprintf(desc, "%s %s.%s(", path, iface, member);
        r = fuzz_append_signature(f, m, fuzz_random_type(f), desc);
        if (r < 0)
                return r;
        fputc(')', desc);
        *ret = TAKE_PTR(m);
        return 0;
}

/* n calls built by "build", with the service checked every PING_EVERY calls and at the end. */
static int fuzz_member(sd_bus *bus, const Contract *c, Service *svc, Totals *t, Fuzz *f,
                       build_t build, const void *what, unsigned n) {
        for (unsigned i = 0; i < n; i++) {
                _cleanup_free_ char *desc = NULL;
                size_t desc_size = 0;
                _cleanup_fclose_ FILE *d = open_memstream(&desc, &desc_size);
                sd_bus_message *m = NULL;
                bool expect_reply = true;
                int r;

                if (now_usec(CLOCK_MONOTONIC) >= t->deadline) {
                        t->out_of_time = true;
                        break;
                }
                if (!d)
                        return -ENOMEM;
                r = build(bus, c, what, f, i, &m, d, &expect_reply);
                if (fflush(d) != 0)
                        return -ENOMEM;
                if (r < 0) {
                        /* sd-bus refused to build it (e.g. too large): not sent, not a finding. */
                        if (arg_verbose)
                                printf("not sent (%s): %s\n", strerror(-r), desc);
                        continue;
                }
                if (!expect_reply) {
                        t->calls++;
                        r = sd_bus_send(bus, m, NULL);
                        sd_bus_message_unref(m);
                } else
                        r = judge_call(bus, t, c->bus_name, m, desc);
                if (r < 0)
                        return r;
                if ((i + 1) % PING_EVERY == 0 || i + 1 == n) {
                        _cleanup_free_ char *problem = NULL;

                        if (service_check_alive(bus, svc, &problem) < 0) {
                                finding(t, c->bus_name, desc, "%s (after this call or one of the %d before it)",
                                        problem, PING_EVERY - 1);
                                return -ESRCH;
                        }
                }
        }
        return 0;
}

static int fuzz_service(sd_bus *bus, const Contract *c, Totals *t, Fuzz *f) {
        _cleanup_(service_done) Service svc = {};
        _cleanup_free_ char *problem = NULL;
        int r;

        r = service_attach(bus, c, &svc);
        if (r < 0) {
                printf("%s: not on the bus (%s), skipped\n", c->bus_name, strerror(-r));
                t->skipped++;
                return arg_require_all ? -ENOENT : 0;
        }
        t->services++;
        printf("%s: pid %d, %d fds, %zu methods, %zu properties\n", c->bus_name, (int) svc.pid, svc.fds_before,
               c->n_methods, c->n_properties);

        for (size_t i = 0; i < c->n_methods && r >= 0; i++, t->methods++)
                r = fuzz_member(bus, c, &svc, t, f, build_method_call, &c->methods[i], arg_calls);
        for (size_t i = 0; i < c->n_properties && r >= 0; i++, t->properties++)
                r = fuzz_member(bus, c, &svc, t, f, build_property_call, &c->properties[i], arg_calls / 4 + 4);
        if (r >= 0)
                r = fuzz_member(bus, c, &svc, t, f, build_stray_call, NULL, arg_calls / 4 + 3);
        if (r == -ESRCH)
                return 0;       /* already reported */
        if (r < 0)
                return r;

        if (service_check_final(bus, c, &svc, &problem) < 0)
                finding(t, c->bus_name, "(after all calls)", "%s", problem);
        else
                printf("%s: alive, answers, properties typed as in the contract, fds %d → %d\n",
                       c->bus_name, svc.fds_before, svc.fds_after);
        return 0;
}

static int load_contracts(Contract **ret, size_t *ret_n) {
        _cleanup_free_ char *dir = NULL;
        struct dirent **names = NULL;
        Contract *cs = NULL;
        size_t n = 0;
        int k, r = 0;

        if (arg_xml_dir)
                dir = strdup(arg_xml_dir);
        else if (asprintf(&dir, "%s/dbus-interfaces", getenv("VH_SRCDIR") ?: ".") < 0)
                dir = NULL;
        if (!dir)
                return -ENOMEM;
        k = scandir(dir, &names, NULL, alphasort);
        if (k < 0)
                return -errno;
        cs = calloc((size_t) k, sizeof(Contract));
        for (int i = 0; i < k; i++) {
                const char *e = strrchr(names[i]->d_name, '.');
                _cleanup_free_ char *path = NULL;
                bool wanted = arg_n_services == 0;

                for (size_t s = 0; s < arg_n_services; s++)
                        if (strncmp(names[i]->d_name, arg_services[s], strlen(arg_services[s])) == 0 &&
                            streq(names[i]->d_name + strlen(arg_services[s]), ".xml"))
                                wanted = true;
                if (cs && r >= 0 && e && streq(e, ".xml") && wanted) {
                        if (asprintf(&path, "%s/%s", dir, names[i]->d_name) < 0)
                                r = -ENOMEM;
                        else {
                                r = contract_load(path, &cs[n]);
                                if (r < 0)
                                        fprintf(stderr, "%s: cannot read the contract: %s\n", path, strerror(-r));
                                else
                                        n++;
                        }
                }
                free(names[i]);
        }
        free(names);
        if (!cs)
                return -ENOMEM;
        *ret = cs;
        *ret_n = n;
        return r;
}

static int parse_argv(int argc, char *argv[]) {
        static const struct option options[] = {
                { "xml-dir", required_argument, NULL, 'x' },
                { "service", required_argument, NULL, 's' },
                { "calls", required_argument, NULL, 'n' },
                { "seconds", required_argument, NULL, 't' },
                { "seed", required_argument, NULL, 'r' },
                { "stats", required_argument, NULL, 'S' },
                { "require-all", no_argument, NULL, 'R' },
                { "verbose", no_argument, NULL, 'v' },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 'x': arg_xml_dir = optarg; break;
                case 's': {
                        char **n = reallocarray(arg_services, arg_n_services + 1, sizeof(char *));
                        if (!n)
                                return -ENOMEM;
                        arg_services = n;
                        arg_services[arg_n_services++] = optarg;
                        break;
                }
                case 'n': arg_calls = (unsigned) strtoul(optarg, NULL, 10); break;
                case 't': arg_seconds = (unsigned) strtoul(optarg, NULL, 10); break;
                case 'r': arg_seed = strtoull(optarg, NULL, 0); break;
                case 'S': arg_stats = optarg; break;
                case 'R': arg_require_all = true; break;
                case 'v': arg_verbose = true; break;
                default: return -EINVAL;
                }
        return 0;
}

static void write_stats(const Totals *t) {
        _cleanup_fclose_ FILE *f = NULL;

        if (!arg_stats)
                return;
        f = fopen(arg_stats, "ae");
        if (f)
                fprintf(f, "busfuzz cases=%u inputs=%lu faults=%lu lost=%lu %u services (%u skipped), "
                        "%u methods, %u properties; faults = calls refused with a named error\n",
                        t->methods + t->properties, t->calls, t->named_errors, t->findings, t->services,
                        t->skipped, t->methods, t->properties);
}

int main(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        Contract *contracts = NULL;
        size_t n = 0;
        Totals t = {};
        Fuzz f = {};
        int r;

        if (parse_argv(argc, argv) < 0) {
                fprintf(stderr, "usage: busfuzz [--xml-dir DIR] [--service NAME]... [--calls N] [--seconds S] "
                        "[--seed N] [--stats FILE] [--require-all] [--verbose]\n");
                return 2;
        }
        if (arg_seed == 0)
                arg_seed = now_usec(CLOCK_REALTIME) ^ (uint64_t) getpid();
        printf("busfuzz: seed %llu (rerun with --seed %llu)\n", (unsigned long long) arg_seed,
               (unsigned long long) arg_seed);
        f.rng = arg_seed;
        f.null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        t.deadline = now_usec(CLOCK_MONOTONIC) + arg_seconds * USEC_PER_SEC;
        signal(SIGPIPE, SIG_IGN);

        r = load_contracts(&contracts, &n);
        if (r < 0 || n == 0) {
                fprintf(stderr, "busfuzz: no contract to fuzz (%s)\n", r < 0 ? strerror(-r) : "no XML file matched");
                return 2;
        }
        r = sd_bus_open_system(&bus);
        if (r < 0) {
                fprintf(stderr, "busfuzz: cannot connect to the system bus: %s\n", strerror(-r));
                return 2;
        }

        for (size_t i = 0; i < n && r >= 0; i++) {
                f.words = contracts[i].words;
                f.n_words = contracts[i].n_words;
                r = fuzz_service(bus, &contracts[i], &t, &f);
        }
        for (size_t i = 0; i < n; i++)
                contract_done(&contracts[i]);
        free(contracts);
        free(arg_services);
        safe_close(f.null_fd);

        printf("busfuzz: %u services (%u skipped), %u methods, %u properties, %lu calls: %lu replies, "
               "%lu named errors, %lu findings%s\n", t.services, t.skipped, t.methods, t.properties, t.calls,
               t.replies, t.named_errors, t.findings, t.out_of_time ? " (time limit reached)" : "");
        write_stats(&t);
        if (r < 0 && r != -ENOENT) {
                fprintf(stderr, "busfuzz: stopped: %s\n", strerror(-r));
                return 2;
        }
        return t.findings > 0 || r == -ENOENT ? 1 : 0;
}
