/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Decoding runs on one worker thread so the event loop, and with it the bus, never waits for
 * PocketSphinx. The loop hands audio over (copied into a bounded queue); the worker feeds it to
 * the listener and reports what was heard through an eventfd the loop watches. The listener and
 * its recogniser belong to the worker thread from worker_new() on. */

#include <stddef.h>
#include <stdint.h>

#include "listener.h"
#include "macro.h"

#define WORKER_QUEUE_MAX_SAMPLES (16000 * 10)   /* 10 s: beyond that the worker has fallen behind */

typedef struct Worker Worker;

int worker_new(Listener *listener, Worker **ret);
Worker *worker_free(Worker *w);
/* Ends the thread (worker_free() does too): the listener is the caller's again. */
void worker_stop(Worker *w);
DEFINE_TRIVIAL_CLEANUP_FUNC(Worker *, worker_free);

/* The eventfd that becomes readable when worker_pop_event() has something. */
int worker_event_fd(Worker *w);

/* Queues audio; "reset" drops what the listener had (gap in the stream, unmute, reconnect) before
 * this audio. -ENOBUFS when the queue is full: the audio is dropped, and the next push resets. */
int worker_push(Worker *w, const int16_t *samples, size_t n, uint64_t first_usec, bool reset);

/* Drops queued audio and any command in progress (mute, disconnect). */
int worker_reset(Worker *w);

/* Returns 1 and an event, or 0 when none is left. Clears the eventfd first. */
int worker_pop_event(Worker *w, RecognizerEvent *ret);

/* Samples the decoder was given so far (the rest the energy gate kept from it). */
uint64_t worker_samples_decoded(Worker *w);

/* Hands a new recogniser to the worker, which listens with it from the next audio on (its
 * running cepstral mean taken from the old one). The old one comes back through
 * worker_take_retired() once the worker let go of it (the event fd becomes readable). */
void worker_replace_recognizer(Worker *w, Recognizer *r);
Recognizer *worker_take_retired(Worker *w);
/* The recogniser the worker listens with now. */
Recognizer *worker_recognizer(Worker *w);
