/*
 * vhtest — the control (mixer) side of the vhtest test "card": one boolean MIXER element,
 * "Capture Switch" by default, backed by the same switch file as pcm.vhtest, so muting
 * through amixer or snd_ctl really zeroes the captured audio.
 *
 *   ctl.vhtest {
 *           type vhtest
 *           switch "/path/switch"       # required; created holding "1" if absent
 *           name "Capture Switch"       # element name (optional)
 *           unplug "/path/unplug"       # optional, as for the PCM: while it exists the
 *                                       # card is gone (open, read, write: -ENODEV)
 *   }
 *
 * Change events: the poll descriptor is an inotify descriptor watching the switch file's
 * directory (a directory watch also sees the rename() that replaces the file). When the
 * value differs from the one this handle last reported, read_event returns a
 * SND_CTL_EVENT_MASK_VALUE event for the element; otherwise -EAGAIN. Changes by any
 * process — amixer, a test writing the file, another ctl handle — are seen; several
 * changes between two reads coalesce into one event carrying the latest value.
 * read_event never blocks, whatever the open mode: every caller polls first, and
 * snd_hctl_handle_events() loops until -EAGAIN.
 *
 * Must be built with -fPIC -DPIC and without sanitizers (loaded into amixer).
 */

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <alsa/asoundlib.h>
#include <alsa/control_external.h>

#include "vhtest-options.h"
#include "vhtest-switch.h"

#define WATCH_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MODIFY | IN_CREATE)

typedef struct VhCtl {
        snd_ctl_ext_t ext;

        char *switch_path;
        char *unplug_path;
        char elem_name[44];           /* SNDRV_CTL_ELEM_ID_NAME_MAXLEN, not in the public headers */

        int inotify_fd;
        int last_value;         /* the value this handle last knew; -1 before the first read */
        bool disconnected;      /* sticky, like a card that went away */
} VhCtl;

static const char *path_basename(const char *path) {
        const char *slash = strrchr(path, '/');

        return slash ? slash + 1 : path;
}

/* inotify needs the directory itself; "." for a bare file name. */
static int watch_directory_of(int fd, const char *path) {
        const char *slash = strrchr(path, '/');
        char dir[PATH_MAX];

        if (!slash)
                strcpy(dir, ".");
        else if (slash == path)
                strcpy(dir, "/");
        else if ((size_t) (slash - path) < sizeof dir) {
                memcpy(dir, path, (size_t) (slash - path));
                dir[slash - path] = '\0';
        } else
                return -ENAMETOOLONG;

        if (inotify_add_watch(fd, dir, WATCH_MASK) < 0)
                return -errno;
        return 0;
}

static bool vh_unplugged(VhCtl *vh) {
        if (!vh->disconnected && vh->unplug_path && access(vh->unplug_path, F_OK) == 0)
                vh->disconnected = true;
        return vh->disconnected;
}

/* The current value; falls back on the last one known (or on, the default) while the file
 * is missing or caught half-written by a hand-made "echo 0 > FILE". */
static int vh_read_switch(VhCtl *vh) {
        int r = switch_file_read(vh->switch_path);

        if (r >= 0)
                return r;
        return vh->last_value >= 0 ? vh->last_value : 1;
}

/* Reads every queued inotify event; true if one was about the switch or unplug file. */
static bool vh_drain_inotify(VhCtl *vh) {
        union {
                struct inotify_event ev;
                char buf[4096];
        } u;
        bool relevant = false;

        for (;;) {
                ssize_t n = read(vh->inotify_fd, u.buf, sizeof u.buf);

                if (n <= 0)
                        return relevant;  /* -EAGAIN: drained */

                for (char *p = u.buf; p < u.buf + n; ) {
                        struct inotify_event *ev = (struct inotify_event *) p;

                        if (ev->len > 0 &&
                            (strcmp(ev->name, path_basename(vh->switch_path)) == 0 ||
                             (vh->unplug_path && strcmp(ev->name, path_basename(vh->unplug_path)) == 0)))
                                relevant = true;
                        p += sizeof *ev + ev->len;
                }
        }
}

