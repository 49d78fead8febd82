/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Authorisation with the project's bus policy (the .conf files of dbus-interfaces/) loaded:
 * - each daemon's user may own its own name and no other;
 * - a caller outside group "voicehvac" cannot change the air conditioner or unmute
 *   (NotAuthorized from hvacd and audiod, polkitd absent: the group rule alone decides), cannot
 *   open the microphone stream (AccessDenied from the bus); reading state stays open to everyone;
 * - a member of "voicehvac" may change the air conditioner and unmute, but not stream: only
 *   root, wakeword's user and group "voicehvac-audio" may;
 * - with the real polkitd on the bus (the project's .policy, a rule that grants one user
 *   org.voicehvac.hvac.set): that user may change the air conditioner, not unmute (auth_admin),
 *   and a caller polkit does not grant is refused.
 *
 * The bus here is not the harness's permissive one: a policy file only adds allow rules, so it
 * means something only on top of the system bus's own deny-by-default policy, which this test
 * reproduces (from /usr/share/dbus-1/system.conf). Test-only differences: the daemons run as
 * root, so root may own the names; the project's users and groups do not exist on a development
 * machine, so the policy files are loaded with them renamed to users and groups that do (each
 * "voicehvac-<daemon>" to a distinct system user, "voicehvac" to "audio", "voicehvac-audio" to
 * "video", unless the real ones exist); polkitd runs in a mount namespace of its own where its
 * actions and rules directories are the test's. */

#include <errno.h>
#include <grp.h>
#include <math.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "bus-util.h"
#include "errors.h"
#include "harness.h"
#include "stack.h"

#define GROUP_IN_POLICY "voicehvac"
#define AUDIO_GROUP_IN_POLICY "voicehvac-audio"
#define POLKITD "/usr/lib/polkit-1/polkitd"

typedef enum Daemon { AUDIOD, WAKEWORD, HVACD, WATCHDOGD, MQTTD, _DAEMON_MAX } Daemon;
static const char *const daemon_user[_DAEMON_MAX] = { "voicehvac-audiod", "voicehvac-wakeword", "voicehvac-hvacd",
                                                      "voicehvac-watchdogd", "voicehvac-mqttd" };
static const char *const daemon_bus_name[_DAEMON_MAX] = { VH_AUDIO_BUS_NAME, VH_WAKEWORD_BUS_NAME, VH_HVAC_BUS_NAME,
                                                          VH_WATCHDOG_BUS_NAME, VH_MQTT_BUS_NAME };
/* Stand-ins for the daemons' users where those do not exist, and for the user polkit grants. */
static const char *const stand_ins[] = { "daemon", "bin", "sys", "sync", "games", "man" };

static const char *test_group, *audio_group;
static char *test_user[_DAEMON_MAX];
static unsigned long cases, refusals, wrong;
static uid_t nobody_uid, daemon_uid[_DAEMON_MAX], granted_uid;
static gid_t nobody_gid, group_gid, audio_gid;

static void write_policy_dir(const char *dir) {
        _cleanup_free_ char *cmd = NULL, *src = test_src_path("dbus-interfaces");
        size_t size = 0;
        FILE *f;

        require(mkdir(dir, 0755) == 0, "mkdir %s", dir);
        /* The project's files, with the users and groups renamed where they do not exist here. */
        f = open_memstream(&cmd, &size);
        require(f, "open_memstream");
        fprintf(f, "for f in '%s'/*.conf; do sed -e 's/group=\"%s\"/group=\"%s\"/' -e 's/group=\"%s\"/group=\"%s\"/'",
                src, GROUP_IN_POLICY, test_group, AUDIO_GROUP_IN_POLICY, audio_group);
        for (Daemon d = 0; d < _DAEMON_MAX; d++)
                fprintf(f, " -e 's/user=\"%s\"/user=\"%s\"/'", daemon_user[d], test_user[d]);
        fprintf(f, " \"$f\" >'%s'/\"$(basename \"$f\")\"; done", dir);
        require(fclose(f) == 0 && cmd, "build the copy command");

        require(system(cmd) == 0, "copy the policy files");
}

