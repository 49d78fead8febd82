/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The IP a daemon's unit is given for the one peer its configuration names: hvacd's http adapter,
 * mqttd's broker. The units allow no IP of their own accord (IPAddressDeny=any); a systemd
 * generator (voicehvac-network-generator) writes this drop-in from `DAEMON --print-network-dropin`
 * at boot and at each daemon-reload. Library code: it does not log. */

#include <stdbool.h>

/* True for an IPv4 or IPv6 address (an IPv6 one without brackets). */
bool ip_address_is_valid(const char *s);

/* "# Generated from PATH: WHAT.\n", "[Service]\n", the lines of "service" (each ending in a
 * newline; "" for none) and IPAddressAllow="host"; for "localhost", IPAddressAllow=localhost (the
 * loopback addresses). Any other "host" that is a name, not an address, needs DNS to be resolved:
 * then IPAddressAllow=any, and a comment says that IP is not limited to "peer" ("the adapter",
 * "the broker"). */
int unit_network_dropin(const char *path, const char *what, const char *peer, const char *host,
                        const char *service, char **ret);
