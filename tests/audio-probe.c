/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* audio-probe SECONDS — opens one stream from audiod on the bus in $DBUS_SYSTEM_BUS_ADDRESS,
 * reads it for SECONDS and prints what it carried, for the shell tests that check a tone went
 * through a sound server and audiod unchanged:
 *   packets=N frames=N rate=R freq=F rms=X peak=Y gap_ms=G
 * freq is the dominant frequency in Hz from the zero crossings (with a little hysteresis, so
 * silence and noise floor count none); rms and peak are fractions of full scale. Exit 0 when
 * the stream was opened, 1 when not. gap_ms is the longest time without a packet (from the open,
 * and up to the end), which says whether the audio flowed period by period or in bursts. */

#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>

#include "audio-packet.h"
#include "bus-util.h"
#include "harness.h"

/* Crossings are counted between -H and +H: 1/256 of full scale is far above a null source's
 * dither and far below any tone a test plays. */
#define HYSTERESIS 128

typedef union Packet {
        AudioPacketHeader header;
        uint8_t bytes[AUDIO_PACKET_SIZE_MAX];
} Packet;

typedef struct Probe {
        uint64_t packets, frames;
        uint32_t rate;
        uint64_t crossings;
        int side;               /* -1 below -H, +1 above +H, 0 not yet seen */
        double sum_squares;
        int peak;
        usec_t last_arrival, max_gap;   /* longest wait for a packet, from the open on */
} Probe;

static void probe_add(Probe *p, const AudioPacketHeader *h, const int16_t *samples, usec_t now) {
        p->max_gap = MAX(p->max_gap, now - p->last_arrival);
        p->last_arrival = now;
        p->packets++;
        p->rate = h->rate;
        for (uint32_t i = 0; i < h->frames; i++) {
                /* The first channel is enough for a test tone. */
                int s = samples[(size_t) i * h->channels];
                int side = s > HYSTERESIS ? 1 : s < -HYSTERESIS ? -1 : 0;

                if (side != 0 && p->side != 0 && side != p->side)
                        p->crossings++;
                if (side != 0)
                        p->side = side;
                p->sum_squares += (double) s * s;
                if (abs(s) > p->peak)
                        p->peak = abs(s);
        }
        p->frames += h->frames;
}

int main(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_close_ int fd = -EBADF;
        double seconds = argc > 1 ? atof(argv[1]) : 0;
        Probe p = {};
        usec_t end;
        Packet packet;
        double rms, freq;

        if (argc != 2 || !(seconds > 0 && seconds <= 600)) {
                fprintf(stderr, "usage: %s SECONDS\n", argv[0]);
                return 2;
        }
        if (test_bus_connect(&bus) < 0) {
                fprintf(stderr, "no bus\n");
                return 1;
        }
        fd = test_open_audio_stream(bus, NULL);
        if (fd < 0) {
                fprintf(stderr, "OpenStream failed: %s\n", strerror(-fd));
                return 1;
        }

        p.last_arrival = now_usec(CLOCK_MONOTONIC);
        end = p.last_arrival + (usec_t) (seconds * USEC_PER_SEC);
        for (usec_t now; (now = now_usec(CLOCK_MONOTONIC)) < end;) {
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                const AudioPacketHeader *h;
                const int16_t *samples;
                ssize_t n;

                if (poll(&pfd, 1, (int) ((end - now + 999) / 1000)) <= 0)
                        continue;
                n = recv(fd, &packet, sizeof(packet), MSG_DONTWAIT);
                if (n == 0)
                        break;  /* audiod hung up */
                if (n < 0 || audio_packet_parse(packet.bytes, (size_t) n, &h, &samples) < 0)
                        continue;
                probe_add(&p, h, samples, now_usec(CLOCK_MONOTONIC));
        }

        if (end > p.last_arrival)
                p.max_gap = MAX(p.max_gap, end - p.last_arrival);
        rms = p.frames ? sqrt(p.sum_squares / (double) p.frames) / 32768.0 : 0;
        freq = p.frames && p.rate ? (double) p.crossings / 2.0 * p.rate / (double) p.frames : 0;
        printf("packets=%" PRIu64 " frames=%" PRIu64 " rate=%" PRIu32 " freq=%.1f rms=%.4f peak=%.4f gap_ms=%llu\n",
               p.packets, p.frames, p.rate, freq, rms, p.peak / 32768.0, (unsigned long long) (p.max_gap / USEC_PER_MSEC));
        return 0;
}
