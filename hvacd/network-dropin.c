/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "network-dropin.h"
#include "unit-network.h"

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

int network_dropin_format(const HvacConfig *c, const char *path, char **ret) {
        _cleanup_free_ char *host = NULL, *what = NULL;

        if (!streq(c->backend, "http"))
                return asprintf(ret, "# Generated from %s: backend \"%s\" needs no network; the unit's\n"
                                     "# RestrictAddressFamilies=AF_UNIX and IPAddressDeny=any stand.\n",
                                path, c->backend) < 0 ? -ENOMEM : 0;

        host = url_host(c->http.url);
        if (!host || asprintf(&what, "backend \"http\", http.url %s", c->http.url) < 0)
                return -ENOMEM;
        return unit_network_dropin(path, what, "the adapter", host, "RestrictAddressFamilies=AF_INET AF_INET6\n", ret);
}
