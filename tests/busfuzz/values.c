/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "values.h"

#define HUGE_STRING (256 * 1024)
#define DEPTH_MAX 24            /* D-Bus allows 32 levels of containers in all */
#define ELEMENTS_MAX 2000       /* per message: nested "many" arrays must not multiply */

uint64_t fuzz_random(Fuzz *f) {
        /* splitmix64: reproducible from the seed printed at start. */
        uint64_t z = (f->rng += UINT64_C(0x9e3779b97f4a7c15));

        z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
        return z ^ (z >> 31);
}

size_t fuzz_pick(Fuzz *f, size_t n) {
        return n ? (size_t) (fuzz_random(f) % n) : 0;
}

size_t signature_first_length(const char *s) {
        size_t n;

        switch (*s) {
        case 0:
                return 0;
        case 'a':
                n = signature_first_length(s + 1);
                return n ? n + 1 : 0;
        case '(':
        case '{': {
                char close = *s == '(' ? ')' : '}';
                size_t i = 1;

                while (s[i] && s[i] != close) {
                        n = signature_first_length(s + i);
                        if (!n)
                                return 0;
                        i += n;
                }
                return s[i] == close ? i + 1 : 0;
        }
        default:
                return 1;
        }
}

const char *fuzz_random_type(Fuzz *f) {
        static const char *const types[] = {
                "y", "b", "n", "q", "i", "u", "x", "t", "d", "s", "o", "g", "h", "v",
                "as", "ay", "ad", "a{sv}", "a{ss}", "a{sa{sv}}", "(is)", "(bdsv)", "a(sd)", "aav", "aaai",
        };
        const char *t;

        do
                t = types[fuzz_pick(f, ELEMENTSOF(types))];
        while (streq(t, "h") && f->fds_left == 0);
        if (streq(t, "h"))
                f->fds_left--;
        return t;
}

static double fuzz_double(Fuzz *f, FILE *desc) {
        static const double special[] = {
                0.0, -0.0, 24.0, 24.5, 22.25, 16.0, 30.0, 15.5, 30.5, -273.15, 1e9, -1e9,
                DBL_MAX, -DBL_MAX, DBL_MIN, 4.9406564584124654e-324, -4.9406564584124654e-324,
                2.2250738585072009e-308, 1.0 / 3.0,
        };
        size_t k = fuzz_pick(f, ELEMENTSOF(special) + 5);
        double d;

        if (k < ELEMENTSOF(special))
                d = special[k];
        else if (k == ELEMENTSOF(special))
                d = NAN;
        else if (k == ELEMENTSOF(special) + 1)
                d = copysign(NAN, -1.0);
        else if (k == ELEMENTSOF(special) + 2)
                d = fuzz_pick(f, 2) ? INFINITY : -INFINITY;
        else if (k == ELEMENTSOF(special) + 3) {
                uint64_t bits = fuzz_random(f);     /* any bit pattern: NaN payloads, denormals */
                memcpy(&d, &bits, sizeof(d));
        } else
                d = 10.0 + (double) fuzz_pick(f, 100) * 0.25;
        fprintf(desc, "%a", d);
        return d;
}

static uint64_t fuzz_integer(Fuzz *f, char type) {
        static const uint64_t special[] = {
                0, 1, UINT64_MAX /* -1 */, 2, 24, 100, 127, 128, 255, 256, 32767, 32768, 65535, 65536,
                INT32_MAX, (uint64_t) INT32_MIN, UINT32_MAX, (uint64_t) INT64_MAX, (uint64_t) INT64_MIN,
        };
        uint64_t v = fuzz_pick(f, 3) == 0 ? fuzz_random(f) : special[fuzz_pick(f, ELEMENTSOF(special))];

        (void) type;
        return v;
}

