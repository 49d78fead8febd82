/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <libudev.h>
#include <stdio.h>
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

/* "controlC3" → 3; anything else (pcm devices, timers, sequencer) → -1. */
static int card_of_control(const char *sysname) {
        int card;
        char tail;

        if (!sysname || sscanf(sysname, "controlC%d%c", &card, &tail) != 1 || card < 0)
                return -1;
        return card;
}

static void hotplug_dispatch(Hotplug *h, struct udev_device *d, bool present) {
        int card = card_of_control(udev_device_get_sysname(d));

        if (card >= 0 && h->on_card)
                h->on_card(h, card, present, h->userdata);
}

static int hotplug_on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Hotplug *h = userdata;
        struct udev_device *d;

        while ((d = udev_monitor_receive_device(h->monitor))) {
                const char *action = udev_device_get_action(d);

                if (action && streq(action, "add"))
                        hotplug_dispatch(h, d, true);
                else if (action && streq(action, "remove"))
                        hotplug_dispatch(h, d, false);
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
                hotplug_dispatch(h, d, true);
                udev_device_unref(d);
        }
        udev_enumerate_unref(e);
        return 0;
}
