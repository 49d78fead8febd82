/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Authorisation with the project's bus policy (the .conf files of dbus-interfaces/) loaded: a caller outside
 * the group cannot change the air conditioner (AccessDenied from the bus), cannot unmute
 * (NotAuthorized from audiod), cannot open the microphone stream; reading state stays open to
 * everyone; a member of the group and root may do all of it.
 *
 * The bus here is not the harness's permissive one: a policy file only adds allow rules, so it
 * means something only on top of the system bus's own deny-by-default policy, which this test
 * reproduces (from /usr/share/dbus-1/system.conf). Two test-only differences: the daemons run as
 * root, not as the service user, so root may own the names; and the group "voicehvac" does not
 * exist on a development machine, so the policy files are loaded with it renamed to a group that
 * does ("audio"), which is then also audiod's unmute_group. */

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

static const char *test_group;
static unsigned long cases, refusals, wrong;
static uid_t nobody_uid;
static gid_t nobody_gid, group_gid;

static void write_policy_dir(const char *dir) {
        _cleanup_free_ char *cmd = NULL, *src = test_src_path("dbus-interfaces");

        require(mkdir(dir, 0755) == 0, "mkdir %s", dir);
        /* The project's files, with the service group renamed where it does not exist here. */
        require(asprintf(&cmd, "for f in '%s'/*.conf; do sed 's/group=\"%s\"/group=\"%s\"/' \"$f\" >'%s'/\"$(basename \"$f\")\"; done",
                         src, GROUP_IN_POLICY, test_group, dir) > 0, "asprintf");
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

typedef struct Caller {
        bool in_group;
        const char *what;
        int (*call)(sd_bus *bus, sd_bus_error *e);
        Expect expect;
} Caller;

static int caller_run(const Caller *c) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        int r;

        if (c->in_group ? setgroups(1, &group_gid) < 0 : setgroups(0, NULL) < 0)
                return 10;
        if (setgid(nobody_gid) < 0 || setuid(nobody_uid) < 0)
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
                return r < 0 && sd_bus_error_has_name(&e, VH_ERROR_NOT_AUTHORIZED) ? 0 : 3;
        }
        return 4;
}

static void as_caller(bool in_group, const char *what, int (*call)(sd_bus *, sd_bus_error *), Expect expect) {
        static const char *const expected[] = { "allowed", "AccessDenied", "NotAuthorized" };
        Caller c = { .in_group = in_group, .what = what, .call = call, .expect = expect };
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
        if (!check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s, %s: %s (child exit %d)",
                   in_group ? "a member of the group" : "a caller outside the group", what, expected[expect],
                   WIFEXITED(status) ? WEXITSTATUS(status) : -1))
                wrong++;
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

        as_caller(false, "SetPower", call_set_power, EXPECT_ACCESS_DENIED);
        as_caller(false, "SetMode", call_set_mode, EXPECT_ACCESS_DENIED);
        as_caller(false, "SetTargetTemperature", call_set_target, EXPECT_ACCESS_DENIED);
        as_caller(false, "SetFanSpeed", call_set_fan, EXPECT_ACCESS_DENIED);
        as_caller(false, "Apply", call_apply, EXPECT_ACCESS_DENIED);
        as_caller(false, "Properties.Set Power", call_hvac_set_property, EXPECT_ACCESS_DENIED);
        after = hvac_snapshot(bus);
        check(streq(before, after), "the air conditioner did not change (%s → %s)", before, after);

        as_caller(false, "read Hvac1.Power", call_hvac_get, EXPECT_OK);
        as_caller(false, "Hvac1 GetAll", call_hvac_get_all, EXPECT_OK);
        as_caller(false, "Hvac1 Introspect", call_hvac_introspect, EXPECT_OK);

        require(stack_set_mute(bus, true, NULL) >= 0, "mute as root");
        as_caller(false, "unmute", call_unmute, EXPECT_NOT_AUTHORIZED);
        check(stack_get_bool(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, "Muted") == 1, "still muted");
        as_caller(false, "mute", call_mute, EXPECT_OK);
        as_caller(false, "OpenStream", call_open_stream, EXPECT_ACCESS_DENIED);
        as_caller(false, "read Audio1.Muted", call_audio_get, EXPECT_OK);
        as_caller(false, "Audio1 Peer.Ping", call_audio_ping, EXPECT_OK);
}

static void test_member(sd_bus *bus) {
        _cleanup_free_ char *before = hvac_snapshot(bus), *after = NULL;

        as_caller(true, "SetPower", call_set_power, EXPECT_OK);
        as_caller(true, "SetMode", call_set_mode, EXPECT_OK);
        as_caller(true, "SetTargetTemperature", call_set_target, EXPECT_OK);
        as_caller(true, "SetFanSpeed", call_set_fan, EXPECT_OK);
        as_caller(true, "Apply", call_apply, EXPECT_OK);
        after = hvac_snapshot(bus);
        check(streq(after, "1 heat 21 high"), "the member's changes took effect (%s → %s)", before, after);

        as_caller(true, "unmute", call_unmute, EXPECT_OK);
        check(stack_get_bool(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, "Muted") == 0, "unmuted by the member");
        as_caller(true, "OpenStream", call_open_stream, EXPECT_OK);
        check(call_set_power(bus, NULL) >= 0 && stack_set_mute(bus, true, NULL) >= 0, "root may do it all");
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
        nobody_uid = nobody->pw_uid;
        nobody_gid = nobody->pw_gid;
        test_log("the service group is '%s' (gid %u)", test_group, (unsigned) group_gid);
        stack_require_audio();

        start_policy_bus();
        require(test_bus_connect(&bus) >= 0, "connect");
        stack_audio_setup(&s, 4, test_group);
        stack_start_audiod(&s, bus);
        stack_start_hvacd(&s, bus, 50);
        stack_start_wakeword(&s, bus);
        as_caller(false, "read WakeWord1.State", call_wakeword_get, EXPECT_OK);

        test_outsider(bus);
        test_member(bus);

        stack_report("authorization", cases, cases, refusals, wrong,
                     "calls as nobody, in and out of the group; faults = calls that must be refused; "
                     "lost = wrongly allowed or refused");
        stack_stop(&s);
        free((char *) test_group);
        return test_result();
}
