/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <alsa/asoundlib.h>
#include <poll.h>
#include <sys/epoll.h>

#include "alsa-config.h"
#include "mixer.h"

#define MIXER_POLLFDS_MAX 4

struct Mixer {
        snd_ctl_t *ctl;
        char *ctl_name;
        snd_ctl_elem_id_t *id;
        unsigned count;                 /* channels of the switch; all are set together */
        mixer_change_t on_change;
        void *userdata;

        struct pollfd pollfds[MIXER_POLLFDS_MAX];
        sd_event_source *io[MIXER_POLLFDS_MAX];
        unsigned n_pollfds;
};

Mixer *mixer_free(Mixer *m) {
        if (!m)
                return NULL;
        for (unsigned i = 0; i < m->n_pollfds; i++)
                sd_event_source_disable_unref(m->io[i]);
        if (m->id)
                snd_ctl_elem_id_free(m->id);
        if (m->ctl)
                snd_ctl_close(m->ctl);
        free(m->ctl_name);
        free(m);
        return NULL;
}

int mixer_get_muted(Mixer *m, bool *ret) {
        snd_ctl_elem_value_t *v;
        bool any_on = false;
        int r;

        snd_ctl_elem_value_alloca(&v);
        snd_ctl_elem_value_set_id(v, m->id);
        r = snd_ctl_elem_read(m->ctl, v);
        if (r < 0)
                return r;

        /* Capture switch semantics: 1 = capturing. The card is muted only when every channel is
         * off; one live channel still hears the room. */
        for (unsigned i = 0; i < m->count; i++)
                if (snd_ctl_elem_value_get_boolean(v, i))
                        any_on = true;
        *ret = !any_on;
        return 0;
}

int mixer_set_muted(Mixer *m, bool muted) {
        snd_ctl_elem_value_t *v;
        bool now;
        int r;

        snd_ctl_elem_value_alloca(&v);
        snd_ctl_elem_value_set_id(v, m->id);
        for (unsigned i = 0; i < m->count; i++)
                snd_ctl_elem_value_set_boolean(v, i, !muted);
        r = snd_ctl_elem_write(m->ctl, v);
        if (r < 0)
                return r;

        /* Read back: a switch that did not take is a failure, not a success. */
        r = mixer_get_muted(m, &now);
        if (r < 0)
                return r;
        return now == muted ? 0 : -EIO;
}

static int mixer_on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Mixer *m = userdata;
        bool changed = false, muted;
        unsigned short ctl_revents = 0;

        for (unsigned i = 0; i < m->n_pollfds; i++)
                m->pollfds[i].revents = m->io[i] == s ? (short) revents : 0;
        if (snd_ctl_poll_descriptors_revents(m->ctl, m->pollfds, m->n_pollfds, &ctl_revents) < 0)
                return 0;
        if (!(ctl_revents & POLLIN))
                return 0;

        /* Drain every queued event; we only care whether ours changed. */
        for (;;) {
                snd_ctl_event_t *ev;
                int r;

                snd_ctl_event_alloca(&ev);
                r = snd_ctl_read(m->ctl, ev);
                if (r <= 0)
                        break;
                if (snd_ctl_event_get_type(ev) != SND_CTL_EVENT_ELEM)
                        continue;
                if (!(snd_ctl_event_elem_get_mask(ev) & SND_CTL_EVENT_MASK_VALUE))
                        continue;
                if (snd_ctl_event_elem_get_numid(ev) == snd_ctl_elem_id_get_numid(m->id) ||
                    streq(snd_ctl_event_elem_get_name(ev), snd_ctl_elem_id_get_name(m->id)))
                        changed = true;
        }

        if (changed && mixer_get_muted(m, &muted) >= 0 && m->on_change)
                m->on_change(m, muted, m->userdata);
        return 0;
}

static int mixer_find_switch(Mixer *m, const char *control) {
        snd_ctl_elem_info_t *info;
        int r;

        snd_ctl_elem_info_alloca(&info);

        r = snd_ctl_elem_id_malloc(&m->id);
        if (r < 0)
                return r;
        snd_ctl_elem_id_set_interface(m->id, SND_CTL_ELEM_IFACE_MIXER);
        snd_ctl_elem_id_set_name(m->id, control);

        snd_ctl_elem_info_set_id(info, m->id);
        r = snd_ctl_elem_info(m->ctl, info);
        if (r < 0)
                return r == -EINVAL ? -ENOENT : r;
        if (snd_ctl_elem_info_get_type(info) != SND_CTL_ELEM_TYPE_BOOLEAN)
                return -EMEDIUMTYPE;
        if (!snd_ctl_elem_info_is_writable(info))
                return -EROFS;

        m->count = snd_ctl_elem_info_get_count(info);
        if (m->count == 0)
                return -ENOENT;
        /* Keep the numid alsa-lib resolved, so events can be matched by it. */
        snd_ctl_elem_info_get_id(info, m->id);
        return 0;
}

int mixer_open(sd_event *event, const char *ctl_name, const char *control, mixer_change_t on_change,
               void *userdata, Mixer **ret) {
        /* Declared first so that it goes last, once the control is set up (or closed). */
        _cleanup_(alsa_config_deletep) snd_config_t *config = NULL;
        _cleanup_(mixer_freep) Mixer *m = NULL;
        int n, r;

        assert(event);
        assert(ctl_name);
        assert(control);
        assert(ret);

        m = calloc(1, sizeof(Mixer));
        if (!m)
                return -ENOMEM;
        m->on_change = on_change;
        m->userdata = userdata;
        m->ctl_name = strdup(ctl_name);
        if (!m->ctl_name)
                return -ENOMEM;

        r = alsa_ctl_open(&m->ctl, &config, ctl_name, SND_CTL_NONBLOCK);
        if (r < 0) {
                m->ctl = NULL;
                return r;
        }

        r = mixer_find_switch(m, control);
        if (r < 0)
                return r;

        r = snd_ctl_subscribe_events(m->ctl, 1);
        if (r < 0)
                return r;

        n = snd_ctl_poll_descriptors_count(m->ctl);
        if (n <= 0 || n > MIXER_POLLFDS_MAX)
                return -EINVAL;
        n = snd_ctl_poll_descriptors(m->ctl, m->pollfds, (unsigned) n);
        if (n < 0)
                return n;
        m->n_pollfds = (unsigned) n;

        for (unsigned i = 0; i < m->n_pollfds; i++) {
                r = sd_event_add_io(event, &m->io[i], m->pollfds[i].fd,
                                    (uint32_t) m->pollfds[i].events & (EPOLLIN | EPOLLPRI), mixer_on_io, m);
                if (r < 0)
                        return r;
                (void) sd_event_source_set_description(m->io[i], "alsa-mixer");
        }

        *ret = TAKE_PTR(m);
        return 0;
}

const char *mixer_ctl_name(const Mixer *m) {
        return m->ctl_name;
}
