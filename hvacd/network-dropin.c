/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "network-dropin.h"

/* "http://HOST[:PORT][/]" (daikin_url_check() has vouched for it) → HOST, without the brackets
 * of an IPv6 literal. */
static char *url_host(const char *url) {
        const char *host = url + strlen("http://");
        size_t n;

        if (host[0] == '[') {
                n = strcspn(++host, "]");
                return strndup(host, n);
        }
        return strndup(host, strcspn(host, ":/"));
}

static bool is_address(const char *host) {
        unsigned char buf[sizeof(struct in6_addr)];

        return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

int network_dropin_format(const HvacConfig *c, const char *path, char **ret) {
        _cleanup_free_ char *host = NULL;
        int r;

        if (!streq(c->backend, "http"))
                r = asprintf(ret, "# Generated from %s: backend \"%s\" needs no network; the unit's\n"
                                  "# RestrictAddressFamilies=AF_UNIX and IPAddressDeny=any stand.\n",
                             path, c->backend);
        else {
                host = url_host(c->http.url);
                if (!host)
                        return -ENOMEM;
                r = asprintf(ret, "# Generated from %s: backend \"http\", http.url %s.\n"
                                  "%s"
                                  "[Service]\n"
                                  "RestrictAddressFamilies=AF_INET AF_INET6\n"
                                  "IPAddressAllow=%s\n",
                             path, c->http.url,
                             is_address(host) ? "" : "# The URL names a host, not an address: resolving it needs DNS, so IP is\n"
                                                     "# not limited to the adapter. Give its address to limit it.\n",
                             is_address(host) ? host : "any");
        }
        return r < 0 ? -ENOMEM : 0;
}
