/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The vhtest card's "Capture Switch" through snd_ctl: reads and writes, and events across
 * handles and processes, in step with the running capture. */

#include "vhtest-checks.h"

static int ctl_get(snd_ctl_t *ctl, long *ret) {
        snd_ctl_elem_value_t *v;
        int r;

        snd_ctl_elem_value_alloca(&v);
        snd_ctl_elem_value_set_interface(v, SND_CTL_ELEM_IFACE_MIXER);
        snd_ctl_elem_value_set_name(v, "Capture Switch");
        r = snd_ctl_elem_read(ctl, v);
        if (r < 0)
                return r;
        *ret = snd_ctl_elem_value_get_boolean(v, 0);
        return 0;
}

static int ctl_set(snd_ctl_t *ctl, bool on) {
        snd_ctl_elem_value_t *v;

        snd_ctl_elem_value_alloca(&v);
        snd_ctl_elem_value_set_interface(v, SND_CTL_ELEM_IFACE_MIXER);
        snd_ctl_elem_value_set_name(v, "Capture Switch");
        snd_ctl_elem_value_set_boolean(v, 0, on);
        return snd_ctl_elem_write(ctl, v);
}

static int ctl_find_switch(snd_ctl_t *ctl, const char *name) {
        snd_ctl_elem_list_t *list;
        bool found = false;
        int r;

        snd_ctl_elem_list_alloca(&list);
        r = snd_ctl_elem_list(ctl, list);
        if (r >= 0)
                r = snd_ctl_elem_list_alloc_space(list, snd_ctl_elem_list_get_count(list));
        if (r >= 0)
                r = snd_ctl_elem_list(ctl, list);
        CHECK(r >= 0, "listing controls: %s", snd_strerror(r));
        for (unsigned i = 0; i < snd_ctl_elem_list_get_used(list); i++)
                if (snd_ctl_elem_list_get_interface(list, i) == SND_CTL_ELEM_IFACE_MIXER &&
                    strcmp(snd_ctl_elem_list_get_name(list, i), name) == 0)
                        found = true;
        snd_ctl_elem_list_free_space(list);
        CHECK(found, "no MIXER element \"%s\" on the ctl", name);
        return 0;
}

/* Waits up to 2 s for a value event about "Capture Switch", then expects no second one. */
static int ctl_expect_event(snd_ctl_t *ctl, const char *why) {
        struct pollfd pfds[4];
        unsigned short revents;
        snd_ctl_event_t *ev;
        int n, r;

        snd_ctl_event_alloca(&ev);
        n = snd_ctl_poll_descriptors(ctl, pfds, 4);
        CHECK(n > 0, "ctl vhtest has no poll descriptor (%d)", n);
        r = poll(pfds, (nfds_t) n, 2000);
        CHECK(r > 0, "no control event within 2 s after %s", why);
        r = snd_ctl_poll_descriptors_revents(ctl, pfds, (unsigned) n, &revents);
        CHECK(r >= 0 && (revents & POLLIN), "control poll revents 0x%x after %s", revents, why);
        r = snd_ctl_read(ctl, ev);
        CHECK(r == 1, "snd_ctl_read after %s: %d (%s)", why, r, snd_strerror(r));
        CHECK(snd_ctl_event_get_type(ev) == SND_CTL_EVENT_ELEM &&
              (snd_ctl_event_elem_get_mask(ev) & SND_CTL_EVENT_MASK_VALUE) &&
              strcmp(snd_ctl_event_elem_get_name(ev), "Capture Switch") == 0,
              "unexpected control event after %s: type %d mask 0x%x name \"%s\"", why,
              snd_ctl_event_get_type(ev), snd_ctl_event_elem_get_mask(ev), snd_ctl_event_elem_get_name(ev));
        r = snd_ctl_read(ctl, ev);
        CHECK(r == -EAGAIN, "a second event after %s: %d", why, r);
        return 0;
}

/* Another process turns the switch on through its own ctl handle. */
static int ctl_set_from_child(bool on) {
        int status;
        pid_t pid;

        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                snd_ctl_t *ctl;

                if (snd_ctl_open(&ctl, "vhtest", 0) < 0 || ctl_set(ctl, on) < 0)
                        _exit(1);
                snd_ctl_close(ctl);
                _exit(0);
        }
        if (waitpid(pid, &status, 0) < 0)
                return -errno;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

