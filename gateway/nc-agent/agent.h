/*
 * pcp-nc-agent: a small NETCONF server for the pcp-netfilter model only (see docs/gateway.md, "The nc agent").
 *
 * Threads: the accept thread takes connections on the unix socket (from sshd's subsystem relay), checks the
 * peer's uid, and hands each to a short-lived thread that runs the NETCONF hello (nc_accept_inout); the one poll
 * thread (main loop) runs every RPC, so the datastore, the kernel state and the journal are only ever touched by
 * it and need no locks.
 */
#ifndef PCPNC_AGENT_H
#define PCPNC_AGENT_H

#include <stdint.h>
#include <stdio.h>

#include <libyang/libyang.h>
/* libnetconf2's own headers rather than nc_server.h: that one turns on its SSH and TLS parts, whose headers
 * (libssh-dev, libssl-dev) Debian's libnetconf2-dev does not pull in; this server needs neither */
#include <libnetconf2/log.h>
#include <libnetconf2/messages_server.h>
#include <libnetconf2/netconf.h>
#include <libnetconf2/session.h>
#include <libnetconf2/session_server.h>

#include "util.h"

#define NS_PCPNF "urn:pcpcontroller:yang:pcp-netfilter"
#define NS_BASE "urn:ietf:params:xml:ns:netconf:base:1.0"

/* ---- the model: the leaves of a rule, in schema order (printing follows it) -------------------- */
enum leaf {
    L_NAME, L_MAPPING, L_FAMILY, L_HOOK,
    L_PROTOCOL, L_SRC_PREFIX, L_SRC_PORT, L_DST_ADDR, L_DST_PORT,
    L_DNAT_ADDR, L_DNAT_PORT, L_SNAT_ADDR, L_SNAT_PORT, L_ACCEPT, L_DSCP,
    L_EXPIRES, L_COMMENT,
    L_COUNT
};
/* where a leaf sits: directly in the rule or in one of its containers */
enum cont { C_RULE, C_MATCH, C_DNAT, C_SNAT, C_COUNT };
/* the cases of the mandatory choice "action" */
enum kase { K_NONE, K_DNAT, K_SNAT, K_ACCEPT, K_DSCP };

struct leafdef {
    const char *name;
    enum cont cont;
    enum kase kase;
    const char *path;                 /* schema path, for the type check */
    const struct lysc_node *snode;
};
struct contdef {
    const char *name;
    enum kase kase;
};
extern struct leafdef LEAVES[L_COUNT];
extern const struct contdef CONTS[C_COUNT];

/* one rule: its leaf values as given (NULL = absent; the empty leaf accept is "") */
struct rule {
    char *v[L_COUNT];
};

