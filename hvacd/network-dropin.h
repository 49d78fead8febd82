/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The unit's network, from the configuration. voicehvac-hvacd.service has none
 * (RestrictAddressFamilies=AF_UNIX, IPAddressDeny=any); the "http" backend needs IP to its
 * adapter, and only that: a systemd generator (voicehvac-network-generator) writes this drop-in
 * from `hvacd --print-network-dropin` at boot and at each daemon-reload. */

#include "manager.h"

/* The drop-in's text for configuration "c" read from "path": for the http backend,
 * RestrictAddressFamilies=AF_INET AF_INET6 and IPAddressAllow= the adapter's address (any
 * address when the URL names a host rather than an address: resolving it needs DNS); for the
 * other backends a comment only. */
int network_dropin_format(const HvacConfig *c, const char *path, char **ret);
