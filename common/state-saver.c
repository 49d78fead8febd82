/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <sys/inotify.h>
#include <sys/statvfs.h>

#include "macro.h"
#include "state-saver.h"

struct StateSaver {
        sd_event *event;
        char *path, *directory;
        const char *name;               /* the file's name in the directory, inside path */
        state_saver_write_t write;
        state_saver_notify_t notify;
        void *userdata;

        bool unsaved;
        int error;
        unsigned failures;
        usec_t delay;
        usec_t last_attempt;
        uint64_t free_after_failure;

        sd_event_source *timer;
        sd_event_source *watch;
};

int state_saver_new(sd_event *event, const char *path, state_saver_write_t write, state_saver_notify_t notify,
                    void *userdata, StateSaver **ret) {
        StateSaver *s;
        char *slash;

        assert(event);
        assert(path);
        assert(write);

        s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        s->path = strdup(path);
        slash = strrchr(path, '/');
        s->directory = slash ? strndup(path, (size_t) (slash - path) ?: 1) : strdup(".");
        if (!s->path || !s->directory) {
                state_saver_free(s);
                return -ENOMEM;
        }
        s->name = slash ? s->path + (slash - path) + 1 : s->path;
        s->event = sd_event_ref(event);
        s->write = write;
        s->notify = notify;
        s->userdata = userdata;
        *ret = s;
        return 0;
}

StateSaver *state_saver_free(StateSaver *s) {
        if (!s)
                return NULL;
        sd_event_source_disable_unref(s->timer);
        sd_event_source_disable_unref(s->watch);
        sd_event_unref(s->event);
        free(s->path);
        free(s->directory);
        free(s);
        return NULL;
}

bool state_saver_unsaved(const StateSaver *s) {
        return s && s->unsaved;
}

int state_saver_error(const StateSaver *s) {
        return s && s->unsaved ? s->error : 0;
}

unsigned state_saver_failures(const StateSaver *s) {
        return s ? s->failures : 0;
}

const char *state_saver_path(const StateSaver *s) {
        return s->path;
}

static bool error_is_space(int r) {
        return r == -ENOSPC || r == -EDQUOT;
}

/* Room on the file system as this process may use it (root may use the reserved blocks). */
static uint64_t free_bytes(const char *directory) {
        struct statvfs sv;

        if (statvfs(directory, &sv) < 0)
                return 0;
        return (uint64_t) (geteuid() == 0 ? sv.f_bfree : sv.f_bavail) * sv.f_frsize;
}

static int on_timer(sd_event_source *es, uint64_t usec, void *userdata);
static int on_directory_event(sd_event_source *es, const struct inotify_event *ev, void *userdata);

static int arm_timer(StateSaver *s, usec_t when) {
        int r;

        if (!s->timer) {
                r = sd_event_add_time(s->event, &s->timer, CLOCK_MONOTONIC, when, 50 * USEC_PER_MSEC, on_timer, s);
                if (r < 0)
                        return r;
                (void) sd_event_source_set_description(s->timer, "state-retry");
                return 0;
        }
        r = sd_event_source_set_time(s->timer, when);
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(s->timer, SD_EVENT_ONESHOT);
}

static void watch_directory(StateSaver *s) {
        if (s->watch)
                return;
        /* Without a watch the timer still retries; a missing directory is the write's problem. */
        if (sd_event_add_inotify(s->event, &s->watch, s->directory,
                                 IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR,
                                 on_directory_event, s) >= 0)
                (void) sd_event_source_set_description(s->watch, "state-directory");
}

static void saved(StateSaver *s) {
        bool was_unsaved = s->unsaved;

        s->unsaved = false;
        s->error = 0;
        s->delay = 0;
        s->timer = sd_event_source_disable_unref(s->timer);
        s->watch = sd_event_source_disable_unref(s->watch);
        if (was_unsaved && s->notify)
                s->notify(s, 0, s->userdata);   /* state_saver_failures() still counts them here */
        s->failures = 0;
}

static void failed(StateSaver *s, int error) {
        bool news = !s->unsaved || error != s->error;

        s->unsaved = true;
        s->error = error;
        s->failures++;
        s->free_after_failure = free_bytes(s->directory);
        s->delay = s->delay == 0 ? STATE_SAVER_RETRY_MIN_USEC : MIN(s->delay * 2, STATE_SAVER_RETRY_MAX_USEC);
        if (arm_timer(s, s->last_attempt + s->delay) < 0)
                s->timer = sd_event_source_disable_unref(s->timer);
        watch_directory(s);
        if (news && s->notify)
                s->notify(s, error, s->userdata);
}

int state_saver_save(StateSaver *s) {
        int r;

        assert(s);

        s->last_attempt = now_usec(CLOCK_MONOTONIC);
        r = s->write(s->userdata);
        if (r >= 0) {
                saved(s);
                return 0;
        }
        failed(s, r);
        return r;
}

static int on_timer(sd_event_source *es, uint64_t usec, void *userdata) {
        StateSaver *s = userdata;

        if (s->unsaved)
                (void) state_saver_save(s);
        return 0;
}

static int on_directory_event(sd_event_source *es, const struct inotify_event *ev, void *userdata) {
        StateSaver *s = userdata;
        usec_t now = now_usec(CLOCK_MONOTONIC), next = s->last_attempt + STATE_SAVER_EVENT_GAP_USEC;
        uint64_t when;
        size_t l = strlen(s->name);

        if (!s->unsaved)
                return 0;
        /* Our own attempts (the file, its temporary files) say nothing new, and neither does anyone's
         * temporary file: that is an attempt, not a success, and two daemons failing side by side
         * must not set each other off. */
        if (!(ev->mask & IN_Q_OVERFLOW) && ev->len > 0 &&
            ((strncmp(ev->name, s->name, l) == 0 && (ev->name[l] == '\0' || ev->name[l] == '.')) ||
             strstr(ev->name, ".tmp-")))
                return 0;
        /* Another state file landing proves writes work; otherwise, for a full file system, only
         * more room is worth an attempt. A removed file gives its blocks back only when its last
         * reference goes, which can be just after the event, and its room may already have been
         * counted when the last attempt failed: after a removal, look again once, a gap later. */
        if (error_is_space(s->error) && !(ev->mask & (IN_MOVED_TO | IN_Q_OVERFLOW)) &&
            free_bytes(s->directory) <= s->free_after_failure) {
                if (!(ev->mask & IN_DELETE))
                        return 0;
                next = MAX(next, now + STATE_SAVER_EVENT_GAP_USEC);
        }

        if (now >= next) {
                (void) state_saver_save(s);
                return 0;
        }
        if (s->timer && sd_event_source_get_time(s->timer, &when) >= 0 &&
            sd_event_source_get_enabled(s->timer, NULL) > 0 && when <= next)
                return 0;
        (void) arm_timer(s, next);
        return 0;
}