static int vh_elem_count(snd_ctl_ext_t *ext) {
        (void) ext;
        return 1;
}

static int vh_elem_list(snd_ctl_ext_t *ext, unsigned int offset, snd_ctl_elem_id_t *id) {
        VhCtl *vh = ext->private_data;

        if (offset != 0)
                return -EINVAL;
        snd_ctl_elem_id_set_interface(id, SND_CTL_ELEM_IFACE_MIXER);
        snd_ctl_elem_id_set_name(id, vh->elem_name);
        return 0;
}

static snd_ctl_ext_key_t vh_find_elem(snd_ctl_ext_t *ext, const snd_ctl_elem_id_t *id) {
        VhCtl *vh = ext->private_data;

        if (snd_ctl_elem_id_get_interface(id) != SND_CTL_ELEM_IFACE_MIXER ||
            snd_ctl_elem_id_get_index(id) != 0 ||
            strcmp(snd_ctl_elem_id_get_name(id), vh->elem_name) != 0)
                return SND_CTL_EXT_KEY_NOT_FOUND;
        return 0;
}

static int vh_get_attribute(snd_ctl_ext_t *ext, snd_ctl_ext_key_t key,
                            int *type, unsigned int *acc, unsigned int *count) {
        (void) ext;
        if (key != 0)
                return -EINVAL;
        *type = SND_CTL_ELEM_TYPE_BOOLEAN;
        *acc = SND_CTL_EXT_ACCESS_READWRITE;
        *count = 1;
        return 0;
}

static int vh_read_integer(snd_ctl_ext_t *ext, snd_ctl_ext_key_t key, long *value) {
        VhCtl *vh = ext->private_data;

        if (key != 0)
                return -EINVAL;
        if (vh_unplugged(vh))
                return -ENODEV;
        value[0] = vh_read_switch(vh);
        return 0;
}

/* Returns 1 if the value changed, 0 if not, as the kernel's put callbacks do. */
static int vh_write_integer(snd_ctl_ext_t *ext, snd_ctl_ext_key_t key, long *value) {
        VhCtl *vh = ext->private_data;
        bool on = value[0] != 0;
        int r;

        if (key != 0)
                return -EINVAL;
        if (vh_unplugged(vh))
                return -ENODEV;
        if (switch_file_read(vh->switch_path) == on)
                return 0;

        r = switch_file_write(vh->switch_path, on);
        if (r < 0) {
                SNDERR("vhtest: cannot write switch file %s: %s", vh->switch_path, strerror(-r));
                return r;
        }
        return 1;
}

static void vh_subscribe_events(snd_ctl_ext_t *ext, int subscribe) {
        VhCtl *vh = ext->private_data;

        /* Start from a clean slate: only changes after subscribing are events. */
        (void) vh_drain_inotify(vh);
        if (subscribe)
                vh->last_value = vh_read_switch(vh);
}

static int vh_read_event(snd_ctl_ext_t *ext, snd_ctl_elem_id_t *id, unsigned int *event_mask) {
        VhCtl *vh = ext->private_data;
        int value;

        if (!vh_drain_inotify(vh) || !ext->subscribed)
                return -EAGAIN;
        if (vh_unplugged(vh))
                return -ENODEV;

        value = vh_read_switch(vh);
        if (value == vh->last_value)
                return -EAGAIN;
        vh->last_value = value;

        snd_ctl_elem_id_set_interface(id, SND_CTL_ELEM_IFACE_MIXER);
        snd_ctl_elem_id_set_name(id, vh->elem_name);
        snd_ctl_elem_id_set_numid(id, 1);
        *event_mask = SND_CTL_EVENT_MASK_VALUE;
        return 1;
}

static int vh_poll_revents(snd_ctl_ext_t *ext, struct pollfd *pfd, unsigned int nfds,
                           unsigned short *revents) {
        VhCtl *vh = ext->private_data;

        if (nfds != 1)
                return -EINVAL;
        *revents = pfd[0].revents & (POLLIN | POLLERR | POLLNVAL);
        if (vh->disconnected)
                *revents |= POLLERR;
        return 0;
}

