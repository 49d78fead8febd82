/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <libgen.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "adaptation.h"
#include "align.h"
#include "clip.h"
#include "enrol.h"
#include "fileio.h"
#include "fit-meter.h"
#include "log.h"
#include "macro.h"
#include "sendump.h"
#include "strv.h"
#include "wav.h"

#ifndef SPHINXTRAIN_DIR
#define SPHINXTRAIN_DIR "/usr/lib/sphinxtrain"
#endif
#define SPHINX_FE "/usr/bin/sphinx_fe"
#define MDEF_CONVERT "/usr/bin/pocketsphinx_mdef_convert"

#define LIST_SIZE_MAX (1u << 20)
#define CLIPS_MAX 60                    /* at most 30 s each, all held in memory */
/* The forced path through the transcript against the free phone loop, per frame: speech that is
 * not the transcript fits it far worse than the phones it is made of. True transcripts of one
 * reverberant voice measured -7 to -17, transcripts of another command -16 to -31: a transcript
 * wrong in a word or two may pass, and counts then as a slightly worse clip. */
#define ALIGN_MIN_CONFIDENCE -25.0

/* A NULL-terminated argument vector in place. */
#define STRV_MAKE(...) ((char *const[]) { __VA_ARGS__, NULL })

extern char **environ;

/* SIGINT, SIGTERM or SIGHUP came: stop at the next step, and clean up on the way out. */
static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig) {
        interrupted = 1;
}

typedef struct Clip {
        char *path;
        char **words;
        int16_t *samples;
        size_t n;
        const char *refusal;            /* static; NULL: used */
        char *unknown_word;
        Alignment before, after;
} Clip;

typedef struct Enrolment {
        const WakewordConfig *wakeword;
        const RecognizerConfig *config;
        char *target;                   /* where the adaptation goes */
        Clip *clips;
        size_t n_clips;
        Aligner *aligner;
        char *scratch;
} Enrolment;

static void enrolment_done(Enrolment *e) {
        for (size_t i = 0; i < e->n_clips; i++) {
                free(e->clips[i].path);
                strv_free(e->clips[i].words);
                free(e->clips[i].samples);
                free(e->clips[i].unknown_word);
        }
        free(e->clips);
        free(e->target);
        aligner_free(e->aligner);
        free(e->scratch);
}

/* Lower case, without the punctuation a person may type around words. */
static int transcript_words(const char *text, char ***ret) {
        _cleanup_(strv_freep) char **words = NULL;
        size_t j = 0;
        int k;

        k = strv_split_words(text, &words);
        if (k < 0)
                return k;
        for (size_t i = 0; words[i]; i++) {
                char *w = words[i];
                size_t l = strlen(w);

                while (l > 0 && strchr(".,;:!?\"", w[l - 1]))
                        w[--l] = 0;
                while (*w && strchr(".,;:!?\"", *w))
                        memmove(w, w + 1, l--);
                for (char *p = w; *p; p++)
                        *p = (char) tolower((unsigned char) *p);
                if (l == 0)
                        free(w);
                else
                        words[j++] = w;
        }
        words[j] = NULL;
        if (j == 0)
                return -ENODATA;
        *ret = TAKE_PTR(words);
        return 0;
}

static int list_parse(Enrolment *e, const char *list) {
        _cleanup_free_ char *text = NULL, *copy = strdup(list);
        char *line, *save = NULL;
        const char *dir;
        unsigned lineno = 0;
        int k;

        if (!copy)
                return log_oom();
        dir = dirname(copy);
        k = read_full_file(list, LIST_SIZE_MAX, &text, NULL);
        if (k < 0)
                return log_error_errno(k, "Cannot read %s: %m", list);
        e->clips = calloc(CLIPS_MAX, sizeof(Clip));
        if (!e->clips)
                return log_oom();
        for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                Clip *c = &e->clips[e->n_clips];
                char *tab;

                lineno++;       /* strtok_r skips empty lines: the count is of lines with text */
                if (line[strspn(line, " \t\r")] == '\0' || line[strspn(line, " \t")] == '#')
                        continue;
                tab = strchr(line, '\t');
                if (!tab || tab == line) {
                        log_error("%s: line %u: expected WAV<TAB>TRANSCRIPT.", list, lineno);
                        return -EINVAL;
                }
                if (e->n_clips >= CLIPS_MAX) {
                        log_error("%s: more than %u clips.", list, CLIPS_MAX);
                        return -E2BIG;
                }
                *tab = 0;
                if ((line[0] == '/' ? asprintf(&c->path, "%s", line) : asprintf(&c->path, "%s/%s", dir, line)) < 0)
                        return log_oom();
                k = transcript_words(tab + 1, &c->words);
                if (k == -ENODATA) {
                        log_error("%s: line %u: the transcript of %s is empty.", list, lineno, line);
                        return -EINVAL;
                }
                if (k < 0)
                        return log_oom();
                e->n_clips++;
        }
        if (e->n_clips == 0) {
                log_error("%s lists no clips.", list);
                return -EINVAL;
        }
        return 0;
}

