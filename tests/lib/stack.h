/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The daemons on a private bus, for the reliability tests: audiod capturing a known pattern
 * from the vhtest ALSA plugin, hvacd on the sim backend with a transmit log, wakeword. Built on
 * tests/lib/harness.h; every function require()s what it needs. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "audio-packet.h"
#include "bus-contract.h"


/* The capture pattern: sample k of the file holds k - 16384, so a sample's value names its
 * position in the (looping) file. */
#define STACK_PATTERN_SAMPLES 32768
#define STACK_RATE 16000

typedef struct Stack {
        char *switch_path;      /* the vhtest "Capture Switch": "1\n" on, "0\n" off */
        char *state_dir;
        char *tx_log;           /* hvacd's sim transmit log */
        const char *control_group; /* hvacd's control_group; NULL = its default */
        pid_t audiod, hvacd, wakeword, watchdogd, mqttd;
} Stack;

typedef union StackPacket {
        AudioPacketHeader header;
        uint8_t bytes[AUDIO_PACKET_SIZE_MAX];
} StackPacket;

/* Puts the daemons' persisted state on tmpfs (/dev/shm) where there is one, so that thousands of
 * fsync()ed state writes measure the daemon, not the disk. Removed at exit. */
void stack_use_tmpfs_state(Stack *s);

/* Fails the test unless audiod and the vhtest plugin are built. */
void stack_require_audio(void);
/* Sets up the ALSA configuration and environment (once, before any daemon starts). */
void stack_audio_setup(Stack *s, unsigned max_clients, const char *unmute_group);
void stack_start_audiod(Stack *s, sd_bus *bus);
/* For the load tests: state on tmpfs, a private bus connected to, audiod (4 clients, root may
 * unmute) running and unmuted. */
void stack_start_unmuted_audiod(Stack *s, sd_bus **ret_bus);
void stack_start_hvacd(Stack *s, sd_bus *bus, unsigned coalesce_ms);
void stack_start_wakeword(Stack *s, sd_bus *bus);
/* In its watch-only mode (no --supervise). */
void stack_start_watchdogd(Stack *s, sd_bus *bus);
/* mqttd with a broker that refuses: it serves its bus object while it retries. */
void stack_start_mqttd(Stack *s, sd_bus *bus);
/* SIGTERM each daemon started; check()s that each exits 0 (86 = leak under ASan). Frees the
 * paths; call it last. */
void stack_stop(Stack *s);

int stack_set_mute(sd_bus *bus, bool muted, char **ret_error_name);
int stack_get_bool(sd_bus *bus, const char *name, const char *path, const char *property);
/* "1"/"0" as the switch file says, or "?" */
char *stack_read_switch(const Stack *s);

/* One row of `make reliability`'s table, appended to $VH_BUILD/reliability-stats: what was tried,
 * how many inputs, how many of them deliberately bad (faults), and what was lost. */
void stack_report(const char *row, unsigned long cases, unsigned long inputs, unsigned long faults,
                  unsigned long lost, const char *note);

/* VmRSS of a process in KiB (the current size, not the peak). */
long stack_rss_kib(pid_t pid);
bool stack_is_asan(void);