static void start_policy_bus(void) {
        _cleanup_free_ char *conf = test_tmp_path("strict-bus.conf"), *sock = test_tmp_path("strict_bus_socket");
        _cleanup_free_ char *policy = test_tmp_path("policy"), *text = NULL, *address = NULL;
        char *argv[] = { (char *) "dbus-daemon", (char *) "--nofork", (char *) "--nopidfile", (char *) "--nosyslog",
                         (char *) "--config-file", conf, NULL };
        usec_t end;

        write_policy_dir(policy);
        require(asprintf(&text,
                "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
                " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                "<busconfig>\n"
                "  <type>system</type>\n"
                "  <listen>unix:path=%s</listen>\n"
                "  <auth>EXTERNAL</auth>\n"
                "  <policy context=\"default\">\n"
                "    <allow user=\"*\"/>\n"
                "    <deny own=\"*\"/>\n"
                "    <deny send_type=\"method_call\"/>\n"
                "    <allow send_type=\"signal\"/>\n"
                "    <allow send_requested_reply=\"true\" send_type=\"method_return\"/>\n"
                "    <allow send_requested_reply=\"true\" send_type=\"error\"/>\n"
                "    <allow receive_type=\"method_call\"/>\n"
                "    <allow receive_type=\"method_return\"/>\n"
                "    <allow receive_type=\"error\"/>\n"
                "    <allow receive_type=\"signal\"/>\n"
                "    <allow send_destination=\"org.freedesktop.DBus\" send_interface=\"org.freedesktop.DBus\"/>\n"
                "    <allow send_destination=\"org.freedesktop.DBus\" send_interface=\"org.freedesktop.DBus.Introspectable\"/>\n"
                "    <allow send_destination=\"org.freedesktop.DBus\" send_interface=\"org.freedesktop.DBus.Properties\"/>\n"
                "    <deny send_destination=\"org.freedesktop.DBus\" send_interface=\"org.freedesktop.DBus\" send_member=\"UpdateActivationEnvironment\"/>\n"
                "  </policy>\n"
                "  <policy user=\"root\">\n"
                "    <allow own_prefix=\"org.voicehvac\"/>\n"
                "  </policy>\n"
                "  <includedir>%s</includedir>\n"
                "  <include>/usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf</include>\n"
                "</busconfig>\n", sock, policy) > 0, "asprintf");
        require(test_write_file(conf, text) == 0, "write the bus configuration");
        require(test_spawn("authorization-dbus-daemon", argv) > 0, "spawn dbus-daemon");
        require(asprintf(&address, "unix:path=%s", sock) > 0, "asprintf");
        setenv("DBUS_SYSTEM_BUS_ADDRESS", address, 1);
        for (end = now_usec(CLOCK_MONOTONIC) + 10 * USEC_PER_SEC; access(sock, F_OK) < 0;) {
                require(now_usec(CLOCK_MONOTONIC) < end, "dbus-daemon listens on %s", sock);
                usleep(20 * 1000);
        }
}

/* ---- calls made as another user, in a child process ---------------------------------- */

typedef enum Expect {
        EXPECT_OK,
        EXPECT_ACCESS_DENIED,
        EXPECT_NOT_AUTHORIZED,
} Expect;

typedef enum Who {
        OUTSIDER,               /* nobody, in no group */
        MEMBER,                 /* nobody, in group voicehvac */
        AUDIO_MEMBER,           /* nobody, in group voicehvac-audio */
        WAKEWORD_USER,          /* wakeword's user */
        GRANTED,                /* a user polkit grants org.voicehvac.hvac.set, in no group */
        _WHO_MAX,
} Who;

static const char *const who_name[_WHO_MAX] = {
        "a caller outside the group", "a member of the group", "a member of the audio group", "wakeword's user",
        "the user polkit grants",
};

typedef struct Caller {
        Who who;
        const char *what;
        int (*call)(sd_bus *bus, sd_bus_error *e);
        Expect expect;
} Caller;

