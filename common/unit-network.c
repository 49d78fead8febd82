/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <strings.h>

#include "macro.h"
#include "unit-network.h"

bool ip_address_is_valid(const char *s) {
        unsigned char buf[sizeof(struct in6_addr)];

        return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* "localhost" is the loopback addresses without asking DNS (/etc/hosts, nss-myhostname, or
 * systemd-resolved's own answer), and those are what systemd's IPAddressAllow=localhost means. */
static bool host_is_localhost(const char *s) {
        return strcasecmp(s, "localhost") == 0 || strcasecmp(s, "localhost.") == 0;
}

int unit_network_dropin(const char *path, const char *what, const char *peer, const char *host,
                        const char *service, char **ret) {
        assert(path && what && peer && host && service && ret);

        if (ip_address_is_valid(host))
                return asprintf(ret, "# Generated from %s: %s.\n[Service]\n%sIPAddressAllow=%s\n",
                                path, what, service, host) < 0 ? -ENOMEM : 0;
        if (host_is_localhost(host))
                return asprintf(ret, "# Generated from %s: %s.\n[Service]\n%sIPAddressAllow=localhost\n",
                                path, what, service) < 0 ? -ENOMEM : 0;
        return asprintf(ret, "# Generated from %s: %s.\n"
                             "# The URL names a host, not an address: resolving it needs DNS, so IP is\n"
                             "# not limited to %s. Give its address to limit it.\n"
                             "[Service]\n%sIPAddressAllow=any\n",
                        path, what, peer, service) < 0 ? -ENOMEM : 0;
}