/* A string the wire allows: valid UTF-8, no NUL. */
static char *fuzz_string(Fuzz *f) {
        static const char *const special[] = {
                "", " ", "cool ", " cool", "COOL", "%s%n%x%p", "°C", "\u00e9t\u00e9", "\u2603\U0001F525",
                "\x01\x02\x1f\x7f", "a\tb\nc", "../../etc/passwd", "true", "false", "null", "nan", "inf",
                "-1", "1e999", "{\"power\":true}", "org.voicehvac.Audio1", "/org/voicehvac/Hvac1",
        };
        size_t k = fuzz_pick(f, 6);
        char *s;

        if (k == 0 && f->n_words > 0)
                return strdup(f->words[fuzz_pick(f, f->n_words)]);
        if (k == 1) {
                size_t n = f->huge_left > 0 && fuzz_pick(f, 3) == 0 ? HUGE_STRING : 1 + fuzz_pick(f, 300);

                if (n == HUGE_STRING)
                        f->huge_left--;
                s = malloc(n + 1);
                if (!s)
                        return NULL;
                for (size_t i = 0; i < n; i++)
                        s[i] = (char) (0x20 + fuzz_pick(f, 0x5f));
                s[n] = 0;
                return s;
        }
        if (k == 2 && f->n_words > 0) {
                /* A documented word, one character off. */
                s = strdup(f->words[fuzz_pick(f, f->n_words)]);
                if (s && *s)
                        s[fuzz_pick(f, strlen(s))] = (char) ('a' + fuzz_pick(f, 26));
                return s;
        }
        return strdup(special[fuzz_pick(f, ELEMENTSOF(special))]);
}

static char *fuzz_object_path(Fuzz *f) {
        static const char *const special[] = {
                "/", "/org/voicehvac/Audio1", "/org/voicehvac/Hvac1", "/org/voicehvac/Audio1/x",
                "/_", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p", "/org/freedesktop/DBus",
        };
        return strdup(special[fuzz_pick(f, ELEMENTSOF(special))]);
}

static int append_basic(Fuzz *f, sd_bus_message *m, char type, FILE *desc) {
        _cleanup_free_ char *s = NULL;
        uint64_t v;
        union { uint8_t y; int b; int16_t n; uint16_t q; int32_t i; uint32_t u; int64_t x; uint64_t t; double d; } u;

        switch (type) {
        case 's':
        case 'o':
        case 'g':
                if (type == 's')
                        s = fuzz_string(f);
                else if (type == 'o')
                        s = fuzz_object_path(f);
                else
                        s = strdup(fuzz_pick(f, 2) ? "" : fuzz_random_type(f));
                if (!s)
                        return -ENOMEM;
                if (strlen(s) > 40)
                        fprintf(desc, "%c'%.20s…'(%zu bytes)", type, s, strlen(s));
                else
                        fprintf(desc, "%c'%s'", type, s);
                return sd_bus_message_append_basic(m, type, s);
        case 'h':
                fprintf(desc, "h");
                return sd_bus_message_append_basic(m, 'h', &f->null_fd);
        case 'd':
                fprintf(desc, "d");
                u.d = fuzz_double(f, desc);
                return sd_bus_message_append_basic(m, 'd', &u.d);
        case 'b':
                u.b = (int) fuzz_pick(f, 2);
                fprintf(desc, "b%d", u.b);
                return sd_bus_message_append_basic(m, 'b', &u.b);
        }

        v = fuzz_integer(f, type);
        switch (type) {
        case 'y': u.y = (uint8_t) v; break;
        case 'n': u.n = (int16_t) v; break;
        case 'q': u.q = (uint16_t) v; break;
        case 'i': u.i = (int32_t) v; break;
        case 'u': u.u = (uint32_t) v; break;
        case 'x': u.x = (int64_t) v; break;
        case 't': u.t = v; break;
        default: return -EINVAL;
        }
        fprintf(desc, "%c%lld", type, type == 't' ? (long long) v : (long long) (int64_t) v);
        return sd_bus_message_append_basic(m, type, &u);
}

