/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The one rule for every file a daemon keeps in its state directory: audiod's mute, hvacd's air
 * conditioner, wakeword's cepstral mean and whatever state is added later (the recogniser's
 * adaptation). Library code: nothing here logs; the daemon says what happened.
 *
 * Reading, state_file_load():
 *  - the file is opened with O_NOFOLLOW | O_NONBLOCK: a symbolic link is never read through (it
 *    may point anywhere, /etc/shadow included) and a FIFO never blocks the start;
 *  - what is not a regular file of at most "max" bytes (a symbolic link, a directory, a FIFO, a
 *    device, something too large), and every content the caller's parser refuses, is "corrupt":
 *    it is renamed (move_aside()), never followed or deleted, to "<name>.corrupt-<unix time>" so
 *    that whoever wants to can look at it, and the daemon starts from its safe defaults;
 *  - an error reading a file that is there (EACCES, EIO) is returned as it is: the file cannot
 *    be trusted, and the daemon decides what that means (audiod: muted).
 *  - temporary files a crash left behind ("<name>.tmp-XXXXXX", see write_file_atomic()) are
 *    removed: they only take room on what may be a small file system.
 *
 * Writing, one of two ways:
 *  - write_file_atomic() (fileio.h): a temporary file beside it, fsync()ed and renamed over the
 *    old one, so a crash leaves the old or the new content, never a torn one, and a symbolic link
 *    in its place is replaced, not written through (hvacd, wakeword);
 *  - state_record_save(): a fixed-size record with a checksum, rewritten in place, for state whose
 *    loss is not safe (audiod's mute); see state-file.c for why.
 *
 * Retrying what could not be written is state-saver.h. */

#include <stdbool.h>
#include <stddef.h>

typedef enum StateFileStatus {
        STATE_FILE_LOADED,
        STATE_FILE_MISSING,     /* never written */
        STATE_FILE_UNSAVED,     /* a record left empty on purpose: its last save did not complete */
        STATE_FILE_CORRUPT,     /* not usable; moved aside when it could be */
} StateFileStatus;

typedef struct StateFileLoad {
        StateFileStatus status;
        char *problem;          /* CORRUPT: what was wrong with it */
        char *aside;            /* CORRUPT: where it was moved, NULL when it could not be */
        int aside_error;        /* CORRUPT, aside == NULL: why it could not be moved */
} StateFileLoad;

void state_file_load_done(StateFileLoad *l);

/* Takes the content; 0 when it is usable, -EBADMSG with *ret_problem (malloc'd) when it is not,
 * another -errno (-ENOMEM) to stop loading. "text" is NUL-terminated at text[size]. */
typedef int (*state_file_parse_t)(const char *text, size_t size, void *userdata, char **ret_problem);

/* The reading half alone, nothing moved: a regular file of at most max bytes, read without
 * following a symbolic link and without opening anything else (a device may act when opened);
 * -EBADMSG and *ret_problem for anything else, -ENOENT when there is nothing. */
int state_file_read(const char *path, size_t max, char **ret, size_t *ret_size, char **ret_problem);

/* 0 with ret->status filled in, or -errno when the file is there but cannot be read (nothing is
 * moved then) or on -ENOMEM. */
int state_file_load(const char *path, size_t max, state_file_parse_t parse, void *userdata, StateFileLoad *ret);

/* ---- records ----------------------------------------------------------------------------- */

/* A record file is exactly this long: a text header "vhstate1 <crc32> <length>\n", the payload,
 * NUL bytes to the end. Small payloads only. */
#define STATE_RECORD_SIZE 512
#define STATE_RECORD_PAYLOAD_MAX (STATE_RECORD_SIZE - 32)

/* As state_file_load(), for a record: a record whose length, header, checksum or padding is wrong
 * is CORRUPT; an empty file is UNSAVED; the parser sees the payload. */
int state_record_load(const char *path, state_file_parse_t parse, void *userdata, StateFileLoad *ret);

/* Rewrites the record in place when it is there (no new blocks needed), else creates it
 * through write_file_atomic(). When neither works, the record is emptied (or created
 * empty), which state_record_load() reports as UNSAVED, and the error is returned. */
int state_record_save(const char *path, const void *payload, size_t size);

/* Exported for the tests. */
int state_record_format(const void *payload, size_t size, char ret[static STATE_RECORD_SIZE]);
