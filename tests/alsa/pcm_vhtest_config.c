/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The vhtest PCM's configuration keys (listed in pcm_vhtest.c) and the hardware constraints
 * that follow from its source file. */

#include "pcm_vhtest.h"
#include "vhtest-options.h"
#include "vhtest-switch.h"

static const char *const eof_choices[] = { [EOF_SILENCE] = "silence", [EOF_LOOP] = "loop", [EOF_STOP] = "stop", NULL };

int vh_configure(VhPcm *vh, snd_config_t *conf) {
        char *file = NULL;
        long rate = -1, channels = -1, xrun_ms = 0;
        int eof = vh->eof, r;
        const VhOption options[] = {
                VH_KEY_STRING("file", &file),
                VH_KEY_STRING("switch", &vh->switch_path),
                VH_KEY_STRING("unplug", &vh->unplug_path),
                VH_KEY_STRING("stall", &vh->stall_path),
                VH_KEY_CHOICE("eof", &eof, eof_choices),
                VH_KEY_LONG("rate", &rate, 1000, 384000),
                VH_KEY_LONG("channels", &channels, 1, 32),
                VH_KEY_LONG("xrun_after_ms", &xrun_ms, 0, 86400000),
                {}
        };

        r = vh_options_parse(conf, options);
        if (r < 0)
                goto finish;
        vh->eof = (EofMode) eof;

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