static int caller_run(const Caller *c) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        uid_t uid = c->who == WAKEWORD_USER ? daemon_uid[WAKEWORD] : c->who == GRANTED ? granted_uid : nobody_uid;
        gid_t gid = c->who == MEMBER ? group_gid : audio_gid;
        int r;

        if (c->who == MEMBER || c->who == AUDIO_MEMBER ? setgroups(1, &gid) < 0 : setgroups(0, NULL) < 0)
                return 10;
        if (setgid(nobody_gid) < 0 || setuid(uid) < 0)
                return 11;
        if (test_bus_connect(&bus) < 0)
                return 12;
        r = c->call(bus, &e);
        switch (c->expect) {
        case EXPECT_OK:
                if (r < 0)
                        fprintf(stderr, "# %s: %s %s\n", c->what, e.name, e.message);
                return r >= 0 ? 0 : 1;
        case EXPECT_ACCESS_DENIED:
                return r < 0 && sd_bus_error_has_name(&e, SD_BUS_ERROR_ACCESS_DENIED) ? 0 : 2;
        case EXPECT_NOT_AUTHORIZED:
                if (r >= 0 || !sd_bus_error_has_name(&e, VH_ERROR_NOT_AUTHORIZED))
                        fprintf(stderr, "# %s: %s %s\n", c->what, r >= 0 ? "allowed" : e.name, e.message ?: "");
                return r < 0 && sd_bus_error_has_name(&e, VH_ERROR_NOT_AUTHORIZED) ? 0 : 3;
        }
        return 4;
}

static void as_caller(Who who, const char *what, int (*call)(sd_bus *, sd_bus_error *), Expect expect) {
        static const char *const expected[] = { "allowed", "AccessDenied", "NotAuthorized" };
        Caller c = { .who = who, .what = what, .call = call, .expect = expect };
        int status;
        pid_t pid;

        fflush(NULL);
        pid = fork();
        require(pid >= 0, "fork");
        if (pid == 0)
                _exit(caller_run(&c));
        require(waitpid(pid, &status, 0) == pid, "waitpid");
        cases++;
        refusals += expect != EXPECT_OK;
        if (!check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s, %s: %s (child exit %d)", who_name[who], what,
                   expected[expect], WIFEXITED(status) ? WEXITSTATUS(status) : -1))
                wrong++;
}

/* ---- each daemon's user owns its own name, and no other ---------------------------------- */

static int own_name_run(uid_t uid, const char *name) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        if (setgroups(0, NULL) < 0 || setgid(nobody_gid) < 0 || setuid(uid) < 0)
                return 10;
        if (test_bus_connect(&bus) < 0)
                return 12;
        r = sd_bus_request_name(bus, name, 0);
        return r > 0 ? 0 : r == -EACCES ? 1 : 2;
}

static void test_name_ownership(void) {
        for (Daemon d = 0; d < _DAEMON_MAX; d++)
                for (Daemon n = 0; n < _DAEMON_MAX; n++) {
                        int status;
                        pid_t pid;

                        fflush(NULL);
                        pid = fork();
                        require(pid >= 0, "fork");
                        if (pid == 0)
                                _exit(own_name_run(daemon_uid[d], daemon_bus_name[n]));
                        require(waitpid(pid, &status, 0) == pid, "waitpid");
                        cases++;
                        refusals += d != n;
                        if (!check(WIFEXITED(status) && WEXITSTATUS(status) == (d == n ? 0 : 1),
                                   "%s (as %s) %s own %s (child exit %d)", daemon_user[d], test_user[d],
                                   d == n ? "may" : "may not", daemon_bus_name[n],
                                   WIFEXITED(status) ? WEXITSTATUS(status) : -1))
                                wrong++;
                }
}

