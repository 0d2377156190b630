/*
 * pcp-nc-agent: the pcp-netfilter model as nftables, through libnftables' JSON input.
 *
 * The same table layout, ownership marker, validation and lease handling as gateway/pcpnft.py (the two Python
 * agents), so that any agent can take over a table another one left (docs/gateway.md, "The nftables table"):
 *   - DNAT / ACCEPT / SNAT rules that a map can express become elements of the sets and maps dnat4a/dnat4p,
 *     accept4, snat4a/snat4p (and 6) with the lease as the element's timeout, so the kernel ends them itself;
 *   - anything else is a rule of its own, found again by its handle, leased with "meta time < expires".
 * Every value is validated here and reaches nft only as a JSON value, never as text in an nft script.
 *
 * One NETCONF edit is one nft transaction with exactly the changed elements and rules: its cost depends on the
 * size of the change, not on how many rules the table holds.
 */
#include "agent.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <math.h>
#include <nftables/libnftables.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OWNER_SET "pcp_gateway_owned"
#define TABLE_COMMENT "pcp-gateway: owned by PCP Controller via NETCONF pcp-netfilter; do not edit"
#define NFT_COMMENT_MAX 128

/* the sets and maps of the layout; a plan's element names one of them */
static const char *const SETS[] = {"dnat4a", "dnat4p", "accept4", "snat4a", "snat4p",
                                   "dnat6a", "dnat6p", "accept6", "snat6a", "snat6p"};
#define NSETS (sizeof SETS / sizeof SETS[0])

static int set_index(const char *name) {
    for (size_t i = 0; i < NSETS; i++) {
        if (strcmp(SETS[i], name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* chains: name, type, hook, priority (accept_forward runs just before the usual filter priority) */
static const struct {
    const char *name, *type, *hook;
    int prio;
} CHAINS[] = {
    {"dscp_prerouting", "filter", "prerouting", -150}, {"dnat_prerouting", "nat", "prerouting", -100},
    {"dscp_forward", "filter", "forward", -150},       {"accept_forward", "filter", "forward", -5},
    {"dscp_postrouting", "filter", "postrouting", -150}, {"snat_postrouting", "nat", "postrouting", 100},
};

/* ---- validation and planning -------------------------------------------------------------------- */

struct fam {
    const char *name, *ip, *atype;
    int v, af, bits;
};
static const struct fam FAMS[] = {{"ipv4", "ip", "ipv4_addr", 4, AF_INET, 32}, {"ipv6", "ip6", "ipv6_addr", 6, AF_INET6, 128}};

static int fail(char *why, size_t wl, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *why, size_t wl, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, wl, fmt, ap);
    va_end(ap);
    return -1;
}

/* an address of the rule's family, in canonical text; zone indexes refused */
static int parse_addr(const char *text, const struct fam *f, const char *what, const char *rule, char out[INET6_ADDRSTRLEN],
                      char *why, size_t wl) {
    unsigned char bin[16];
    if (strchr(text, '%')) {
        return fail(why, wl, "rule %s: %s %s: zone indexes are not supported", rule, what, text);
    }
    if (inet_pton(f->af, text, bin) != 1) {
        return fail(why, wl, "rule %s: %s %s is not %s", rule, what, text, f->name);
    }
    inet_ntop(f->af, bin, out, INET6_ADDRSTRLEN);
    return 0;
}

/* a prefix of the rule's family with no host bits set */
static int parse_prefix(const char *text, const struct fam *f, const char *rule, char addr[INET6_ADDRSTRLEN], int *len,
                        char *why, size_t wl) {
    char buf[128];
    unsigned char bin[16];
    const char *slash = strchr(text, '/');
    if (strchr(text, '%')) {
        return fail(why, wl, "rule %s: source-prefix %s: zone indexes are not supported", rule, text);
    }
    if (slash == NULL || (size_t)(slash - text) >= sizeof buf) {
        return fail(why, wl, "rule %s: source-prefix %s is not a network prefix", rule, text);
    }
    memcpy(buf, text, (size_t)(slash - text));
    buf[slash - text] = '\0';
    char *end;
    long l = strtol(slash + 1, &end, 10);
    if (inet_pton(f->af, buf, bin) != 1) {
        return fail(why, wl, "rule %s: source-prefix %s is not %s", rule, text, f->name);
    }
    if (*end || end == slash + 1 || l < 0 || l > f->bits) {
        return fail(why, wl, "rule %s: source-prefix %s has a bad length", rule, text);
    }
    for (int bit = (int)l; bit < f->bits; bit++) {
        if (bin[bit / 8] & (0x80 >> (bit % 8))) {
            return fail(why, wl, "rule %s: source-prefix %s is not a network prefix (host bits must be zero)",
                        rule, text);
        }
    }
    inet_ntop(f->af, bin, addr, INET6_ADDRSTRLEN);
    *len = (int)l;
    return 0;
}

/* RFC 3339 date-and-time -> POSIX seconds (the type check already matched the pattern) */
static int parse_expires(const char *text, const char *rule, double *out, char *why, size_t wl) {
    int y, mo, d, h, mi, s, n = 0;
    if (sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &n) != 6 || n != 19) {
        return fail(why, wl, "rule %s: expires %s is not a date-and-time", rule, text);
    }
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || s > 60) {
        return fail(why, wl, "rule %s: expires %s is not a valid date", rule, text);
    }
    const char *p = text + 19;
    double frac = 0;
    if (*p == '.') {
        char *end;
        frac = strtod(p, &end);
        p = end;
    }
    long off = 0;
    if (*p == 'Z' && p[1] == '\0') {
        off = 0;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
        int oh = atoi(p + 1), om = atoi(p + 4);
        off = (*p == '+' ? 1 : -1) * (oh * 3600L + om * 60L);
    } else {
        return fail(why, wl, "rule %s: expires %s has no valid time zone", rule, text);
    }
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    *out = (double)timegm(&tm) + frac - (double)off;
    return 0;
}

static void sb_pl(struct sbuf *b, const char *proto, const char *field) {
    sb_printf(b, "{\"payload\":{\"protocol\":\"%s\",\"field\":\"%s\"}}", proto, field);
}

static void sb_match_open(struct sbuf *b, const char *op) { sb_printf(b, "{\"match\":{\"op\":\"%s\",\"left\":", op); }

static void sb_accept(struct sbuf *b, uint32_t mark) {
    if (mark) {
        sb_printf(b, "{\"mangle\":{\"key\":{\"meta\":{\"key\":\"mark\"}},\"value\":{\"|\":[{\"meta\":{\"key\":\"mark\"}},%u]}}},",
                  mark);
    }
    sb_str(b, "{\"accept\":null}");
}

/* the nft comment of a rule of its own: its name, then the model's comment; at most 128 bytes, unique */
static char *nft_comment(const struct rule *r) {
    struct sbuf b = {0};
    sb_str(&b, r->v[L_NAME]);
    if (r->v[L_COMMENT] && r->v[L_COMMENT][0]) {
        sb_str(&b, " ");
        sb_str(&b, r->v[L_COMMENT]);
    }
    if (b.len > NFT_COMMENT_MAX) {
        char hex[41];
        sha1_hex(r->v[L_NAME], strlen(r->v[L_NAME]), hex);
        size_t cut = NFT_COMMENT_MAX - 17;
        /* do not cut inside a UTF-8 sequence */
        while (cut > 0 && ((unsigned char)b.p[cut] & 0xC0) == 0x80) {
            cut--;
        }
        b.len = cut;
        b.p[cut] = '\0';
        sb_printf(&b, "~%.16s", hex);
    }
    return sb_take(&b);
}

void plan_free(struct plan *p) {
    if (p == NULL) {
        return;
    }
    for (int i = 0; i < p->nelems; i++) {
        free(p->el[i].key);
        free(p->el[i].data);
    }
    free(p->expr);
    free(p->comment);
    free(p);
}

static int streq(const char *a, const char *b) { return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0); }

