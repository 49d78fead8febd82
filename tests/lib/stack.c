/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus-util.h"
#include "harness.h"
#include "stack.h"

bool stack_is_asan(void) {
        const char *b = test_build_dir();
        size_t n = strlen(b);

        return n >= 5 && streq(b + n - 5, "-asan");
}

static char *tmpfs_state_dir = NULL;

static void remove_tmpfs_state(void) {
        _cleanup_free_ char *cmd = NULL;

        if (tmpfs_state_dir && asprintf(&cmd, "rm -rf '%s'", tmpfs_state_dir) > 0)
                (void) system(cmd);
        free(tmpfs_state_dir);
        tmpfs_state_dir = NULL;
}

void stack_use_tmpfs_state(Stack *s) {
        char dir[] = "/dev/shm/vh-state-XXXXXX";

        if (access("/dev/shm", W_OK) < 0 || !mkdtemp(dir))
                return;
        tmpfs_state_dir = strdup(dir);
        require(tmpfs_state_dir, "strdup");
        atexit(remove_tmpfs_state);
        free(s->state_dir);
        s->state_dir = strdup(dir);
}

void stack_require_audio(void) {
        test_require_built("tests/alsa/libasound_module_pcm_vhtest.so");
        test_require_built("audiod/audiod");
}

static void write_pattern(const char *path) {
        _cleanup_fclose_ FILE *f = fopen(path, "we");

        require(f, "create %s", path);
        for (int k = 0; k < STACK_PATTERN_SAMPLES; k++) {
                int16_t v = (int16_t) (k - STACK_PATTERN_SAMPLES / 2);
                fwrite(&v, sizeof(v), 1, f);
        }
}

void stack_audio_setup(Stack *s, unsigned max_clients, const char *unmute_group) {
        _cleanup_free_ char *plugins = test_build_path("tests/alsa"), *script = test_src_path("tests/alsa/make-conf.sh");
        _cleanup_free_ char *audio = test_tmp_path("pattern.raw"), *alsa_conf = test_tmp_path("asound.conf");
        _cleanup_free_ char *config = test_tmp_path("audiod.json"), *out = NULL, *text = NULL, *path_env = NULL;
        int r;

        s->switch_path = test_tmp_path("switch");
        if (!s->state_dir)
                s->state_dir = test_tmp_path("state");
        write_pattern(audio);
        {
                char *argv[] = { script, plugins, audio, s->switch_path, (char *) "eof \"loop\"",
                                 (char *) "rate 16000", (char *) "channels 1", NULL };
                r = test_run(argv, &out);
                require(r == 0 && out, "make-conf.sh exit %d", r);
        }
        require(test_write_file(alsa_conf, out) == 0, "write %s", alsa_conf);
        require(asprintf(&text, "{ \"device\": \"vhtest\", \"mixer_device\": \"vhtest\", \"max_clients\": %u, "
                         "\"unmute_group\": \"%s\" }\n", max_clients, unmute_group) > 0, "asprintf");
        require(test_write_file(config, text) == 0, "write audiod config");
        require(asprintf(&path_env, "/usr/share/alsa/alsa.conf:%s", alsa_conf) > 0, "asprintf");
        setenv("ALSA_CONFIG_PATH", path_env, 1);
        setenv("HOME", test_tmpdir(), 1);
        setenv("XDG_CONFIG_HOME", test_tmpdir(), 1);
        setenv("STATE_DIRECTORY", s->state_dir, 1);
}

/* Starts build/NAME/NAME with the NULL-terminated "args" and waits until it owns "bus_name". */
static pid_t stack_spawn(sd_bus *bus, const char *name, char *const *args, const char *bus_name, usec_t timeout) {
        _cleanup_free_ char *rel = NULL, *bin = NULL;
        char *argv[16] = {};
        size_t n = 0;
        pid_t pid;

        require(asprintf(&rel, "%s/%s", name, name) > 0, "asprintf");
        test_require_built(rel);
        bin = test_build_path(rel);
        argv[n++] = bin;
        for (; args && *args; args++) {
                assert(n < ELEMENTSOF(argv) - 1);
                argv[n++] = *args;
        }
        pid = test_spawn(name, argv);
        require(pid > 0, "spawn %s", name);
        require(test_wait_for_name(bus, bus_name, timeout) == 0, "%s owns %s", name, bus_name);
        return pid;
}

void stack_start_audiod(Stack *s, sd_bus *bus) {
        _cleanup_free_ char *config = test_tmp_path("audiod.json");
        char *args[] = { (char *) "--config", config, NULL };

        setenv("STATE_DIRECTORY", s->state_dir, 1);
        s->audiod = stack_spawn(bus, "audiod", args, VH_AUDIO_BUS_NAME, 10 * USEC_PER_SEC);
}

