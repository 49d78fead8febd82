/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "adaptation-state.h"
#include "recognizer-build.h"

struct RecognizerBuild {
        const RecognizerConfig *config;
        bool use;
        pthread_t thread;
        int fd;
        Recognizer *result;
        char *error;
        int r;
};

static void *build_main(void *userdata) {
        RecognizerBuild *b = userdata;
        uint64_t one = 1;

        b->r = recognizer_new_from_state(b->config, b->use, &b->result, &b->error);
        (void) !write(b->fd, &one, sizeof one);
        return NULL;
}

int recognizer_build_start(const RecognizerConfig *c, bool use, RecognizerBuild **ret) {
        RecognizerBuild *b;
        int k;

        b = calloc(1, sizeof *b);
        if (!b)
                return -ENOMEM;
        *b = (RecognizerBuild) { .config = c, .use = use };
        b->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (b->fd < 0) {
                k = negative_errno();
                free(b);
                return k;
        }
        k = pthread_create(&b->thread, NULL, build_main, b);
        if (k != 0) {
                safe_close(b->fd);
                free(b);
                return -k;
        }
        *ret = b;
        return 0;
}

int recognizer_build_fd(RecognizerBuild *b) {
        return b->fd;
}

int recognizer_build_finish(RecognizerBuild *b, Recognizer **ret, char **ret_error) {
        int k;

        pthread_join(b->thread, NULL);
        k = b->r;
        if (k >= 0)
                *ret = b->result;
        else if (ret_error)
                *ret_error = b->error;
        else
                free(b->error);
        if (k >= 0)
                free(b->error);
        safe_close(b->fd);
        free(b);
        return k;
}