int plan_same(const struct plan *a, const struct plan *b) {
    if (a->kind != b->kind || a->nelems != b->nelems || a->has_expires != b->has_expires ||
        (a->has_expires && a->expires != b->expires) || !streq(a->chain, b->chain) || !streq(a->expr, b->expr) ||
        !streq(a->comment, b->comment)) {
        return 0;
    }
    for (int i = 0; i < a->nelems; i++) {
        if (a->el[i].set != b->el[i].set || !streq(a->el[i].key, b->el[i].key) || !streq(a->el[i].data, b->el[i].data)) {
            return 0;
        }
    }
    return 1;
}

/* validates one rule and decides how it goes into the kernel */
int plan_rule(const struct rule *r, uint32_t mark, struct plan **out, char *why, size_t wl) {
    const char *name = r->v[L_NAME];
    const struct fam *f = NULL;
    for (size_t i = 0; i < 2; i++) {
        if (r->v[L_FAMILY] && strcmp(r->v[L_FAMILY], FAMS[i].name) == 0) {
            f = &FAMS[i];
        }
    }
    if (f == NULL) {
        return fail(why, wl, "rule %s: family %s", name, r->v[L_FAMILY] ? r->v[L_FAMILY] : "(none)");
    }
    const char *hook = r->v[L_HOOK];
    if (hook == NULL || (strcmp(hook, "prerouting") && strcmp(hook, "forward") && strcmp(hook, "postrouting"))) {
        return fail(why, wl, "rule %s: hook %s", name, hook ? hook : "(none)");
    }
    const char *comment = r->v[L_COMMENT];
    if (comment) {
        if (strlen(comment) > NFT_COMMENT_MAX) {
            return fail(why, wl, "rule %s: comment longer than 128 bytes", name);
        }
        for (const unsigned char *p = (const unsigned char *)comment; *p; p++) {
            if (*p < 0x20 || *p == 0x7f) {
                return fail(why, wl, "rule %s: comment with control characters", name);
            }
        }
    }
    double expires = 0;
    int has_expires = r->v[L_EXPIRES] != NULL;
    if (has_expires && parse_expires(r->v[L_EXPIRES], name, &expires, why, wl) != 0) {
        return -1;
    }
    const char *proto = r->v[L_PROTOCOL] ? r->v[L_PROTOCOL] : DEFAULT_PROTOCOL;
    int all = strcmp(proto, "all") == 0;
    char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], to[INET6_ADDRSTRLEN];
    int srclen = -1;
    if (r->v[L_SRC_PREFIX] && parse_prefix(r->v[L_SRC_PREFIX], f, name, src, &srclen, why, wl) != 0) {
        return -1;
    }
    long sport = r->v[L_SRC_PORT] ? atol(r->v[L_SRC_PORT]) : -1;
    long dport = r->v[L_DST_PORT] ? atol(r->v[L_DST_PORT]) : -1;
    if (r->v[L_DST_ADDR] && parse_addr(r->v[L_DST_ADDR], f, "destination-address", name, dst, why, wl) != 0) {
        return -1;
    }
    int has_dst = r->v[L_DST_ADDR] != NULL;
    if ((sport >= 0 || dport >= 0) && all) {
        return fail(why, wl, "rule %s: a port match needs a protocol", name);
    }
    int kind = (r->v[L_DNAT_ADDR] || r->v[L_DNAT_PORT]) ? K_DNAT : (r->v[L_SNAT_ADDR] || r->v[L_SNAT_PORT]) ? K_SNAT
             : r->v[L_ACCEPT] ? K_ACCEPT : r->v[L_DSCP] ? K_DSCP : K_NONE;
    if (kind == K_NONE) {
        return fail(why, wl, "rule %s: needs exactly one action, has none", name);
    }
    long to_port = -1, dscp = -1;
    if (kind == K_DNAT || kind == K_SNAT) {
        const char *want = kind == K_DNAT ? "prerouting" : "postrouting";
        const char *act = kind == K_DNAT ? "dnat" : "snat";
        int la = kind == K_DNAT ? L_DNAT_ADDR : L_SNAT_ADDR, lp = kind == K_DNAT ? L_DNAT_PORT : L_SNAT_PORT;
        if (strcmp(hook, want) != 0) {
            return fail(why, wl, "rule %s: %s needs hook %s, not %s", name, act, want, hook);
        }
        if (r->v[la] == NULL) {
            return fail(why, wl, "rule %s: %s without to-address", name, act);
        }
        if (parse_addr(r->v[la], f, "to-address", name, to, why, wl) != 0) {
            return -1;
        }
        if (r->v[lp]) {
            to_port = atol(r->v[lp]);
            if (all) {
                return fail(why, wl, "rule %s: %s to-port needs a protocol", name, act);
            }
        }
    } else if (kind == K_ACCEPT) {
        if (strcmp(hook, "forward") != 0) {
            return fail(why, wl, "rule %s: accept needs hook forward, not %s", name, hook);
        }
    } else {
        dscp = atol(r->v[L_DSCP]);
        if (dscp < 0 || dscp > 63) {
            return fail(why, wl, "rule %s: dscp %s is not 0..63", name, r->v[L_DSCP]);
        }
    }

    struct plan *p = xcalloc(1, sizeof *p);
    p->has_expires = has_expires;
    p->expires = expires;
    int host_src = srclen == f->bits;
    char setname[16];
    if (kind == K_DNAT && !all && has_dst && dport >= 0 && to_port >= 0 && srclen < 0 && sport < 0) {
        struct sbuf key = {0};
        sb_json(&key, dst);
        sb_printf(&key, ",\"%s\",%ld", proto, dport);
        p->nelems = 2;
        snprintf(setname, sizeof setname, "dnat%da", f->v);
        p->el[0].set = SETS[set_index(setname)];
        p->el[0].key = xstrdup(key.p);
        struct sbuf data = {0};
        sb_json(&data, to);
        p->el[0].data = sb_take(&data);
        snprintf(setname, sizeof setname, "dnat%dp", f->v);
        p->el[1].set = SETS[set_index(setname)];
        p->el[1].key = sb_take(&key);
        sb_printf(&data, "%ld", to_port);
        p->el[1].data = sb_take(&data);
    } else if (kind == K_ACCEPT && !all && has_dst && dport >= 0 && srclen < 0 && sport < 0) {
        struct sbuf key = {0};
        sb_json(&key, dst);
        sb_printf(&key, ",\"%s\",%ld", proto, dport);
        p->nelems = 1;
        snprintf(setname, sizeof setname, "accept%d", f->v);
        p->el[0].set = SETS[set_index(setname)];
        p->el[0].key = sb_take(&key);
    } else if (kind == K_SNAT && !all && host_src && sport >= 0 && has_dst && dport >= 0 && to_port >= 0) {
        struct sbuf key = {0};
        sb_json(&key, src);
        sb_printf(&key, ",\"%s\",%ld,", proto, sport);
        sb_json(&key, dst);
        sb_printf(&key, ",%ld", dport);
        p->nelems = 2;
        snprintf(setname, sizeof setname, "snat%da", f->v);
        p->el[0].set = SETS[set_index(setname)];
        p->el[0].key = xstrdup(key.p);
        struct sbuf data = {0};
        sb_json(&data, to);
        p->el[0].data = sb_take(&data);
        snprintf(setname, sizeof setname, "snat%dp", f->v);
        p->el[1].set = SETS[set_index(setname)];
        p->el[1].key = sb_take(&key);
        sb_printf(&data, "%ld", to_port);
        p->el[1].data = sb_take(&data);
    } else {
        /* a rule of its own */
        struct sbuf e = {0};
        p->kind = PLAN_RULE;
        sb_str(&e, "[");
        sb_match_open(&e, "==");
        sb_printf(&e, "{\"meta\":{\"key\":\"nfproto\"}},\"right\":\"%s\"}}", f->name);
        if (!all) {
            sb_str(&e, ",");
            sb_match_open(&e, "==");
            sb_printf(&e, "{\"meta\":{\"key\":\"l4proto\"}},\"right\":\"%s\"}}", proto);
        }
        if (srclen >= 0) {
            sb_str(&e, ",");
            sb_match_open(&e, "==");
            sb_pl(&e, f->ip, "saddr");
            sb_str(&e, ",\"right\":");
            if (host_src) {
                sb_json(&e, src);
            } else {
                sb_str(&e, "{\"prefix\":{\"addr\":");
                sb_json(&e, src);
                sb_printf(&e, ",\"len\":%d}}", srclen);
            }
            sb_str(&e, "}}");
        }
        if (sport >= 0) {
            sb_str(&e, ",");
            sb_match_open(&e, "==");
            sb_pl(&e, "th", "sport");
            sb_printf(&e, ",\"right\":%ld}}", sport);
        }
        if (has_dst) {
            sb_str(&e, ",");
            sb_match_open(&e, "==");
            sb_pl(&e, f->ip, "daddr");
            sb_str(&e, ",\"right\":");
            sb_json(&e, dst);
            sb_str(&e, "}}");
        }
        if (dport >= 0) {
            sb_str(&e, ",");
            sb_match_open(&e, "==");
            sb_pl(&e, "th", "dport");
            sb_printf(&e, ",\"right\":%ld}}", dport);
        }
        if (has_expires) {
            /* the kernel compares with its wall clock: the rule stops matching at lease end by itself */
            sb_str(&e, ",");
            sb_match_open(&e, "<");
            sb_printf(&e, "{\"meta\":{\"key\":\"time\"}},\"right\":%lld}}", (long long)expires);
        }
        sb_str(&e, ",");
        if (kind == K_DNAT || kind == K_SNAT) {
            sb_printf(&e, "{\"%s\":{\"family\":\"%s\",\"addr\":", kind == K_DNAT ? "dnat" : "snat", f->ip);
            sb_json(&e, to);
            if (to_port >= 0) {
                sb_printf(&e, ",\"port\":%ld", to_port);
            }
            sb_str(&e, "}}");
            p->chain = kind == K_DNAT ? "dnat_prerouting" : "snat_postrouting";
        } else if (kind == K_ACCEPT) {
            sb_accept(&e, mark);
            p->chain = "accept_forward";
        } else {
            sb_str(&e, "{\"mangle\":{\"key\":");
            sb_pl(&e, f->ip, "dscp");
            sb_printf(&e, ",\"value\":%ld}}", dscp);
            p->chain = !strcmp(hook, "prerouting") ? "dscp_prerouting"
                     : !strcmp(hook, "forward") ? "dscp_forward" : "dscp_postrouting";
        }
        sb_str(&e, "]");
        p->expr = sb_take(&e);
        p->comment = nft_comment(r);
    }
    *out = p;
    return 0;
}

