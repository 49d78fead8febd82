/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* wakeword with the real audiod on a private bus, audio coming from a file through the vhtest
 * ALSA plugin in real time: speech without the phrase gives nothing, the phrase and a command
 * give WakeWordDetected then the right CommandRecognized, the phrase and off-topic speech give no
 * command; the bus answers while decoding; mute stops detection; an audiod restart is survived. */

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "bus-contract.h"
#include "bus-util.h"
#include "harness.h"
#include "test-wakeword-vhtest.h"


typedef struct Seen {
        unsigned wakes, commands, wrong_commands;
        uint64_t first_wake_usec, first_command_usec;
} Seen;

static Seen seen;

static int on_wake(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        const char *phrase;
        double score;
        uint64_t t;

        if (sd_bus_message_read(m, "sdt", &phrase, &score, &t) >= 0) {
                test_log("WakeWordDetected(%s, %.0f, %llu)", phrase, score, (unsigned long long) t);
                check(streq(phrase, "hey climate"), "phrase %s", phrase);
                check(t > 0 && t <= now_usec(CLOCK_MONOTONIC), "audio_usec %llu is a monotonic time in the past",
                      (unsigned long long) t);
                if (seen.wakes++ == 0)
                        seen.first_wake_usec = t;
        }
        return 0;
}

static int on_command(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        const char *text, *key, *action = NULL;
        double value = -1;
        uint64_t t;

        if (sd_bus_message_read(m, "s", &text) < 0 || sd_bus_message_enter_container(m, 'a', "{sv}") < 0)
                return 0;
        while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
                sd_bus_message_read(m, "s", &key);
                if (streq(key, "action"))
                        sd_bus_message_read(m, "v", "s", &action);
                else if (streq(key, "value") && sd_bus_message_read(m, "v", "d", &value) < 0)
                        sd_bus_message_skip(m, "v");
                sd_bus_message_exit_container(m);
        }
        sd_bus_message_exit_container(m);
        sd_bus_message_read(m, "t", &t);
        test_log("CommandRecognized(%s, action=%s value=%g, %llu)", text, action ?: "?", value, (unsigned long long) t);
        if (action && streq(action, "set_temperature") && value == 24) {
                if (seen.commands++ == 0)
                        seen.first_command_usec = t;
        } else
                seen.wrong_commands++;
        return 0;
}

static char *get_state(sd_bus *bus) {
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        char *s = NULL;

        if (sd_bus_get_property_string(bus, VH_WAKEWORD_BUS_NAME, VH_WAKEWORD_OBJECT_PATH, VH_WAKEWORD_INTERFACE,
                                       "State", &e, &s) < 0)
                return NULL;
        return s;
}

/* Processes the bus for "usec"; with "state" set, returns early once State is that. Tracks the
 * slowest State read, which must stay short while the worker decodes. */
static bool pump(sd_bus *bus, usec_t usec, const char *state, usec_t *slowest) {
        usec_t end = now_usec(CLOCK_MONOTONIC) + usec;

        while (now_usec(CLOCK_MONOTONIC) < end) {
                usec_t t0 = now_usec(CLOCK_MONOTONIC);
                _cleanup_free_ char *s = get_state(bus);
                usec_t took = now_usec(CLOCK_MONOTONIC) - t0;

                if (slowest && took > *slowest)
                        *slowest = took;
                if (state && s && streq(s, state))
                        return true;
                while (sd_bus_process(bus, NULL) > 0)
                        ;
                (void) sd_bus_wait(bus, 50 * USEC_PER_MSEC);
        }
        return false;
}

