/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dictionary.h"
#include "grammar.h"
#include "fileio.h"
#include "macro.h"
#include "message.h"
#include "strv.h"

#define GRAMMAR_SIZE_MAX (256 * 1024)

static int strv_add_unique(char ***l, size_t *n, const char *s, size_t len) {
        _cleanup_free_ char *w = strndup(s, len);
        char **nl;

        if (!w)
                return -ENOMEM;
        for (char *p = w; *p; p++)
                *p = (char) tolower((unsigned char) *p);
        if (strv_contains(*l, w))
                return 0;
        nl = realloc(*l, (*n + 2) * sizeof(char *));
        if (!nl)
                return -ENOMEM;
        nl[(*n)++] = TAKE_PTR(w);
        nl[*n] = NULL;
        *l = nl;
        return 0;
}

/* Skips what is not a word: comments, <rules>, {tags}, /weights/, the header line. */
static const char *skip_non_word(const char *p) {
        static const struct { const char *open, *close; } spans[] = {
                { "/*", "*/" }, { "//", "\n" }, { "#", ";" }, { "<", ">" }, { "{", "}" }, { "/", "/" },
        };

        for (size_t i = 0; i < ELEMENTSOF(spans); i++)
                if (strncmp(p, spans[i].open, strlen(spans[i].open)) == 0) {
                        const char *e = strstr(p + strlen(spans[i].open), spans[i].close);
                        return e ? e + strlen(spans[i].close) : p + strlen(p);
                }
        return NULL;
}

int jsgf_words(const char *text, char ***ret) {
        _cleanup_(strv_freep) char **l = NULL;
        size_t n = 0;
        bool skip_next = false;
        const char *p = text;

        while (*p) {
                const char *e = skip_non_word(p);
                size_t len;

                if (e) {
                        p = e;
                        continue;
                }
                len = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'_-.");
                if (len == 0) {
                        p++;
                        continue;
                }
                /* "grammar NAME;", "public", "import": keywords, not words. */
                if (skip_next)
                        skip_next = false;
                else if (len == 7 && strncmp(p, "grammar", 7) == 0)
                        skip_next = true;
                else if (!(len == 6 && strncmp(p, "public", 6) == 0) && !(len == 6 && strncmp(p, "import", 6) == 0)) {
                        int r = strv_add_unique(&l, &n, p, len);
                        if (r < 0)
                                return r;
                }
                p += len;
        }
        if (!l) {
                l = calloc(1, sizeof(char *));
                if (!l)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static int needed_words(const char *keyphrase, const char *grammar, char ***ret, char **ret_error) {
        _cleanup_(strv_freep) char **l = NULL;
        _cleanup_free_ char *text = NULL;
        size_t n = 0;
        int r;

        r = read_full_file(grammar, GRAMMAR_SIZE_MAX, &text, NULL);
        if (r < 0) {
                *ret_error = message_new("cannot read grammar '%s': %s", grammar, strerror(-r));
                return r;
        }
        r = jsgf_words(text, &l);
        if (r < 0)
                return r;
        for (n = 0; l[n]; n++)
                ;
        for (const char *p = keyphrase; *p; ) {
                size_t len = strcspn(p, " \t");
                if (len > 0) {
                        r = strv_add_unique(&l, &n, p, len);
                        if (r < 0)
                                return r;
                }
                p += len + strspn(p + len, " \t");
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* The grammar may use one pseudo-word per phone ("phone_aa") to build a garbage loop that
 * out-of-grammar speech can take instead of being forced into a command. */
#define PHONE_WORD_PREFIX "phone_"

static const char *const phones[] = {
        "AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY", "F", "G", "HH",
        "IH", "IY", "JH", "K", "L", "M", "N", "NG", "OW", "OY", "P", "R", "S", "SH", "T", "TH", "UH",
        "UW", "V", "W", "Y", "Z", "ZH",
};

static bool phone_word_write(const char *word, FILE *out) {
        if (strncmp(word, PHONE_WORD_PREFIX, strlen(PHONE_WORD_PREFIX)) != 0)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(phones); i++)
                if (strcasecmp(word + strlen(PHONE_WORD_PREFIX), phones[i]) == 0) {
                        fprintf(out, "%s %s\n", word, phones[i]);
                        return true;
                }
        return false;
}

/* "word(2) ..." → "word" */
static size_t head_word_length(const char *line) {
        size_t len = strcspn(line, " \t(");
        return len;
}

/* Whether the dictionary line whose head word is "len" long is an entry of "word". */
static bool line_is_entry_of(const char *line, size_t len, const char *word) {
        return strlen(word) == len && strncmp(line, word, len) == 0;
}

int dictionary_extract(const char *dictionary, const char *keyphrase, const char *grammar,
                       char *const *fillers, int *ret_fd, char **ret_error) {
        _cleanup_(strv_freep) char **words = NULL, **phrase = NULL;
        _cleanup_fclose_ FILE *in = NULL, *out = NULL;
        _cleanup_free_ bool *found = NULL, *filler_found = NULL;
        _cleanup_free_ char *line = NULL;
        _cleanup_close_ int fd = -EBADF;
        size_t n_words, n_fillers, cap = 0;
        int r;

        *ret_error = NULL;
        r = needed_words(keyphrase, grammar, &words, ret_error);
        if (r < 0)
                return r;
        r = strv_split_words(keyphrase, &phrase);
        if (r < 0)
                return r;
        for (n_words = 0; words[n_words]; n_words++)
                ;
        for (n_fillers = 0; fillers && fillers[n_fillers]; n_fillers++)
                ;
        found = calloc(n_words + 1, sizeof(bool));
        filler_found = calloc(n_fillers + 1, sizeof(bool));
        if (!found || !filler_found)
                return -ENOMEM;

        in = fopen(dictionary, "re");
        if (!in) {
                r = negative_errno();
                *ret_error = message_new("cannot open dictionary '%s': %s", dictionary, strerror(-r));
                return r;
        }
        r = memfd_new_stream("wakeword-dict", &fd, &out);
        if (r < 0)
                return r;

        while (getline(&line, &cap, in) > 0) {
                size_t len = head_word_length(line);
                bool filler = false;

                for (size_t i = 0; i < n_words; i++)
                        if (line_is_entry_of(line, len, words[i])) {
                                found[i] = true;
                                fputs(line, out);
                                break;
                        }
                /* The filler loop's copy of a word, told apart by its prefix. The phrase's words
                 * have one too: the wake verification reads them one by one as competitors. */
                for (size_t i = 0; i < n_fillers && !filler; i++)
                        if (line_is_entry_of(line, len, fillers[i]))
                                filler_found[i] = filler = true;
                for (char **w = phrase; *w && !filler; w++)
                        filler = line_is_entry_of(line, len, *w);
                if (filler)
                        fprintf(out, FILLER_PREFIX "%s", line);
        }
        for (size_t i = 0; i < n_words; i++)
                if (!found[i] && phone_word_write(words[i], out))
                        found[i] = true;
        for (size_t i = 0; i < n_words; i++)
                if (!found[i]) {
                        *ret_error = message_new("no pronunciation for '%s' in dictionary '%s'", words[i], dictionary);
                        return -ENOENT;
                }
        for (size_t i = 0; i < n_fillers; i++)
                if (!filler_found[i]) {
                        *ret_error = message_new("no pronunciation for filler word '%s' in dictionary '%s'", fillers[i], dictionary);
                        return -ENOENT;
                }
        if (fflush(out) != 0)
                return negative_errno();
        *ret_fd = TAKE_FD(fd);
        return 0;
}
