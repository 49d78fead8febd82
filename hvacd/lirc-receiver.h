/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* An IR receiver: /dev/lircN in LIRC_MODE_MODE2, read in the event loop. The pulses and spaces
 * of one press, up to the receiver's timeout or a long silence, go to the handler in one piece.
 * A FIFO in place of the device gives the same 32-bit mode2 words, for tests. */

#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "macro.h"

typedef struct LircReceiver LircReceiver;

typedef void (*lirc_receiver_handler_t)(LircReceiver *r, const uint32_t *samples, size_t n, void *userdata);

/* LIRC_GET_FEATURES of an open character device: 0 and *ret, -ENODEV when it is no LIRC
 * device (a kernel answers ENOTTY; qemu-user ENOSYS for an ioctl it does not pass through). */
int lirc_get_features(int fd, unsigned *ret);

int lirc_receiver_new(sd_event *event, const char *path, lirc_receiver_handler_t handler, void *userdata,
                      LircReceiver **ret);
LircReceiver *lirc_receiver_free(LircReceiver *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(LircReceiver *, lirc_receiver_free);