/* What the daemon says it last heard, after a pass of the recording. */
static void check_last_heard(sd_bus *bus, usec_t pass_start_realtime) {
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *command = NULL, *rejection = NULL;
        uint64_t wake_ts = 0;

        require(sd_bus_get_property_trivial(bus, VH_WAKEWORD_BUS_NAME, VH_WAKEWORD_OBJECT_PATH, VH_WAKEWORD_INTERFACE,
                                            "LastWakeTimestamp", &e, 't', &wake_ts) >= 0 &&
                sd_bus_get_property_string(bus, VH_WAKEWORD_BUS_NAME, VH_WAKEWORD_OBJECT_PATH, VH_WAKEWORD_INTERFACE,
                                           "LastCommand", &e, &command) >= 0 &&
                sd_bus_get_property_string(bus, VH_WAKEWORD_BUS_NAME, VH_WAKEWORD_OBJECT_PATH, VH_WAKEWORD_INTERFACE,
                                           "LastRejection", &e, &rejection) >= 0,
                "LastWakeTimestamp, LastCommand, LastRejection: %s", e.message ?: "?");
        test_log("LastWakeTimestamp %llu, LastCommand \"%s\", LastRejection \"%s\"", (unsigned long long) wake_ts,
                 command, rejection);
        check(wake_ts >= pass_start_realtime && wake_ts <= now_usec(CLOCK_REALTIME),
              "LastWakeTimestamp is a wall-clock time within the pass");
        check(streq(command, "set the temperature to twenty four degrees"), "LastCommand is the command heard");
        /* A wake that gave no command (the off-topic sentence) says why. */
        if (seen.wakes > seen.commands + seen.wrong_commands)
                check(!isempty(rejection), "LastRejection says why a wake gave no command");

        /* And voicehvacctl status shows it. */
        {
                _cleanup_free_ char *ctl = test_build_path("voicehvacctl/voicehvacctl"), *out = NULL;
                char *argv[] = { ctl, (char *) "status", NULL };

                if (access(ctl, X_OK) == 0) {
                        check(test_run(argv, &out) == 0 && out, "voicehvacctl status runs");
                        test_log("%s", out ?: "");
                        check(out && strstr(out, "Last command: \"set the temperature to twenty four degrees\""),
                              "voicehvacctl status shows the last command");
                        check(out && strstr(out, "Last wake: ") && strstr(out, " s ago"),
                              "voicehvacctl status shows when the phrase was last heard");
                }
        }
}

static int sh(const char *cmd) {
        char *argv[] = { (char *) "/bin/sh", (char *) "-c", (char *) cmd, NULL };
        return test_run(argv, NULL);
}

/* warm-up speech without the phrase | phrase + command | phrase + off-topic | silence */
static void make_audio(const char *dir, const char *out) {
        _cleanup_free_ char *cmd = NULL;

        require(asprintf(&cmd,
                "set -e; export SOX_OPTS=-R; cd '%s';"
                "espeak-ng -v en-us -s 150 -w a.wav 'the weather is lovely today and I think we should go outside for a walk';"
                "espeak-ng -v en-us+f3 -s 150 -w b.wav 'hey climate. set the temperature to twenty four degrees';"
                "espeak-ng -v en-gb -s 150 -w c.wav 'hey climate. what a lovely day it is outside, shall we go for a walk later';"
                "for x in a b c; do sox -q $x.wav -r 16000 -c 1 -b 16 p$x.wav pad 1 1.5; done;"
                "sox -q pa.wav pb.wav pc.wav joined.wav pad 0 2;"
                "sox -R -q -n -r 16000 -c 1 -b 16 noise.wav synth $(soxi -D joined.wav) pinknoise vol 0.03;"
                "sox -q -m joined.wav noise.wav '%s'", dir, out) > 0, "asprintf");
        require(sh(cmd) == 0, "making the test audio with espeak-ng and sox");
}

/* A method's error as the bus carries it: its name, read with sd-bus. */
static char *call_error_name(sd_bus *bus, const char *method) {
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;

        if (sd_bus_call_method(bus, VH_WAKEWORD_BUS_NAME, VH_WAKEWORD_OBJECT_PATH, VH_WAKEWORD_INTERFACE, method,
                               &e, NULL, NULL) >= 0)
                return strdup("(none)");
        return strdup(e.name ?: "(unnamed)");
}

