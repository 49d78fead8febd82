/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "macro.h"
#include "enrol.h"
#include "live-enrol.h"
#include "wakeword-config.h"

#define MODEL_DIR "/usr/share/pocketsphinx/model/en-us"
#ifndef WAKEWORD_DATADIR
#define WAKEWORD_DATADIR "/usr/share/voicehvac"
#endif

#define R(field) offsetof(WakewordConfig, recognizer.field)

static const ConfigField fields[] = {
        { "hmm", CONFIG_STRING, R(hmm) },
        { "dictionary", CONFIG_STRING, R(dictionary) },
        { "phone_lm", CONFIG_STRING, R(phone_lm) },
        { "keyphrase", CONFIG_STRING, R(keyphrase) },
        { "threshold", CONFIG_DOUBLE, R(kws_threshold), 1e-100, 1 },
        { "kws_beam", CONFIG_DOUBLE, R(kws_beam), 1e-200, 1 },
        { "verify_logprob", CONFIG_DOUBLE, R(verify_logprob), -100, 0 },
        { "verify_window_sec", CONFIG_DOUBLE, R(verify_window_sec), 0.5, 3 },
        { "verify_filler_count", CONFIG_UINT, R(verify_filler_count), 1, 5000 },
        { "grammar", CONFIG_STRING, R(grammar) },
        { "filler_words", CONFIG_STRING, R(filler_words) },
        { "filler_count", CONFIG_UINT, R(filler_count), 0, 5000 },
        { "filler_logprob", CONFIG_DOUBLE, R(filler_logprob), -100, 0 },
        { "command_timeout_sec", CONFIG_DOUBLE, R(command_timeout_sec), 0.5, 30 },
        { "command_max_sec", CONFIG_DOUBLE, R(command_max_sec), 1, 30 },
        { "min_confidence", CONFIG_DOUBLE, R(min_confidence), -1e6, 1e6 },
        { "min_coverage", CONFIG_DOUBLE, R(min_coverage), 0, 1 },
        { "max_coverage", CONFIG_DOUBLE, R(max_coverage), 1, 100 },
        { "min_word_posterior", CONFIG_DOUBLE, R(min_word_posterior), 0, 1 },
        { "min_word_confidence", CONFIG_DOUBLE, R(min_word_confidence), -1e9, 1e9 },
        { "enrolled_only", CONFIG_BOOL, R(enrolled_only) },
        { "enrolled_min_wake_fit", CONFIG_DOUBLE, R(enrolled_min_wake_fit), -1000, 1000 },
        { "enrolled_min_command_fit", CONFIG_DOUBLE, R(enrolled_min_command_fit), -1000, 1000 },
        { "vad_threshold_db", CONFIG_DOUBLE, offsetof(WakewordConfig, vad_threshold_db), 0, 60 },
        { "vad_hangover_msec", CONFIG_UINT, offsetof(WakewordConfig, vad_hangover_msec), 20, 10000 },
        { "enrol_group", CONFIG_STRING, offsetof(WakewordConfig, enrol_group) },
        { "enrol_wake_takes", CONFIG_UINT, offsetof(WakewordConfig, enrol_wake_takes), 1, 10 },
        { "enrol_command_takes", CONFIG_UINT, offsetof(WakewordConfig, enrol_command_takes), 0, ENROL_COMMAND_PROMPTS_MAX },
        {}
};

/* The grammar and word list are installed beside the other data; a binary run from the build
 * tree finds the ones in the source tree instead. */
static char *default_data_file(const char *name) {
        char exe[PATH_MAX], *path = NULL;
        ssize_t n;

        if (asprintf(&path, WAKEWORD_DATADIR "/%s", name) < 0)
                return NULL;
        if (access(path, R_OK) == 0)
                return path;
        free(path);
        n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n > 0) {
                exe[n] = '\0';
                if (asprintf(&path, "%s/../../wakeword/%s", dirname(exe), name) >= 0 && access(path, R_OK) == 0)
                        return path;
                free(path);
        }
        if (asprintf(&path, WAKEWORD_DATADIR "/%s", name) < 0)
                return NULL;
        return path;
}

int wakeword_config_load(const char *path, WakewordConfig *c, char **ret_error) {
        int r;

        *c = (WakewordConfig) { .vad_threshold_db = 9, .vad_hangover_msec = 600,
                                .enrol_wake_takes = 3, .enrol_command_takes = ENROL_COMMAND_PROMPTS_MAX };
        recognizer_config_init_defaults(&c->recognizer);
        c->recognizer.hmm = strdup(MODEL_DIR "/en-us");
        c->recognizer.dictionary = strdup(MODEL_DIR "/cmudict-en-us.dict");
        c->recognizer.phone_lm = strdup(MODEL_DIR "/en-us-phone.lm.bin");
        c->recognizer.keyphrase = strdup("hey climate");
        c->recognizer.grammar = default_data_file("commands.gram");
        c->recognizer.filler_words = default_data_file("filler-words.txt");
        if (!c->recognizer.hmm || !c->recognizer.dictionary || !c->recognizer.phone_lm ||
            !c->recognizer.keyphrase || !c->recognizer.grammar || !c->recognizer.filler_words ||
            !(c->enrol_group = strdup("voicehvac")))
                return -ENOMEM;

        r = config_load_file(path ?: WAKEWORD_CONFIG_PATH, fields, c, !!path, ret_error);
        if (r < 0)
                return r;
        if (isempty(c->recognizer.keyphrase)) {
                if (asprintf(ret_error, "%s: key 'keyphrase': must not be empty", path ?: WAKEWORD_CONFIG_PATH) < 0)
                        *ret_error = NULL;
                return -EINVAL;
        }
        if (c->enrol_wake_takes + c->enrol_command_takes < ENROL_CLIPS_MIN) {
                if (asprintf(ret_error, "%s: key 'enrol_command_takes': with 'enrol_wake_takes' at least %u takes are needed",
                             path ?: WAKEWORD_CONFIG_PATH, ENROL_CLIPS_MIN) < 0)
                        *ret_error = NULL;
                return -EINVAL;
        }
        if (c->recognizer.command_max_sec < c->recognizer.command_timeout_sec) {
                if (asprintf(ret_error, "%s: key 'command_max_sec': must not be shorter than 'command_timeout_sec'",
                             path ?: WAKEWORD_CONFIG_PATH) < 0)
                        *ret_error = NULL;
                return -EINVAL;
        }
        return 0;
}

void wakeword_config_done(WakewordConfig *c) {
        config_free_strings(fields, c);
}
