/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The commands that change something: mute, unmute, set …, power …. Each takes its verb's
 * arguments (argv[0] is the verb) and returns an exit code. */

int verb_mute(int argc, char *argv[]);
int verb_set(int argc, char *argv[]);
int verb_power(int argc, char *argv[]);