static void vh_free(VhCtl *vh) {
        if (!vh)
                return;
        if (vh->inotify_fd >= 0)
                close(vh->inotify_fd);
        free(vh->switch_path);
        free(vh->unplug_path);
        free(vh);
}

static void vh_close(snd_ctl_ext_t *ext) {
        vh_free(ext->private_data);
}

static const snd_ctl_ext_callback_t vh_callbacks = {
        .close = vh_close,
        .elem_count = vh_elem_count,
        .elem_list = vh_elem_list,
        .find_elem = vh_find_elem,
        .get_attribute = vh_get_attribute,
        .read_integer = vh_read_integer,
        .write_integer = vh_write_integer,
        .subscribe_events = vh_subscribe_events,
        .read_event = vh_read_event,
        .poll_revents = vh_poll_revents,
};

static int vh_configure(VhCtl *vh, snd_config_t *conf) {
        char *elem_name = NULL;
        const VhOption options[] = {
                VH_KEY_STRING("switch", &vh->switch_path),
                VH_KEY_STRING("unplug", &vh->unplug_path),
                VH_KEY_STRING("name", &elem_name),
                {}
        };
        int r;

        r = vh_options_parse(conf, options);
        if (r >= 0 && !vh->switch_path) {
                SNDERR("vhtest: the switch key is required");
                r = -EINVAL;
        }
        if (r >= 0 && elem_name && strlen(elem_name) >= sizeof vh->elem_name) {
                SNDERR("vhtest: element name \"%s\" is too long", elem_name);
                r = -EINVAL;
        }
        if (r >= 0)
                strcpy(vh->elem_name, elem_name ?: "Capture Switch");
        free(elem_name);
        return r;
}

static int vh_watch(VhCtl *vh) {
        int r;

        vh->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (vh->inotify_fd < 0)
                return -errno;
        /* Watching a directory twice just returns the same watch; the mask is the same. */
        r = watch_directory_of(vh->inotify_fd, vh->switch_path);
        if (r >= 0 && vh->unplug_path)
                r = watch_directory_of(vh->inotify_fd, vh->unplug_path);
        return r;
}

SND_CTL_PLUGIN_DEFINE_FUNC(vhtest) {
        VhCtl *vh;
        int r;

        (void) root;

        vh = calloc(1, sizeof *vh);
        if (!vh)
                return -ENOMEM;
        vh->inotify_fd = -1;
        vh->last_value = -1;

        r = vh_configure(vh, conf);
        if (r < 0)
                goto fail;
        if (vh_unplugged(vh)) {
                r = -ENODEV;
                goto fail;
        }
        r = switch_file_ensure(vh->switch_path);
        if (r < 0) {
                SNDERR("vhtest: cannot create switch file %s: %s", vh->switch_path, strerror(-r));
                goto fail;
        }
        r = vh_watch(vh);
        if (r < 0) {
                SNDERR("vhtest: cannot watch %s: %s", vh->switch_path, strerror(-r));
                goto fail;
        }

        vh->ext.version = SND_CTL_EXT_VERSION;
        vh->ext.card_idx = -1;
        snprintf(vh->ext.id, sizeof vh->ext.id, "vhtest");
        snprintf(vh->ext.driver, sizeof vh->ext.driver, "vhtest");
        snprintf(vh->ext.name, sizeof vh->ext.name, "voicehvac test");
        snprintf(vh->ext.longname, sizeof vh->ext.longname, "voicehvac test card (file-fed capture)");
        snprintf(vh->ext.mixername, sizeof vh->ext.mixername, "vhtest");
        vh->ext.poll_fd = vh->inotify_fd;
        vh->ext.callback = &vh_callbacks;
        vh->ext.private_data = vh;

        r = snd_ctl_ext_create(&vh->ext, name, mode);
        if (r < 0)
                goto fail;

        *handlep = vh->ext.handle;
        return 0;

fail:
        vh_free(vh);
        return r;
}

SND_CTL_PLUGIN_SYMBOL(vhtest);
