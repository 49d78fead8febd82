/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "alsa-config.h"

#define ALSA_CONF_DEFAULT "/usr/share/alsa/alsa.conf"

static int config_load_file(snd_config_t *top, const char *path) {
        snd_input_t *in;
        int r;

        if (access(path, R_OK) < 0)
                return 0;
        r = snd_input_stdio_open(&in, path, "r");
        if (r < 0)
                return r;
        r = snd_config_load(top, in);
        (void) snd_input_close(in);
        return r;
}

/* The files, loaded in alsa-lib's order, with none of their hooks run. */
static int config_load_plain(snd_config_t **ret) {
        const char *env = getenv("ALSA_CONFIG_PATH"), *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME");
        _cleanup_(alsa_config_deletep) snd_config_t *top = NULL;
        _cleanup_free_ char *paths = strdup(env && *env ? env : ALSA_CONF_DEFAULT);
        snd_config_t *hooks = NULL;
        char *state = NULL, path[4096];
        int r;

        if (!paths)
                return -ENOMEM;
        r = snd_config_top(&top);
        if (r < 0)
                return r;

        /* alsa-lib splits ALSA_CONFIG_PATH at ':' and at blanks. */
        for (char *p = strtok_r(paths, ": \t", &state); p; p = strtok_r(NULL, ": \t", &state)) {
                r = config_load_file(top, p);
                if (r < 0)
                        return r;
        }
        r = config_load_file(top, "/etc/asound.conf");
        if (r < 0)
                return r;
        if (home && *home) {
                snprintf(path, sizeof path, "%s/.asoundrc", home);
                r = config_load_file(top, path);
                if (r < 0)
                        return r;
        }
        if ((xdg && *xdg) || (home && *home)) {
                if (xdg && *xdg)
                        snprintf(path, sizeof path, "%s/alsa/asoundrc", xdg);
                else
                        snprintf(path, sizeof path, "%s/.config/alsa/asoundrc", home);
                r = config_load_file(top, path);
                if (r < 0)
                        return r;
        }

        /* Searching a configuration runs the hooks it holds; alsa.conf's top-level one is the
         * loader of conf.d and the files above. The files are in; the hook goes. */
        if (snd_config_search(top, "@hooks", &hooks) >= 0)
                (void) snd_config_delete(hooks);

        *ret = TAKE_PTR(top);
        return 0;
}

static bool name_is_default(const char *name) {
        size_t n = strcspn(name, ":");

        return (n == 7 && strncmp(name, "default", 7) == 0) || (n == 10 && strncmp(name, "sysdefault", 10) == 0);
}

/* The configuration to open "name" of kind "pcm" or "ctl" from: the plain files when they define
 * it, else NULL (alsa-lib's full configuration; also when a file does not parse: alsa-lib then
 * says which and why itself). */
static snd_config_t *config_for(const char *kind, const char *name) {
        _cleanup_(alsa_config_deletep) snd_config_t *top = NULL;
        snd_config_t *def = NULL;

        if (name_is_default(name) || config_load_plain(&top) < 0)
                return NULL;
        if (snd_config_search_definition(top, kind, name, &def) < 0)
                return NULL;
        (void) snd_config_delete(def);
        return TAKE_PTR(top);
}

int alsa_pcm_open(snd_pcm_t **ret, snd_config_t **ret_config, const char *name, snd_pcm_stream_t stream, int mode) {
        _cleanup_(alsa_config_deletep) snd_config_t *config = config_for("pcm", name);
        int r;

        r = config ? snd_pcm_open_lconf(ret, name, stream, mode, config) : snd_pcm_open(ret, name, stream, mode);
        if (r < 0)
                return r;
        *ret_config = TAKE_PTR(config);
        return 0;
}

int alsa_ctl_open(snd_ctl_t **ret, snd_config_t **ret_config, const char *name, int mode) {
        _cleanup_(alsa_config_deletep) snd_config_t *config = config_for("ctl", name);
        int r;

        r = config ? snd_ctl_open_lconf(ret, name, mode, config) : snd_ctl_open(ret, name, mode);
        if (r < 0)
                return r;
        *ret_config = TAKE_PTR(config);
        return 0;
}

void alsa_config_release(void) {
        (void) snd_config_update_free_global();
}