/* ---- running nft ---------------------------------------------------------------------------------- */

int kernel_init(struct kernel *k, uint32_t accept_mark) {
    memset(k, 0, sizeof *k);
    k->accept_mark = accept_mark;
    struct nft_ctx *n = nft_ctx_new(NFT_CTX_DEFAULT);
    if (n == NULL) {
        return -1;
    }
    nft_ctx_buffer_output(n);
    nft_ctx_buffer_error(n);
    k->nft = n;
    hm_init(&k->plans);
    hm_init(&k->keys);
    return 0;
}

/* one transaction; the output (JSON) in *out when echo; 0 or -1 with err */
static int nft_run(struct kernel *k, const char *json, int echo, json_t **out, char *err, size_t errlen) {
    struct nft_ctx *n = k->nft;
    nft_ctx_output_set_flags(n, NFT_CTX_OUTPUT_JSON | (echo ? NFT_CTX_OUTPUT_ECHO | NFT_CTX_OUTPUT_HANDLE : 0));
    int rc = nft_run_cmd_from_buffer(n, json);
    const char *e = nft_ctx_get_error_buffer(n);
    if (rc != 0) {
        snprintf(err, errlen, "nft: %s", e && *e ? e : "failed");
        size_t l = strlen(err);
        while (l && (err[l - 1] == '\n' || err[l - 1] == ' ')) {
            err[--l] = '\0';
        }
        for (char *p = err; *p; p++) {
            if (*p == '\n') {
                *p = ' ';
            }
        }
        return -1;
    }
    if (out) {
        const char *o = nft_ctx_get_output_buffer(n);
        *out = o && *o ? json_loads(o, 0, NULL) : NULL;
    }
    return 0;
}