static int start_enrolment_unprivileged(void *userdata) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *name = NULL;

        if (test_bus_connect(&bus) < 0)
                return 2;
        name = call_error_name(bus, "StartEnrolment");
        return streq_ptr(name, VH_ERROR_NOT_AUTHORIZED) ? 0 : 3;
}

static pid_t audiod_start(sd_bus *bus, const char *config) {
        _cleanup_free_ char *bin = test_build_path("audiod/audiod");
        char *argv[] = { bin, (char *) "--config", (char *) config, NULL };
        pid_t pid = test_spawn("audiod-for-wakeword", argv);

        require(pid > 0 && test_wait_for_name(bus, VH_AUDIO_BUS_NAME, 10 * USEC_PER_SEC) == 0, "audiod starts");
        return pid;
}

static int set_mute(sd_bus *bus, bool mute) {
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        return sd_bus_call_method(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE, "SetMute", &e,
                                  NULL, "b", mute);
}

int main(void) {
        _cleanup_free_ char *audiod_bin = test_build_path("audiod/audiod"), *plugin = test_build_path("tests/alsa/libasound_module_pcm_vhtest.so"),
                            *wakeword_bin = test_build_path("wakeword/wakeword"), *audio = test_tmp_path("speech.wav"),
                            *unplug = test_tmp_path("unplugged"), *unplug_line = NULL, *audiod_conf = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        usec_t slowest = 0, pass_start;
        pid_t audiod, wakeword;

        if (sh("command -v espeak-ng && command -v sox") != 0)
                test_skip("espeak-ng or sox missing");
        test_require_built("audiod/audiod");
        test_require_built("tests/alsa/libasound_module_pcm_vhtest.so");

        make_audio(test_tmpdir(), audio);
        require(asprintf(&unplug_line, "unplug \"%s\"", unplug) > 0, "asprintf");
        audiod_conf = vhtest_audiod_setup(audio, (char *[]) { (char *) "eof \"loop\"", unplug_line, NULL });

        require(test_bus_start() == 0, "private dbus-daemon");
        require(test_bus_connect(&bus) >= 0, "connect");
        require(sd_bus_match_signal(bus, NULL, NULL, VH_WAKEWORD_OBJECT_PATH, VH_WAKEWORD_INTERFACE,
                                    "WakeWordDetected", on_wake, NULL) >= 0, "match");
        require(sd_bus_match_signal(bus, NULL, NULL, VH_WAKEWORD_OBJECT_PATH, VH_WAKEWORD_INTERFACE,
                                    "CommandRecognized", on_command, NULL) >= 0, "match");

        /* wakeword first: it must wait for audiod without failing, in State no-audio. */
        {
                char *argv[] = { wakeword_bin, NULL };
                wakeword = test_spawn("wakeword", argv);
        }
        require(wakeword > 0 && test_wait_for_name(bus, VH_WAKEWORD_BUS_NAME, 10 * USEC_PER_SEC) == 0,
                "wakeword starts");
        check(pump(bus, 2 * USEC_PER_SEC, "no-audio", NULL), "State is no-audio without audiod");
        check(test_introspection_matches(VH_WAKEWORD_BUS_NAME, VH_WAKEWORD_OBJECT_PATH, VH_WAKEWORD_INTERFACE) == 0,
              "live introspection equals dbus-interfaces/%s.xml", VH_WAKEWORD_INTERFACE);

        /* Bad calls get the named errors: nothing to record from, and a caller not allowed. */
        {
                _cleanup_free_ char *name = call_error_name(bus, "StartEnrolment");
                struct passwd *nobody = getpwnam("nobody");
                int status;

                check(streq_ptr(name, VH_ERROR_DEVICE_UNAVAILABLE), "StartEnrolment without audio → %s (%s)",
                      VH_ERROR_DEVICE_UNAVAILABLE, name);
                require(nobody, "user nobody exists");
                status = test_run_as(nobody->pw_uid, nobody->pw_gid, start_enrolment_unprivileged, NULL);
                check(status == 0, "StartEnrolment as nobody → %s (status %d)", VH_ERROR_NOT_AUTHORIZED, status);
        }

        /* One pass through the recording: ~19 s. The loop in the plugin starts over after it. */
        pass_start = now_usec(CLOCK_REALTIME);
        audiod = audiod_start(bus, audiod_conf);
        check(pump(bus, 5 * USEC_PER_SEC, "listening", NULL), "State becomes listening once audiod is there");
        pump(bus, 19 * USEC_PER_SEC, NULL, &slowest);
        check(seen.wakes >= 1, "the wake phrase was detected (%u)", seen.wakes);
        check(seen.commands >= 1, "the command after it was recognised (%u)", seen.commands);
        check(seen.wrong_commands == 0, "no wrong command: off-topic speech after the phrase is rejected (%u)", seen.wrong_commands);
        check(seen.commands == 0 || seen.first_wake_usec < seen.first_command_usec, "wake comes before the command");
        check(slowest < test_scaled_usec(100 * USEC_PER_MSEC), "State reads answered while decoding (slowest %llu us)",
              (unsigned long long) slowest);
        test_log("slowest State read while decoding: %llu us", (unsigned long long) slowest);
        if (seen.commands >= 1) {
                /* The off-topic sentence's command window may still be open: let it end. */
                (void) pump(bus, 8 * USEC_PER_SEC, "listening", NULL);
                check_last_heard(bus, pass_start);
        }

        /* Muted: nothing decoded, for a whole pass of the recording. */
        require(set_mute(bus, true) >= 0, "SetMute(true)");
        check(pump(bus, 3 * USEC_PER_SEC, "muted", NULL), "State muted");
        seen = (Seen) {};
        pump(bus, 20 * USEC_PER_SEC, NULL, NULL);
        check(seen.wakes == 0 && seen.commands == 0, "nothing detected while muted (%u wakes)", seen.wakes);
        require(set_mute(bus, false) >= 0, "SetMute(false)");
        check(pump(bus, 3 * USEC_PER_SEC, "listening", NULL), "State listening after unmute");

        /* audiod loses its microphone (the card is pulled) and finds it again: no audio meanwhile. */
        require(test_write_file(unplug, "") == 0, "pull the card");
        check(pump(bus, 3 * USEC_PER_SEC, "no-audio", NULL), "State no-audio while audiod has no microphone");
        require(unlink(unplug) == 0, "plug the card back");
        check(pump(bus, 5 * USEC_PER_SEC, "listening", NULL), "State listening once audiod captures again");

        /* audiod goes away and comes back. */
        check(test_stop(audiod, 10 * USEC_PER_SEC) == 0, "audiod stops cleanly");
        check(pump(bus, 3 * USEC_PER_SEC, "no-audio", NULL), "State no-audio without audiod");
        audiod = audiod_start(bus, audiod_conf);
        check(pump(bus, 5 * USEC_PER_SEC, "listening", NULL), "reconnected after the audiod restart");
        seen = (Seen) {};
        for (usec_t end = now_usec(CLOCK_MONOTONIC) + 40 * USEC_PER_SEC; seen.commands == 0 && now_usec(CLOCK_MONOTONIC) < end; )
                pump(bus, USEC_PER_SEC, NULL, NULL);
        check(seen.commands >= 1, "commands recognised again after the restart");

        check(test_stop(wakeword, 10 * USEC_PER_SEC) == 0, "wakeword exits cleanly on SIGTERM");
        check(test_stop(audiod, 10 * USEC_PER_SEC) == 0, "audiod exits cleanly");
        return test_result();
}
