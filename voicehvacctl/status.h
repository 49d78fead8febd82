/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* voicehvacctl status: the four services at a glance; voicehvacctl health: watchdogd's view.
 * Both take their verb's arguments (argv[0] is the verb) and return an exit code. */

int verb_status(int argc, char *argv[]);
int verb_health(int argc, char *argv[]);