static int list_ok(struct kernel *k, const char *json) {
    char err[256];
    json_t *out = NULL;
    int rc = nft_run(k, json, 0, &out, err, sizeof err);
    json_decref(out);
    return rc == 0;
}

/* 1 if the table exists and carries our marker, 0 if absent, -1 if it exists and is someone else's */
static int table_owned(struct kernel *k, const char *table) {
    struct sbuf q = {0};
    sb_str(&q, "{\"nftables\":[{\"list\":{\"table\":{\"family\":\"inet\",\"name\":");
    sb_json(&q, table);
    sb_str(&q, "}}}]}");
    int exists = list_ok(k, q.p);
    q.len = 0;
    sb_str(&q, "{\"nftables\":[{\"list\":{\"set\":{\"family\":\"inet\",\"table\":");
    sb_json(&q, table);
    sb_str(&q, ",\"name\":\"" OWNER_SET "\"}}}]}");
    int marked = exists && list_ok(k, q.p);
    sb_free(&q);
    return !exists ? 0 : marked ? 1 : -1;
}

int kernel_table_present(struct kernel *k) { return k->table && table_owned(k, k->table) == 1; }

/* commands that create the table with its sets, maps, chains and the map rules */
static void skeleton(struct sbuf *c, const char *table, uint32_t mark) {
    struct sbuf t = {0};
    sb_json(&t, table);
    sb_printf(c, "{\"add\":{\"table\":{\"family\":\"inet\",\"name\":%s,\"comment\":\"%s\"}}},", t.p, TABLE_COMMENT);
    sb_printf(c, "{\"add\":{\"set\":{\"family\":\"inet\",\"table\":%s,\"name\":\"%s\",\"type\":\"mark\",\"comment\":\"%s\"}}}",
              t.p, OWNER_SET, TABLE_COMMENT);
    for (size_t i = 0; i < 2; i++) {
        const struct fam *f = &FAMS[i];
        char k3[128], k5[192];
        snprintf(k3, sizeof k3, "[\"%s\",\"inet_proto\",\"inet_service\"]", f->atype);
        snprintf(k5, sizeof k5, "[\"%s\",\"inet_proto\",\"inet_service\",\"%s\",\"inet_service\"]", f->atype, f->atype);
        const struct {
            const char *suffix, *key, *data;
        } sets[] = {{"dnat%da", k3, f->atype}, {"dnat%dp", k3, "inet_service"}, {"accept%d", k3, NULL},
                    {"snat%da", k5, f->atype}, {"snat%dp", k5, "inet_service"}};
        for (size_t s = 0; s < 5; s++) {
            char name[16];
            snprintf(name, sizeof name, sets[s].suffix, f->v);
            sb_printf(c, ",{\"add\":{\"%s\":{\"family\":\"inet\",\"table\":%s,\"name\":\"%s\",\"type\":%s,"
                      "\"flags\":[\"timeout\"]", sets[s].data ? "map" : "set", t.p, name, sets[s].key);
            if (sets[s].data) {
                sb_printf(c, ",\"map\":\"%s\"", sets[s].data);
            }
            sb_str(c, "}}}");
        }
    }
    for (size_t i = 0; i < sizeof CHAINS / sizeof CHAINS[0]; i++) {
        sb_printf(c, ",{\"add\":{\"chain\":{\"family\":\"inet\",\"table\":%s,\"name\":\"%s\",\"type\":\"%s\",\"hook\":\"%s\","
                  "\"prio\":%d,\"policy\":\"accept\"}}}", t.p, CHAINS[i].name, CHAINS[i].type, CHAINS[i].hook,
                  CHAINS[i].prio);
    }
    for (size_t i = 0; i < 2; i++) {
        const struct fam *f = &FAMS[i];
        struct sbuf k3 = {0}, k5 = {0};
        sb_str(&k3, "{\"concat\":[");
        sb_pl(&k3, f->ip, "daddr");
        sb_str(&k3, ",{\"meta\":{\"key\":\"l4proto\"}},");
        sb_pl(&k3, "th", "dport");
        sb_str(&k3, "]}");
        sb_str(&k5, "{\"concat\":[");
        sb_pl(&k5, f->ip, "saddr");
        sb_str(&k5, ",{\"meta\":{\"key\":\"l4proto\"}},");
        sb_pl(&k5, "th", "sport");
        sb_str(&k5, ",");
        sb_pl(&k5, f->ip, "daddr");
        sb_str(&k5, ",");
        sb_pl(&k5, "th", "dport");
        sb_str(&k5, "]}");
        sb_printf(c, ",{\"add\":{\"rule\":{\"family\":\"inet\",\"table\":%s,\"chain\":\"dnat_prerouting\","
                  "\"comment\":\"pcp-gateway: leased DNAT map\",\"expr\":[{\"dnat\":{\"family\":\"%s\","
                  "\"addr\":{\"map\":{\"key\":%s,\"data\":\"@dnat%da\"}},\"port\":{\"map\":{\"key\":%s,\"data\":\"@dnat%dp\"}}}}]}}}",
                  t.p, f->ip, k3.p, f->v, k3.p, f->v);
        sb_printf(c, ",{\"add\":{\"rule\":{\"family\":\"inet\",\"table\":%s,\"chain\":\"accept_forward\","
                  "\"comment\":\"pcp-gateway: leased pinhole set\",\"expr\":[{\"match\":{\"op\":\"==\",\"left\":%s,"
                  "\"right\":\"@accept%d\"}},", t.p, k3.p, f->v);
        sb_accept(c, mark);
        sb_str(c, "]}}}");
        sb_printf(c, ",{\"add\":{\"rule\":{\"family\":\"inet\",\"table\":%s,\"chain\":\"snat_postrouting\","
                  "\"comment\":\"pcp-gateway: leased SNAT map\",\"expr\":[{\"snat\":{\"family\":\"%s\","
                  "\"addr\":{\"map\":{\"key\":%s,\"data\":\"@snat%da\"}},\"port\":{\"map\":{\"key\":%s,\"data\":\"@snat%dp\"}}}}]}}}",
                  t.p, f->ip, k5.p, f->v, k5.p, f->v);
        sb_free(&k3);
        sb_free(&k5);
    }
    sb_free(&t);
}

