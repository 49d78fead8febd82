/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "health.h"
#include "macro.h"
#include "time-util.h"

#define FD_SETTLE (3 * USEC_PER_SEC)

int process_count_fds(pid_t pid) {
        char path[64];
        struct dirent *de;
        DIR *d;
        int n = 0;

        snprintf(path, sizeof(path), "/proc/%d/fd", (int) pid);
        d = opendir(path);
        if (!d)
                return -errno;
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        n++;
        closedir(d);
        return n;
}

static unsigned long long process_start_time(pid_t pid) {
        char path[64], buf[1024];
        unsigned long long t = 0;
        FILE *f;
        char *p;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        f = fopen(path, "re");
        if (!f)
                return 0;
        if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
                (void) sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu", &t);
        fclose(f);
        return t;
}

static int name_owner_pid(sd_bus *bus, const char *name, pid_t *ret) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        int r;

        r = sd_bus_get_name_creds(bus, name, SD_BUS_CREDS_PID, &creds);
        if (r < 0)
                return r;
        return sd_bus_creds_get_pid(creds, ret);
}

static int problem(char **ret, const char *fmt, ...) _printf_(2, 3);
static int problem(char **ret, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(ret, fmt, ap) < 0)
                *ret = NULL;
        va_end(ap);
        return -EIO;
}

int service_attach(sd_bus *bus, const Contract *c, Service *ret) {
        Service s = {
                .name = c->bus_name,
                .path = c->object_path,
                .interface = c->interface,
                .probe = c->n_properties > 0 ? c->properties[0].name : NULL,
                .probe_type = c->n_properties > 0 ? c->properties[0].type : NULL,
        };
        int r;

        r = name_owner_pid(bus, s.name, &s.pid);
        if (r < 0)
                return r;
        r = sd_bus_call_method(bus, s.name, s.path, "org.freedesktop.DBus.Peer", "Ping", NULL, NULL, NULL);
        if (r < 0)
                return r;
        s.start_time = process_start_time(s.pid);
        usleep(200 * 1000);
        s.fds_before = process_count_fds(s.pid);
        *ret = s;
        return 0;
}

int service_check_alive(sd_bus *bus, Service *s, char **ret_problem) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        pid_t owner;
        int r;

        if (kill(s->pid, 0) < 0 || process_start_time(s->pid) != s->start_time)
                return problem(ret_problem, "process %d is gone (crashed or restarted)", (int) s->pid);
        r = name_owner_pid(bus, s->name, &owner);
        if (r < 0 || owner != s->pid)
                return problem(ret_problem, "process %d no longer owns the name", (int) s->pid);
        r = sd_bus_call_method(bus, s->name, s->path, "org.freedesktop.DBus.Peer", "Ping", &e, NULL, NULL);
        if (r < 0)
                return problem(ret_problem, "no answer to Peer.Ping: %s %s", e.name ?: strerror(-r), e.message ?: "");
        if (s->probe) {
                r = sd_bus_get_property(bus, s->name, s->path, s->interface, s->probe, &e, &reply, s->probe_type);
                if (r < 0)
                        return problem(ret_problem, "property %s cannot be read: %s", s->probe, e.name ?: strerror(-r));
        }
        return 0;
}

static int check_properties(sd_bus *bus, const Contract *c, Service *s, char **ret_problem) {
        for (size_t i = 0; i < c->n_properties; i++) {
                _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
                const ContractProperty *p = &c->properties[i];
                int r;

                /* With the type given, sd-bus enters the variant only when it holds that type. */
                r = sd_bus_get_property(bus, s->name, s->path, s->interface, p->name, &e, &reply, p->type);
                if (r < 0)
                        return problem(ret_problem, "property %s cannot be read as type %s: %s", p->name, p->type,
                                       e.name ?: strerror(-r));
        }
        return 0;
}

int service_check_final(sd_bus *bus, const Contract *c, Service *s, char **ret_problem) {
        usec_t end = now_usec(CLOCK_MONOTONIC) + FD_SETTLE;
        int r;

        r = service_check_alive(bus, s, ret_problem);
        if (r < 0)
                return r;
        r = check_properties(bus, c, s, ret_problem);
        if (r < 0)
                return r;
        /* Closed client fds reach the daemon as hang-ups; give its loop a moment to drop them. */
        do {
                s->fds_after = process_count_fds(s->pid);
                if (s->fds_after <= s->fds_before)
                        return 0;
                usleep(100 * 1000);
        } while (now_usec(CLOCK_MONOTONIC) < end);
        return problem(ret_problem, "fd leak: %d fds before, %d after", s->fds_before, s->fds_after);
}

void service_done(Service *s) {
        *s = (Service) {};
}