static int call_set_power(sd_bus *bus, sd_bus_error *e) {
        return sd_bus_call_method(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, "SetPower", e, NULL,
                                  "b", 1);
}
static int call_set_mode(sd_bus *bus, sd_bus_error *e) {
        return sd_bus_call_method(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, "SetMode", e, NULL,
                                  "s", "heat");
}
static int call_set_target(sd_bus *bus, sd_bus_error *e) {
        return sd_bus_call_method(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE,
                                  "SetTargetTemperature", e, NULL, "d", 21.0);
}
static int call_set_mode_cool(sd_bus *bus, sd_bus_error *e) {
        return sd_bus_call_method(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, "SetMode", e, NULL,
                                  "s", "cool");
}
static int call_set_fan_low(sd_bus *bus, sd_bus_error *e) {
        return sd_bus_call_method(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, "SetFanSpeed", e,
                                  NULL, "s", "low");
}
static int call_set_fan(sd_bus *bus, sd_bus_error *e) {
        return sd_bus_call_method(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, "SetFanSpeed", e,
                                  NULL, "s", "high");
}
static int call_apply(sd_bus *bus, sd_bus_error *e) {
        return sd_bus_call_method(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, "Apply", e, NULL,
                                  "a{sv}", 1, "power", "b", 1);
}
static int call_hvac_set_property(sd_bus *bus, sd_bus_error *e) {
        return sd_bus_set_property(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, "Power", e, "b", 1);
}
static int call_hvac_get(sd_bus *bus, sd_bus_error *e) {
        int v;
        return sd_bus_get_property_trivial(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, "Power", e,
                                           'b', &v);
}
static int call_hvac_get_all(sd_bus *bus, sd_bus_error *e) {
        return sd_bus_call_method(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, "org.freedesktop.DBus.Properties",
                                  "GetAll", e, NULL, "s", VH_HVAC_INTERFACE);
}
static int call_hvac_introspect(sd_bus *bus, sd_bus_error *e) {
        return sd_bus_call_method(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, "org.freedesktop.DBus.Introspectable",
                                  "Introspect", e, NULL, NULL);
}
static int call_unmute(sd_bus *bus, sd_bus_error *e) {
        return sd_bus_call_method(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE, "SetMute", e, NULL,
                                  "b", 0);
}
static int call_mute(sd_bus *bus, sd_bus_error *e) {
        return sd_bus_call_method(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE, "SetMute", e, NULL,
                                  "b", 1);
}
static int call_open_stream(sd_bus *bus, sd_bus_error *e) {
        return sd_bus_call_method(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE, "OpenStream", e,
                                  NULL, NULL);
}
static int on_level_signal(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        *(bool *) userdata = true;
        return 0;
}
/* StartLevel, then a Level signal within 5 s, then StopLevel; a second StopLevel must be refused. */
static int call_level(sd_bus *bus, sd_bus_error *e) {
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        usec_t end = now_usec(CLOCK_MONOTONIC) + 5 * USEC_PER_SEC;
        bool got = false;
        int r;

        r = sd_bus_match_signal(bus, &slot, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE, "Level",
                                on_level_signal, &got);
        if (r < 0)
                return r;
        r = sd_bus_call_method(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE, "StartLevel", e, NULL,
                               NULL);
        while (r >= 0 && !got) {
                usec_t now = now_usec(CLOCK_MONOTONIC);

                if (now >= end)
                        return sd_bus_error_set(e, "org.voicehvac.Test.NoLevel", "no Level signal within 5 s");
                r = sd_bus_process(bus, NULL);
                if (r == 0)
                        r = sd_bus_wait(bus, end - now);
        }
        if (r < 0)
                return r;
        r = sd_bus_call_method(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE, "StopLevel", e, NULL,
                               NULL);
        if (r < 0)
                return r;
        r = sd_bus_call_method(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE, "StopLevel", NULL,
                               NULL, NULL);
        return r < 0 ? 0 : sd_bus_error_set(e, "org.voicehvac.Test.StopLevel", "a second StopLevel was accepted");
}
static int call_audio_get(sd_bus *bus, sd_bus_error *e) {
        int v;
        return sd_bus_get_property_trivial(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE, "Muted",
                                           e, 'b', &v);
}
static int call_audio_ping(sd_bus *bus, sd_bus_error *e) {
        return sd_bus_call_method(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, "org.freedesktop.DBus.Peer", "Ping", e,
                                  NULL, NULL);
}
static int call_wakeword_get(sd_bus *bus, sd_bus_error *e) {
        _cleanup_free_ char *s = NULL;
        return sd_bus_get_property_string(bus, VH_WAKEWORD_BUS_NAME, VH_WAKEWORD_OBJECT_PATH, VH_WAKEWORD_INTERFACE,
                                          "State", e, &s);
}

