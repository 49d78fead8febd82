/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* audio_packet_parse() on arbitrary packets, as a stream client receives them. What must hold:
 * an accepted packet's header agrees with its size and limits and every sample it points at lies
 * inside the packet (ASan sees any read past it, the buffer being exactly the packet); the same
 * bytes at a misaligned address are refused; and a header built by audio_packet_header_init()
 * from the input's own fields is accepted exactly when those fields are within the format's
 * limits. */

#include <errno.h>
#include <stdalign.h>

#include "audio-packet.h"
#include "fuzz-util.h"

static void check_accepted(const void *buf, size_t size, const AudioPacketHeader *h, const int16_t *s) {
        volatile int16_t sink;

        fuzz_assert((const void *) h == buf, "header is the start of the packet");
        fuzz_assert(h->magic == AUDIO_PACKET_MAGIC && h->version == AUDIO_PACKET_VERSION, "magic/version");
        fuzz_assert(h->channels >= 1 && h->channels <= 2 && h->rate >= 1 && h->rate <= 192000, "format");
        fuzz_assert(h->frames <= AUDIO_PACKET_FRAMES_MAX, "frames %u", h->frames);
        fuzz_assert(sizeof(*h) + (size_t) h->frames * h->channels * sizeof(int16_t) == size, "size");
        fuzz_assert((const uint8_t *) s == (const uint8_t *) buf + sizeof(*h), "samples follow the header");
        /* Touch every sample: a pointer past the packet is an ASan report. */
        for (size_t i = 0; i < (size_t) h->frames * h->channels; i++)
                sink = s[i];
        (void) sink;
}

static void check_built(const uint8_t *data, size_t size) {
        AudioPacketHeader in, *h;
        uint8_t *buf;
        size_t samples, total;
        bool valid;
        int r;

        if (size < sizeof(in))
                return;
        memcpy(&in, data, sizeof(in));
        valid = in.channels >= 1 && in.channels <= 2 && in.rate >= 1 && in.rate <= 192000 &&
                in.frames <= AUDIO_PACKET_FRAMES_MAX;
        samples = in.frames <= AUDIO_PACKET_FRAMES_MAX ? (size_t) in.frames * (in.channels > 2 ? 2 : in.channels) : 0;
        total = sizeof(in) + samples * sizeof(int16_t);
        buf = malloc(total);
        if (!buf)
                abort();
        h = (AudioPacketHeader *) buf;
        audio_packet_header_init(h, in.sequence, in.timestamp_usec, in.frames, in.channels, in.rate, in.flags);
        memset(buf + sizeof(in), 0x5a, total - sizeof(in));
        r = audio_packet_parse(buf, total, NULL, NULL);
        fuzz_assert((r == 0) == valid, "built header with frames=%u channels=%u rate=%u: parse %d",
                    in.frames, in.channels, in.rate, r);
        free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const AudioPacketHeader *h = NULL;
        const int16_t *s = NULL;
        uint8_t *buf, *shifted;
        int r;

        if (size > AUDIO_PACKET_SIZE_MAX + 64)
                return 0;

        /* malloc() of exactly the packet's size (it is aligned for any type), so ASan flags any
         * read past the end. */
        buf = malloc(size ?: 1);
        if (!buf)
                abort();
        memcpy(buf, data, size);
        fuzz_assert((uintptr_t) buf % alignof(AudioPacketHeader) == 0, "malloc alignment");
        r = audio_packet_parse(buf, size, &h, &s);
        fuzz_assert(r == 0 || r == -EBADMSG, "returned %d", r);
        if (r == 0)
                check_accepted(buf, size, h, s);
        free(buf);

        shifted = malloc(size + 1);
        if (!shifted)
                abort();
        memcpy(shifted + 1, data, size);
        r = audio_packet_parse(shifted + 1, size, NULL, NULL);
        fuzz_assert(r == -EBADMSG, "a misaligned packet is refused (%d)", r);
        free(shifted);

        check_built(data, size);
        return 0;
}
