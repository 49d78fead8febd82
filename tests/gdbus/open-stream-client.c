/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A GLib client of org.voicehvac.Audio1, written against the proxy that gdbus-codegen makes from
 * dbus-interfaces/org.voicehvac.Audio1.xml: it calls OpenStream() as a GNOME application would,
 * takes the descriptor out of the GUnixFDList, and reads one packet from it. */

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixfdlist.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "audio1-generated.h"

int main(void) {
        g_autoptr(GError) error = NULL;
        VhAudio1 *proxy;
        g_autoptr(GVariant) handle = NULL;
        g_autoptr(GUnixFDList) fds = NULL;
        struct pollfd p;
        uint8_t packet[8192];
        uint32_t magic;
        ssize_t n;
        int fd, flags;

        proxy = vh_audio1_proxy_new_for_bus_sync(G_BUS_TYPE_SYSTEM, G_DBUS_PROXY_FLAGS_NONE, "org.voicehvac.Audio1",
                                                 "/org/voicehvac/Audio1", NULL, &error);
        if (!proxy) {
                fprintf(stderr, "proxy: %s\n", error->message);
                return 1;
        }
        if (!vh_audio1_call_open_stream_sync(proxy, NULL, &handle, &fds, NULL, &error)) {
                fprintf(stderr, "OpenStream: %s\n", error->message);
                g_object_unref(proxy);
                return 1;
        }
        g_object_unref(proxy);
        fd = g_unix_fd_list_get(fds, g_variant_get_handle(handle), &error);
        if (fd < 0) {
                fprintf(stderr, "fd list: %s\n", error->message);
                return 1;
        }
        flags = fcntl(fd, F_GETFL);
        printf("nonblocking %s\n", flags >= 0 && (flags & O_NONBLOCK) ? "yes" : "no");

        p = (struct pollfd) { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, 5000) != 1) {
                fprintf(stderr, "no packet within 5 s\n");
                return 1;
        }
        n = recv(fd, packet, sizeof packet, 0);
        if (n < (ssize_t) sizeof magic) {
                fprintf(stderr, "recv: %zd (%s)\n", n, n < 0 ? strerror(errno) : "short");
                return 1;
        }
        memcpy(&magic, packet, sizeof magic);
        printf("packet %zd bytes, magic %.4s\n", n, (const char *) &magic);
        close(fd);
        return 0;
}