static char *hvac_snapshot(sd_bus *bus) {
        _cleanup_free_ char *mode = NULL, *fan = NULL;
        double t = NAN;
        int power = -1;
        char *s;

        (void) sd_bus_get_property_trivial(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, "Power",
                                           NULL, 'b', &power);
        (void) sd_bus_get_property_trivial(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE,
                                           "TargetTemperature", NULL, 'd', &t);
        (void) sd_bus_get_property_string(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, "Mode", NULL,
                                          &mode);
        (void) sd_bus_get_property_string(bus, VH_HVAC_BUS_NAME, VH_HVAC_OBJECT_PATH, VH_HVAC_INTERFACE, "FanSpeed",
                                          NULL, &fan);
        require(asprintf(&s, "%d %s %g %s", power, mode, t, fan) > 0, "asprintf");
        return s;
}

static void test_outsider(sd_bus *bus) {
        _cleanup_free_ char *before = hvac_snapshot(bus), *after = NULL;

        /* polkitd is not on this bus yet: the group rule alone decides. */
        as_caller(OUTSIDER, "SetPower", call_set_power, EXPECT_NOT_AUTHORIZED);
        as_caller(OUTSIDER, "SetMode", call_set_mode, EXPECT_NOT_AUTHORIZED);
        as_caller(OUTSIDER, "SetTargetTemperature", call_set_target, EXPECT_NOT_AUTHORIZED);
        as_caller(OUTSIDER, "SetFanSpeed", call_set_fan, EXPECT_NOT_AUTHORIZED);
        as_caller(OUTSIDER, "Apply", call_apply, EXPECT_NOT_AUTHORIZED);
        as_caller(OUTSIDER, "Properties.Set Power", call_hvac_set_property, EXPECT_ACCESS_DENIED);
        as_caller(GRANTED, "SetPower, polkitd absent", call_set_power, EXPECT_NOT_AUTHORIZED);
        after = hvac_snapshot(bus);
        check(streq(before, after), "the air conditioner did not change (%s → %s)", before, after);

        as_caller(OUTSIDER, "read Hvac1.Power", call_hvac_get, EXPECT_OK);
        as_caller(OUTSIDER, "Hvac1 GetAll", call_hvac_get_all, EXPECT_OK);
        as_caller(OUTSIDER, "Hvac1 Introspect", call_hvac_introspect, EXPECT_OK);

        require(stack_set_mute(bus, true, NULL) >= 0, "mute as root");
        as_caller(OUTSIDER, "unmute", call_unmute, EXPECT_NOT_AUTHORIZED);
        check(stack_get_bool(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, "Muted") == 1, "still muted");
        as_caller(OUTSIDER, "mute", call_mute, EXPECT_OK);
        as_caller(OUTSIDER, "OpenStream", call_open_stream, EXPECT_ACCESS_DENIED);
        as_caller(OUTSIDER, "read Audio1.Muted", call_audio_get, EXPECT_OK);
        as_caller(OUTSIDER, "Audio1 Peer.Ping", call_audio_ping, EXPECT_OK);
}

