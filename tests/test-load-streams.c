/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* 10,000 OpenStream/close cycles: audiod's fd count and RSS come back to where they started, the
 * Clients property to its baseline, and a client streaming all along loses nothing.
 *
 * RSS: measured (VmRSS, the current size, not the peak) after 500 warm-up cycles, so sd-bus's
 * message caches and malloc's arenas have reached their working size, and again at the end. It
 * may differ by RSS_SLACK_KIB: freed heap is not always returned to the kernel (glibc trims only
 * the top of the heap) and a page touched once by a reply stays resident; a leak of even 100
 * bytes per cycle would add ~1 MiB over 10,000 cycles and fail. Under ASan the quarantine holds
 * freed memory on purpose, so RSS says nothing there; the leak check at exit (test_stop() == 0)
 * is the stronger check in that run. */

#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "harness.h"
#include "stack.h"

#define CYCLES 10000
#define WARMUP 500
#define RSS_SLACK_KIB 512

static unsigned get_clients(sd_bus *bus) {
        uint32_t v = UINT32_MAX;

        (void) sd_bus_get_property_trivial(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE, "Clients",
                                           NULL, 'u', &v);
        return v;
}

typedef struct Watch {
        uint64_t next_seq;
        unsigned packets, gaps;
        usec_t last_ts, worst_gap;
} Watch;

static void watch_drain(int fd, Watch *w) {
        StackPacket p;
        const AudioPacketHeader *h;
        ssize_t sz;

        while ((sz = recv(fd, &p, sizeof(p), MSG_DONTWAIT)) > 0) {
                if (audio_packet_parse(p.bytes, (size_t) sz, &h, NULL) < 0)
                        continue;
                if (w->packets > 0) {
                        if (h->sequence != w->next_seq)
                                w->gaps++;
                        w->worst_gap = MAX(w->worst_gap, h->timestamp_usec - w->last_ts);
                }
                w->next_seq = h->sequence + 1;
                w->last_ts = h->timestamp_usec;
                w->packets++;
        }
}

static bool wait_fds(pid_t pid, int want, int *ret) {
        usec_t end = now_usec(CLOCK_MONOTONIC) + 3 * USEC_PER_SEC;

        do {
                *ret = test_count_fds(pid);
                if (*ret == want)
                        return true;
                usleep(50 * 1000);
        } while (now_usec(CLOCK_MONOTONIC) < end);
        return false;
}

static unsigned run_cycles(sd_bus *bus, unsigned n, int watch_fd, Watch *w) {
        unsigned failed = 0;

        for (unsigned i = 0; i < n; i++) {
                int fd = test_open_audio_stream(bus, NULL);

                if (fd < 0)
                        failed++;
                /* Now and then read from the stream before closing it, as a real client would. */
                if (fd >= 0 && i % 100 == 0) {
                        struct pollfd p = { .fd = fd, .events = POLLIN };
                        (void) poll(&p, 1, 100);
                }
                safe_close(fd);
                if (i % 50 == 0)
                        watch_drain(watch_fd, w);
        }
        return failed;
}

int main(void) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int watch_fd, fds_before, fds_after;
        long rss_before, rss_after;
        unsigned failed;
        usec_t start;
        Watch w = {};
        Stack s = {};

        stack_start_unmuted_audiod(&s, &bus);
        require((watch_fd = test_open_audio_stream(bus, NULL)) >= 0, "the watching stream");

        failed = run_cycles(bus, WARMUP, watch_fd, &w);
        require(WAIT_FOR(get_clients(bus) == 1, 3 * USEC_PER_SEC), "only the watching stream is left (%u)",
                get_clients(bus));
        fds_before = test_count_fds(s.audiod);
        rss_before = stack_rss_kib(s.audiod);
        require(fds_before > 0 && rss_before > 0, "audiod's fds and RSS can be read");

        start = now_usec(CLOCK_MONOTONIC);
        failed += run_cycles(bus, CYCLES, watch_fd, &w);
        test_log("%u OpenStream/close cycles in %.1f s", CYCLES, (now_usec(CLOCK_MONOTONIC) - start) / 1e6);
        watch_drain(watch_fd, &w);

        check(failed == 0, "every OpenStream succeeded (%u failed)", failed);
        check(wait_fds(s.audiod, fds_before, &fds_after), "audiod's fds are back to %d (%d)", fds_before, fds_after);
        check(get_clients(bus) == 1, "Clients is back to 1, the watching stream (%u)", get_clients(bus));
        rss_after = stack_rss_kib(s.audiod);
        test_log("audiod RSS %ld KiB → %ld KiB (%+ld KiB)", rss_before, rss_after, rss_after - rss_before);
        if (stack_is_asan())
                test_log("ASan build: RSS is not compared (the quarantine keeps freed memory); leaks fail at exit");
        else
                check(rss_after - rss_before <= RSS_SLACK_KIB, "RSS back to where it started, within %d KiB (%+ld KiB)",
                      RSS_SLACK_KIB, rss_after - rss_before);
        test_log("the watching stream: %u packets, %u sequence gaps, longest gap %llu ms", w.packets, w.gaps,
                 (unsigned long long) (w.worst_gap / USEC_PER_MSEC));
        check(w.packets > 0 && w.gaps == 0, "the client streaming all along lost no packet (%u gaps)", w.gaps);
        check(w.worst_gap <= 100 * USEC_PER_MSEC, "and never waited more than 100 ms of audio (%llu ms)",
              (unsigned long long) (w.worst_gap / USEC_PER_MSEC));

        {
                _cleanup_free_ char *note = NULL;
                long rss_growth = rss_after - rss_before;
                require(asprintf(&note, "%u OpenStream/close cycles; lost = failed opens + leaked fds + packet gaps; "
                                 "RSS %+ld KiB", CYCLES, rss_growth) > 0, "asprintf");
                stack_report("load-streams", CYCLES, CYCLES, 0,
                             failed + (unsigned) abs(fds_after - fds_before) + w.gaps, note);
        }
        safe_close(watch_fd);
        stack_stop(&s);
        return test_result();
}
