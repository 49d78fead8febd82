/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <string.h>

#include "audio-packet.h"

void audio_packet_header_init(AudioPacketHeader *h, uint64_t sequence, uint64_t timestamp_usec,
                              uint32_t frames, uint16_t channels, uint32_t rate, uint16_t flags) {
        *h = (AudioPacketHeader) {
                .magic = AUDIO_PACKET_MAGIC,
                .version = AUDIO_PACKET_VERSION,
                .header_size = sizeof(AudioPacketHeader),
                .sequence = sequence,
                .timestamp_usec = timestamp_usec,
                .frames = frames,
                .channels = channels,
                .flags = flags,
                .rate = rate,
        };
}

int audio_packet_parse(const void *buf, size_t size, const AudioPacketHeader **ret_header,
                       const int16_t **ret_samples) {
        const AudioPacketHeader *h = buf;

        if (!buf || size < sizeof(AudioPacketHeader))
                return -EBADMSG;
        /* Receivers read into an aligned buffer; reject anything that would make us read
         * misaligned rather than silently copying. */
        if ((uintptr_t) buf % _Alignof(AudioPacketHeader) != 0)
                return -EBADMSG;
        if (h->magic != AUDIO_PACKET_MAGIC || h->version != AUDIO_PACKET_VERSION)
                return -EBADMSG;
        if (h->header_size != sizeof(AudioPacketHeader))
                return -EBADMSG;
        if (h->channels == 0 || h->channels > 2 || h->rate == 0 || h->rate > 192000)
                return -EBADMSG;
        if (h->frames > AUDIO_PACKET_FRAMES_MAX)
                return -EBADMSG;
        if ((size_t) h->frames * h->channels * sizeof(int16_t) != size - sizeof(AudioPacketHeader))
                return -EBADMSG;

        if (ret_header)
                *ret_header = h;
        if (ret_samples)
                *ret_samples = (const int16_t *) ((const uint8_t *) buf + sizeof(AudioPacketHeader));
        return 0;
}