static void test_member(sd_bus *bus) {
        _cleanup_free_ char *before = hvac_snapshot(bus), *after = NULL;

        as_caller(MEMBER, "SetPower", call_set_power, EXPECT_OK);
        as_caller(MEMBER, "SetMode", call_set_mode, EXPECT_OK);
        as_caller(MEMBER, "SetTargetTemperature", call_set_target, EXPECT_OK);
        as_caller(MEMBER, "SetFanSpeed", call_set_fan, EXPECT_OK);
        as_caller(MEMBER, "Apply", call_apply, EXPECT_OK);
        after = hvac_snapshot(bus);
        check(streq(after, "1 heat 21 high"), "the member's changes took effect (%s → %s)", before, after);

        as_caller(MEMBER, "unmute", call_unmute, EXPECT_OK);
        check(stack_get_bool(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, "Muted") == 0, "unmuted by the member");
        /* Control is not listening. */
        as_caller(MEMBER, "OpenStream", call_open_stream, EXPECT_ACCESS_DENIED);
        as_caller(AUDIO_MEMBER, "OpenStream", call_open_stream, EXPECT_OK);
        /* The level needs no raw audio: anyone may follow it. */
        as_caller(OUTSIDER, "StartLevel, a Level signal, StopLevel", call_level, EXPECT_OK);
        as_caller(WAKEWORD_USER, "OpenStream", call_open_stream, EXPECT_OK);
        as_caller(AUDIO_MEMBER, "SetPower", call_set_power, EXPECT_NOT_AUTHORIZED);
        as_caller(AUDIO_MEMBER, "unmute", call_unmute, EXPECT_OK);      /* a no-op: already unmuted */
        check(call_set_power(bus, NULL) >= 0 && stack_set_mute(bus, true, NULL) >= 0, "root may do it all");
        as_caller(AUDIO_MEMBER, "unmute", call_unmute, EXPECT_NOT_AUTHORIZED);
}

/* The real polkitd, on this bus, in a mount namespace where /usr/share/polkit-1/actions holds
 * the project's .policy and the rules directories one rule: GRANTED may change the AC, nobody
 * may not. (Without the rule, the .policy's defaults would decide for nobody by whether polkit
 * sees the test's process in an active local session, which depends on the host; the VM suite
 * checks those defaults under logind.) */
static void start_polkitd(sd_bus *bus) {
        _cleanup_free_ char *actions = test_tmp_path("polkit-actions"), *rules = test_tmp_path("polkit-rules"),
                *empty = test_tmp_path("polkit-empty"), *policy = test_src_path("dbus-interfaces/org.voicehvac.policy"),
                *rule = NULL, *rule_path = NULL, *cp = NULL, *script = NULL;
        struct passwd *granted = getpwuid(granted_uid);
        char *argv[] = { (char *) "unshare", (char *) "--mount", (char *) "--propagation", (char *) "private",
                         (char *) "sh", (char *) "-c", NULL, NULL };
        usec_t end;

        require(granted, "the granted user");
        require(mkdir(actions, 0755) == 0 && mkdir(rules, 0755) == 0 && mkdir(empty, 0755) == 0, "mkdir");
        require(asprintf(&cp, "cp '%s' '%s'/", policy, actions) > 0 && system(cp) == 0, "copy the .policy");
        require(asprintf(&rule, "polkit.addRule(function(action, subject) {\n"
                                "        polkit.log(action.id + \" for \" + subject.user);\n"
                                "        if (action.id == \"" VH_POLKIT_HVAC_SET "\" && subject.user == \"%s\")\n"
                                "                return polkit.Result.YES;\n"
                                "        if (action.id == \"" VH_POLKIT_HVAC_SET "\" && subject.user == \"nobody\")\n"
                                "                return polkit.Result.NO;\n"
                                "});\n", granted->pw_name) > 0, "asprintf");
        require(asprintf(&rule_path, "%s/50-test.rules", rules) > 0, "asprintf");
        require(test_write_file(rule_path, rule) == 0, "write the polkit rule");
        require(asprintf(&script, "mount --bind '%s' /usr/share/polkit-1/actions && "
                                  "mount --bind '%s' /etc/polkit-1/rules.d && "
                                  "mount --bind '%s' /usr/share/polkit-1/rules.d && exec " POLKITD,
                         actions, rules, empty) > 0, "asprintf");
        argv[6] = script;
        require(test_spawn("polkitd", argv) > 0, "spawn polkitd");
        for (end = now_usec(CLOCK_MONOTONIC) + 20 * USEC_PER_SEC;
             sd_bus_get_name_creds(bus, "org.freedesktop.PolicyKit1", 0, NULL) < 0;) {
                require(now_usec(CLOCK_MONOTONIC) < end, "polkitd owns org.freedesktop.PolicyKit1");
                usleep(50 * 1000);
        }
}