static int append_array(Fuzz *f, sd_bus_message *m, const char *type, size_t len, FILE *desc, unsigned depth) {
        _cleanup_free_ char *element = strndup(type + 1, len - 1);
        size_t n, k = fuzz_pick(f, 8);
        int r;

        if (!element)
                return -ENOMEM;
        /* Mostly short; sometimes many entries (repeated keys included). */
        n = depth >= DEPTH_MAX ? 0 : k == 0 ? 0 : k == 1 ? 200 + fuzz_pick(f, 800) : fuzz_pick(f, 5);
        n = MIN(n, f->budget);
        f->budget -= n;
        r = sd_bus_message_open_container(m, 'a', element);
        if (r < 0)
                return r;
        fprintf(desc, "[");
        for (size_t i = 0; i < n; i++) {
                if (i == 8)
                        fprintf(desc, "…%zu entries", n);
                r = fuzz_append(f, m, element, len - 1, i < 8 ? desc : NULL, depth + 1);
                if (r < 0)
                        return r;
        }
        fprintf(desc, "]");
        return sd_bus_message_close_container(m);
}

static int append_types(Fuzz *f, sd_bus_message *m, const char *signature, FILE *desc, unsigned depth) {
        for (const char *p = signature; *p; ) {
                size_t n = signature_first_length(p);
                int r;

                if (n == 0)
                        return -EINVAL;
                if (p != signature)
                        fputc(' ', desc);
                r = fuzz_append(f, m, p, n, desc, depth);
                if (r < 0)
                        return r;
                p += n;
        }
        return 0;
}

static int append_container(Fuzz *f, sd_bus_message *m, char kind, const char *contents, FILE *desc, unsigned depth) {
        int r;

        r = sd_bus_message_open_container(m, kind, contents);
        if (r < 0)
                return r;
        fprintf(desc, kind == 'e' ? "{" : "(");
        r = append_types(f, m, contents, desc, depth + 1);
        if (r < 0)
                return r;
        fprintf(desc, kind == 'e' ? "}" : ")");
        return sd_bus_message_close_container(m);
}

static int append_variant(Fuzz *f, sd_bus_message *m, FILE *desc, unsigned depth) {
        /* Deeper and deeper variants now and then; the limit of the wire format is 64. */
        const char *inner = depth < DEPTH_MAX && fuzz_pick(f, 4) == 0 ? "v" : fuzz_random_type(f);
        int r;

        if (depth >= DEPTH_MAX)
                inner = "s";
        r = sd_bus_message_open_container(m, 'v', inner);
        if (r < 0)
                return r;
        fprintf(desc, "v<");
        r = fuzz_append(f, m, inner, strlen(inner), desc, depth + 1);
        if (r < 0)
                return r;
        fprintf(desc, ">");
        return sd_bus_message_close_container(m);
}

int fuzz_append(Fuzz *f, sd_bus_message *m, const char *type, size_t len, FILE *desc, unsigned depth) {
        static FILE *sink = NULL;       /* where descriptions of long arrays' tails go */
        _cleanup_free_ char *contents = NULL;

        if (!desc) {
                if (!sink)
                        sink = fopen("/dev/null", "we");
                if (!sink)
                        return -errno;
                desc = sink;
        }
        switch (type[0]) {
        case 'a':
                return append_array(f, m, type, len, desc, depth);
        case 'v':
                return append_variant(f, m, desc, depth);
        case '(':
        case '{':
                contents = strndup(type + 1, len - 2);
                if (!contents)
                        return -ENOMEM;
                return append_container(f, m, type[0] == '(' ? 'r' : 'e', contents, desc, depth);
        default:
                return append_basic(f, m, type[0], desc);
        }
}

void fuzz_new_message(Fuzz *f) {
        f->budget = ELEMENTS_MAX;
        f->huge_left = 2;
        f->fds_left = 4;
}

int fuzz_append_signature(Fuzz *f, sd_bus_message *m, const char *signature, FILE *desc) {
        fuzz_new_message(f);
        return append_types(f, m, signature, desc, 0);
}
