/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The vhtest PCM's configuration keys (listed in pcm_vhtest.c) and the hardware constraints
 * that follow from its source file. */

#include "pcm_vhtest.h"
#include "vhtest-switch.h"

static int config_get_long(snd_config_t *n, const char *id, long min, long max, long *ret) {
        const char *s;
        char *end;
        long v;

        if (snd_config_get_integer(n, &v) < 0) {
                if (snd_config_get_string(n, &s) < 0)
                        goto invalid;
                errno = 0;
                v = strtol(s, &end, 10);
                if (errno != 0 || end == s || *end != '\0')
                        goto invalid;
        }
        if (v < min || v > max) {
                SNDERR("vhtest: %s must be within %ld..%ld, not %ld", id, min, max, v);
                return -EINVAL;
        }
        *ret = v;
        return 0;

invalid:
        SNDERR("vhtest: %s must be an integer", id);
        return -EINVAL;
}

static int config_get_path(snd_config_t *n, const char *id, char **ret) {
        const char *s;

        if (snd_config_get_string(n, &s) < 0 || !*s) {
                SNDERR("vhtest: %s must be a non-empty string", id);
                return -EINVAL;
        }
        free(*ret);
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

static int config_get_eof(snd_config_t *n, EofMode *ret) {
        const char *s;

        if (snd_config_get_string(n, &s) < 0)
                s = "";
        if (strcmp(s, "silence") == 0)
                *ret = EOF_SILENCE;
        else if (strcmp(s, "loop") == 0)
                *ret = EOF_LOOP;
        else if (strcmp(s, "stop") == 0)
                *ret = EOF_STOP;
        else {
                SNDERR("vhtest: eof must be \"silence\", \"loop\" or \"stop\"");
                return -EINVAL;
        }
        return 0;
}

int vh_configure(VhPcm *vh, snd_config_t *conf) {
        snd_config_iterator_t i, next;
        char *file = NULL;
        long rate = -1, channels = -1, xrun_ms = 0;
        int r = 0;

        snd_config_for_each(i, next, conf) {
                snd_config_t *n = snd_config_iterator_entry(i);
                const char *id;

                if (snd_config_get_id(n, &id) < 0)
                        continue;
                if (strcmp(id, "comment") == 0 || strcmp(id, "type") == 0 || strcmp(id, "hint") == 0)
                        continue;

                if (strcmp(id, "file") == 0)
                        r = config_get_path(n, id, &file);
                else if (strcmp(id, "switch") == 0)
                        r = config_get_path(n, id, &vh->switch_path);
                else if (strcmp(id, "unplug") == 0)
                        r = config_get_path(n, id, &vh->unplug_path);
                else if (strcmp(id, "stall") == 0)
                        r = config_get_path(n, id, &vh->stall_path);
                else if (strcmp(id, "eof") == 0)
                        r = config_get_eof(n, &vh->eof);
                else if (strcmp(id, "rate") == 0)
                        r = config_get_long(n, id, 1000, 384000, &rate);
                else if (strcmp(id, "channels") == 0)
                        r = config_get_long(n, id, 1, 32, &channels);
                else if (strcmp(id, "xrun_after_ms") == 0)
                        r = config_get_long(n, id, 0, 86400000, &xrun_ms);
                else {
                        SNDERR("vhtest: unknown key %s", id);
                        r = -EINVAL;
                }
                if (r < 0)
                        goto finish;
        }

        if (!file) {
                SNDERR("vhtest: the file key is required");
                r = -EINVAL;
                goto finish;
        }
        vh->xrun_after_ns = (uint64_t) xrun_ms * 1000000ULL;

        if (vh_unplugged(vh)) {
                r = -ENODEV;
                goto finish;
        }
        r = vh_load_source(vh, file, rate, channels);
        if (r < 0)
                goto finish;
        if (vh->switch_path) {
                r = switch_file_ensure(vh->switch_path);
                if (r < 0)
                        SNDERR("vhtest: cannot create switch file %s: %s", vh->switch_path, strerror(-r));
        }

finish:
        free(file);
        return r;
}

int vh_set_constraints(VhPcm *vh) {
        static const unsigned int accesses[] = {
                SND_PCM_ACCESS_RW_INTERLEAVED,
                SND_PCM_ACCESS_RW_NONINTERLEAVED,
                SND_PCM_ACCESS_MMAP_INTERLEAVED,
                SND_PCM_ACCESS_MMAP_NONINTERLEAVED,
        };
        static const unsigned int formats[] = { SND_PCM_FORMAT_S16_LE };
        snd_pcm_ioplug_t *io = &vh->io;
        int r;

        r = snd_pcm_ioplug_set_param_list(io, SND_PCM_IOPLUG_HW_ACCESS, 4, accesses);
        if (r >= 0)
                r = snd_pcm_ioplug_set_param_list(io, SND_PCM_IOPLUG_HW_FORMAT, 1, formats);
        if (r >= 0)
                r = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_CHANNELS, vh->channels, vh->channels);
        if (r >= 0)
                r = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_RATE, vh->rate, vh->rate);
        /* 2 ms .. 8 s periods at 16 kHz mono; the buffer holds 2 .. 1024 of them, up to 4 MiB. */
        if (r >= 0)
                r = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_PERIOD_BYTES, 64, 256 * 1024);
        if (r >= 0)
                r = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_BUFFER_BYTES, 128, 4 * 1024 * 1024);
        if (r >= 0)
                r = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_PERIODS, 2, 1024);
        return r;
}
