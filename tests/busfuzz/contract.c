/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "fileio.h"
#include "macro.h"

#define CONTRACT_FILE_MAX (1024 * 1024)

/* The value of attribute "name" inside one tag's text, or NULL. */
static char *tag_attribute(const char *tag, size_t len, const char *name) {
        size_t n = strlen(name);

        for (const char *p = tag; p + n + 2 < tag + len; p++)
                if ((p == tag || p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n') &&
                    strncmp(p, name, n) == 0 && p[n] == '=' && p[n + 1] == '"') {
                        const char *v = p + n + 2, *end = memchr(v, '"', (size_t) (tag + len - v));
                        return end ? strndup(v, (size_t) (end - v)) : NULL;
                }
        return NULL;
}

static int words_add(Contract *c, const char *w, size_t len) {
        char **n;

        if (len == 0 || len > 64)
                return 0;
        for (size_t i = 0; i < c->n_words; i++)
                if (strlen(c->words[i]) == len && strncmp(c->words[i], w, len) == 0)
                        return 0;
        n = reallocarray(c->words, c->n_words + 1, sizeof(char *));
        if (!n)
                return -ENOMEM;
        c->words = n;
        c->words[c->n_words] = strndup(w, len);
        if (!c->words[c->n_words])
                return -ENOMEM;
        c->n_words++;
        return 0;
}

static int comment_words(Contract *c, const char *text, size_t len) {
        const char *end = text + len;

        for (const char *p = text; p < end; p++) {
                const char *q;
                int r;

                if (*p != '"')
                        continue;
                q = memchr(p + 1, '"', (size_t) (end - p - 1));
                if (!q)
                        break;
                if (!memchr(p + 1, '\n', (size_t) (q - p - 1))) {
                        r = words_add(c, p + 1, (size_t) (q - p - 1));
                        if (r < 0)
                                return r;
                }
                p = q;
        }
        return 0;
}

static int signature_append(char **sig, const char *type) {
        size_t a = *sig ? strlen(*sig) : 0;
        char *n = realloc(*sig, a + strlen(type) + 1);

        if (!n)
                return -ENOMEM;
        strcpy(n + a, type);
        *sig = n;
        return 0;
}

static int tag_handle(Contract *c, const char *tag, size_t len, bool *in_method) {
        _cleanup_free_ char *name = NULL, *type = NULL, *direction = NULL, *access = NULL;

        if (len > 10 && strncmp(tag, "interface ", 10) == 0 && !c->interface) {
                c->interface = tag_attribute(tag, len, "name");
                return c->interface ? 0 : -EBADMSG;
        }
        if (len > 7 && strncmp(tag, "method ", 7) == 0) {
                ContractMethod *n = reallocarray(c->methods, c->n_methods + 1, sizeof(*n));

                if (!n)
                        return -ENOMEM;
                c->methods = n;
                name = tag_attribute(tag, len, "name");
                if (!name)
                        return -EBADMSG;
                c->methods[c->n_methods++] = (ContractMethod) { .name = TAKE_PTR(name), .in_signature = strdup("") };
                *in_method = tag[len - 1] != '/';
                return 0;
        }
        if (len >= 7 && strncmp(tag, "/method", 7) == 0) {
                *in_method = false;
                return 0;
        }
        if (len > 4 && strncmp(tag, "arg ", 4) == 0 && *in_method) {
                type = tag_attribute(tag, len, "type");
                direction = tag_attribute(tag, len, "direction");
                if (!type)
                        return -EBADMSG;
                if (direction && streq(direction, "out"))
                        return 0;
                return signature_append(&c->methods[c->n_methods - 1].in_signature, type);
        }
        if (len > 9 && strncmp(tag, "property ", 9) == 0) {
                ContractProperty *n = reallocarray(c->properties, c->n_properties + 1, sizeof(*n));

                if (!n)
                        return -ENOMEM;
                c->properties = n;
                name = tag_attribute(tag, len, "name");
                type = tag_attribute(tag, len, "type");
                access = tag_attribute(tag, len, "access");
                if (!name || !type)
                        return -EBADMSG;
                c->properties[c->n_properties++] = (ContractProperty) {
                        .name = TAKE_PTR(name),
                        .type = TAKE_PTR(type),
                        .writable = access && strstr(access, "write"),
                };
        }
        return 0;
}

static int contract_parse(Contract *c, const char *text) {
        bool in_method = false;
        int r;

        for (const char *p = text; (p = strchr(p, '<')); ) {
                const char *end;

                if (strncmp(p, "<!--", 4) == 0) {
                        end = strstr(p + 4, "-->");
                        if (!end)
                                return -EBADMSG;
                        r = comment_words(c, p + 4, (size_t) (end - p - 4));
                        if (r < 0)
                                return r;
                        p = end + 3;
                        continue;
                }
                end = strchr(p, '>');
                if (!end)
                        return -EBADMSG;
                r = tag_handle(c, p + 1, (size_t) (end - p - 1), &in_method);
                if (r < 0)
                        return r;
                p = end + 1;
        }
        for (size_t i = 0; i < c->n_methods; i++)
                if (!c->methods[i].in_signature)
                        return -ENOMEM;
        return c->interface ? 0 : -EBADMSG;
}

int contract_load(const char *path, Contract *ret) {
        _cleanup_free_ char *text = NULL;
        Contract c = {};
        int r;

        r = read_full_file(path, CONTRACT_FILE_MAX, &text, NULL);
        if (r < 0)
                return r;
        r = contract_parse(&c, text);
        if (r >= 0) {
                c.bus_name = strdup(c.interface);
                c.object_path = malloc(strlen(c.interface) + 2);
                if (!c.bus_name || !c.object_path)
                        r = -ENOMEM;
        }
        if (r < 0) {
                contract_done(&c);
                return r;
        }
        c.object_path[0] = '/';
        strcpy(c.object_path + 1, c.interface);
        for (char *p = c.object_path; *p; p++)
                if (*p == '.')
                        *p = '/';
        *ret = c;
        return 0;
}

void contract_done(Contract *c) {
        for (size_t i = 0; i < c->n_methods; i++) {
                free(c->methods[i].name);
                free(c->methods[i].in_signature);
        }
        for (size_t i = 0; i < c->n_properties; i++) {
                free(c->properties[i].name);
                free(c->properties[i].type);
        }
        for (size_t i = 0; i < c->n_words; i++)
                free(c->words[i]);
        free(c->methods);
        free(c->properties);
        free(c->words);
        free(c->bus_name);
        free(c->object_path);
        free(c->interface);
        *c = (Contract) {};
}