/* element lists per set, so that a change of 1,000 rules is a handful of commands, not thousands */
struct elemlists {
    struct sbuf s[NSETS];
};

static void elems_add(struct elemlists *l, const struct plan *p, double now, int with_timeout) {
    long timeout = -1;
    if (with_timeout && p->has_expires) {
        timeout = (long)ceil(p->expires - now);   /* whole seconds, rounded up */
        if (timeout <= 0) {
            return;                               /* the lease already ended: nothing to add */
        }
    }
    for (int i = 0; i < p->nelems; i++) {
        struct sbuf *b = &l->s[set_index(p->el[i].set)];
        if (b->len) {
            sb_str(b, ",");
        }
        if (p->el[i].data) {
            sb_str(b, "[");
        }
        if (timeout >= 0) {
            sb_printf(b, "{\"elem\":{\"val\":{\"concat\":[%s]},\"timeout\":%ld}}", p->el[i].key, timeout);
        } else {
            sb_printf(b, "{\"concat\":[%s]}", p->el[i].key);
        }
        if (p->el[i].data) {
            sb_printf(b, ",%s]", p->el[i].data);
        }
    }
}

/* starts the next command of a list: a comma unless it is the first */
static void sb_next(struct sbuf *c) {
    if (c->len && c->p[c->len - 1] != '[') {
        sb_str(c, ",");
    }
}

