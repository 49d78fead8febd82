/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>

#include "adaptation-state.h"
#include "decode.h"
#include "listener.h"
#include "log.h"
#include "macro.h"
#include "wav.h"

typedef struct DecodeContext {
        Recognizer *recognizer;
        bool verbose;
        const char *file;
        bool many;
} DecodeContext;

DEFINE_TRIVIAL_CLEANUP_FUNC(struct json_object *, json_object_put);

/* One line of output: a JSON object that starts with the file (when there are several) and the
 * event. */
static struct json_object *line_new(const DecodeContext *c, const char *event) {
        struct json_object *o = json_object_new_object();

        if (!o)
                return NULL;
        if (c->many)
                json_object_object_add(o, "file", json_object_new_string(c->file));
        json_object_object_add(o, "event", json_object_new_string(event));
        return o;
}

static void line_print(struct json_object *o) {
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        fflush(stdout);
}

static void event_print(const RecognizerEvent *e, void *userdata) {
        static const char *const names[] = {
                [RECOGNIZER_WAKE] = "wake",
                [RECOGNIZER_COMMAND] = "command",
                [RECOGNIZER_REJECTED] = "rejected",
        };
        DecodeContext *c = userdata;
        _cleanup_(json_object_putp) struct json_object *o = NULL;

        if (e->type == RECOGNIZER_REJECTED && !c->verbose)
                return;
        o = line_new(c, names[e->type]);
        if (!o)
                return;
        switch (e->type) {
        case RECOGNIZER_WAKE:
                json_object_object_add(o, "phrase", json_object_new_string(e->text));
                json_object_object_add(o, "score", json_object_new_int64((int64_t) e->score));
                break;
        case RECOGNIZER_COMMAND:
                json_object_object_add(o, "text", json_object_new_string(e->text));
                json_object_object_add(o, "intent", intent_to_json(&e->intent));
                if (c->verbose) {
                        json_object_object_add(o, "confidence", json_object_new_double(e->score));
                        json_object_object_add(o, "coverage", json_object_new_double(e->coverage));
                        json_object_object_add(o, "word_posterior", json_object_new_double(e->word_posterior));
                        json_object_object_add(o, "word_confidence", json_object_new_double(e->word_confidence));
                }
                break;
        case RECOGNIZER_REJECTED:
                json_object_object_add(o, "text", json_object_new_string(e->text));
                json_object_object_add(o, "reason", json_object_new_string(e->reason));
                json_object_object_add(o, "confidence", json_object_new_double(e->score));
                json_object_object_add(o, "coverage", json_object_new_double(e->coverage));
                json_object_object_add(o, "word_posterior", json_object_new_double(e->word_posterior));
                json_object_object_add(o, "word_confidence", json_object_new_double(e->word_confidence));
                break;
        }
        if (c->verbose && e->model) {
                json_object_object_add(o, "model", json_object_new_string(e->model));
                if (e->type != RECOGNIZER_WAKE) {
                        json_object_object_add(o, "wake_fit", json_object_new_double(e->wake_fit));
                        json_object_object_add(o, "command_fit", json_object_new_double(e->command_fit));
                }
        }
        json_object_object_add(o, "audio_usec", json_object_new_int64((int64_t) e->audio_usec));
        line_print(o);
}

/* One pass over the file; events go to cb (NULL: nowhere). */
static int decode_pass(Listener *l, const char *path, listener_event_t cb, DecodeContext *c) {
        int16_t buf[4096];
        WavReader w;
        const char *problem = NULL;
        uint64_t pos = 0;
        ssize_t n;
        int r;

        r = wav_open(path, &w, &problem);
        if (r < 0) {
                log_error("%s: %s.", path, problem);
                return r;
        }
        r = listener_reset(l);
        while (r >= 0 && (n = wav_read(&w, buf, ELEMENTSOF(buf))) > 0) {
                r = listener_feed(l, buf, (size_t) n, pos * USEC_PER_SEC / WAV_RATE, cb, c);
                pos += (uint64_t) n;
        }
        wav_close(&w);
        if (r >= 0 && n < 0) {
                log_error("%s: file ends inside the data chunk (truncated).", path);
                return (int) n;
        }
        if (r >= 0)
                r = listener_flush(l, pos * USEC_PER_SEC / WAV_RATE, cb, c);
        if (r < 0)
                return log_error_errno(r, "%s: decoder failed: %m", path);
        return 0;
}

/* Verbose: the cepstral mean the recogniser has settled on at the end of a file, the part of
 * its state that carries over to the next one (and that the daemon keeps across restarts). */
static void end_print(DecodeContext *c) {
        _cleanup_(json_object_putp) struct json_object *o = line_new(c, "end"), *mean = json_object_new_array();
        float v[RECOGNIZER_CMN_SIZE];

        if (!o || !mean || recognizer_get_cmn(c->recognizer, v) < 0)
                return;
        for (size_t i = 0; i < RECOGNIZER_CMN_SIZE; i++)
                json_object_array_add(mean, json_object_new_double(v[i]));
        json_object_object_add(o, "cepstral_mean", TAKE_PTR(mean));
        line_print(o);
}

static int decode_one(Listener *l, const char *path, DecodeContext *c) {
        int r;

        c->file = path;
        /* One pass, as the daemon hears it: the recogniser starts from a typical cepstral mean
         * and adapts as it goes. */
        r = decode_pass(l, path, event_print, c);
        if (r >= 0 && c->verbose)
                end_print(c);
        return r;
}

int wakeword_decode_files(const WakewordConfig *config, char *const *files, unsigned n, bool verbose, bool adaptation) {
        _cleanup_(recognizer_freep) Recognizer *recognizer = NULL;
        _cleanup_free_ char *error = NULL;
        DecodeContext c = { .verbose = verbose, .many = n > 1 };
        Listener l;
        int r, ret = 0;

        r = recognizer_new_from_state(&config->recognizer, adaptation, &recognizer, &error);
        if (r < 0)
                return log_error_errno(r, "Cannot set up the recogniser: %s", error ?: "out of memory");
        listener_init(&l, recognizer, config->vad_threshold_db, config->vad_hangover_msec);
        c.recognizer = recognizer;
        for (unsigned i = 0; i < n; i++) {
                r = decode_one(&l, files[i], &c);
                if (r < 0 && ret == 0)
                        ret = r;
        }
        return ret;
}
