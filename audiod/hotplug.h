/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Sound cards coming and going, from a libudev monitor whose fd lives in the event loop. Start-up
 * enumeration goes through the same callback as hot-plug, so there is one code path. A card
 * counts as present once its control device exists. */

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "macro.h"

typedef struct Hotplug Hotplug;

typedef void (*hotplug_card_t)(Hotplug *h, int card, bool present, void *userdata);

int hotplug_new(sd_event *event, hotplug_card_t on_card, void *userdata, Hotplug **ret);
Hotplug *hotplug_free(Hotplug *h);
DEFINE_TRIVIAL_CLEANUP_FUNC(Hotplug *, hotplug_free);

/* Reports every card present now, as if it had just been added. */
int hotplug_enumerate(Hotplug *h);
