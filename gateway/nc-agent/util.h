/*
 * pcp-nc-agent: small shared helpers (growing strings, a string-keyed hash map, logging, checksums).
 */
#ifndef PCPNC_UTIL_H
#define PCPNC_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* a growing, always NUL-terminated string */
struct sbuf {
    char *p;
    size_t len, cap;
};

void sb_add(struct sbuf *b, const char *s, size_t n);
void sb_str(struct sbuf *b, const char *s);
void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s as XML character data or attribute value (& < > " ' escaped) */
void sb_xml(struct sbuf *b, const char *s);
/* s as a JSON string literal, quotes included */
void sb_json(struct sbuf *b, const char *s);
void sb_free(struct sbuf *b);
/* hands the string over to the caller (malloc'ed), leaves b empty */
char *sb_take(struct sbuf *b);

/* a hash map from NUL-terminated string keys (copied) to pointers; O(1) average per operation, so that
 * the cost of one change never depends on how many rules are held */
struct hmap_entry {
    char *key;
    void *val;
    uint32_t hash;
    struct hmap_entry *next;
};
struct hmap {
    struct hmap_entry **b;
    size_t nb, n;
};

void hm_init(struct hmap *m);
void *hm_get(const struct hmap *m, const char *key);
/* sets key to val; returns the previous value (or NULL) */
void *hm_put(struct hmap *m, const char *key, void *val);
/* removes key; returns its value (or NULL) */
void *hm_del(struct hmap *m, const char *key);
/* calls fn for every entry; fn must not change the map */
void hm_each(const struct hmap *m, void (*fn)(const char *key, void *val, void *arg), void *arg);
/* frees the map itself (and the values with free_val, if not NULL) */
void hm_free(struct hmap *m, void (*free_val)(void *));

/* logging to the agent's log file (stderr until log_open), with a timestamp; thread-safe */
enum { LOG_ERR_ = 0, LOG_WARN_ = 1, LOG_INFO_ = 2, LOG_DEBUG_ = 3 };
extern int log_level;
int log_open(const char *path);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define LOGE(...) log_msg(LOG_ERR_, __VA_ARGS__)
#define LOGW(...) log_msg(LOG_WARN_, __VA_ARGS__)
#define LOGI(...) log_msg(LOG_INFO_, __VA_ARGS__)
#define LOGD(...) do { if (log_level >= LOG_DEBUG_) log_msg(LOG_DEBUG_, __VA_ARGS__); } while (0)

/* SHA-1 of data as 40 lower-case hex digits (for nft comments that must be cut but stay unique) */
void sha1_hex(const void *data, size_t len, char out[41]);
/* CRC-32 (IEEE) of a journal record */
uint32_t crc32_of(const void *data, size_t len);

/* monotonic and real-time clocks in seconds */
double mono_now(void);
double real_now(void);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
char *xstrdup(const char *s);

#endif
