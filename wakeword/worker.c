/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>

#include "worker.h"

typedef struct Chunk {
        struct Chunk *next;
        uint64_t first_usec;
        size_t n;
        bool reset;
        int16_t samples[];
} Chunk;

#define EVENTS_MAX 16

/* While the gate is closed and nothing is being decoded, audio that is clearly below the level
 * that would open the gate is left queued until this much has gathered: in a quiet room the
 * thread wakes a few times a second instead of for every packet. Nothing is skipped; the gate
 * still sees every block, only later. */
#define BATCH_SAMPLES (16000 / 2)
#define BATCH_MARGIN_DB 3.0

struct Worker {
        Listener *listener;
        pthread_t thread;
        bool thread_started;
        int event_fd;

        pthread_mutex_t lock;
        pthread_cond_t wake;
        Chunk *head, *tail;             /* lock */
        size_t queued_samples;          /* lock */
        bool reset_next;                /* lock: the next chunk starts after a gap */
        bool quit;                      /* lock */
        RecognizerEvent events[EVENTS_MAX];     /* lock */
        size_t n_events;                /* lock */
        uint64_t samples_decoded;       /* lock */
        bool busy;                      /* lock: the gate is open or a command is being heard */
        double open_db;                 /* lock: the level that opens the gate */
        int error;                      /* lock: the decoder failed */
        Recognizer *incoming;           /* lock: to listen with from the next audio on */
        Recognizer *retired;            /* lock: the one it replaced, for the loop to free */
};

static void queue_clear(Worker *w) {
        while (w->head) {
                Chunk *c = w->head;
                w->head = c->next;
                free(c);
        }
        w->tail = NULL;
        w->queued_samples = 0;
}

static void event_post(const RecognizerEvent *e, void *userdata) {
        Worker *w = userdata;
        uint64_t one = 1;

        pthread_mutex_lock(&w->lock);
        if (w->n_events < EVENTS_MAX)
                w->events[w->n_events++] = *e;
        pthread_mutex_unlock(&w->lock);
        (void) !write(w->event_fd, &one, sizeof one);
}

/* lock held. The new recogniser starts from the running cepstral mean of the old one: the room
 * and microphone did not change with the model. */
static void recognizer_swap(Worker *w, Recognizer *incoming) {
        Recognizer *old = w->listener->recognizer;
        float mean[RECOGNIZER_CMN_SIZE];
        uint64_t one = 1;

        if (recognizer_get_cmn(old, mean) >= 0)
                (void) recognizer_set_cmn(incoming, mean, RECOGNIZER_CMN_KEPT_FRAMES);
        w->listener->recognizer = incoming;
        (void) listener_reset(w->listener);
        w->retired = recognizer_free(w->retired);
        w->retired = old;
        (void) !write(w->event_fd, &one, sizeof one);
}

static void *worker_main(void *userdata) {
        Worker *w = userdata;

        for (;;) {
                Chunk *c;
                int r;

                pthread_mutex_lock(&w->lock);
                while (!w->head && !w->quit && !w->incoming)
                        pthread_cond_wait(&w->wake, &w->lock);
                if (w->quit) {
                        pthread_mutex_unlock(&w->lock);
                        return NULL;
                }
                if (w->incoming) {
                        recognizer_swap(w, TAKE_PTR(w->incoming));
                        if (!w->head) {
                                pthread_mutex_unlock(&w->lock);
                                continue;
                        }
                }
                c = w->head;
                w->head = c->next;
                if (!w->head)
                        w->tail = NULL;
                w->queued_samples -= c->n;
                pthread_mutex_unlock(&w->lock);

                r = c->reset ? listener_reset(w->listener) : 0;
                if (r >= 0)
                        r = listener_feed(w->listener, c->samples, c->n, c->first_usec, event_post, w);
                free(c);

                pthread_mutex_lock(&w->lock);
                w->samples_decoded = w->listener->samples_decoded;
                w->busy = w->listener->vad.open || recognizer_in_command(w->listener->recognizer);
                w->open_db = vad_open_db(&w->listener->vad);
                if (r < 0 && w->error == 0) {
                        uint64_t one = 1;
                        w->error = r;
                        (void) !write(w->event_fd, &one, sizeof one);
                }
                pthread_mutex_unlock(&w->lock);
        }
}

