/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <ctype.h>
#include <errno.h>
#include <libudev.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "hotplug.h"

struct Hotplug {
        struct udev *udev;
        struct udev_monitor *monitor;
        sd_event_source *io;
        hotplug_card_t on_card;
        void *userdata;
};

Hotplug *hotplug_free(Hotplug *h) {
        if (!h)
                return NULL;
        sd_event_source_disable_unref(h->io);
        udev_monitor_unref(h->monitor);
        udev_unref(h->udev);
        free(h);
        return NULL;
}

HotplugEvent hotplug_classify(const char *action, const char *sysname, int *ret_card) {
        static const char *const prefixes[] = { "card", "controlC", "pcmC", "hwC", "midiC" };
        bool add, remove;

        if (!action || !sysname)
                return HOTPLUG_IGNORE;
        add = streq(action, "add") || streq(action, "change");
        remove = streq(action, "remove");
        if (!add && !remove)
                return HOTPLUG_IGNORE;

        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++) {
                size_t l = strlen(prefixes[i]);
                const char *p = sysname + l;
                char *end;
                long card;

                if (strncmp(sysname, prefixes[i], l) != 0 || !isdigit((unsigned char) *p))
                        continue;
                errno = 0;
                card = strtol(p, &end, 10);
                if (errno != 0 || card > INT_MAX)
                        return HOTPLUG_IGNORE;
                /* "card3", "controlC3": nothing after the number; the others go on with "D". */
                if (i < 2 ? *end != '\0' : *end != 'D')
                        return HOTPLUG_IGNORE;
                if (remove && i != 1)
                        return HOTPLUG_IGNORE;
                *ret_card = (int) card;
                return add ? HOTPLUG_PRESENT : HOTPLUG_GONE;
        }
        return HOTPLUG_IGNORE;
}

bool hotplug_device_on_card(const char *device) {
        static const char *const prefixes[] = { "hw:", "plughw:", "dsnoop:", "sysdefault:" };

        for (size_t i = 0; device && i < ELEMENTSOF(prefixes); i++)
                if (strncmp(device, prefixes[i], strlen(prefixes[i])) == 0)
                        return true;
        return false;
}

usec_t hotplug_retry_delay(unsigned attempt, usec_t max_usec, bool events) {
        usec_t cap = events ? MAX(max_usec, HOTPLUG_FALLBACK_USEC) : max_usec, delay = HOTPLUG_RETRY_MIN_USEC;

        for (unsigned i = 0; i < attempt && delay < cap; i++)
                delay *= 2;
        return MIN(delay, cap);
}

static void hotplug_dispatch(Hotplug *h, struct udev_device *d, const char *action) {
        int card = -1;
        HotplugEvent e = hotplug_classify(action, udev_device_get_sysname(d), &card);

        if (e != HOTPLUG_IGNORE && h->on_card)
                h->on_card(h, card, e == HOTPLUG_PRESENT, h->userdata);
}

static int hotplug_on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Hotplug *h = userdata;
        struct udev_device *d;

        while ((d = udev_monitor_receive_device(h->monitor))) {
                hotplug_dispatch(h, d, udev_device_get_action(d));
                udev_device_unref(d);
        }
        return 0;
}

int hotplug_new(sd_event *event, hotplug_card_t on_card, void *userdata, Hotplug **ret) {
        _cleanup_(hotplug_freep) Hotplug *h = NULL;
        int r;

        h = calloc(1, sizeof(Hotplug));
        if (!h)
                return -ENOMEM;
        h->on_card = on_card;
        h->userdata = userdata;

        h->udev = udev_new();
        if (!h->udev)
                return -ENOMEM;

        /* Events after udevd processed them (device nodes exist, permissions applied). Where no
         * udevd runs (a container), nothing arrives and the owner's back-off retry covers it. */
        h->monitor = udev_monitor_new_from_netlink(h->udev, "udev");
        if (!h->monitor)
                return negative_errno();
        r = udev_monitor_filter_add_match_subsystem_devtype(h->monitor, "sound", NULL);
        if (r < 0)
                return r;
        r = udev_monitor_enable_receiving(h->monitor);
        if (r < 0)
                return r;

        r = sd_event_add_io(event, &h->io, udev_monitor_get_fd(h->monitor), EPOLLIN, hotplug_on_io, h);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(h->io, "udev-sound");

        *ret = TAKE_PTR(h);
        return 0;
}

int hotplug_enumerate(Hotplug *h) {
        struct udev_enumerate *e;
        struct udev_list_entry *item;
        int r;

        e = udev_enumerate_new(h->udev);
        if (!e)
                return -ENOMEM;
        r = udev_enumerate_add_match_subsystem(e, "sound");
        if (r >= 0)
                r = udev_enumerate_scan_devices(e);
        if (r < 0) {
                udev_enumerate_unref(e);
                return r;
        }

        udev_list_entry_foreach(item, udev_enumerate_get_list_entry(e)) {
                struct udev_device *d = udev_device_new_from_syspath(h->udev, udev_list_entry_get_name(item));

                if (!d)
                        continue;
                hotplug_dispatch(h, d, "add");
                udev_device_unref(d);
        }
        udev_enumerate_unref(e);
        return 0;
}

bool hotplug_has_events(Hotplug *h) {
        struct udev_queue *q = udev_queue_new(h->udev);
        bool active;

        if (!q)
                return false;
        active = udev_queue_get_udev_is_active(q) > 0;
        udev_queue_unref(q);
        return active;
}