void stack_start_unmuted_audiod(Stack *s, sd_bus **ret_bus) {
        stack_require_audio();
        stack_use_tmpfs_state(s);
        stack_audio_setup(s, 4, "root");
        require(test_bus_start() == 0, "private dbus-daemon");
        require(test_bus_connect(ret_bus) >= 0, "connect");
        stack_start_audiod(s, *ret_bus);
        require(stack_set_mute(*ret_bus, false, NULL) >= 0, "unmute");
}

void stack_start_hvacd(Stack *s, sd_bus *bus, unsigned coalesce_ms) {
        _cleanup_free_ char *config = test_tmp_path("hvacd.json"), *text = NULL;
        char *args[] = { (char *) "--config", config, NULL };

        if (!s->state_dir)
                s->state_dir = test_tmp_path("state");
        s->tx_log = test_tmp_path("transmit.log");
        require(asprintf(&text, "{ \"coalesce_ms\": %u, %s%s%s\"sim\": { \"ambient\": 27, \"transmit_log\": \"%s\" } }\n",
                         coalesce_ms, s->control_group ? "\"control_group\": \"" : "", s->control_group ?: "",
                         s->control_group ? "\", " : "", s->tx_log) > 0, "asprintf");
        require(test_write_file(config, text) == 0, "write hvacd config");
        setenv("STATE_DIRECTORY", s->state_dir, 1);
        s->hvacd = stack_spawn(bus, "hvacd", args, VH_HVAC_BUS_NAME, 10 * USEC_PER_SEC);
}

void stack_start_wakeword(Stack *s, sd_bus *bus) {
        s->wakeword = stack_spawn(bus, "wakeword", NULL, VH_WAKEWORD_BUS_NAME, 20 * USEC_PER_SEC);
}

void stack_start_watchdogd(Stack *s, sd_bus *bus) {
        s->watchdogd = stack_spawn(bus, "watchdogd", NULL, VH_WATCHDOG_BUS_NAME, 10 * USEC_PER_SEC);
}

void stack_start_mqttd(Stack *s, sd_bus *bus) {
        char *args[] = { (char *) "--broker", (char *) "mqtt://127.0.0.1:9", NULL };

        s->mqttd = stack_spawn(bus, "mqttd", args, VH_MQTT_BUS_NAME, 10 * USEC_PER_SEC);
}

static void stop_one(pid_t *pid, const char *name) {
        int r;

        if (*pid <= 0)
                return;
        r = test_stop(*pid, 10 * USEC_PER_SEC);
        check(r == 0, "%s exits 0 on SIGTERM (got %d; 86 = leak under ASan)", name, r);
        *pid = 0;
}

void stack_stop(Stack *s) {
        stop_one(&s->mqttd, "mqttd");
        stop_one(&s->watchdogd, "watchdogd");
        stop_one(&s->wakeword, "wakeword");
        stop_one(&s->audiod, "audiod");
        stop_one(&s->hvacd, "hvacd");
        free(s->switch_path);
        free(s->state_dir);
        free(s->tx_log);
        s->switch_path = s->state_dir = s->tx_log = NULL;
}

int stack_set_mute(sd_bus *bus, bool muted, char **ret_error_name) {
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_call_method(bus, VH_AUDIO_BUS_NAME, VH_AUDIO_OBJECT_PATH, VH_AUDIO_INTERFACE, "SetMute", &e, NULL,
                               "b", muted);
        if (r < 0 && ret_error_name)
                *ret_error_name = strdup(e.name ?: "");
        return r;
}

int stack_get_bool(sd_bus *bus, const char *name, const char *path, const char *property) {
        int v = -1;

        if (sd_bus_get_property_trivial(bus, name, path, name, property, NULL, 'b', &v) < 0)
                return -1;
        return v;
}

char *stack_read_switch(const Stack *s) {
        char buf[16] = {};
        _cleanup_close_ int fd = open(s->switch_path, O_RDONLY | O_CLOEXEC);

        if (fd < 0 || read(fd, buf, sizeof(buf) - 1) < 0)
                return strdup("?");
        buf[strcspn(buf, "\n")] = 0;
        return strdup(buf);
}

long stack_rss_kib(pid_t pid) {
        char path[64], line[256];
        _cleanup_fclose_ FILE *f = NULL;
        long kib = -1;

        snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
        f = fopen(path, "re");
        while (f && fgets(line, sizeof(line), f))
                if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
                        break;
        return kib;
}

void stack_report(const char *row, unsigned long cases, unsigned long inputs, unsigned long faults,
                  unsigned long lost, const char *note) {
        _cleanup_free_ char *path = test_build_path("reliability-stats");
        _cleanup_fclose_ FILE *f = fopen(path, "ae");

        if (f)
                fprintf(f, "%s cases=%lu inputs=%lu faults=%lu lost=%lu %s\n", row, cases, inputs, faults, lost,
                        note ?: "");
}
