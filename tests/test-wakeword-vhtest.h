/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* audiod capturing a file through the vhtest ALSA plugin, in real time: what the wakeword
 * integration test and the live benchmark both set up. Uses the harness; fatal on failure. */

#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

/* Points alsa-lib (of every process started afterwards) at pcm/ctl "vhtest" capturing "audio";
 * extra_pcm_lines (NULL-terminated, or NULL) are more keys of pcm.vhtest, e.g. 'eof "loop"',
 * 'unplug "PATH"'. Returns the path of an audiod configuration that captures from it (malloc'd). */
static inline char *vhtest_audiod_setup(const char *audio, char *const *extra_pcm_lines) {
        _cleanup_free_ char *script = test_src_path("tests/alsa/make-conf.sh"), *plugins = test_build_path("tests/alsa"),
                            *switch_path = test_tmp_path("switch"), *alsa_conf = test_tmp_path("asound.conf"),
                            *path_env = NULL, *conf_text = NULL;
        char *audiod_conf = test_tmp_path("audiod.json");
        char *argv[16] = { script, plugins, (char *) audio, switch_path };
        size_t n = 4;

        for (size_t i = 0; extra_pcm_lines && extra_pcm_lines[i]; i++) {
                require(n + 1 < ELEMENTSOF(argv), "too many pcm.vhtest lines");
                argv[n++] = extra_pcm_lines[i];
        }

        require(test_run(argv, &conf_text) == 0 && conf_text, "make-conf.sh");
        require(test_write_file(alsa_conf, conf_text) == 0, "write alsa conf");
        require(test_write_file(audiod_conf, "{ \"device\": \"vhtest\", \"mixer_device\": \"vhtest\", \"unmute_group\": \"root\" }\n") == 0,
                "write audiod config");
        require(asprintf(&path_env, "/usr/share/alsa/alsa.conf:%s", alsa_conf) > 0, "asprintf");
        setenv("ALSA_CONFIG_PATH", path_env, 1);
        setenv("HOME", test_tmpdir(), 1);
        setenv("XDG_CONFIG_HOME", test_tmpdir(), 1);
        setenv("STATE_DIRECTORY", test_tmpdir(), 1);
        return audiod_conf;
}
