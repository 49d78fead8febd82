/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Sound cards coming and going, from a libudev monitor whose fd lives in the event loop. Start-up
 * enumeration goes through the same callback as hot-plug, so there is one code path. Any device
 * of a card added or changed (its control and PCM devices, and the card's own "change" once
 * udev has set it up) reports the card present: a card whose control device came first may not
 * have its PCM yet, so each of its events is a reason to try again. The removal of its control
 * device reports it gone. */

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "macro.h"
#include "time-util.h"

typedef enum HotplugEvent {
        HOTPLUG_IGNORE,
        HOTPLUG_PRESENT,        /* a device of the card was added or changed */
        HOTPLUG_GONE,           /* the card's control device was removed */
} HotplugEvent;

/* What a udev event of the "sound" subsystem says about which card: "cardN", "controlCN",
 * "pcmCNDM[cp]", "hwCNDM", "midiCNDM" name card N; timers and the sequencer name none. */
HotplugEvent hotplug_classify(const char *action, const char *sysname, int *ret_card);

/* Whether an ALSA device name opens a card directly ("hw:1", "plughw:CARD=Mic", "dsnoop:…",
 * "sysdefault:…"), so that udev reports its coming and going. */
bool hotplug_device_on_card(const char *device);

/* With udev sending events for the card, retrying the open is only a fallback: the delay before
 * retry "attempt" (0 = the first) doubles from 100 ms up to max_usec, and up to
 * HOTPLUG_FALLBACK_USEC (or max_usec if longer) when events will tell of the card's return. */
#define HOTPLUG_RETRY_MIN_USEC (100 * USEC_PER_MSEC)
#define HOTPLUG_FALLBACK_USEC (60 * USEC_PER_SEC)
usec_t hotplug_retry_delay(unsigned attempt, usec_t max_usec, bool events);

typedef struct Hotplug Hotplug;

typedef void (*hotplug_card_t)(Hotplug *h, int card, bool present, void *userdata);

int hotplug_new(sd_event *event, hotplug_card_t on_card, void *userdata, Hotplug **ret);
Hotplug *hotplug_free(Hotplug *h);
DEFINE_TRIVIAL_CLEANUP_FUNC(Hotplug *, hotplug_free);

/* Reports every card present now, as if it had just been added. */
int hotplug_enumerate(Hotplug *h);

/* True when a udev daemon runs, so that events arrive (none do in a container without one). */
bool hotplug_has_events(Hotplug *h);
