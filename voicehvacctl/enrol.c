/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus-contract.h"
#include "bus-util.h"
#include "ctl.h"
#include "enrol.h"
#include "level-meter.h"
#include "time-util.h"

#define METER_BAR_WIDTH 30

typedef struct Enrol {
        sd_event *event;
        sd_bus *bus;
        bool tty;                       /* the meter is redrawn in place */
        bool meter_shown;
        sd_bus_slot *level_slot;        /* the match on audiod's Level signal */
        unsigned taken, needed;
        bool finished, ok;
} Enrol;

static void meter_clear(Enrol *e) {
        if (e->meter_shown)
                fputs("\r\033[K", stdout);
        e->meter_shown = false;
}

static void say(Enrol *e, const char *format, ...) _printf_(2, 3);
static void say(Enrol *e, const char *format, ...) {
        va_list ap;

        meter_clear(e);
        va_start(ap, format);
        vprintf(format, ap);
        va_end(ap);
        fflush(stdout);
}

/* audiod's Level signal, ten a second: the peak of each, which is what clips. */
static int on_level(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Enrol *e = userdata;
        double rms_dbfs, peak_dbfs;
        char bar[METER_BAR_WIDTH + 1];
        uint64_t audio_usec;

        if (sd_bus_message_read(m, "ddt", &rms_dbfs, &peak_dbfs, &audio_usec) < 0)
                return 0;
        level_bar(peak_dbfs, bar, sizeof bar - 1);
        fputs("\r\033[K", stdout);
        printf("  level %6.1f dBFS [%s]%s", peak_dbfs, bar,
               peak_dbfs > -1.0 ? "  too loud" : peak_dbfs < -40.0 ? "  speak up" : "");
        fflush(stdout);
        e->meter_shown = true;
        return 0;
}

/* The level meter, on a terminal only: elsewhere the lines would fill a log. It needs no raw
 * audio: audiod measures, and tells anyone who asks (StartLevel). */
static void level_open(Enrol *e) {
        _cleanup_bus_error_ sd_bus_error error = SD_BUS_ERROR_NULL;

        if (!e->tty)
                return;
        if (sd_bus_match_signal(e->bus, &e->level_slot, services[SERVICE_AUDIO].name, services[SERVICE_AUDIO].path,
                                VH_AUDIO_INTERFACE, "Level", on_level, e) < 0 ||
            sd_bus_call_method(e->bus, services[SERVICE_AUDIO].name, services[SERVICE_AUDIO].path,
                               VH_AUDIO_INTERFACE, "StartLevel", &error, NULL, NULL) < 0) {
                printf("(no level meter: %s)\n", error.message ?: "audiod does not publish its level");
                e->level_slot = sd_bus_slot_unref(e->level_slot);
        }
}

static void prompt_show(Enrol *e) {
        _cleanup_free_ char *prompt = NULL;

        if (sd_bus_get_property_string(e->bus, services[SERVICE_WAKEWORD].name, services[SERVICE_WAKEWORD].path,
                                       services[SERVICE_WAKEWORD].name, "EnrolmentPrompt", NULL, &prompt) < 0 ||
            !prompt[0])
                return;
        say(e, "[%u/%u] Say: \"%s\"\n", e->taken + 1, e->needed, prompt);
}

static int on_take(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Enrol *e = userdata;
        const char *prompt, *reason;
        uint32_t index;
        int accepted;

        if (sd_bus_message_read(m, "usbs", &index, &prompt, &accepted, &reason) < 0)
                return 0;
        if (accepted) {
                e->taken = index + 1;
                say(e, "        ok\n");
                if (e->taken < e->needed)
                        prompt_show(e);
                else
                        say(e, "All %u takes recorded; adapting the model to them (this takes a while)...\n", e->needed);
        } else {
                say(e, "        not used: %s. Once more, please.\n", reason);
                prompt_show(e);
        }
        return 0;
}

static int on_finished(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Enrol *e = userdata;
        const char *message;
        int ok;

        if (sd_bus_message_read(m, "bs", &ok, &message) < 0)
                return 0;
        e->finished = true;
        e->ok = ok;
        if (ok)
                say(e, "Done: %s.\n", message);
        else
                say(e, "Enrolment failed: %s.\n", message);
        return sd_event_exit(e->event, 0);
}

