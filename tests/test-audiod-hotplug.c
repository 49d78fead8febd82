/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* audiod's device monitor without a bus: which udev events of the sound subsystem say that a
 * card came, changed or went; which device names udev can report on; the retry delays — the
 * quick back-off, and the slow fallback while udev will report the card's return —; and a real
 * libudev monitor in an sd-event loop, whose start-up enumeration reports exactly the cards of
 * /sys/class/sound. */

#include <dirent.h>
#include <stdio.h>

#include "harness.h"
#include "hotplug.h"

#define MSEC USEC_PER_MSEC

static void test_classify(void) {
        static const struct { const char *action, *sysname; HotplugEvent want; int card; } cases[] = {
                { "add", "controlC0", HOTPLUG_PRESENT, 0 },
                { "add", "controlC12", HOTPLUG_PRESENT, 12 },
                { "add", "pcmC1D0c", HOTPLUG_PRESENT, 1 },
                { "add", "pcmC1D3p", HOTPLUG_PRESENT, 1 },
                { "add", "hwC2D0", HOTPLUG_PRESENT, 2 },
                { "add", "midiC3D0", HOTPLUG_PRESENT, 3 },
                { "change", "card4", HOTPLUG_PRESENT, 4 },
                { "change", "pcmC4D0c", HOTPLUG_PRESENT, 4 },
                { "remove", "controlC5", HOTPLUG_GONE, 5 },
                /* A card goes with its control device; its other devices' removals say nothing more. */
                { "remove", "pcmC5D0c", HOTPLUG_IGNORE, -1 },
                { "remove", "card5", HOTPLUG_IGNORE, -1 },
                { "bind", "controlC0", HOTPLUG_IGNORE, -1 },
                { "add", "timer", HOTPLUG_IGNORE, -1 },
                { "add", "seq", HOTPLUG_IGNORE, -1 },
                { "add", "controlC", HOTPLUG_IGNORE, -1 },
                { "add", "controlC1x", HOTPLUG_IGNORE, -1 },
                { "add", "controlC-1", HOTPLUG_IGNORE, -1 },
                { "add", "card", HOTPLUG_IGNORE, -1 },
                { "add", "pcmC1", HOTPLUG_IGNORE, -1 },
                { "add", "controlC99999999999", HOTPLUG_IGNORE, -1 },
                { NULL, "controlC0", HOTPLUG_IGNORE, -1 },
                { "add", NULL, HOTPLUG_IGNORE, -1 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                int card = -1;
                HotplugEvent e = hotplug_classify(cases[i].action, cases[i].sysname, &card);

                check(e == cases[i].want && (e == HOTPLUG_IGNORE || card == cases[i].card),
                      "%s %s: event %d card %d, want %d card %d", cases[i].action ?: "(null)", cases[i].sysname ?: "(null)",
                      e, card, cases[i].want, cases[i].card);
        }
}

static void test_device_on_card(void) {
        check(hotplug_device_on_card("hw:1"), "hw:1");
        check(hotplug_device_on_card("plughw:CARD=Mic,DEV=0"), "plughw:CARD=Mic");
        check(hotplug_device_on_card("dsnoop:CARD=1"), "dsnoop");
        check(hotplug_device_on_card("sysdefault:CARD=Loopback"), "sysdefault");
        check(!hotplug_device_on_card("default"), "default: whatever the configuration makes it");
        check(!hotplug_device_on_card("pulse"), "a sound server");
        check(!hotplug_device_on_card("vhtest"), "a plugin");
        check(!hotplug_device_on_card("hw"), "no colon");
        check(!hotplug_device_on_card(NULL), "none");
}

static void test_retry_delay(void) {
        static const usec_t quick[] = { 100, 200, 400, 800, 1600, 3200, 5000, 5000 };
        static const usec_t slow[] = { 100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000 };

        for (unsigned i = 0; i < ELEMENTSOF(quick); i++)
                check(hotplug_retry_delay(i, 5000 * MSEC, false) == quick[i] * MSEC, "retry %u without udev: %llu ms", i,
                      (unsigned long long) (hotplug_retry_delay(i, 5000 * MSEC, false) / MSEC));
        for (unsigned i = 0; i < ELEMENTSOF(slow); i++)
                check(hotplug_retry_delay(i, 5000 * MSEC, true) == slow[i] * MSEC, "retry %u while udev reports: %llu ms", i,
                      (unsigned long long) (hotplug_retry_delay(i, 5000 * MSEC, true) / MSEC));
        check(hotplug_retry_delay(1000, 5000 * MSEC, true) == HOTPLUG_FALLBACK_USEC, "no overflow after many retries");
        check(hotplug_retry_delay(20, 120000 * MSEC, true) == 120000 * MSEC, "a longer retry_max_ms is kept");
        check(hotplug_retry_delay(20, 120000 * MSEC, false) == 120000 * MSEC, "… with or without udev");
        check(hotplug_retry_delay(0, 100 * MSEC, false) == 100 * MSEC, "the shortest retry_max_ms");
}

static void on_card(Hotplug *h, int card, bool present, void *userdata) {
        bool *seen = userdata;

        check(present, "enumeration reports cards present (card %d)", card);
        if (card >= 0 && card < 32)
                seen[card] = true;
}

static void test_monitor(void) {
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        _cleanup_(hotplug_freep) Hotplug *h = NULL;
        bool seen[32] = {}, present[32] = {};
        DIR *d;
        int r;

        require(sd_event_new(&event) >= 0, "sd_event_new");
        r = hotplug_new(event, on_card, seen, &h);
        require(r >= 0, "a udev monitor in the event loop: %s", strerror(-r));
        check(hotplug_enumerate(h) >= 0, "enumeration");

        d = opendir("/sys/class/sound");
        if (d) {
                struct dirent *de;
                int card;

                while ((de = readdir(d)))
                        if (hotplug_classify("add", de->d_name, &card) == HOTPLUG_PRESENT && card < 32 &&
                            strncmp(de->d_name, "controlC", 8) == 0)
                                present[card] = true;
                closedir(d);
        }
        for (int i = 0; i < 32; i++)
                check(seen[i] == present[i], "card %d: enumerated %s, in /sys/class/sound %s", i, seen[i] ? "yes" : "no",
                      present[i] ? "yes" : "no");
        test_log("udev daemon sending events: %s", hotplug_has_events(h) ? "yes" : "no");

        /* Nothing pending: one loop iteration dispatches nothing and returns. */
        check(sd_event_run(event, 0) >= 0, "the loop runs with the monitor in it");
}

int main(void) {
        test_classify();
        test_device_on_card();
        test_retry_delay();
        test_monitor();
        return test_result();
}
