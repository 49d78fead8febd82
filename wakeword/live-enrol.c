/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clip.h"
#include "fileio.h"
#include "live-enrol.h"
#include "log.h"
#include "strv.h"
#include "wav.h"

#define TAKE_MAX_SAMPLES ((size_t) (CLIP_MAX_SEC * WAV_RATE))
/* The take's own gate: a little less eager than the listener's, and it waits out the pauses
 * between the words of a command before it calls the take over. */
#define TAKE_VAD_ABOVE_DB 9.0
#define TAKE_VAD_HANGOVER_MSEC 800
/* The most a prompt takes to say, pauses included: slow speech is 2 to 3 words a second. A take
 * longer than that holds more than its prompt (the whole command when the wake phrase alone was
 * asked for), which the alignment with the prompt does not always tell. */
#define PROMPT_BASE_SEC 1.0
#define PROMPT_WORD_SEC 0.5

/* After the wake phrase, what the prompts ask for: together they hold the grammar's words (the
 * numbers only in part; "twenty" and its digits are the same sounds). */
static const char *const command_prompts[ENROL_COMMAND_PROMPTS_MAX] = {
        "set the temperature to twenty two degrees",
        "make it a bit warmer",
        "switch to cooling mode",
        "turn on the air conditioner",
        "set the fan speed to high",
        "please change it to eighteen and a half",
        "make it a little colder",
        "set it to heating mode",
        "turn the a c off",
        "set the fan to medium",
        "change the temperature to twenty five point five degrees",
        "switch it to dry mode",
};

const char *enrol_state_to_string(EnrolState s) {
        static const char *const table[_ENROL_STATE_MAX] = {
                [ENROL_IDLE] = "idle",
                [ENROL_RECORDING] = "recording",
                [ENROL_ADAPTING] = "adapting",
        };
        return (unsigned) s < _ENROL_STATE_MAX ? table[s] : NULL;
}

int enrol_prompts(const char *keyphrase, unsigned wake_takes, unsigned command_takes, char ***ret) {
        _cleanup_(strv_freep) char **l = NULL;
        unsigned n = 0;

        command_takes = MIN(command_takes, (unsigned) ENROL_COMMAND_PROMPTS_MAX);
        l = calloc(wake_takes + command_takes + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (unsigned i = 0; i < wake_takes; i++)
                if (!(l[n++] = strdup(keyphrase)))
                        return -ENOMEM;
        for (unsigned i = 0; i < command_takes; i++)
                if (asprintf(&l[n++], "%s %s", keyphrase, command_prompts[i]) < 0) {
                        l[n - 1] = NULL;
                        return -ENOMEM;
                }
        *ret = TAKE_PTR(l);
        return 0;
}

int live_enrol_init(LiveEnrol *e, sd_event *event, const char *config_path, char **prompts,
                    const EnrolCallbacks *cb, void *userdata) {
        char exe[PATH_MAX];
        ssize_t n;

        *e = (LiveEnrol) { .event = event, .prompts = prompts, .cb = *cb, .userdata = userdata };
        while (prompts[e->n_prompts])
                e->n_prompts++;
        n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n < 0)
                return negative_errno();
        exe[n] = 0;
        e->exe = strdup(exe);
        if (!e->exe || (config_path && !(e->config_path = strdup(config_path))))
                return -ENOMEM;
        return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        return remove(path) < 0 ? -errno : 0;
}

