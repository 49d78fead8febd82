/*
 * test-alsa-plugin — checks the vhtest ALSA test plugins (tests/alsa/) through the public
 * alsa-lib API, the way audiod uses a real card: bit-exact data, real-time pacing, one
 * poll wake-up per period, the capture switch (file, snd_ctl, events across handles and
 * processes), overruns and their recovery, WAV input, end-of-file handling and unplugging.
 *
 * Finds the plugins in $VH_BUILD/tests/alsa and make-conf.sh in $VH_SRCDIR/tests/alsa
 * (tests/run-tests.sh sets both), else at the paths the build compiled in.
 *
 * This file sets up the files and the configuration and runs the checks in order; the checks
 * themselves are in tests/alsa/vhtest-checks-*.c, by job.
 *
 * Exit status: 0 pass, 1 fail (the failed check is printed), 77 skip.
 */

#include "vhtest-checks.h"

#ifndef VHTEST_PLUGIN_DIR
#define VHTEST_PLUGIN_DIR "build/tests/alsa"
#endif
#ifndef VHTEST_MAKE_CONF
#define VHTEST_MAKE_CONF "tests/alsa/make-conf.sh"
#endif

/* ---- setup ------------------------------------------------------------------------ */

static char *env_path(const char *var, const char *suffix, const char *fallback) {
        const char *v = getenv(var);

        if (!v || !*v)
                return strdup(fallback);
        return strdup_printf("%s/%s", v, suffix);
}

