/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The audio stream that org.voicehvac.Audio1.OpenStream() hands out: a SOCK_SEQPACKET socket,
 * one packet per capture period, each a fixed header followed by interleaved S16 samples in
 * host byte order (both ends are on the same machine). A gap in "sequence" means packets were
 * dropped for this client (its socket was full); AUDIO_PACKET_DISCONTINUITY means the capture
 * itself had a gap (overrun, suspend, device reopened). */

#include <stddef.h>
#include <stdint.h>

#define AUDIO_PACKET_MAGIC   UINT32_C(0x31414856)   /* "VHA1" in little endian */
#define AUDIO_PACKET_VERSION 1

enum {
        AUDIO_PACKET_DISCONTINUITY = 1u << 0,
};

typedef struct AudioPacketHeader {
        uint32_t magic;
        uint16_t version;
        uint16_t header_size;           /* sizeof(AudioPacketHeader); samples start here */
        uint64_t sequence;              /* per client, +1 per packet queued or dropped */
        uint64_t timestamp_usec;        /* CLOCK_MONOTONIC capture time of the first frame */
        uint32_t frames;
        uint16_t channels;
        uint16_t flags;
        uint32_t rate;
        uint32_t reserved;
} AudioPacketHeader;

_Static_assert(sizeof(AudioPacketHeader) == 40, "wire format");

#define AUDIO_PACKET_FRAMES_MAX 16384
#define AUDIO_PACKET_SIZE_MAX (sizeof(AudioPacketHeader) + AUDIO_PACKET_FRAMES_MAX * 2 * sizeof(int16_t))

/* Fills in a header. */
void audio_packet_header_init(AudioPacketHeader *h, uint64_t sequence, uint64_t timestamp_usec,
                              uint32_t frames, uint16_t channels, uint32_t rate, uint16_t flags);

/* Validates one received packet: magic, version, sizes agree with "size". Returns 0 and points
 * *ret_samples at the samples, or -EBADMSG. */
int audio_packet_parse(const void *buf, size_t size, const AudioPacketHeader **ret_header,
                       const int16_t **ret_samples);