static void scratch_remove(LiveEnrol *e) {
        if (e->dir)
                (void) nftw(e->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        e->dir = mfree(e->dir);
}

static void take_drop(LiveEnrol *e) {
        e->take = mfree(e->take);
        e->take_n = 0;
        e->in_take = false;
}

void live_enrol_cancel(LiveEnrol *e) {
        e->child = child_free(e->child);
        scratch_remove(e);
        take_drop(e);
        e->state = ENROL_IDLE;
        e->taken = 0;
}

void live_enrol_done(LiveEnrol *e) {
        live_enrol_cancel(e);
        free(e->exe);
        free(e->config_path);
        strv_free(e->prompts);
}

static void listen_again(LiveEnrol *e) {
        vad_reset(&e->vad);
        e->block_fill = 0;
        take_drop(e);
}

int live_enrol_start(LiveEnrol *e) {
        const char *tmpdir = getenv("TMPDIR");

        if (e->state != ENROL_IDLE)
                return -EBUSY;
        if (asprintf(&e->dir, "%s/wakeword-enrolment-XXXXXX", !isempty(tmpdir) ? tmpdir : "/tmp") < 0) {
                e->dir = NULL;
                return -ENOMEM;
        }
        if (!mkdtemp(e->dir)) {
                int k = negative_errno();
                e->dir = mfree(e->dir);
                return k;
        }
        vad_init(&e->vad, TAKE_VAD_ABOVE_DB, TAKE_VAD_HANGOVER_MSEC);
        listen_again(e);
        e->state = ENROL_RECORDING;
        e->taken = e->attempt = 0;
        e->skip_until_quiet = false;
        return 0;
}

/* A path in the scratch directory. */
static char *scratch_file(LiveEnrol *e, const char *name) {
        char *p;

        return asprintf(&p, "%s/%s", e->dir, name) < 0 ? NULL : p;
}

/* "<dir>/<prefix><i>.wav" */
static char *scratch_wav(LiveEnrol *e, const char *prefix, unsigned i) {
        char *p;

        return asprintf(&p, "%s/%s%u.wav", e->dir, prefix, i) < 0 ? NULL : p;
}

/* The first line of a child's output, or its last when "last". */
static char *output_line(const char *path, bool last) {
        _cleanup_free_ char *text = NULL;
        char *end, *line;

        if (read_full_file(path, 1u << 20, &text, NULL) < 0)
                return NULL;
        end = text + strlen(text);
        while (end > text && end[-1] == '\n')
                *--end = 0;
        if (last) {
                line = strrchr(text, '\n');
                return strdup(line ? line + 1 : text);
        }
        return strndup(text, strcspn(text, "\n"));
}

static void adaptation_fail(LiveEnrol *e, const char *message) {
        _cleanup_free_ char *copy = strdup(message);

        e->child = child_free(e->child);
        scratch_remove(e);
        e->state = ENROL_IDLE;
        e->taken = 0;
        e->cb.changed(e->userdata);
        e->cb.finished(false, 0, copy ?: "out of memory", e->userdata);
}

static void on_adaptation_exited(Child *c, int status, void *userdata) {
        LiveEnrol *e = userdata;
        _cleanup_free_ char *out = scratch_file(e, "adaptation.log"), *last = NULL, *text = NULL;
        const char *used;
        unsigned clips = 0;

        e->child = child_free(e->child);
        if (status != 0) {
                last = out ? output_line(out, true) : NULL;
                log_warning("The adaptation failed (exit status %d): %s", status, last ?: "");
                return adaptation_fail(e, last ?: "the adaptation failed");
        }
        if (out && read_full_file(out, 1u << 20, &text, NULL) >= 0 && (used = strstr(text, "clips used: ")))
                (void) sscanf(used, "clips used: %u", &clips);
        scratch_remove(e);
        e->state = ENROL_IDLE;
        e->taken = 0;
        e->cb.changed(e->userdata);
        e->cb.finished(true, clips, "adaptation written", e->userdata);
}

static void adaptation_start(LiveEnrol *e) {
        _cleanup_free_ char *list = scratch_file(e, "takes.txt"), *out = scratch_file(e, "adaptation.log");
        _cleanup_fclose_ FILE *f = NULL;
        int k;

        e->state = ENROL_ADAPTING;
        e->cb.changed(e->userdata);
        if (!list || !out)
                return adaptation_fail(e, "out of memory");
        f = fopen(list, "we");
        if (!f)
                return adaptation_fail(e, "cannot write the list of takes");
        for (unsigned i = 0; i < e->n_prompts; i++)
                fprintf(f, "take%u.wav\t%s\n", i, e->prompts[i]);
        if (fflush(f) != 0)
                return adaptation_fail(e, "cannot write the list of takes");
        k = child_spawn(e->event,
                        e->config_path ? (char *const[]) { e->exe, (char *) "--config", e->config_path, (char *) "--enrol-from", list, NULL }
                                       : (char *const[]) { e->exe, (char *) "--enrol-from", list, NULL },
                        e->dir, out, on_adaptation_exited, e, &e->child);
        if (k < 0) {
                log_warning_errno(k, "Cannot run %s --enrol-from: %m", e->exe);
                return adaptation_fail(e, "cannot run the adaptation");
        }
        log_info("Enrolment: %u takes recorded, making the adaptation.", e->n_prompts);
}

static void on_check_exited(Child *c, int status, void *userdata) {
        LiveEnrol *e = userdata;
        _cleanup_free_ char *out = scratch_file(e, "check.log"), *wav = scratch_wav(e, "attempt", e->attempt),
                *keep = scratch_wav(e, "take", e->taken), *line = NULL;
        unsigned index = e->taken;
        const char *reason;
        bool accepted;

        e->child = child_free(e->child);
        line = out ? output_line(out, status > 1) : NULL;
        accepted = status == 0 && line && strncmp(line, "ok", 2) == 0;
        if (accepted)
                reason = "";
        else if (status == 1 && line && strncmp(line, "refused ", 8) == 0)
                reason = line + strlen("refused ");
        else {
                log_warning("Checking take %u failed (exit status %d): %s", e->attempt, status, line ?: "");
                reason = "the take could not be checked";
        }
        if (accepted && (!wav || !keep || rename(wav, keep) < 0)) {
                accepted = false;
                reason = "the take could not be kept";
        }
        if (!accepted && wav)
                (void) unlink(wav);
        log_info("Enrolment: take %u of \"%s\" %s%s%s.", index + 1, e->prompts[index],
                 accepted ? "accepted" : "refused: ", reason, "");
        if (accepted)
                e->taken++;
        e->cb.take(index, e->prompts[index], accepted, reason, e->userdata);
        if (e->taken == e->n_prompts)
                return adaptation_start(e);
        e->cb.changed(e->userdata);
}

static unsigned words_count(const char *s) {
        unsigned n = 0;

        for (bool in_word = false; *s; s++) {
                if (*s != ' ' && !in_word)
                        n++;
                in_word = *s != ' ';
        }
        return n;
}

static void take_end(LiveEnrol *e) {
        _cleanup_free_ char *wav = NULL, *out = NULL;
        size_t speech = e->take_n - MIN(e->take_n, e->take_lead + (size_t) TAKE_VAD_HANGOVER_MSEC * WAV_RATE / 1000);
        double most = PROMPT_BASE_SEC + PROMPT_WORD_SEC * words_count(e->prompts[e->taken]);
        int k;

        e->in_take = false;
        if ((double) speech / WAV_RATE > most) {
                log_info("Enrolment: take of \"%s\" refused: %.1f s of speech, more than the prompt.",
                         e->prompts[e->taken], (double) speech / WAV_RATE);
                take_drop(e);
                e->cb.take(e->taken, e->prompts[e->taken], false, "longer than the prompt: say only its words", e->userdata);
                return;
        }
        e->attempt++;
        wav = scratch_wav(e, "attempt", e->attempt);
        out = scratch_file(e, "check.log");
        if (!wav || !out) {
                take_drop(e);
                return;
        }
        k = wav_write_file(wav, e->take, e->take_n);
        take_drop(e);
        if (k < 0) {
                log_warning_errno(k, "Cannot write %s: %m", wav);
                e->cb.take(e->taken, e->prompts[e->taken], false, "the take could not be written", e->userdata);
                return;
        }
        k = child_spawn(e->event,
                        e->config_path ? (char *const[]) { e->exe, (char *) "--config", e->config_path, (char *) "--enrol-check", wav, e->prompts[e->taken], NULL }
                                       : (char *const[]) { e->exe, (char *) "--enrol-check", wav, e->prompts[e->taken], NULL },
                        e->dir, out, on_check_exited, e, &e->child);
        if (k < 0) {
                log_warning_errno(k, "Cannot run %s --enrol-check: %m", e->exe);
                e->cb.take(e->taken, e->prompts[e->taken], false, "the take could not be checked", e->userdata);
        }
}

static int take_append(LiveEnrol *e, const int16_t *samples, size_t n) {
        if (!e->take) {
                e->take = malloc(TAKE_MAX_SAMPLES * sizeof(int16_t));
                if (!e->take)
                        return -ENOMEM;
        }
        n = MIN(n, TAKE_MAX_SAMPLES - e->take_n);
        memcpy(e->take + e->take_n, samples, n * sizeof(int16_t));
        e->take_n += n;
        return 0;
}

static void block_process(LiveEnrol *e) {
        VadResult v = vad_process(&e->vad, e->block);
        int16_t preroll[VAD_PREROLL_BLOCKS * VAD_BLOCK];
        bool checking = e->child != NULL;

        if (checking || e->skip_until_quiet) {
                /* Speech heard while a take is checked is no take: it starts before its prompt. */
                e->skip_until_quiet = e->vad.open;
                return;
        }
        switch (v) {
        case VAD_SILENT:
                return;
        case VAD_OPENED:
                e->in_take = true;
                e->take_lead = vad_take_preroll(&e->vad, preroll);
                if (take_append(e, preroll, e->take_lead) < 0 ||
                    take_append(e, e->block, VAD_BLOCK) < 0)
                        take_drop(e);
                return;
        case VAD_ACTIVE:
                if (e->in_take && take_append(e, e->block, VAD_BLOCK) < 0)
                        take_drop(e);
                if (e->in_take && e->take_n >= TAKE_MAX_SAMPLES)
                        take_end(e);            /* refused as too long; the rest is skipped */
                if (!e->in_take)
                        e->skip_until_quiet = true;
                return;
        case VAD_CLOSED:
                if (e->in_take) {
                        (void) take_append(e, e->block, VAD_BLOCK);
                        take_end(e);
                }
                return;
        }
}

void live_enrol_feed(LiveEnrol *e, const int16_t *samples, size_t n) {
        if (e->state != ENROL_RECORDING)
                return;
        for (size_t i = 0; i < n && e->state == ENROL_RECORDING; ) {
                size_t k = MIN(n - i, (size_t) VAD_BLOCK - e->block_fill);

                memcpy(e->block + e->block_fill, samples + i, k * sizeof(int16_t));
                e->block_fill += k;
                i += k;
                if (e->block_fill < VAD_BLOCK)
                        break;
                e->block_fill = 0;
                block_process(e);
        }
}

void live_enrol_reset_audio(LiveEnrol *e) {
        if (e->state != ENROL_RECORDING)
                return;
        e->skip_until_quiet = false;
        listen_again(e);
}