static void test_polkit(sd_bus *bus) {
        _cleanup_free_ char *before = NULL, *after = NULL;

        start_polkitd(bus);
        require(call_set_power(bus, NULL) >= 0 && stack_set_mute(bus, true, NULL) >= 0, "power on, muted, as root");
        before = hvac_snapshot(bus);
        as_caller(OUTSIDER, "SetMode cool, polkit does not grant it", call_set_mode_cool, EXPECT_NOT_AUTHORIZED);
        as_caller(GRANTED, "SetFanSpeed low, polkit grants it", call_set_fan_low, EXPECT_OK);
        after = hvac_snapshot(bus);
        check(streq(after, "1 heat 21 low"), "only the granted change took effect (%s → %s)", before, after);
        as_caller(GRANTED, "unmute, polkit asks for admin", call_unmute, EXPECT_NOT_AUTHORIZED);
        check(stack_get_bool(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, "Muted") == 1, "still muted");
        as_caller(MEMBER, "SetTargetTemperature, the group still decides", call_set_target, EXPECT_OK);
        as_caller(MEMBER, "unmute, the group still decides", call_unmute, EXPECT_OK);
}

static void pick_users(void) {
        size_t next = 0;
        struct passwd *pw;

        for (Daemon d = 0; d < _DAEMON_MAX; d++) {
                pw = getpwnam(daemon_user[d]);
                while (!pw && next < ELEMENTSOF(stand_ins))
                        pw = getpwnam(stand_ins[next++]);
                if (!pw)
                        test_skip("no system user to stand in for a daemon's user");
                test_user[d] = strdup(pw->pw_name);
                daemon_uid[d] = pw->pw_uid;
        }
        for (pw = NULL; !pw && next < ELEMENTSOF(stand_ins);)
                pw = getpwnam(stand_ins[next++]);
        if (!pw)
                test_skip("no user for polkit to grant");
        granted_uid = pw->pw_uid;
}

int main(void) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        struct passwd *nobody = getpwnam("nobody");
        struct group *g;
        Stack s = {};

        /* Before any check: what comes from outside the tree. */
        if (geteuid() != 0)
                test_skip("needs root to call as another user");
        if (!nobody)
                test_skip("no user 'nobody' to call as");
        g = getgrnam(GROUP_IN_POLICY) ?: getgrnam("audio");
        if (!g)
                test_skip("neither group 'voicehvac' nor 'audio' exists");
        test_group = strdup(g->gr_name);
        group_gid = g->gr_gid;
        g = getgrnam(AUDIO_GROUP_IN_POLICY) ?: getgrnam("video");
        if (!g)
                test_skip("neither group 'voicehvac-audio' nor 'video' exists");
        audio_group = strdup(g->gr_name);
        audio_gid = g->gr_gid;
        if (access(POLKITD, X_OK) < 0)
                test_skip("no " POLKITD " (package polkitd)");
        nobody_uid = nobody->pw_uid;
        nobody_gid = nobody->pw_gid;
        pick_users();           /* after reading "nobody": getpwnam() reuses its buffer */
        test_log("the control group is '%s' (gid %u), the audio group '%s' (gid %u)", test_group,
                 (unsigned) group_gid, audio_group, (unsigned) audio_gid);
        stack_require_audio();

        start_policy_bus();
        require(test_bus_connect(&bus) >= 0, "connect");
        test_name_ownership();
        stack_audio_setup(&s, 4, test_group);
        s.control_group = test_group;
        stack_start_audiod(&s, bus);
        stack_start_hvacd(&s, bus, 50);
        stack_start_wakeword(&s, bus);
        as_caller(OUTSIDER, "read WakeWord1.State", call_wakeword_get, EXPECT_OK);

        test_outsider(bus);
        test_member(bus);
        test_polkit(bus);

        stack_report("authorization", cases, cases, refusals, wrong,
                     "calls and name requests as other users; faults = those that must be refused; "
                     "lost = wrongly allowed or refused");
        stack_stop(&s);
        free((char *) test_group);
        free((char *) audio_group);
        for (Daemon d = 0; d < _DAEMON_MAX; d++)
                free(test_user[d]);
        return test_result();
}