int check_ctl(Ctx *c) {
        snd_ctl_t *writer = NULL, *watcher = NULL;
        snd_ctl_event_t *ev;
        char text[16];
        long value;
        int r;

        snd_ctl_event_alloca(&ev);
        r = snd_ctl_open(&writer, "vhtest", 0);
        CHECK(r >= 0, "snd_ctl_open(vhtest): %s", snd_strerror(r));
        r = snd_ctl_open(&watcher, "vhtest", SND_CTL_NONBLOCK);
        if (r < 0) {
                snd_ctl_close(writer);
                return fail("second snd_ctl_open(vhtest): %s", snd_strerror(r));
        }

        r = -1;
        if (ctl_find_switch(writer, "Capture Switch") < 0)
                goto finish;
        if (ctl_get(writer, &value) < 0 || value != 1) {
                fail("Capture Switch reads %ld, the file holds 1", value);
                goto finish;
        }
        if (snd_ctl_subscribe_events(watcher, 1) < 0 || snd_ctl_read(watcher, ev) != -EAGAIN) {
                fail("subscribing: an event was pending before any change");
                goto finish;
        }
        printf("ok: ctl vhtest has \"Capture Switch\", on, like the file\n");

        if (ctl_set(writer, false) < 0 || read_text(c->switch_path, text, sizeof text) < 0 || strcmp(text, "0\n") != 0) {
                fail("writing Capture Switch off through snd_ctl did not leave \"0\" in the file");
                goto finish;
        }
        if (ctl_expect_event(watcher, "snd_ctl write off") < 0)
                goto finish;
        printf("ok: snd_ctl write off changes the file and reaches the other handle as an event\n");

        /* Audio captured from now on must be silence. */
        if (read_polled(c->pcm, frames_buf, c->buffer + 4 * c->period, c->period, NULL) < 0 ||
            find_switch_point(frames_buf, c->buffer + 4 * c->period, c->next, true, "after snd_ctl off") < 0)
                goto finish;
        c->next += c->buffer + 4 * c->period;
        printf("ok: snd_ctl off zeroes the capture\n");

        if (ctl_set_from_child(true) < 0) {
                fail("a child process could not turn the switch on");
                goto finish;
        }
        if (ctl_expect_event(watcher, "another process's write on") < 0)
                goto finish;
        if (ctl_get(watcher, &value) < 0 || value != 1) {
                fail("after another process's write, Capture Switch reads %ld", value);
                goto finish;
        }

        if (replace_file(c->switch_path, "0\n") < 0 || ctl_expect_event(watcher, "renaming a new file over the switch") < 0)
                goto finish;
        if (ctl_set(writer, true) < 0 || ctl_expect_event(watcher, "snd_ctl write on") < 0)
                goto finish;
        printf("ok: changes by another process and by renaming the file are events too\n");

        /* Skip the audio from the muted stretch; the next check starts in step again. */
        r = read_polled(c->pcm, frames_buf, c->buffer + 4 * c->period, c->period, NULL);
        if (r < 0) {
                fail("reading after unmute: %s", snd_strerror(r));
                goto finish;
        }
        c->next += c->buffer + 4 * c->period;
        r = find_switch_point(frames_buf, c->buffer + 4 * c->period, c->next - (c->buffer + 4 * c->period),
                              false, "after snd_ctl on") < 0 ? -1 : 0;

finish:
        snd_ctl_close(watcher);
        snd_ctl_close(writer);
        return r;
}

/* The keys of a ctl block: a bad one refuses the open, "name" names the element. */
int check_ctl_keys(void) {
        static const char *const refused[] = { "vhtest_badkey", "vhtest_noswitch", "vhtest_longname" };
        snd_ctl_t *ctl;
        int r;

        for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
                expect_alsa_errors(true);
                r = snd_ctl_open(&ctl, refused[i], 0);
                expect_alsa_errors(false);
                if (r >= 0)
                        snd_ctl_close(ctl);
                CHECK(r == -EINVAL, "snd_ctl_open(%s) gave %d (%s), expected -EINVAL", refused[i], r, snd_strerror(r));
        }
        r = snd_ctl_open(&ctl, "vhtest_named", 0);
        CHECK(r >= 0, "snd_ctl_open(vhtest_named): %s", snd_strerror(r));
        r = ctl_find_switch(ctl, "Mic Switch");
        snd_ctl_close(ctl);
        if (r < 0)
                return r;
        printf("ok: a ctl with an unknown key, no switch or a name too long is refused; name sets the element's\n");
        return 0;
}