static const char *clip_read(Clip *c) {
        WavReader w;
        const char *problem = NULL;
        size_t max = (size_t) (CLIP_MAX_SEC * WAV_RATE) + 1;
        ssize_t n;

        if (wav_open(c->path, &w, &problem) < 0)
                return problem ?: "unreadable";
        c->samples = malloc(max * sizeof(int16_t));
        if (!c->samples) {
                wav_close(&w);
                return "out of memory";
        }
        while ((n = wav_read(&w, c->samples + c->n, max - c->n)) > 0 && c->n + (size_t) n < max)
                c->n += (size_t) n;
        if (n > 0)
                c->n += (size_t) n;
        wav_close(&w);
        return n < 0 ? "file ends inside the data chunk (truncated)" : NULL;
}

static void clip_examine(Enrolment *e, Clip *c) {
        const char *unknown;
        int k;

        c->refusal = clip_read(c);
        if (!c->refusal)
                c->refusal = clip_problem(c->samples, c->n);
        if (c->refusal)
                return;
        unknown = aligner_unknown_word(e->aligner, c->words);
        if (unknown) {
                c->unknown_word = strdup(unknown);
                c->refusal = "a word outside the dictionary";
                return;
        }
        k = aligner_align(e->aligner, c->samples, c->n, c->words, &c->before);
        if (k >= 0)
                log_debug("%s: %.1f per frame against the transcript, %.1f ahead of the phone loop.",
                          c->path, c->before.ascr_per_frame, c->before.confidence);
        if (k == -ENOMSG || (k >= 0 && c->before.confidence < ALIGN_MIN_CONFIDENCE))
                c->refusal = "alignment failed: the speech does not match the transcript";
        else if (k < 0)
                c->refusal = "the decoder failed on it";
}

/* --- the scratch directory and the tools */

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        return remove(path) < 0 ? -errno : 0;
}

