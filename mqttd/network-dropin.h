/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The unit's network, from the configuration. voicehvac-mqttd.service allows IP to localhost alone
 * (IPAddressDeny=any, IPAddressAllow=localhost), which is where the default broker is; a broker
 * elsewhere needs its own address, and only that: a systemd generator
 * (voicehvac-network-generator) writes this drop-in from `mqttd --print-network-dropin` at boot
 * and at each daemon-reload. */

#include "manager.h"

/* The drop-in's text for the broker "url" (parsed into "b"), read from "path": the unit's
 * localhost replaced by the broker's address (by any address when the URL names a host rather
 * than an address: resolving it needs DNS). */
int network_dropin_format(const MqttBroker *b, const char *url, const char *path, char **ret);
