/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>

#include "network-dropin.h"
#include "unit-network.h"

int network_dropin_format(const MqttBroker *b, const char *url, const char *path, char **ret) {
        _cleanup_free_ char *what = NULL;

        if (asprintf(&what, "broker %s", url) < 0)
                return -ENOMEM;
        /* The empty assignment first: it drops the unit's IPAddressAllow=localhost. */
        return unit_network_dropin(path, what, "the broker", b->host, "IPAddressAllow=\n", ret);
}