static void scratch_remove(Enrolment *e) {
        if (e->scratch)
                (void) nftw(e->scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int scratch_path(Enrolment *e, const char *name, char **ret) {
        return asprintf(ret, "%s/%s", e->scratch, name) < 0 ? -ENOMEM : 0;
}

/* Runs a tool with its output in <scratch>/<name>.log; on failure says so with the log's last
 * line. */
static int tool_run(Enrolment *e, const char *name, char *const argv[]) {
        _cleanup_free_ char *log = NULL, *text = NULL;
        posix_spawn_file_actions_t actions;
        pid_t pid;
        int status, k;

        if (asprintf(&log, "%s/%s.log", e->scratch, name) < 0)
                return -ENOMEM;
        if (access(argv[0], X_OK) < 0) {
                log_error("%s is not installed (Debian packages sphinxtrain, sphinxbase-utils, pocketsphinx).", argv[0]);
                return -ENOENT;
        }
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
        posix_spawn_file_actions_addchdir_np(&actions, e->scratch);
        k = posix_spawn(&pid, argv[0], &actions, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&actions);
        if (k != 0)
                return log_error_errno(-k, "Cannot run %s: %m", argv[0]);
        while (waitpid(pid, &status, 0) < 0) {
                if (errno != EINTR)
                        return log_error_errno(-errno, "Cannot wait for %s: %m", argv[0]);
                if (interrupted)
                        (void) kill(pid, SIGTERM);      /* it may not have had the signal itself */
        }
        if (interrupted)
                return -EINTR;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        if (read_full_file(log, 1u << 24, &text, NULL) >= 0) {
                char *end = text + strlen(text);

                while (end > text && end[-1] == '\n')
                        *--end = 0;
                end = strrchr(text, '\n');
                log_error("%s failed: %s", name, end ? end + 1 : text);
        } else
                log_error("%s failed.", name);
        return -EPROTO;
}

/* The clips that passed, as sphinx_fe and bw read them: wav/uN.wav, a control file of their
 * names, their transcripts, and a dictionary of their words. */
static int corpus_write(Enrolment *e) {
        _cleanup_free_ char *dir = NULL, *ctl = NULL, *lsn = NULL, *dict = NULL;
        _cleanup_free_ char **words = NULL;     /* borrowed from the clips */
        _cleanup_fclose_ FILE *c = NULL, *l = NULL, *d = NULL;
        size_t n_words = 0;
        int k;

        if (scratch_path(e, "wav", &dir) < 0 || scratch_path(e, "clips.ctl", &ctl) < 0 ||
            scratch_path(e, "clips.transcription", &lsn) < 0 || scratch_path(e, "clips.dic", &dict) < 0)
                return -ENOMEM;
        if (mkdir(dir, 0700) < 0)
                return negative_errno();
        c = fopen(ctl, "we");
        l = fopen(lsn, "we");
        d = fopen(dict, "we");
        if (!c || !l || !d)
                return negative_errno();
        for (size_t i = 0; i < e->n_clips; i++) {
                _cleanup_free_ char *wav = NULL;
                Clip *clip = &e->clips[i];

                if (clip->refusal)
                        continue;
                if (asprintf(&wav, "%s/u%zu.wav", dir, i) < 0)
                        return -ENOMEM;
                k = wav_write_file(wav, clip->samples, clip->n);
                if (k < 0)
                        return k;
                fprintf(c, "u%zu\n", i);
                fprintf(l, "<s>");
                for (char **w = clip->words; *w; w++)
                        fprintf(l, " %s", *w);
                fprintf(l, " </s> (u%zu)\n", i);
                for (char **w = clip->words; *w; w++) {
                        char **more = reallocarray(words, n_words + 2, sizeof(char *));

                        if (!more)
                                return -ENOMEM;
                        words = more;
                        words[n_words++] = *w;
                        words[n_words] = NULL;
                }
        }
        if (words) {
                k = aligner_write_dictionary(e->aligner, words, d);     /* each word once */
                if (k < 0)
                        return k;
        }
        if (fflush(c) != 0 || fflush(l) != 0 || fflush(d) != 0)
                return -EIO;
        return 0;
}

static int model_file(const RecognizerConfig *config, const char *name, char **ret) {
        return asprintf(ret, "%s/%s", config->hmm, name) < 0 ? -ENOMEM : 0;
}

/* bw over the clips of <scratch>/<set>.ctl (their features in mfc/, the model's files as
 * model_estimate() prepared them), its statistics into <scratch>/<acc>, and map_adapt's model into
 * <scratch>/<model>: {means,variances,mixture_weights,transition_matrices}. */
static int adapt_run(Enrolment *e, const char *set, char *acc, const char *model) {
        _cleanup_free_ char *means = NULL, *variances = NULL, *tmat = NULL, *noisedict = NULL, *ctl = NULL, *lsn = NULL,
                *acc_dir = NULL, *model_dir = NULL, *mmean = NULL, *mvar = NULL, *mmixw = NULL, *mtmat = NULL;
        int k;

        if (model_file(e->config, "means", &means) < 0 || model_file(e->config, "variances", &variances) < 0 ||
            model_file(e->config, "transition_matrices", &tmat) < 0 || model_file(e->config, "noisedict", &noisedict) < 0)
                return log_oom();
        if (asprintf(&ctl, "%s.ctl", set) < 0 || asprintf(&lsn, "%s.transcription", set) < 0 ||
            scratch_path(e, acc, &acc_dir) < 0 || scratch_path(e, model, &model_dir) < 0 ||
            asprintf(&mmean, "%s/means", model) < 0 || asprintf(&mvar, "%s/variances", model) < 0 ||
            asprintf(&mmixw, "%s/mixture_weights", model) < 0 || asprintf(&mtmat, "%s/transition_matrices", model) < 0)
                return log_oom();
        if (mkdir(acc_dir, 0700) < 0 || mkdir(model_dir, 0700) < 0)
                return log_error_errno(-errno, "Cannot write into %s: %m", e->scratch);
        k = tool_run(e, "bw", STRV_MAKE(SPHINXTRAIN_DIR "/bw", "-moddeffn", "mdef.txt", "-meanfn", means, "-varfn", variances,
                                         "-mixwfn", "mixture_weights", "-tmatfn", tmat, "-ts2cbfn", ".ptm.",
                                         "-feat", "1s_c_d_dd", "-svspec", "0-12/13-25/26-38", "-cmn", "batch", "-agc", "none",
                                         "-dictfn", "clips.dic", "-fdictfn", noisedict, "-ctlfn", ctl,
                                         "-lsnfn", lsn, "-cepdir", "mfc", "-accumdir", acc,
                                         "-timing", "no"));
        if (k < 0)
                return k;
        /* MAP, not MLLR: on held-out clips of one voice in a reverberant room, MAP of the means and
         * variances gave every command right where an MLLR transform of the same clips gave 8 in
         * 27 (bench-enrol.sh). The mixture weights stay the model's: adapting them too changed
         * nothing there. */
        return tool_run(e, "map_adapt", STRV_MAKE(SPHINXTRAIN_DIR "/map_adapt", "-moddeffn", "mdef.txt", "-ts2cbfn", ".ptm.",
                                                   "-meanfn", means, "-varfn", variances, "-mixwfn", "mixture_weights",
                                                   "-tmatfn", tmat, "-accumdir", acc,
                                                   "-mapmeanfn", mmean, "-mapvarfn", mvar,
                                                   "-mapmixwfn", mmixw, "-maptmatfn", mtmat));
}

/* sphinx_fe, bw and map_adapt over the written corpus: <scratch>/model/{means,variances,…}. */
static int model_estimate(Enrolment *e) {
        _cleanup_free_ char *mdef = NULL, *sendump = NULL, *feat = NULL, *error = NULL, *mixw = NULL, *mfc = NULL;
        int k;

        if (model_file(e->config, "mdef", &mdef) < 0 || model_file(e->config, "sendump", &sendump) < 0 ||
            model_file(e->config, "feat.params", &feat) < 0)
                return log_oom();
        if (scratch_path(e, "mixture_weights", &mixw) < 0 || scratch_path(e, "mfc", &mfc) < 0)
                return log_oom();
        k = corpus_write(e);
        if (k < 0)
                return log_error_errno(k, "Cannot write the clips into %s: %m", e->scratch);
        k = sendump_to_mixture_weights(sendump, mixw, &error);
        if (k < 0)
                return log_error_errno(k, "%s", error ?: "Out of memory.");
        if (mkdir(mfc, 0700) < 0)
                return log_error_errno(-errno, "Cannot write into %s: %m", e->scratch);
        k = tool_run(e, "mdef_convert", STRV_MAKE(MDEF_CONVERT, "-text", mdef, "mdef.txt"));
        if (k < 0)
                return k;
        k = tool_run(e, "sphinx_fe", STRV_MAKE(SPHINX_FE, "-argfile", feat, "-samprate", "16000", "-c", "clips.ctl",
                                                "-di", "wav", "-do", "mfc", "-ei", "wav", "-eo", "mfc", "-mswav", "yes"));
        if (k < 0)
                return k;
        return adapt_run(e, "clips", "acc", "model");
}

static size_t clips_used(const Enrolment *e) {
        size_t n = 0;

        for (size_t i = 0; i < e->n_clips; i++)
                n += !e->clips[i].refusal;
        return n;
}

/* --- the calibration of the enrolled-only gate */

#define FOLDS 2

/* <scratch>/fold<f>.ctl and .transcription: the used clips outside fold f (every FOLDS-th used
 * clip from the f-th is in it). */
static int fold_write(Enrolment *e, unsigned f) {
        _cleanup_free_ char *ctl = NULL, *lsn = NULL;
        _cleanup_fclose_ FILE *c = NULL, *l = NULL;
        char name[32];
        size_t j = 0;

        snprintf(name, sizeof name, "fold%u.ctl", f);
        if (scratch_path(e, name, &ctl) < 0)
                return -ENOMEM;
        snprintf(name, sizeof name, "fold%u.transcription", f);
        if (scratch_path(e, name, &lsn) < 0)
                return -ENOMEM;
        c = fopen(ctl, "we");
        l = fopen(lsn, "we");
        if (!c || !l)
                return negative_errno();
        for (size_t i = 0; i < e->n_clips; i++) {
                if (e->clips[i].refusal || j++ % FOLDS == f)
                        continue;
                fprintf(c, "u%zu\n", i);
                fprintf(l, "<s>");
                for (char **w = e->clips[i].words; *w; w++)
                        fprintf(l, " %s", *w);
                fprintf(l, " </s> (u%zu)\n", i);
        }
        return fflush(c) != 0 || fflush(l) != 0 ? -EIO : 0;
}

/* The adapted model in "model", with the calibration when given, bundled into the one file the
 * daemon reads, at "path". */
static int bundle_write(Enrolment *e, const char *model, const SpeakerCalibration *cal, const char *path, mode_t mode) {
        _cleanup_free_ char *data = NULL, *error = NULL;
        size_t size;
        int k;

        k = adaptation_bundle(model, e->config->hmm, cal, &data, &size, &error);
        if (k < 0)
                return log_error_errno(k, "%s", error ?: "Out of memory.");
        k = write_file_atomic(path, data, size, mode);
        if (k < 0)
                return log_error_errno(k, "Cannot write %s: %m", path);
        return 0;
}

/* Fold f's clips heard with an adaptation of the other clips: their fits go into *cal. */
static int fold_measure(Enrolment *e, unsigned f, SpeakerCalibration *cal) {
        _cleanup_free_ char *model = NULL, *bundle = NULL, *error = NULL;
        _cleanup_(fit_meter_freep) FitMeter *meter = NULL;
        char set[16], acc[16], dir[16];
        size_t j = 0;
        int k;

        snprintf(set, sizeof set, "fold%u", f);
        snprintf(acc, sizeof acc, "acc%u", f);
        snprintf(dir, sizeof dir, "model%u", f);
        k = fold_write(e, f);
        if (k < 0)
                return log_error_errno(k, "Cannot write into %s: %m", e->scratch);
        k = adapt_run(e, set, acc, dir);
        if (k < 0)
                return k;
        if (scratch_path(e, dir, &model) < 0 || asprintf(&bundle, "%s/adaptation%u", e->scratch, f) < 0)
                return log_oom();
        k = bundle_write(e, model, NULL, bundle, 0600);
        if (k < 0)
                return k;
        k = fit_meter_new(e->wakeword, bundle, &meter, &error);
        if (k < 0)
                return log_error_errno(k, "Cannot load the adapted model: %s", error ?: "out of memory");
        for (size_t i = 0; i < e->n_clips && !interrupted; i++) {
                if (e->clips[i].refusal || j++ % FOLDS != f)
                        continue;
                k = fit_meter_feed(meter, e->clips[i].samples, e->clips[i].n, cal);
                if (k < 0)
                        return log_error_errno(k, "The decoder failed on %s: %m", e->clips[i].path);
        }
        return interrupted ? -EINTR : 0;
}

/* The enrolled-only gate's calibration (score.h: SpeakerCalibration): the clips in two halves,
 * each heard with an adaptation estimated on the other, so that the fits are those of the
 * voice's speech that the adaptation did not learn from, as everything the daemon hears will be.
 * Failing costs only the calibration: the gate then uses its fixed margins. */
static int calibration_measure(Enrolment *e, SpeakerCalibration *ret) {
        SpeakerLimits l;
        const char *from;
        int k = 0;

        *ret = (SpeakerCalibration) {};
        if (clips_used(e) < FOLDS * SPEAKER_CALIBRATION_FITS_MIN) {
                printf("enrolled_only calibration: too few clips to measure (%zu; at least %u): "
                       "the fixed margins will be used\n", clips_used(e), FOLDS * SPEAKER_CALIBRATION_FITS_MIN);
                return 0;
        }
        for (unsigned f = 0; f < FOLDS && k >= 0; f++)
                k = fold_measure(e, f, ret);
        if (k == -EINTR)
                return k;
        if (k < 0) {
                *ret = (SpeakerCalibration) {};
                log_warning("No calibration of enrolled_only: it will use its fixed margins with this adaptation.");
        }
        from = speaker_limits_choose(ret, NAN, NAN, &l);
        printf("enrolled_only calibration: %zu wake fits, %zu command fits of held-out clips; "
               "margins: wake fit %.1f, command fit %.1f (%s)\n", ret->n_wake, ret->n_command,
               l.min_wake_fit, l.min_command_fit, from);
        return 0;
}

/* --- the whole run */

static double average(const Enrolment *e, bool after) {
        double sum = 0;
        size_t n = 0;

        for (size_t i = 0; i < e->n_clips; i++)
                if (!e->clips[i].refusal) {
                        sum += after ? e->clips[i].after.ascr_per_frame : e->clips[i].before.ascr_per_frame;
                        n++;
                }
        return n > 0 ? sum / (double) n : 0;
}

static void clips_print(const Enrolment *e) {
        for (size_t i = 0; i < e->n_clips; i++) {
                const Clip *c = &e->clips[i];

                if (!c->refusal)
                        printf("used     %s (%.1f s, acoustic score %.1f per frame)\n", c->path,
                               (double) c->n / WAV_RATE, c->before.ascr_per_frame);
                else if (c->unknown_word)
                        printf("refused  %s: %s: \"%s\"\n", c->path, c->refusal, c->unknown_word);
                else
                        printf("refused  %s: %s\n", c->path, c->refusal);
        }
        printf("clips used: %zu, refused: %zu\n", clips_used(e), e->n_clips - clips_used(e));
        fflush(stdout);
}

/* Scores the used clips with the adapted model, calibrates the enrolled-only gate, and puts the
 * adaptation in place. */
static int adaptation_install(Enrolment *e) {
        _cleanup_free_ char *model = NULL, *bundle = NULL, *error = NULL;
        _cleanup_free_ SpeakerCalibration *calibration = calloc(1, sizeof *calibration);
        _cleanup_(aligner_freep) Aligner *adapted = NULL;
        RecognizerConfig config = *e->config;
        int k;

        if (!calibration || scratch_path(e, "model", &model) < 0 || scratch_path(e, "adaptation", &bundle) < 0)
                return log_oom();
        k = bundle_write(e, model, NULL, bundle, 0600);
        if (k < 0)
                return k;
        config.adaptation = bundle;
        k = aligner_new(&config, &adapted, &error);
        if (k < 0)
                return log_error_errno(k, "Cannot load the adapted model: %s", error ?: "out of memory");
        for (size_t i = 0; i < e->n_clips; i++) {
                Clip *c = &e->clips[i];

                if (c->refusal)
                        continue;
                k = aligner_align(adapted, c->samples, c->n, c->words, &c->after);
                if (k < 0)
                        return log_error_errno(k, "%s no longer aligns with the adapted model: %m", c->path);
        }
        if (interrupted)
                return -EINTR;
        printf("average acoustic score per frame: %.1f before, %.1f after\n", average(e, false), average(e, true));
        /* Estimated on these very clips: not fitting them better means it went wrong. */
        if (average(e, true) <= average(e, false)) {
                log_error("The adaptation does not fit the clips better than the stock model; not using it.");
                return -EDOM;
        }
        adapted = aligner_free(adapted);        /* its memory, before the calibration's models */
        k = calibration_measure(e, calibration);
        if (k < 0)
                return k;
        k = bundle_write(e, model, calibration, e->target, 0644);
        if (k < 0)
                return k;
        printf("adaptation written to %s; wakeword uses it from its next start\n", e->target);
        return 0;
}

int wakeword_enrol(const WakewordConfig *config, const char *list) {
        _cleanup_free_ char *error = NULL;
        Enrolment e = { .wakeword = config, .config = &config->recognizer };
        char scratch[] = "/tmp/wakeword-enrol-XXXXXX";
        const char *tmpdir = getenv("TMPDIR");
        static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
        struct sigaction saved[ELEMENTSOF(stop_signals)], sa = { .sa_handler = on_interrupt };
        int k;

        /* no SA_RESTART: a wait for a tool returns, to pass the signal on */
        interrupted = 0;
        for (size_t i = 0; i < ELEMENTSOF(stop_signals); i++)
                (void) sigaction(stop_signals[i], &sa, &saved[i]);
        /* where it will go, before any work: a state directory that cannot be written is said now */
        k = state_file_path(ADAPTATION_STATE_FILE, &e.target);
        if (k < 0) {
                log_error_errno(k, "Failed to find the state directory: %m");
                goto finish;
        }
        k = list_parse(&e, list);
        if (k < 0)
                goto finish;
        k = aligner_new(&config->recognizer, &e.aligner, &error);
        if (k < 0) {
                log_error("Cannot set up the decoder: %s", error ?: "out of memory");
                goto finish;
        }
        for (size_t i = 0; i < e.n_clips && !interrupted; i++)
                clip_examine(&e, &e.clips[i]);
        if (interrupted) {
                k = -EINTR;
                goto finish;
        }
        clips_print(&e);
        if (clips_used(&e) < ENROL_CLIPS_MIN) {
                log_error("Not enough usable clips (%zu; at least %u): the existing adaptation is left as it is.",
                          clips_used(&e), ENROL_CLIPS_MIN);
                k = -EINVAL;
                goto finish;
        }
        if (!isempty(tmpdir) && asprintf(&e.scratch, "%s/wakeword-enrol-XXXXXX", tmpdir) < 0) {
                k = log_oom();
                goto finish;
        }
        if (!e.scratch && !(e.scratch = strdup(scratch))) {
                k = log_oom();
                goto finish;
        }
        if (!mkdtemp(e.scratch)) {
                k = log_error_errno(-errno, "Cannot make a scratch directory %s: %m", e.scratch);
                free(e.scratch);
                e.scratch = NULL;
                goto finish;
        }
        k = model_estimate(&e);
        if (k >= 0 && interrupted)
                k = -EINTR;
        if (k >= 0)
                k = adaptation_install(&e);
        if (k < 0 && k != -EINTR)
                log_error("No adaptation made: the existing one, if any, is left as it is.");
finish:
        if (k == -EINTR)
                log_error("Interrupted: no adaptation made, the existing one, if any, is left as it is.");
        scratch_remove(&e);
        enrolment_done(&e);
        for (size_t i = 0; i < ELEMENTSOF(stop_signals); i++)
                (void) sigaction(stop_signals[i], &saved[i], NULL);
        return k;
}

int wakeword_enrol_check(const WakewordConfig *config, const char *wav, const char *transcript) {
        _cleanup_free_ char *error = NULL;
        Enrolment e = { .config = &config->recognizer };
        Clip clip = {};
        int k;

        clip.path = strdup(wav);
        if (!clip.path)
                return log_oom();
        k = transcript_words(transcript, &clip.words);
        if (k < 0) {
                free(clip.path);
                if (k == -ENODATA)
                        log_error("The transcript is empty.");
                return k == -ENODATA ? -EINVAL : log_oom();
        }
        e.clips = &clip;
        k = aligner_new(&config->recognizer, &e.aligner, &error);
        if (k < 0)
                log_error("Cannot set up the decoder: %s", error ?: "out of memory");
        else {
                clip_examine(&e, &clip);
                if (!clip.refusal)
                        printf("ok %.1f\n", clip.before.confidence);
                else if (clip.unknown_word)
                        printf("refused %s: \"%s\"\n", clip.refusal, clip.unknown_word);
                else
                        printf("refused %s\n", clip.refusal);
                fflush(stdout);
                k = clip.refusal ? 1 : 0;
        }
        e.clips = NULL;
        free(clip.path);
        strv_free(clip.words);
        free(clip.samples);
        free(clip.unknown_word);
        aligner_free(e.aligner);
        return k;
}
