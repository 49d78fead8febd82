/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The configuration of a private dbus-daemon of "system" type, for the no-systemd supervisor and
 * for tests: one unix socket, EXTERNAL authentication, and a permissive default policy. */
int private_bus_config(const char *socket_path, char **ret_text);