static void elems_flush(struct sbuf *c, struct elemlists *l, const char *verb, const char *tablejson) {
    for (size_t i = 0; i < NSETS; i++) {
        if (l->s[i].len) {
            sb_next(c);
            sb_printf(c, "{\"%s\":{\"element\":{\"family\":\"inet\",\"table\":%s,\"name\":\"%s\",\"elem\":[%s]}}}",
                      verb, tablejson, SETS[i], l->s[i].p);
        }
        sb_free(&l->s[i]);
    }
}

static void rule_add(struct sbuf *c, const struct plan *p, const char *tablejson) {
    sb_next(c);
    sb_printf(c, "{\"add\":{\"rule\":{\"family\":\"inet\",\"table\":%s,\"chain\":\"%s\",\"expr\":%s,\"comment\":",
              tablejson, p->chain, p->expr);
    sb_json(c, p->comment);
    sb_str(c, "}}}");
}

/* a leased rule whose lease already ended is not put into the kernel at all */
static int rule_wanted(const struct plan *p, double now) { return !p->has_expires || p->expires > now; }

/* handles of added rules of their own, matched by comment among the echoed commands */
static int take_handles(json_t *out, const char *table, struct hmap *by_comment, char *err, size_t errlen) {
    json_t *arr = out ? json_object_get(out, "nftables") : NULL;
    size_t i;
    json_t *o;
    json_array_foreach(arr, i, o) {
        json_t *r = json_object_get(json_object_get(o, "add"), "rule");
        const char *t = json_string_value(json_object_get(r, "table"));
        const char *cm = json_string_value(json_object_get(r, "comment"));
        if (r && t && cm && strcmp(t, table) == 0) {
            struct plan *p = hm_get(by_comment, cm);
            if (p) {
                p->handle = (uint64_t)json_integer_value(json_object_get(r, "handle"));
            }
        }
    }
    (void)err;
    (void)errlen;
    return 0;
}

static void free_plan_v(void *v) { plan_free(v); }

static void key_of(char *buf, size_t len, const struct pelem *e) { snprintf(buf, len, "%s|%s", e->set, e->key); }

/* ---- the whole table ---------------------------------------------------------------------------- */

struct load_ctx {
    const struct change *c;
    struct hmap plans, keys, by_comment;
    struct elemlists adds;
    struct sbuf rules;
    const char *tablejson;
    double now;
    uint32_t mark;
    int failed;
    char *err;
    size_t errlen;
};

static void load_one(struct load_ctx *lc, const char *name, const struct rule *r) {
    if (lc->failed) {
        return;
    }
    struct plan *p;
    if (plan_rule(r, lc->mark, &p, lc->err, lc->errlen) != 0) {
        lc->failed = 2;
        return;
    }
    for (int i = 0; i < p->nelems; i++) {
        char kk[512];
        key_of(kk, sizeof kk, &p->el[i]);
        const char *holder = hm_get(&lc->keys, kk);
        if (holder && strcmp(holder, name) != 0) {
            snprintf(lc->err, lc->errlen, "rule %s: same match as rule %s", name, holder);
            plan_free(p);
            lc->failed = 2;
            return;
        }
        hm_put(&lc->keys, kk, xstrdup(name));
    }
    hm_put(&lc->plans, name, p);
    if (p->kind == PLAN_ELEM) {
        elems_add(&lc->adds, p, lc->now, 1);
    } else if (rule_wanted(p, lc->now)) {
        rule_add(&lc->rules, p, lc->tablejson);
        hm_put(&lc->by_comment, p->comment, p);
    }
}

