/*
 * pcp-nc-agent: small shared helpers, see util.h.
 */
#include "util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (p == NULL) {
        abort();   /* out of memory: nothing sensible is left to do in a daemon of this size */
    }
    return p;
}

void *xcalloc(size_t n, size_t m) {
    void *p = calloc(n ? n : 1, m ? m : 1);
    if (p == NULL) {
        abort();
    }
    return p;
}

char *xstrdup(const char *s) {
    char *p = strdup(s);
    if (p == NULL) {
        abort();
    }
    return p;
}

/* ------------------------------------------------------------------------------------------------ */

void sb_add(struct sbuf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n + 1) {
            cap *= 2;
        }
        char *np = realloc(b->p, cap);
        if (np == NULL) {
            abort();
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void sb_str(struct sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

void sb_printf(struct sbuf *b, const char *fmt, ...) {
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return;
    }
    if ((size_t)n < sizeof tmp) {
        sb_add(b, tmp, (size_t)n);
        return;
    }
    char *big = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb_add(b, big, (size_t)n);
    free(big);
}

void sb_xml(struct sbuf *b, const char *s) {
    const char *run = s;
    for (; *s; s++) {
        const char *rep = NULL;
        switch (*s) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&apos;"; break;
        default: break;
        }
        if (rep) {
            sb_add(b, run, (size_t)(s - run));
            sb_str(b, rep);
            run = s + 1;
        }
    }
    sb_add(b, run, (size_t)(s - run));
}

void sb_json(struct sbuf *b, const char *s) {
    sb_add(b, "\"", 1);
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\' || c < 0x20) {
            sb_add(b, run, (size_t)(s - run));
            if (c == '"') {
                sb_str(b, "\\\"");
            } else if (c == '\\') {
                sb_str(b, "\\\\");
            } else {
                sb_printf(b, "\\u%04x", c);
            }
            run = s + 1;
        }
    }
    sb_add(b, run, (size_t)(s - run));
    sb_add(b, "\"", 1);
}