int worker_new(Listener *listener, Worker **ret) {
        _cleanup_(worker_freep) Worker *w = NULL;
        int r;

        w = calloc(1, sizeof *w);
        if (!w)
                return -ENOMEM;
        w->listener = listener;
        w->busy = true;
        pthread_mutex_init(&w->lock, NULL);
        pthread_cond_init(&w->wake, NULL);
        w->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (w->event_fd < 0)
                return negative_errno();
        r = pthread_create(&w->thread, NULL, worker_main, w);
        if (r != 0)
                return -r;
        w->thread_started = true;
        *ret = TAKE_PTR(w);
        return 0;
}

void worker_stop(Worker *w) {
        if (!w->thread_started)
                return;
        pthread_mutex_lock(&w->lock);
        w->quit = true;
        pthread_cond_signal(&w->wake);
        pthread_mutex_unlock(&w->lock);
        pthread_join(w->thread, NULL);
        w->thread_started = false;
}

Worker *worker_free(Worker *w) {
        if (!w)
                return NULL;
        worker_stop(w);
        queue_clear(w);
        recognizer_free(w->incoming);
        recognizer_free(w->retired);
        safe_close(w->event_fd);
        pthread_cond_destroy(&w->wake);
        pthread_mutex_destroy(&w->lock);
        free(w);
        return NULL;
}

int worker_event_fd(Worker *w) {
        return w->event_fd;
}

int worker_push(Worker *w, const int16_t *samples, size_t n, uint64_t first_usec, bool reset) {
        Chunk *c;
        int r = 0;

        c = malloc(sizeof(Chunk) + n * sizeof(int16_t));
        if (!c)
                return -ENOMEM;
        *c = (Chunk) { .first_usec = first_usec, .n = n };
        memcpy(c->samples, samples, n * sizeof(int16_t));

        pthread_mutex_lock(&w->lock);
        if (w->queued_samples + n > WORKER_QUEUE_MAX_SAMPLES) {
                w->reset_next = true;
                free(c);
                r = -ENOBUFS;
        } else {
                c->reset = reset || w->reset_next;
                w->reset_next = false;
                if (w->tail)
                        w->tail->next = c;
                else
                        w->head = c;
                w->tail = c;
                w->queued_samples += n;
                if (c->reset || w->busy || w->queued_samples >= BATCH_SAMPLES ||
                    vad_peak_db(samples, n) > w->open_db - BATCH_MARGIN_DB)
                        pthread_cond_signal(&w->wake);
        }
        pthread_mutex_unlock(&w->lock);
        return r;
}

int worker_reset(Worker *w) {
        pthread_mutex_lock(&w->lock);
        queue_clear(w);
        w->reset_next = true;
        pthread_mutex_unlock(&w->lock);
        return 0;
}

int worker_pop_event(Worker *w, RecognizerEvent *ret) {
        uint64_t counter;
        int r = 0;

        (void) !read(w->event_fd, &counter, sizeof counter);
        pthread_mutex_lock(&w->lock);
        if (w->error < 0) {
                r = w->error;
                w->error = 0;
        } else if (w->n_events > 0) {
                *ret = w->events[0];
                memmove(w->events, w->events + 1, (w->n_events - 1) * sizeof(RecognizerEvent));
                w->n_events--;
                r = 1;
        }
        pthread_mutex_unlock(&w->lock);
        return r;
}

uint64_t worker_samples_decoded(Worker *w) {
        uint64_t n;

        pthread_mutex_lock(&w->lock);
        n = w->samples_decoded;
        pthread_mutex_unlock(&w->lock);
        return n;
}

void worker_replace_recognizer(Worker *w, Recognizer *r) {
        pthread_mutex_lock(&w->lock);
        recognizer_free(w->incoming);
        w->incoming = r;
        pthread_cond_signal(&w->wake);
        pthread_mutex_unlock(&w->lock);
}

Recognizer *worker_take_retired(Worker *w) {
        Recognizer *r;

        pthread_mutex_lock(&w->lock);
        r = TAKE_PTR(w->retired);
        pthread_mutex_unlock(&w->lock);
        return r;
}

Recognizer *worker_recognizer(Worker *w) {
        Recognizer *r;

        pthread_mutex_lock(&w->lock);
        r = w->listener->recognizer;
        pthread_mutex_unlock(&w->lock);
        return r;
}