static void load_store_rule(const char *key, void *val, void *arg) {
    struct load_ctx *lc = arg;
    if (lc->c && hm_get(&lc->c->staged, key)) {
        return;   /* the change has its own version of it */
    }
    load_one(lc, key, val);
}

static void free_str(void *v) { free(v); }

/* rebuilds the table from the store with the change applied (c may be NULL), in one transaction; the old table
 * (when the name changed) goes in the same transaction, if it is ours. 0, -1 (nft or a foreign table) or -2 (a
 * rule that cannot be rendered) */
int kernel_load_change(struct kernel *k, const char *table, const struct store *st, const struct change *c, char *err,
                       size_t errlen) {
    int owned = table_owned(k, table);
    if (owned < 0) {
        snprintf(err, errlen, "table inet %s exists and was not created by a PCP gateway agent (no set %s); it is left "
                 "alone: choose another /netfilter/table or remove it by hand", table, OWNER_SET);
        return -1;
    }
    struct sbuf t = {0}, cmds = {0};
    sb_json(&t, table);
    struct load_ctx lc;
    memset(&lc, 0, sizeof lc);
    lc.c = c;
    hm_init(&lc.plans);
    hm_init(&lc.keys);
    hm_init(&lc.by_comment);
    lc.tablejson = t.p;
    lc.now = real_now();
    lc.mark = k->accept_mark;
    lc.err = err;
    lc.errlen = errlen;
    sb_str(&cmds, "{\"nftables\":[");
    if (k->table && strcmp(k->table, table) != 0 && table_owned(k, k->table) == 1) {
        sb_str(&cmds, "{\"delete\":{\"table\":{\"family\":\"inet\",\"name\":");
        sb_json(&cmds, k->table);
        sb_str(&cmds, "}}},");
    }
    if (owned == 1) {
        sb_printf(&cmds, "{\"delete\":{\"table\":{\"family\":\"inet\",\"name\":%s}}},", t.p);
    }
    skeleton(&cmds, table, k->accept_mark);
    hm_each(&st->rules, load_store_rule, &lc);
    if (c) {
        for (size_t i = 0; i < c->n; i++) {
            const struct rule *r = hm_get(&c->staged, c->names[i]);
            if (r != &DELETED) {
                load_one(&lc, c->names[i], r);
            }
        }
    }
    int rc = 0;
    if (lc.failed) {
        rc = -lc.failed;
    } else {
        elems_flush(&cmds, &lc.adds, "add", t.p);
        if (lc.rules.len) {
            sb_next(&cmds);
            sb_add(&cmds, lc.rules.p, lc.rules.len);
        }
        sb_str(&cmds, "]}");
        json_t *out = NULL;
        int echo = lc.by_comment.n > 0;
        rc = nft_run(k, cmds.p, echo, echo ? &out : NULL, err, errlen);
        if (rc == 0) {
            take_handles(out, table, &lc.by_comment, err, errlen);
        }
        json_decref(out);
    }
    for (size_t i = 0; i < NSETS; i++) {
        sb_free(&lc.adds.s[i]);
    }
    sb_free(&lc.rules);
    hm_free(&lc.by_comment, NULL);
    if (rc == 0) {
        hm_free(&k->plans, free_plan_v);
        hm_free(&k->keys, free_str);
        k->plans = lc.plans;
        k->keys = lc.keys;
        free(k->table);
        k->table = xstrdup(table);
        k->loaded = 1;
    } else {
        hm_free(&lc.plans, free_plan_v);
        hm_free(&lc.keys, free_str);
    }
    sb_free(&t);
    sb_free(&cmds);
    return rc;
}

int kernel_load(struct kernel *k, const char *table, const struct store *st, char *err, size_t errlen) {
    return kernel_load_change(k, table, st, NULL, err, errlen);
}

/* ---- one change ----------------------------------------------------------------------------------- */