/* ---- errors that become an rpc-error ---------------------------------------------------------- */
struct nerr {
    NC_ERR tag;
    NC_ERR_TYPE type;
    char msg[768];
    char path[512];
    char elem[128];                   /* bad-element */
    char attr[64];                    /* bad-attribute */
    char ns[256];                     /* bad-namespace */
    const char *app_tag;
    uint32_t sid;                     /* lock-denied / in-use: the holder */
};
void nerr_set(struct nerr *e, NC_ERR tag, NC_ERR_TYPE type, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* ---- the running datastore -------------------------------------------------------------------- */
struct store {
    char *table;                      /* /netfilter/table as set, NULL = the model's default */
    char *owner;                      /* /netfilter/owner, NULL = absent */
    struct hmap rules;                /* name -> struct rule * */
};

/* an edit being built: what each touched rule becomes, before anything is committed */
enum op { OP_NONE, OP_MERGE, OP_REPLACE, OP_CREATE, OP_DELETE, OP_REMOVE };
struct change {
    struct hmap staged;               /* name -> struct rule * (new content) or &DELETED */
    char **names;                     /* the staged names, in order of first touch */
    size_t n, cap;
    int table_set, owner_set;         /* the leaf is part of the change (value below, NULL = unset) */
    char *table, *owner;
};
extern struct rule DELETED;

/* model defaults, read from the YANG module (never retyped here) */
extern const char *DEFAULT_TABLE;
extern const char *DEFAULT_PROTOCOL;

int model_init(struct ly_ctx *ctx);
struct rule *rule_new(void);
struct rule *rule_dup(const struct rule *r);
void rule_free(struct rule *r);
int rule_equal(const struct rule *a, const struct rule *b);

void store_init(struct store *st);
const char *store_table(const struct store *st);
void change_init(struct change *c);
void change_free(struct change *c);
/* the rule as the change has it (staged) or else as the store has it; NULL = absent */
const struct rule *change_get(const struct change *c, const struct store *st, const char *name);
/* applies the edit-config content (siblings under <config>) to the change; 0 or -1 with e filled */
int edit_parse(const struct store *st, struct change *c, const struct lyd_node *config, enum op dflt, struct nerr *e);
/* checks every staged rule for what YANG requires of a whole entry (mandatory leaves, the action choice) */
int change_check(const struct store *st, const struct change *c, struct nerr *e);
/* moves the change into the store */
void change_commit(struct store *st, struct change *c);

/* the datastore as XML: the whole <netfilter>, or what a subtree filter selects (RFC 6241 section 6) */
void print_netfilter(const struct store *st, struct sbuf *out);
int print_filtered(const struct store *st, const struct lyd_node *filter, struct sbuf *out, struct nerr *e);
void print_rule(const struct rule *r, struct sbuf *out);
/* the change as edit-config content that replays it (the journal record) */
void print_change(const struct store *st, const struct change *c, struct sbuf *out);

/* ---- nftables --------------------------------------------------------------------------------- */
/* what one validated rule becomes in the kernel: set/map elements, or a rule of its own */
enum { PLAN_ELEM, PLAN_RULE };
struct pelem {
    const char *set;                  /* dnat4a, accept6, ... */
    char *key;                        /* JSON array items of the concatenated key, e.g. "192.0.3.1","tcp",40000 */
    char *data;                       /* JSON value of a map element, NULL for a set */
};
struct plan {
    int kind;
    int nelems;
    struct pelem el[2];
    int has_expires;
    double expires;
    const char *chain;
    char *expr;                       /* JSON array of the rule's expressions */
    char *comment;
    uint64_t handle;                  /* of the rule in the kernel, 0 = not in the kernel (lease ended) */
};

struct kernel {
    void *nft;                        /* struct nft_ctx * */
    char *table;                      /* the table our plans are in, NULL before the first load */
    uint32_t accept_mark;
    int loaded;                       /* the kernel holds the store's rules (else the next change rebuilds) */
    struct hmap plans;                /* rule name -> struct plan * */
    struct hmap keys;                 /* set + key -> rule name (a map key can hold one rule only) */
};

int plan_rule(const struct rule *r, uint32_t mark, struct plan **out, char *why, size_t whylen);
void plan_free(struct plan *p);
int plan_same(const struct plan *a, const struct plan *b);
int kernel_init(struct kernel *k, uint32_t accept_mark);
/* rebuilds the whole table from the store (start-up, table change, recovery): one transaction */
int kernel_load(struct kernel *k, const char *table, const struct store *st, char *err, size_t errlen);
/* the same with a change applied on top of the store (c may be NULL) */
int kernel_load_change(struct kernel *k, const char *table, const struct store *st, const struct change *c, char *err,
                       size_t errlen);
/* applies one change incrementally: one transaction with exactly the changed elements and rules.
 * Returns 0, or -1 with err (nothing of it in the kernel). */
int kernel_apply(struct kernel *k, const struct store *st, const struct change *c, char *err, size_t errlen,
                 int *ncmds);
/* the table is still there and ours (for the periodic check); 1 yes, 0 no */
int kernel_table_present(struct kernel *k);

/* ---- persistence: a snapshot (startup.xml) and a journal of the changes since -------------------- */
struct persist {
    char *snapshot;                   /* path */
    char *journal;                    /* path */
    int fd;                           /* the journal, open for appending */
    uint64_t generation;
    size_t journal_bytes, snapshot_bytes;
    size_t compact_min;
    int sync;                         /* fdatasync each record */
};
int persist_load(struct persist *p, struct store *st, struct ly_ctx *nc_ctx);
int persist_append(struct persist *p, const char *record, size_t len, char *err, size_t errlen);
int persist_compact(struct persist *p, const struct store *st);

/* ---- the agent -------------------------------------------------------------------------------- */
struct agent {
    struct ly_ctx *nc_ctx;            /* libnetconf2's context: ietf-netconf only (see main.c) */
    struct ly_ctx *model_ctx;         /* pcp-netfilter: value checks and defaults */
    struct store st;
    struct kernel k;
    struct persist p;
    uint32_t lock_sid;                /* the session holding <lock> on running, 0 = none */
    struct nc_pollsession *ps;
    double resync_interval;
    double next_resync;
    size_t last_change_rules;         /* for the log and the figures */
};
extern struct agent A;

/* main.c */
const char *session_user(const struct nc_session *s);

/* rpc.c */
struct nc_server_reply *rpc_dispatch(struct lyd_node *rpc, struct nc_session *session);
void rpc_session_gone(struct nc_session *session);
/* an edit (from a session, or replayed): stage, check, put into the kernel, journal, commit */
int apply_change(struct change *c, struct nerr *e, const char *who);

#endif
