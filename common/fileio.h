/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* Reads a whole regular file of at most max bytes; *ret is NUL-terminated. -EFBIG when larger. */
int read_full_file(const char *path, size_t max, char **ret, size_t *ret_size);
/* The same from an open fd, to its end. */
int read_full_fd(int fd, size_t max, char **ret, size_t *ret_size);

/* Writes to a temporary file beside "path", fsyncs it, renames it over "path" and fsyncs the
 * directory, so a crash leaves either the old or the new content, never a torn one. */
int write_file_atomic(const char *path, const void *data, size_t size, mode_t mode);

/* fsync()s the directory that holds path, so a rename or a new file in it is durable. */
int fsync_directory_of(const char *path);

/* Renames whatever could not be used at path (a file, a symbolic link, a directory; nothing is
 * followed) to "<path>.corrupt-<unix time>", never over an earlier one, and returns that name. */
int move_aside(const char *path, char **ret_new_path);

/* Where persisted state lives: the first entry of $STATE_DIRECTORY (systemd's StateDirectory=)
 * when set, else /var/lib/voicehvac. state_directory() creates it when missing;
 * state_directory_name() only names it, for a reader that must create nothing. */
int state_directory_name(char **ret);
int state_directory(char **ret);
int state_file_path(const char *name, char **ret);

/* An anonymous file in memory to hand to a library that wants a path ("/proc/self/fd/N"): the fd,
 * and a stream writing to it (flush it before the file is read). */
int memfd_new_stream(const char *name, int *ret_fd, FILE **ret_stream);

/* mkdir -p with mode for each missing component. */
int mkdir_p(const char *path, mode_t mode);