int kernel_apply(struct kernel *k, const struct store *st, const struct change *c, char *err, size_t errlen,
                 int *ncmds) {
    const char *table = c->table_set ? (c->table ? c->table : DEFAULT_TABLE) : store_table(st);
    *ncmds = 0;
    if (!k->loaded || k->table == NULL || strcmp(k->table, table) != 0) {
        /* start-up without a table, a recovery, or /netfilter/table changed: the one other full rebuild */
        *ncmds = -1;
        return kernel_load_change(k, table, st, c, err, errlen);
    }
    size_t n = c->n;
    struct plan **np = xcalloc(n, sizeof *np);
    char *same = xcalloc(n, 1);
    struct hmap removed, added, by_comment;
    hm_init(&removed);
    hm_init(&added);
    hm_init(&by_comment);
    int rc = 0;
    double now = real_now();
    /* plan every new version and check that no two rules claim one map key */
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *name = c->names[i];
        const struct rule *r = hm_get(&c->staged, name);
        const struct rule *old = hm_get(&st->rules, name);
        if (r != &DELETED && old && rule_equal(r, old) && hm_get(&k->plans, name)) {
            same[i] = 1;    /* written again as it is: nothing to do in the kernel */
            continue;
        }
        struct plan *op = hm_get(&k->plans, name);
        for (int e = 0; op && e < op->nelems; e++) {
            char kk[512];
            key_of(kk, sizeof kk, &op->el[e]);
            hm_put(&removed, kk, (void *)1);
        }
        if (r != &DELETED && plan_rule(r, k->accept_mark, &np[i], err, errlen) != 0) {
            rc = -2;
        }
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        for (int e = 0; np[i] && e < np[i]->nelems; e++) {
            char kk[512];
            key_of(kk, sizeof kk, &np[i]->el[e]);
            const char *holder = hm_get(&added, kk);
            if (holder == NULL && !hm_get(&removed, kk)) {
                holder = hm_get(&k->keys, kk);
            }
            if (holder && strcmp(holder, c->names[i]) != 0) {
                snprintf(err, errlen, "rule %s: same match as rule %s", c->names[i], holder);
                rc = -2;
                break;
            }
            hm_put(&added, kk, c->names[i]);
        }
    }
    struct sbuf cmds = {0}, t = {0}, rules_del = {0}, rules_add = {0};
    if (rc == 0) {
        struct elemlists readd, del, add;
        memset(&readd, 0, sizeof readd);
        memset(&del, 0, sizeof del);
        memset(&add, 0, sizeof add);
        sb_json(&t, k->table);
        for (size_t i = 0; i < n; i++) {
            if (same[i]) {
                continue;
            }
            struct plan *op = hm_get(&k->plans, c->names[i]);
            if (op && op->kind == PLAN_ELEM) {
                /* the element may be gone already (its lease ended): add it first, so that the delete cannot fail
                 * (nft 1.0.6 has no "destroy") */
                elems_add(&readd, op, now, 0);
                elems_add(&del, op, now, 0);
            } else if (op && op->handle) {
                sb_next(&rules_del);
                sb_printf(&rules_del, "{\"delete\":{\"rule\":{\"family\":\"inet\",\"table\":%s,\"chain\":\"%s\",\"handle\":%llu}}}",
                          t.p, op->chain, (unsigned long long)op->handle);
            }
            if (np[i] && np[i]->kind == PLAN_ELEM) {
                elems_add(&add, np[i], now, 1);
            } else if (np[i] && rule_wanted(np[i], now)) {
                rule_add(&rules_add, np[i], t.p);
                hm_put(&by_comment, np[i]->comment, np[i]);
            }
        }
        sb_str(&cmds, "{\"nftables\":[");
        elems_flush(&cmds, &readd, "add", t.p);
        elems_flush(&cmds, &del, "delete", t.p);
        if (rules_del.len) {
            sb_next(&cmds);
            sb_add(&cmds, rules_del.p, rules_del.len);
        }
        elems_flush(&cmds, &add, "add", t.p);
        if (rules_add.len) {
            sb_next(&cmds);
            sb_add(&cmds, rules_add.p, rules_add.len);
        }
        sb_str(&cmds, "]}");
        if (cmds.len > 16) {
            json_t *out = NULL;
            int echo = by_comment.n > 0;
            rc = nft_run(k, cmds.p, echo, echo ? &out : NULL, err, errlen);
            if (rc == 0) {
                take_handles(out, k->table, &by_comment, err, errlen);
            }
            json_decref(out);
            for (const char *p = cmds.p; *p; p++) {
                if (*p == '{' && p[1] == '"' && (!strncmp(p + 2, "add\"", 4) || !strncmp(p + 2, "delete\"", 7))) {
                    (*ncmds)++;
                }
            }
        }
    }
    if (rc == 0) {
        for (size_t i = 0; i < n; i++) {
            if (same[i]) {
                continue;
            }
            const char *name = c->names[i];
            struct plan *op = hm_del(&k->plans, name);
            for (int e = 0; op && e < op->nelems; e++) {
                char kk[512];
                key_of(kk, sizeof kk, &op->el[e]);
                free(hm_del(&k->keys, kk));
            }
            plan_free(op);
        }
        for (size_t i = 0; i < n; i++) {
            if (np[i] == NULL) {
                continue;
            }
            for (int e = 0; e < np[i]->nelems; e++) {
                char kk[512];
                key_of(kk, sizeof kk, &np[i]->el[e]);
                free(hm_put(&k->keys, kk, xstrdup(c->names[i])));
            }
            hm_put(&k->plans, c->names[i], np[i]);
            np[i] = NULL;
        }
    }
    for (size_t i = 0; i < n; i++) {
        plan_free(np[i]);
    }
    free(np);
    free(same);
    hm_free(&removed, NULL);
    hm_free(&added, NULL);
    hm_free(&by_comment, NULL);
    sb_free(&cmds);
    sb_free(&t);
    sb_free(&rules_del);
    sb_free(&rules_add);
    return rc;
}