void sb_free(struct sbuf *b) {
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

char *sb_take(struct sbuf *b) {
    char *p = b->p ? b->p : xstrdup("");
    b->p = NULL;
    b->len = b->cap = 0;
    return p;
}

/* ------------------------------------------------------------------------------------------------ */

static uint32_t fnv1a(const char *s) {
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

void hm_init(struct hmap *m) {
    m->nb = 64;
    m->n = 0;
    m->b = xcalloc(m->nb, sizeof *m->b);
}

static struct hmap_entry **hm_slot(const struct hmap *m, const char *key, uint32_t h) {
    struct hmap_entry **e = &m->b[h & (m->nb - 1)];
    while (*e && ((*e)->hash != h || strcmp((*e)->key, key) != 0)) {
        e = &(*e)->next;
    }
    return e;
}

void *hm_get(const struct hmap *m, const char *key) {
    struct hmap_entry **e = hm_slot(m, key, fnv1a(key));
    return *e ? (*e)->val : NULL;
}

static void hm_grow(struct hmap *m) {
    size_t nb = m->nb * 2;
    struct hmap_entry **b = xcalloc(nb, sizeof *b);
    for (size_t i = 0; i < m->nb; i++) {
        struct hmap_entry *e = m->b[i], *next;
        for (; e; e = next) {
            next = e->next;
            e->next = b[e->hash & (nb - 1)];
            b[e->hash & (nb - 1)] = e;
        }
    }
    free(m->b);
    m->b = b;
    m->nb = nb;
}

void *hm_put(struct hmap *m, const char *key, void *val) {
    uint32_t h = fnv1a(key);
    struct hmap_entry **e = hm_slot(m, key, h);
    if (*e) {
        void *old = (*e)->val;
        (*e)->val = val;
        return old;
    }
    struct hmap_entry *ne = xmalloc(sizeof *ne);
    ne->key = xstrdup(key);
    ne->val = val;
    ne->hash = h;
    ne->next = NULL;
    *e = ne;
    if (++m->n > m->nb) {
        hm_grow(m);
    }
    return NULL;
}

void *hm_del(struct hmap *m, const char *key) {
    struct hmap_entry **e = hm_slot(m, key, fnv1a(key));
    if (*e == NULL) {
        return NULL;
    }
    struct hmap_entry *dead = *e;
    void *val = dead->val;
    *e = dead->next;
    free(dead->key);
    free(dead);
    m->n--;
    return val;
}

void hm_each(const struct hmap *m, void (*fn)(const char *key, void *val, void *arg), void *arg) {
    for (size_t i = 0; i < m->nb; i++) {
        for (struct hmap_entry *e = m->b[i]; e; e = e->next) {
            fn(e->key, e->val, arg);
        }
    }
}

void hm_free(struct hmap *m, void (*free_val)(void *)) {
    if (m->b == NULL) {
        return;
    }
    for (size_t i = 0; i < m->nb; i++) {
        struct hmap_entry *e = m->b[i], *next;
        for (; e; e = next) {
            next = e->next;
            if (free_val) {
                free_val(e->val);
            }
            free(e->key);
            free(e);
        }
    }
    free(m->b);
    m->b = NULL;
    m->nb = m->n = 0;
}

/* ------------------------------------------------------------------------------------------------ */

int log_level = LOG_INFO_;
static FILE *log_fp;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

int log_open(const char *path) {
    FILE *fp = fopen(path, "a");
    if (fp == NULL) {
        return -1;
    }
    setvbuf(fp, NULL, _IOLBF, 0);
    log_fp = fp;
    return 0;
}

void log_msg(int level, const char *fmt, ...) {
    static const char *names[] = {"ERROR", "WARN", "INFO", "DEBUG"};
    struct timespec ts;
    struct tm tm;
    char stamp[32];
    clock_gettime(CLOCK_REALTIME, &ts);
    localtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    pthread_mutex_lock(&log_lock);
    FILE *fp = log_fp ? log_fp : stderr;
    fprintf(fp, "%s.%03ld pcp-nc-agent %s: ", stamp, ts.tv_nsec / 1000000, names[level < 0 ? 0 : level > 3 ? 3 : level]);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(fp, fmt, ap);
    va_end(ap);
    fputc('\n', fp);
    fflush(fp);
    pthread_mutex_unlock(&log_lock);
}

/* ------------------------------------------------------------------------------------------------ */

#define ROL(v, n) (((v) << (n)) | ((v) >> (32 - (n))))

static void sha1_block(uint32_t h[5], const unsigned char *p) {
    uint32_t w[80];
    for (int i = 0; i < 16; i++) {
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    }
    for (int i = 16; i < 80; i++) {
        w[i] = ROL(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) {
            f = (b & c) | (~b & d);
            k = 0x5A827999;
        } else if (i < 40) {
            f = b ^ c ^ d;
            k = 0x6ED9EBA1;
        } else if (i < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8F1BBCDC;
        } else {
            f = b ^ c ^ d;
            k = 0xCA62C1D6;
        }
        uint32_t t = ROL(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = ROL(b, 30);
        b = a;
        a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

void sha1_hex(const void *data, size_t len, char out[41]) {
    uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    const unsigned char *p = data;
    size_t left = len;
    while (left >= 64) {
        sha1_block(h, p);
        p += 64;
        left -= 64;
    }
    unsigned char tail[128] = {0};
    memcpy(tail, p, left);
    tail[left] = 0x80;
    size_t tl = left + 1 + 8 <= 64 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++) {
        tail[tl - 1 - i] = (unsigned char)(bits >> (8 * i));
    }
    sha1_block(h, tail);
    if (tl == 128) {
        sha1_block(h, tail + 64);
    }
    for (int i = 0; i < 5; i++) {
        snprintf(out + 8 * i, 9, "%08x", h[i]);
    }
}

uint32_t crc32_of(const void *data, size_t len) {
    static uint32_t table[256];
    static int ready;
    if (!ready) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++) {
                c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }
            table[i] = c;
        }
        ready = 1;
    }
    uint32_t c = 0xFFFFFFFFu;
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        c = table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    }
    return c ^ 0xFFFFFFFFu;
}

double mono_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double real_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}