/* Runs make-conf.sh with its output going to the conf file, plus our extra PCMs. */
static int make_conf(Ctx *c, const char *make_conf, const char *plugin_dir) {
        char *unplug_line, *extra;
        int status, fd, r;
        pid_t pid;
        FILE *f;

        unplug_line = strdup_printf("unplug \"%s\"", c->unplug);
        if (!unplug_line)
                return -ENOMEM;
        pid = fork();
        if (pid < 0) {
                free(unplug_line);
                return -errno;
        }
        if (pid == 0) {
                fd = open(c->conf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
                        _exit(127);
                execl("/bin/sh", "sh", make_conf, plugin_dir, c->raw, c->switch_path, unplug_line, (char *) NULL);
                _exit(127);
        }
        free(unplug_line);
        if (waitpid(pid, &status, 0) < 0)
                return -errno;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return fail("%s exited with status %d", make_conf, status);

        /* Further PCMs of the same card, for the checks that need other keys. */
        extra = strdup_printf("pcm.vhtest_xrun { type vhtest file \"%s\" switch \"%s\" xrun_after_ms %u }\n"
                              "pcm.vhtest_stop { type vhtest file \"%s\" eof \"stop\" }\n"
                              "pcm.vhtest_wav { type vhtest file \"%s\" eof \"loop\" }\n"
                              /* Blocks that must be refused, and a named control. */
                              "pcm.vhtest_badkey { type vhtest file \"%s\" volume 3 }\n"
                              "pcm.vhtest_badrate { type vhtest file \"%s\" rate 10 }\n"
                              "pcm.vhtest_badeof { type vhtest file \"%s\" eof \"rewind\" }\n"
                              "pcm.vhtest_nofile { type vhtest eof \"loop\" }\n"
                              "ctl.vhtest_badkey { type vhtest switch \"%s\" volume 3 }\n"
                              "ctl.vhtest_noswitch { type vhtest name \"Mic Switch\" }\n"
                              "ctl.vhtest_longname { type vhtest switch \"%s\" name \"%0*d\" }\n"
                              "ctl.vhtest_named { type vhtest switch \"%s\" name \"Mic Switch\" }\n",
                              c->raw, c->switch_path, XRUN_AFTER_MS, c->stop_raw, c->wav,
                              c->raw, c->raw, c->raw, c->switch_path, c->switch_path, 44, 0, c->switch_path);
        if (!extra)
                return -ENOMEM;
        f = fopen(c->conf, "ae");
        if (!f) {
                free(extra);
                return -errno;
        }
        fputs(extra, f);
        free(extra);
        r = fclose(f);
        return r == 0 ? 0 : -errno;
}

/* Returns 0, EXIT_SKIP after printing why, or -1. */
static int setup(Ctx *c) {
        const char *tmp = getenv("TMPDIR");
        char *plugin_dir, *make_conf_path, *so, *alsa_conf, *config_path;
        int r;

        plugin_dir = env_path("VH_BUILD", "tests/alsa", VHTEST_PLUGIN_DIR);
        make_conf_path = env_path("VH_SRCDIR", "tests/alsa/make-conf.sh", VHTEST_MAKE_CONF);
        so = plugin_dir ? strdup_printf("%s/libasound_module_pcm_vhtest.so", plugin_dir) : NULL;
        c->dir = strdup_printf("%s/test-alsa-plugin.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!make_conf_path || !so || !c->dir) {
                r = fail("out of memory");
                goto finish;
        }
        if (access(so, R_OK) < 0 || access(make_conf_path, R_OK) < 0) {
                r = fail("vhtest plugins or make-conf.sh not found (%s, %s); make builds them before the tests",
                         so, make_conf_path);
                goto finish;
        }
        /* ALSA_CONFIG_PATH is split at ':' and ' ', and the paths go into quoted strings. */
        if (strpbrk(c->dir, ": \"\\")) {
                printf("skip: temporary directory %s contains ':', ' ', '\"' or '\\'\n", c->dir);
                r = EXIT_SKIP;
                goto finish;
        }
        if (!mkdtemp(c->dir)) {
                r = fail("mkdtemp(%s): %s", c->dir, strerror(errno));
                free(c->dir);
                c->dir = NULL;
                goto finish;
        }

        c->raw = strdup_printf("%s/speech.raw", c->dir);
        c->stop_raw = strdup_printf("%s/short.raw", c->dir);
        c->wav = strdup_printf("%s/stereo.wav", c->dir);
        c->switch_path = strdup_printf("%s/capture-switch", c->dir);
        c->unplug = strdup_printf("%s/unplugged", c->dir);
        c->conf = strdup_printf("%s/asound.conf", c->dir);
        if (!c->raw || !c->stop_raw || !c->wav || !c->switch_path || !c->unplug || !c->conf) {
                r = fail("out of memory");
                goto finish;
        }

        r = write_raw(c->raw, 0, MAIN_FRAMES);
        if (r >= 0)
                r = write_raw(c->stop_raw, 0, STOP_FRAMES);
        if (r >= 0)
                r = write_wav(c);
        if (r < 0) {
                r = fail("cannot write test audio in %s: %s", c->dir, strerror(-r));
                goto finish;
        }
        r = make_conf(c, make_conf_path, plugin_dir);
        if (r < 0) {
                r = fail("cannot write %s: %s", c->conf, strerror(-r));
                goto finish;
        }

        /* alsa.conf first: see make-conf.sh for why the order matters. */
        alsa_conf = strdup_printf("%s/alsa.conf", snd_config_topdir());
        if (alsa_conf && access(alsa_conf, R_OK) == 0)
                config_path = strdup_printf("%s:%s", alsa_conf, c->conf);
        else
                config_path = strdup(c->conf);
        free(alsa_conf);
        if (!config_path) {
                r = fail("out of memory");
                goto finish;
        }
        setenv("ALSA_CONFIG_PATH", config_path, 1);
        printf("config: ALSA_CONFIG_PATH=%s\n", config_path);
        free(config_path);
        r = 0;

finish:
        free(plugin_dir);
        free(make_conf_path);
        free(so);
        return r;
}

static void cleanup(Ctx *c) {
        char *files[] = { c->raw, c->stop_raw, c->wav, c->switch_path, c->unplug, c->conf };
        bool keep = getenv("VHTEST_KEEP");

        if (c->pcm)
                snd_pcm_close(c->pcm);
        snd_config_update_free_global();

        for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
                if (files[i] && !keep)
                        unlink(files[i]);
                free(files[i]);
        }
        if (c->dir && !keep)
                rmdir(c->dir);
        free(c->dir);
}

int main(void) {
        Ctx c = {};
        int r;

        setvbuf(stdout, NULL, _IOLBF, 0);
        r = setup(&c);
        if (r == 0)
                r = check_period_time();
        if (r == 0)
                r = check_forced_xrun();
        if (r == 0)
                r = check_pcm_keys();
        if (r == 0)
                r = check_ctl_keys();
        if (r == 0)
                r = check_eof_stop();
        if (r == 0)
                r = check_wav_loop(&c);
        /* From here on c.pcm runs, and each check keeps reading it. */
        if (r == 0)
                r = check_open_and_read(&c);
        if (r == 0)
                r = check_mute_file(&c);
        if (r == 0)
                r = check_ctl(&c);
        if (r == 0)
                r = check_overrun(&c);
        if (r == 0)
                r = check_unplug(&c);

        cleanup(&c);
        if (r == EXIT_SKIP)
                return EXIT_SKIP;
        if (r < 0)
                return EXIT_FAILURE;
        printf("all vhtest plugin checks passed\n");
        return EXIT_SUCCESS;
}