static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Enrol *e = userdata;
        const char *name, *old, *new;

        if (sd_bus_message_read(m, "sss", &name, &old, &new) < 0 || !streq(name, services[SERVICE_WAKEWORD].name) ||
            !isempty(new))
                return 0;
        say(e, "wakeword stopped; the enrolment is lost.\n");
        e->finished = true;     /* nothing left to cancel */
        return sd_event_exit(e->event, 0);
}

/* Ctrl-C: the daemon would go on recording for nobody. Said while the bus is still attached (the
 * loop closes it on its way out). */
static int on_interrupt(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Enrol *e = userdata;

        if (!e->finished) {
                say(e, "Cancelled.\n");
                (void) ctl_call(e->bus, SERVICE_WAKEWORD, "Failed to cancel the enrolment", "CancelEnrolment", "");
                e->finished = true;
        }
        return sd_event_exit(e->event, 0);
}

static int event_new_interruptible(Enrol *e) {
        sigset_t mask;
        int r;

        r = sd_event_default(&e->event);
        if (r < 0)
                return r;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return -errno;
        r = sd_event_add_signal(e->event, NULL, SIGTERM, on_interrupt, e);
        if (r >= 0)
                r = sd_event_add_signal(e->event, NULL, SIGINT, on_interrupt, e);
        return r;
}

static int subscribe(Enrol *e) {
        const ServiceInfo *w = &services[SERVICE_WAKEWORD];
        int r;

        r = sd_bus_match_signal(e->bus, NULL, w->name, w->path, w->name, "EnrolmentTake", on_take, e);
        if (r >= 0)
                r = sd_bus_match_signal(e->bus, NULL, w->name, w->path, w->name, "EnrolmentFinished", on_finished, e);
        if (r >= 0)
                r = sd_bus_match_signal(e->bus, NULL, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                        "org.freedesktop.DBus", "NameOwnerChanged", on_name_owner_changed, e);
        return r;
}

static int reset_run(void) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;

        if (ctl_bus_open(&bus) < 0)
                return EXIT_ERROR;
        if (ctl_call(bus, SERVICE_WAKEWORD, "Failed to reset the adaptation", "ResetAdaptation", "") < 0)
                return EXIT_ERROR;
        printf("The adaptation is removed: wakeword listens with the stock model.\n");
        return EXIT_OK;
}

int enrol_run(bool reset) {
        _cleanup_bus_error_ sd_bus_error error = SD_BUS_ERROR_NULL;
        Enrol e = { .tty = isatty(STDOUT_FILENO) };
        int r;

        if (reset)
                return reset_run();
        r = event_new_interruptible(&e);
        if (r < 0) {
                fprintf(stderr, "Failed to set up the event loop: %s\n", strerror(-r));
                return EXIT_ERROR;
        }
        r = ctl_bus_open(&e.bus);
        if (r < 0)
                goto finish;
        r = sd_bus_attach_event(e.bus, e.event, 0);
        if (r >= 0)
                r = subscribe(&e);
        if (r < 0) {
                fprintf(stderr, "Failed to subscribe to wakeword's signals: %s\n", strerror(-r));
                goto finish;
        }
        r = ctl_call(e.bus, SERVICE_WAKEWORD, "Failed to start the enrolment", "StartEnrolment", "");
        if (r < 0)
                goto finish;
        {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;

                if (sd_bus_get_property(e.bus, services[SERVICE_WAKEWORD].name, services[SERVICE_WAKEWORD].path,
                                        services[SERVICE_WAKEWORD].name, "EnrolmentProgress", &error, &reply, "(uu)") >= 0)
                        (void) sd_bus_message_read(reply, "(uu)", &e.taken, &e.needed);
        }
        printf("Enrolment: say each sentence shown, once, at your normal voice and distance, then wait\n"
               "for its verdict. %u sentences. Ctrl-C cancels.\n", e.needed);
        level_open(&e);
        prompt_show(&e);
        r = sd_event_loop(e.event);
finish:
        meter_clear(&e);
        sd_bus_slot_unref(e.level_slot);
        sd_bus_flush_close_unref(e.bus);
        sd_event_unref(e.event);
        return r >= 0 && e.ok ? EXIT_OK : EXIT_ERROR;
}
