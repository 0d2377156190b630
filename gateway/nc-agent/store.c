/*
 * pcp-nc-agent: the running datastore of pcp-netfilter, edit-config on it (RFC 6241 section 7.2), the checks YANG
 * makes of a whole rule entry, subtree filtering (RFC 6241 section 6) and the XML it prints.
 *
 * The module is small and fixed, so its data is held as plain strings per leaf, exactly as the client wrote them:
 * a generic YANG data tree would print canonical forms (libyang writes date-and-time with a numeric offset
 * instead of "Z"), and the controller compares what it reads back with what it wrote. Every value is still checked
 * against its YANG type by libyang (lyd_value_validate with the module's own schema node), and the defaults come
 * from the module.
 *
 * Cost: an edit touches only the entries it names (hash lookups); only a replace or delete of the whole
 * <netfilter> container walks every rule.
 */
#include "agent.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct leafdef LEAVES[L_COUNT] = {
    [L_NAME] = {"name", C_RULE, K_NONE, "/pcp-netfilter:netfilter/rule/name", NULL},
    [L_MAPPING] = {"mapping", C_RULE, K_NONE, "/pcp-netfilter:netfilter/rule/mapping", NULL},
    [L_FAMILY] = {"family", C_RULE, K_NONE, "/pcp-netfilter:netfilter/rule/family", NULL},
    [L_HOOK] = {"hook", C_RULE, K_NONE, "/pcp-netfilter:netfilter/rule/hook", NULL},
    [L_PROTOCOL] = {"protocol", C_MATCH, K_NONE, "/pcp-netfilter:netfilter/rule/match/protocol", NULL},
    [L_SRC_PREFIX] = {"source-prefix", C_MATCH, K_NONE, "/pcp-netfilter:netfilter/rule/match/source-prefix", NULL},
    [L_SRC_PORT] = {"source-port", C_MATCH, K_NONE, "/pcp-netfilter:netfilter/rule/match/source-port", NULL},
    [L_DST_ADDR] = {"destination-address", C_MATCH, K_NONE,
                    "/pcp-netfilter:netfilter/rule/match/destination-address", NULL},
    [L_DST_PORT] = {"destination-port", C_MATCH, K_NONE, "/pcp-netfilter:netfilter/rule/match/destination-port", NULL},
    [L_DNAT_ADDR] = {"to-address", C_DNAT, K_DNAT, "/pcp-netfilter:netfilter/rule/dnat/to-address", NULL},
    [L_DNAT_PORT] = {"to-port", C_DNAT, K_DNAT, "/pcp-netfilter:netfilter/rule/dnat/to-port", NULL},
    [L_SNAT_ADDR] = {"to-address", C_SNAT, K_SNAT, "/pcp-netfilter:netfilter/rule/snat/to-address", NULL},
    [L_SNAT_PORT] = {"to-port", C_SNAT, K_SNAT, "/pcp-netfilter:netfilter/rule/snat/to-port", NULL},
    [L_ACCEPT] = {"accept", C_RULE, K_ACCEPT, "/pcp-netfilter:netfilter/rule/accept", NULL},
    [L_DSCP] = {"set-dscp", C_RULE, K_DSCP, "/pcp-netfilter:netfilter/rule/set-dscp", NULL},
    [L_EXPIRES] = {"expires", C_RULE, K_NONE, "/pcp-netfilter:netfilter/rule/expires", NULL},
    [L_COMMENT] = {"comment", C_RULE, K_NONE, "/pcp-netfilter:netfilter/rule/comment", NULL},
};
const struct contdef CONTS[C_COUNT] = {
    [C_RULE] = {"rule", K_NONE},
    [C_MATCH] = {"match", K_NONE},
    [C_DNAT] = {"dnat", K_DNAT},
    [C_SNAT] = {"snat", K_SNAT},
};
static const struct lysc_node *SN_TABLE, *SN_OWNER;
const char *DEFAULT_TABLE;
const char *DEFAULT_PROTOCOL;
static const struct ly_ctx *MODEL;
struct rule DELETED;

void nerr_set(struct nerr *e, NC_ERR tag, NC_ERR_TYPE type, const char *fmt, ...) {
    e->tag = tag;
    e->type = type;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
}

static const char *leaf_default(const struct lysc_node *sn) {
    const struct lysc_node_leaf *l = (const struct lysc_node_leaf *)sn;
    return l->dflt ? lyd_value_get_canonical(MODEL, l->dflt) : NULL;
}

int model_init(struct ly_ctx *ctx) {
    MODEL = ctx;
    for (int i = 0; i < L_COUNT; i++) {
        LEAVES[i].snode = lys_find_path(ctx, NULL, LEAVES[i].path, 0);
        if (LEAVES[i].snode == NULL) {
            LOGE("the YANG module has no %s", LEAVES[i].path);
            return -1;
        }
    }
    SN_TABLE = lys_find_path(ctx, NULL, "/pcp-netfilter:netfilter/table", 0);
    SN_OWNER = lys_find_path(ctx, NULL, "/pcp-netfilter:netfilter/owner", 0);
    if (SN_TABLE == NULL || SN_OWNER == NULL) {
        LOGE("the YANG module has no /netfilter/table or /netfilter/owner");
        return -1;
    }
    DEFAULT_TABLE = leaf_default(SN_TABLE);
    DEFAULT_PROTOCOL = leaf_default(LEAVES[L_PROTOCOL].snode);
    if (DEFAULT_TABLE == NULL || DEFAULT_PROTOCOL == NULL) {
        LOGE("the YANG module has no default for /netfilter/table or rule/match/protocol");
        return -1;
    }
    return 0;
}

/* ---- rules -------------------------------------------------------------------------------------- */

struct rule *rule_new(void) { return xcalloc(1, sizeof(struct rule)); }

struct rule *rule_dup(const struct rule *r) {
    struct rule *d = rule_new();
    for (int i = 0; i < L_COUNT; i++) {
        d->v[i] = r->v[i] ? xstrdup(r->v[i]) : NULL;
    }
    return d;
}

void rule_free(struct rule *r) {
    if (r == NULL || r == &DELETED) {
        return;
    }
    for (int i = 0; i < L_COUNT; i++) {
        free(r->v[i]);
    }
    free(r);
}

int rule_equal(const struct rule *a, const struct rule *b) {
    for (int i = 0; i < L_COUNT; i++) {
        if ((a->v[i] == NULL) != (b->v[i] == NULL) || (a->v[i] && strcmp(a->v[i], b->v[i]) != 0)) {
            return 0;
        }
    }
    return 1;
}

static void rule_set(struct rule *r, int leaf, const char *value) {
    free(r->v[leaf]);
    r->v[leaf] = value ? xstrdup(value) : NULL;
}

/* YANG choice semantics (RFC 7950 section 7.9): a node of one case removes the nodes of every other case */
static void rule_select_case(struct rule *r, enum kase k) {
    if (k == K_NONE) {
        return;
    }
    for (int i = 0; i < L_COUNT; i++) {
        if (LEAVES[i].kase != K_NONE && LEAVES[i].kase != k) {
            rule_set(r, i, NULL);
        }
    }
}

static int rule_has_cont(const struct rule *r, enum cont c) {
    for (int i = 0; i < L_COUNT; i++) {
        if (LEAVES[i].cont == c && r->v[i]) {
            return 1;
        }
    }
    return 0;
}

/* ---- store and change --------------------------------------------------------------------------- */

void store_init(struct store *st) {
    st->table = st->owner = NULL;
    hm_init(&st->rules);
}

const char *store_table(const struct store *st) { return st->table ? st->table : DEFAULT_TABLE; }

void change_init(struct change *c) {
    memset(c, 0, sizeof *c);
    hm_init(&c->staged);
}

static void free_staged(void *v) { rule_free(v); }

void change_free(struct change *c) {
    hm_free(&c->staged, free_staged);
    for (size_t i = 0; i < c->n; i++) {
        free(c->names[i]);
    }
    free(c->names);
    free(c->table);
    free(c->owner);
    memset(c, 0, sizeof *c);
}

const struct rule *change_get(const struct change *c, const struct store *st, const char *name) {
    const struct rule *r = hm_get(&c->staged, name);
    if (r) {
        return r == &DELETED ? NULL : r;
    }
    return hm_get(&st->rules, name);
}

static void change_stage(struct change *c, const char *name, struct rule *r) {
    struct rule *old = hm_put(&c->staged, name, r);
    if (old == NULL) {
        if (c->n == c->cap) {
            c->cap = c->cap ? c->cap * 2 : 16;
            c->names = realloc(c->names, c->cap * sizeof *c->names);
            if (c->names == NULL) {
                abort();
            }
        }
        c->names[c->n++] = xstrdup(name);
    } else if (old != r) {
        rule_free(old);
    }
}

static const char *change_table(const struct change *c, const struct store *st) {
    return c->table_set ? c->table : st->table;
}

static const char *change_owner(const struct change *c, const struct store *st) {
    return c->owner_set ? c->owner : st->owner;
}

void change_commit(struct store *st, struct change *c) {
    for (size_t i = 0; i < c->n; i++) {
        const char *name = c->names[i];
        struct rule *r = hm_del(&c->staged, name);
        struct rule *old = r == &DELETED ? hm_del(&st->rules, name) : hm_put(&st->rules, name, r);
        rule_free(old);
    }
    if (c->table_set) {
        free(st->table);
        st->table = c->table;
        c->table = NULL;
    }
    if (c->owner_set) {
        free(st->owner);
        st->owner = c->owner;
        c->owner = NULL;
    }
}

/* ---- edit-config -------------------------------------------------------------------------------- */

struct edit {
    const struct store *st;
    struct change *c;
    struct nerr *e;
};

static const struct lyd_node_opaq *opaq(const struct lyd_node *n) {
    return n->schema == NULL ? (const struct lyd_node_opaq *)n : NULL;
}

static const char *op_name(enum op op) {
    static const char *names[] = {"none", "merge", "replace", "create", "delete", "remove"};
    return names[op];
}

/* the node's own nc:operation, or the inherited one; any other attribute is refused */
static int node_op(struct edit *ed, const struct lyd_node_opaq *o, enum op inherited, enum op *out) {
    *out = inherited;
    for (const struct lyd_attr *a = o->attr; a; a = a->next) {
        const char *ns = a->name.module_ns;
        if (ns && strcmp(ns, NS_BASE) == 0 && strcmp(a->name.name, "operation") == 0) {
            static const enum op ops[] = {OP_MERGE, OP_REPLACE, OP_CREATE, OP_DELETE, OP_REMOVE};
            int found = 0;
            for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
                if (strcmp(a->value, op_name(ops[i])) == 0) {
                    *out = ops[i];
                    found = 1;
                }
            }
            if (!found) {
                nerr_set(ed->e, NC_ERR_BAD_ATTR, NC_ERR_TYPE_PROT, "operation \"%s\" is not one of merge, replace, "
                         "create, delete, remove", a->value);
                snprintf(ed->e->attr, sizeof ed->e->attr, "operation");
                snprintf(ed->e->elem, sizeof ed->e->elem, "%s", o->name.name);
                return -1;
            }
        } else {
            nerr_set(ed->e, NC_ERR_UNKNOWN_ATTR, NC_ERR_TYPE_PROT, "unexpected attribute %s on <%s>",
                     a->name.name, o->name.name);
            snprintf(ed->e->attr, sizeof ed->e->attr, "%s", a->name.name);
            snprintf(ed->e->elem, sizeof ed->e->elem, "%s", o->name.name);
            return -1;
        }
    }
    return 0;
}

/* an element of this module (else unknown-namespace/unknown-element) */
static const struct lyd_node_opaq *pcpnf_elem(struct edit *ed, const struct lyd_node *n, const char *where) {
    const struct lyd_node_opaq *o = opaq(n);
    if (o == NULL) {
        nerr_set(ed->e, NC_ERR_UNKNOWN_ELEM, NC_ERR_TYPE_APP, "<%s> is not part of pcp-netfilter", LYD_NAME(n));
        snprintf(ed->e->elem, sizeof ed->e->elem, "%s", LYD_NAME(n));
        return NULL;
    }
    const char *ns = o->name.module_ns;
    if (ns == NULL || strcmp(ns, NS_PCPNF) != 0) {
        nerr_set(ed->e, NC_ERR_UNKNOWN_NS, NC_ERR_TYPE_APP, "<%s> in namespace %s: this server holds only %s",
                 o->name.name, ns ? ns : "(none)", NS_PCPNF);
        snprintf(ed->e->elem, sizeof ed->e->elem, "%s", o->name.name);
        snprintf(ed->e->ns, sizeof ed->e->ns, "%s", ns ? ns : "");
        snprintf(ed->e->path, sizeof ed->e->path, "%s", where);
        return NULL;
    }
    return o;
}

static int unknown_elem(struct edit *ed, const struct lyd_node_opaq *o, const char *where) {
    nerr_set(ed->e, NC_ERR_UNKNOWN_ELEM, NC_ERR_TYPE_APP, "pcp-netfilter has no <%s> in %s", o->name.name, where);
    snprintf(ed->e->elem, sizeof ed->e->elem, "%s", o->name.name);
    snprintf(ed->e->path, sizeof ed->e->path, "%s", where);
    return -1;
}

static int no_children(struct edit *ed, const struct lyd_node_opaq *o, const char *path) {
    if (o->child) {
        nerr_set(ed->e, NC_ERR_BAD_ELEM, NC_ERR_TYPE_APP, "leaf <%s> has child elements", o->name.name);
        snprintf(ed->e->elem, sizeof ed->e->elem, "%s", o->name.name);
        snprintf(ed->e->path, sizeof ed->e->path, "%s", path);
        return -1;
    }
    return 0;
}

/* the value against the leaf's YANG type (patterns, ranges, enumerations, address and date formats) */
static int check_value(struct edit *ed, const struct lysc_node *sn, const char *value, const char *path) {
    if (lyd_value_validate(MODEL, sn, value, strlen(value), NULL, NULL, NULL) == LY_SUCCESS) {
        return 0;
    }
    const char *why = ly_errmsg(MODEL);
    nerr_set(ed->e, NC_ERR_INVALID_VALUE, NC_ERR_TYPE_APP, "%s: %s", path, why ? why : "invalid value");
    snprintf(ed->e->path, sizeof ed->e->path, "%s", path);
    snprintf(ed->e->elem, sizeof ed->e->elem, "%s", sn->name);
    return -1;
}

static void rule_path(char *buf, size_t len, const char *name, const char *rest) {
    snprintf(buf, len, "/pcp-netfilter:netfilter/rule[name='%s']%s%s", name, rest ? "/" : "", rest ? rest : "");
}

/* one leaf of a rule: n is its element, r the rule being built */
static int edit_rule_leaf(struct edit *ed, struct rule *r, int leaf, const struct lyd_node_opaq *o, enum op op) {
    char path[512];
    char rest[96];
    const struct leafdef *d = &LEAVES[leaf];
    if (d->cont == C_RULE) {
        snprintf(rest, sizeof rest, "%s", d->name);
    } else {
        snprintf(rest, sizeof rest, "%s/%s", CONTS[d->cont].name, d->name);
    }
    rule_path(path, sizeof path, r->v[L_NAME], rest);
    if (no_children(ed, o, path) != 0) {
        return -1;
    }
    switch (op) {
    case OP_NONE:
        return 0;
    case OP_CREATE:
        if (r->v[leaf]) {
            nerr_set(ed->e, NC_ERR_DATA_EXISTS, NC_ERR_TYPE_APP, "%s exists (create)", path);
            snprintf(ed->e->path, sizeof ed->e->path, "%s", path);
            return -1;
        }
        /* fall through */
    case OP_MERGE:
    case OP_REPLACE:
        if (check_value(ed, d->snode, o->value, path) != 0) {
            return -1;
        }
        rule_select_case(r, d->kase);
        rule_set(r, leaf, o->value);
        return 0;
    case OP_DELETE:
        if (r->v[leaf] == NULL) {
            nerr_set(ed->e, NC_ERR_DATA_MISSING, NC_ERR_TYPE_APP, "%s does not exist (delete)", path);
            snprintf(ed->e->path, sizeof ed->e->path, "%s", path);
            return -1;
        }
        /* fall through */
    case OP_REMOVE:
        rule_set(r, leaf, NULL);
        return 0;
    }
    return 0;
}

static int find_leaf(enum cont c, const char *name) {
    for (int i = 0; i < L_COUNT; i++) {
        if (LEAVES[i].cont == c && strcmp(LEAVES[i].name, name) == 0) {
            return i;
        }
    }
    return -1;
}

/* a container of a rule (match, dnat, snat) */
static int edit_rule_cont(struct edit *ed, struct rule *r, enum cont c, const struct lyd_node_opaq *o, enum op op) {
    char path[512];
    rule_path(path, sizeof path, r->v[L_NAME], CONTS[c].name);
    switch (op) {
    case OP_DELETE:
        if (!rule_has_cont(r, c)) {
            nerr_set(ed->e, NC_ERR_DATA_MISSING, NC_ERR_TYPE_APP, "%s does not exist (delete)", path);
            snprintf(ed->e->path, sizeof ed->e->path, "%s", path);
            return -1;
        }
        /* fall through */
    case OP_REMOVE:
        for (int i = 0; i < L_COUNT; i++) {
            if (LEAVES[i].cont == c) {
                rule_set(r, i, NULL);
            }
        }
        return 0;
    case OP_CREATE:
        if (rule_has_cont(r, c)) {
            nerr_set(ed->e, NC_ERR_DATA_EXISTS, NC_ERR_TYPE_APP, "%s exists (create)", path);
            snprintf(ed->e->path, sizeof ed->e->path, "%s", path);
            return -1;
        }
        rule_select_case(r, CONTS[c].kase);
        break;
    case OP_REPLACE:
        for (int i = 0; i < L_COUNT; i++) {
            if (LEAVES[i].cont == c) {
                rule_set(r, i, NULL);
            }
        }
        rule_select_case(r, CONTS[c].kase);
        break;
    case OP_MERGE:
        rule_select_case(r, CONTS[c].kase);
        break;
    case OP_NONE:
        break;
    }
    for (const struct lyd_node *ch = o->child; ch; ch = ch->next) {
        const struct lyd_node_opaq *co = pcpnf_elem(ed, ch, path);
        if (co == NULL) {
            return -1;
        }
        int leaf = find_leaf(c, co->name.name);
        if (leaf < 0) {
            return unknown_elem(ed, co, path);
        }
        enum op cop;
        if (node_op(ed, co, op, &cop) != 0 || edit_rule_leaf(ed, r, leaf, co, cop) != 0) {
            return -1;
        }
    }
    return 0;
}

static int edit_rule_children(struct edit *ed, struct rule *r, const struct lyd_node *first, enum op op) {
    char path[512];
    rule_path(path, sizeof path, r->v[L_NAME], NULL);
    for (const struct lyd_node *ch = first; ch; ch = ch->next) {
        const struct lyd_node_opaq *co = pcpnf_elem(ed, ch, path);
        if (co == NULL) {
            return -1;
        }
        if (strcmp(co->name.name, "name") == 0) {
            continue;   /* the key: it names the entry, it is not edited */
        }
        enum op cop;
        if (node_op(ed, co, op, &cop) != 0) {
            return -1;
        }
        int leaf = find_leaf(C_RULE, co->name.name);
        if (leaf >= 0) {
            if (edit_rule_leaf(ed, r, leaf, co, cop) != 0) {
                return -1;
            }
            continue;
        }
        int c;
        for (c = C_MATCH; c < C_COUNT; c++) {
            if (strcmp(CONTS[c].name, co->name.name) == 0) {
                break;
            }
        }
        if (c == C_COUNT) {
            return unknown_elem(ed, co, path);
        }
        if (edit_rule_cont(ed, r, (enum cont)c, co, cop) != 0) {
            return -1;
        }
    }
    return 0;
}

/* one <rule> list entry */
static int edit_rule(struct edit *ed, const struct lyd_node_opaq *o, enum op op) {
    const struct lyd_node_opaq *key = NULL;
    for (const struct lyd_node *ch = o->child; ch; ch = ch->next) {
        const struct lyd_node_opaq *co = opaq(ch);
        if (co && co->name.module_ns && strcmp(co->name.module_ns, NS_PCPNF) == 0 &&
            strcmp(co->name.name, "name") == 0) {
            key = co;
            break;
        }
    }
    if (key == NULL) {
        nerr_set(ed->e, NC_ERR_MISSING_ELEM, NC_ERR_TYPE_PROT, "a <rule> without its key <name>");
        snprintf(ed->e->elem, sizeof ed->e->elem, "name");
        snprintf(ed->e->path, sizeof ed->e->path, "/pcp-netfilter:netfilter/rule");
        return -1;
    }
    const char *name = key->value;
    if (check_value(ed, LEAVES[L_NAME].snode, name, "/pcp-netfilter:netfilter/rule/name") != 0) {
        return -1;
    }
    char path[512];
    rule_path(path, sizeof path, name, NULL);
    const struct rule *cur = change_get(ed->c, ed->st, name);
    struct rule *r;
    switch (op) {
    case OP_DELETE:
        if (cur == NULL) {
            nerr_set(ed->e, NC_ERR_DATA_MISSING, NC_ERR_TYPE_APP, "%s does not exist (delete)", path);
            snprintf(ed->e->path, sizeof ed->e->path, "%s", path);
            return -1;
        }
        /* fall through */
    case OP_REMOVE:
        if (cur != NULL || hm_get(&ed->c->staged, name)) {
            change_stage(ed->c, name, &DELETED);
        }
        return 0;
    case OP_CREATE:
        if (cur != NULL) {
            nerr_set(ed->e, NC_ERR_DATA_EXISTS, NC_ERR_TYPE_APP, "%s exists (create)", path);
            snprintf(ed->e->path, sizeof ed->e->path, "%s", path);
            return -1;
        }
        r = rule_new();
        break;
    case OP_REPLACE:
        r = rule_new();
        break;
    case OP_NONE:
        if (cur == NULL) {
            nerr_set(ed->e, NC_ERR_DATA_MISSING, NC_ERR_TYPE_APP, "%s does not exist (default-operation none)",
                     path);
            snprintf(ed->e->path, sizeof ed->e->path, "%s", path);
            return -1;
        }
        r = rule_dup(cur);
        break;
    case OP_MERGE:
    default:
        r = cur ? rule_dup(cur) : rule_new();
        break;
    }
    rule_set(r, L_NAME, name);
    if (edit_rule_children(ed, r, o->child, op) != 0) {
        rule_free(r);
        return -1;
    }
    change_stage(ed->c, name, r);
    return 0;
}

static void stage_delete_all(const char *key, void *val, void *arg) {
    (void)val;
    struct change *c = arg;
    change_stage(c, key, &DELETED);
}

/* the container holds anything (after the change so far), as far as a container-level create/delete is concerned */
static int netfilter_exists(const struct edit *ed) {
    if (change_table(ed->c, ed->st) || change_owner(ed->c, ed->st)) {
        return 1;
    }
    size_t present = ed->st->rules.n;
    for (size_t i = 0; i < ed->c->n; i++) {
        int in_store = hm_get(&ed->st->rules, ed->c->names[i]) != NULL;
        int deleted = hm_get(&ed->c->staged, ed->c->names[i]) == &DELETED;
        if (in_store && deleted) {
            present--;
        } else if (!in_store && !deleted) {
            present++;
        }
    }
    return present > 0;
}

static int edit_top_leaf(struct edit *ed, const struct lyd_node_opaq *o, enum op op, int is_table) {
    const char *path = is_table ? "/pcp-netfilter:netfilter/table" : "/pcp-netfilter:netfilter/owner";
    const char *cur = is_table ? change_table(ed->c, ed->st) : change_owner(ed->c, ed->st);
    const char *value = NULL;
    if (no_children(ed, o, path) != 0) {
        return -1;
    }
    switch (op) {
    case OP_NONE:
        return 0;
    case OP_CREATE:
        if (cur) {
            nerr_set(ed->e, NC_ERR_DATA_EXISTS, NC_ERR_TYPE_APP, "%s exists (create)", path);
            snprintf(ed->e->path, sizeof ed->e->path, "%s", path);
            return -1;
        }
        /* fall through */
    case OP_MERGE:
    case OP_REPLACE:
        if (check_value(ed, is_table ? SN_TABLE : SN_OWNER, o->value, path) != 0) {
            return -1;
        }
        value = o->value;
        break;
    case OP_DELETE:
        if (cur == NULL) {
            nerr_set(ed->e, NC_ERR_DATA_MISSING, NC_ERR_TYPE_APP, "%s does not exist (delete)", path);
            snprintf(ed->e->path, sizeof ed->e->path, "%s", path);
            return -1;
        }
        break;
    case OP_REMOVE:
        break;
    }
    if (is_table) {
        free(ed->c->table);
        ed->c->table = value ? xstrdup(value) : NULL;
        ed->c->table_set = 1;
    } else {
        free(ed->c->owner);
        ed->c->owner = value ? xstrdup(value) : NULL;
        ed->c->owner_set = 1;
    }
    return 0;
}

static int edit_netfilter(struct edit *ed, const struct lyd_node_opaq *o, enum op op) {
    switch (op) {
    case OP_DELETE:
        if (!netfilter_exists(ed)) {
            nerr_set(ed->e, NC_ERR_DATA_MISSING, NC_ERR_TYPE_APP, "/pcp-netfilter:netfilter is empty (delete)");
            snprintf(ed->e->path, sizeof ed->e->path, "/pcp-netfilter:netfilter");
            return -1;
        }
        /* fall through */
    case OP_REMOVE:
    case OP_REPLACE:
        /* the one edit whose cost grows with the rules held: it names every one of them */
        hm_each(&ed->st->rules, stage_delete_all, ed->c);
        for (size_t i = 0; i < ed->c->n; i++) {
            change_stage(ed->c, ed->c->names[i], &DELETED);
        }
        free(ed->c->table);
        free(ed->c->owner);
        ed->c->table = ed->c->owner = NULL;
        ed->c->table_set = ed->c->owner_set = 1;
        if (op != OP_REPLACE) {
            return 0;
        }
        break;
    case OP_CREATE:
        if (netfilter_exists(ed)) {
            nerr_set(ed->e, NC_ERR_DATA_EXISTS, NC_ERR_TYPE_APP, "/pcp-netfilter:netfilter exists (create)");
            snprintf(ed->e->path, sizeof ed->e->path, "/pcp-netfilter:netfilter");
            return -1;
        }
        break;
    default:
        break;
    }
    for (const struct lyd_node *ch = o->child; ch; ch = ch->next) {
        const struct lyd_node_opaq *co = pcpnf_elem(ed, ch, "/pcp-netfilter:netfilter");
        if (co == NULL) {
            return -1;
        }
        enum op cop;
        if (node_op(ed, co, op, &cop) != 0) {
            return -1;
        }
        int rc;
        if (strcmp(co->name.name, "rule") == 0) {
            rc = edit_rule(ed, co, cop);
        } else if (strcmp(co->name.name, "table") == 0) {
            rc = edit_top_leaf(ed, co, cop, 1);
        } else if (strcmp(co->name.name, "owner") == 0) {
            rc = edit_top_leaf(ed, co, cop, 0);
        } else {
            rc = unknown_elem(ed, co, "/pcp-netfilter:netfilter");
        }
        if (rc != 0) {
            return -1;
        }
    }
    return 0;
}

int edit_parse(const struct store *st, struct change *c, const struct lyd_node *config, enum op dflt, struct nerr *e) {
    struct edit ed = {st, c, e};
    for (const struct lyd_node *n = config; n; n = n->next) {
        const struct lyd_node_opaq *o = pcpnf_elem(&ed, n, "/");
        if (o == NULL) {
            return -1;
        }
        if (strcmp(o->name.name, "netfilter") != 0) {
            return unknown_elem(&ed, o, "/");
        }
        enum op op;
        if (node_op(&ed, o, dflt, &op) != 0 || edit_netfilter(&ed, o, op) != 0) {
            return -1;
        }
    }
    return 0;
}

/* what YANG requires of each entry as a whole: mandatory leaves and the mandatory action choice */
int change_check(const struct store *st, const struct change *c, struct nerr *e) {
    (void)st;
    for (size_t i = 0; i < c->n; i++) {
        const struct rule *r = hm_get(&c->staged, c->names[i]);
        if (r == &DELETED) {
            continue;
        }
        char path[512];
        static const int mandatory[] = {L_MAPPING, L_FAMILY, L_HOOK};
        for (size_t m = 0; m < sizeof mandatory / sizeof mandatory[0]; m++) {
            if (r->v[mandatory[m]] == NULL) {
                rule_path(path, sizeof path, r->v[L_NAME], LEAVES[mandatory[m]].name);
                nerr_set(e, NC_ERR_DATA_MISSING, NC_ERR_TYPE_APP, "mandatory %s is missing", path);
                snprintf(e->path, sizeof e->path, "%s", path);
                return -1;
            }
        }
        int cases = 0;
        for (int k = K_DNAT; k <= K_DSCP; k++) {
            for (int l = 0; l < L_COUNT; l++) {
                if (LEAVES[l].kase == (enum kase)k && r->v[l]) {
                    cases++;
                    break;
                }
            }
        }
        if (cases == 0) {
            rule_path(path, sizeof path, r->v[L_NAME], NULL);
            nerr_set(e, NC_ERR_DATA_MISSING, NC_ERR_TYPE_APP, "%s: the mandatory choice action (dnat, snat, accept "
                     "or set-dscp) is missing", path);
            snprintf(e->path, sizeof e->path, "%s", path);
            e->app_tag = "missing-choice";
            return -1;
        }
        static const int nat_addr[] = {L_DNAT_ADDR, L_SNAT_ADDR};
        for (size_t m = 0; m < 2; m++) {
            enum cont cn = LEAVES[nat_addr[m]].cont;
            if (rule_has_cont(r, cn) && r->v[nat_addr[m]] == NULL) {
                char rest[32];
                snprintf(rest, sizeof rest, "%s/to-address", CONTS[cn].name);
                rule_path(path, sizeof path, r->v[L_NAME], rest);
                nerr_set(e, NC_ERR_DATA_MISSING, NC_ERR_TYPE_APP, "mandatory %s is missing", path);
                snprintf(e->path, sizeof e->path, "%s", path);
                return -1;
            }
        }
    }
    return 0;
}

/* ---- XML out ------------------------------------------------------------------------------------ */

static void leaf_xml(struct sbuf *b, const char *name, const char *value) {
    if (value[0] == '\0') {
        sb_printf(b, "<%s/>", name);
        return;
    }
    sb_printf(b, "<%s>", name);
    sb_xml(b, value);
    sb_printf(b, "</%s>", name);
}

static void print_rule_op(const struct rule *r, struct sbuf *out, const char *op) {
    if (op) {
        sb_printf(out, "<rule nc:operation=\"%s\">", op);
    } else {
        sb_str(out, "<rule>");
    }
    enum cont open = C_RULE;
    for (int i = 0; i < L_COUNT; i++) {
        if (r->v[i] == NULL) {
            continue;
        }
        if (LEAVES[i].cont != open) {
            if (open != C_RULE) {
                sb_printf(out, "</%s>", CONTS[open].name);
            }
            open = LEAVES[i].cont;
            if (open != C_RULE) {
                sb_printf(out, "<%s>", CONTS[open].name);
            }
        }
        leaf_xml(out, LEAVES[i].name, r->v[i]);
    }
    if (open != C_RULE) {
        sb_printf(out, "</%s>", CONTS[open].name);
    }
    sb_str(out, "</rule>");
}

void print_rule(const struct rule *r, struct sbuf *out) { print_rule_op(r, out, NULL); }

static void print_rule_cb(const char *key, void *val, void *arg) {
    (void)key;
    print_rule(val, arg);
}

void print_netfilter(const struct store *st, struct sbuf *out) {
    sb_str(out, "<netfilter xmlns=\"" NS_PCPNF "\">");
    if (st->table) {
        leaf_xml(out, "table", st->table);
    }
    if (st->owner) {
        leaf_xml(out, "owner", st->owner);
    }
    hm_each(&st->rules, print_rule_cb, out);
    sb_str(out, "</netfilter>");
}

void print_change(const struct store *st, const struct change *c, struct sbuf *out) {
    (void)st;
    sb_str(out, "<netfilter xmlns=\"" NS_PCPNF "\" xmlns:nc=\"" NS_BASE "\">");
    if (c->table_set) {
        if (c->table) {
            sb_str(out, "<table nc:operation=\"replace\">");
            sb_xml(out, c->table);
            sb_str(out, "</table>");
        } else {
            sb_str(out, "<table nc:operation=\"remove\"/>");
        }
    }
    if (c->owner_set) {
        if (c->owner) {
            sb_str(out, "<owner nc:operation=\"replace\">");
            sb_xml(out, c->owner);
            sb_str(out, "</owner>");
        } else {
            sb_str(out, "<owner nc:operation=\"remove\"/>");
        }
    }
    for (size_t i = 0; i < c->n; i++) {
        const struct rule *r = hm_get(&c->staged, c->names[i]);
        if (r == &DELETED) {
            sb_str(out, "<rule nc:operation=\"remove\"><name>");
            sb_xml(out, c->names[i]);
            sb_str(out, "</name></rule>");
        } else {
            print_rule_op(r, out, "replace");
        }
    }
    sb_str(out, "</netfilter>");
}

/* ---- subtree filtering (RFC 6241 section 6) ----------------------------------------------------- */

/* a generic view of the data for the filter: an element with a value (leaf) or children */
struct gnode {
    const char *name;
    const char *value;                /* leaves; NULL for containers and list entries */
    int is_key;
    struct gnode *child, *next;
};

static struct gnode *gn(const char *name, const char *value, struct gnode *parent) {
    struct gnode *g = xcalloc(1, sizeof *g);
    g->name = name;
    g->value = value;
    if (parent) {
        struct gnode **p = &parent->child;
        while (*p) {
            p = &(*p)->next;
        }
        *p = g;
    }
    return g;
}

static void gn_free(struct gnode *g) {
    while (g) {
        struct gnode *next = g->next;
        gn_free(g->child);
        free(g);
        g = next;
    }
}

static struct gnode *rule_gnode(const struct rule *r) {
    struct gnode *g = gn("rule", NULL, NULL), *cont = NULL;
    enum cont open = C_RULE;
    for (int i = 0; i < L_COUNT; i++) {
        if (r->v[i] == NULL) {
            continue;
        }
        if (LEAVES[i].cont != open) {
            open = LEAVES[i].cont;
            cont = open == C_RULE ? NULL : gn(CONTS[open].name, NULL, g);
        }
        struct gnode *l = gn(LEAVES[i].name, r->v[i], cont ? cont : g);
        l->is_key = i == L_NAME;
    }
    return g;
}

struct gn_build {
    struct gnode *nf;
};

static void add_rule_gnode(const char *key, void *val, void *arg) {
    (void)key;
    struct gn_build *b = arg;
    struct gnode *rg = rule_gnode(val);
    struct gnode **p = &b->nf->child;
    rg->next = *p;      /* order does not matter in a list ordered-by system */
    *p = rg;
}

static int filter_ns_ok(const struct lyd_node_opaq *f) {
    /* no namespace in a filter matches every namespace (RFC 6241 section 6.2.1) */
    return f->name.module_ns == NULL || f->name.module_ns[0] == '\0' || strcmp(f->name.module_ns, NS_PCPNF) == 0;
}

static int is_blank(const char *s) {
    for (; s && *s; s++) {
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') {
            return 0;
        }
    }
    return 1;
}

static void gn_print(const struct gnode *g, struct sbuf *out) {
    for (; g; g = g->next) {
        if (g->value) {
            leaf_xml(out, g->name, g->value);
        } else {
            sb_printf(out, "<%s>", g->name);
            gn_print(g->child, out);
            sb_printf(out, "</%s>", g->name);
        }
    }
}

/* prints the children of data node d that the filter siblings fs select; 0 when nothing matched */
static int filter_children(const struct lyd_node *fs, const struct gnode *d, struct sbuf *out) {
    int content = 0, select = 0;
    /* content match nodes: every one must match a child leaf of d */
    for (const struct lyd_node *f = fs; f; f = f->next) {
        const struct lyd_node_opaq *fo = opaq(f);
        if (fo == NULL || !filter_ns_ok(fo)) {
            return 0;
        }
        if (fo->child == NULL && !is_blank(fo->value)) {
            content = 1;
            int matched = 0;
            for (const struct gnode *c = d->child; c; c = c->next) {
                if (c->value && strcmp(c->name, fo->name.name) == 0 && strcmp(c->value, fo->value) == 0) {
                    matched = 1;
                }
            }
            if (!matched) {
                return 0;
            }
        } else {
            select = 1;
        }
    }
    if (!select) {
        /* only content matches (all true): the whole of d */
        gn_print(d->child, out);
        return 1;
    }
    size_t start = out->len;
    int any = 0;
    /* keys first, so that a selected list entry still names itself */
    for (const struct gnode *c = d->child; c; c = c->next) {
        if (c->is_key) {
            leaf_xml(out, c->name, c->value);
        }
    }
    for (const struct gnode *c = d->child; c; c = c->next) {
        int printed = 0;
        for (const struct lyd_node *f = fs; f && !printed; f = f->next) {
            const struct lyd_node_opaq *fo = opaq(f);
            if (strcmp(fo->name.name, c->name) != 0) {
                continue;
            }
            if (fo->child == NULL) {
                /* selection node, or a content match node (its leaf is part of the output) */
                if (!c->is_key) {
                    if (c->value) {
                        leaf_xml(out, c->name, c->value);
                    } else {
                        sb_printf(out, "<%s>", c->name);
                        gn_print(c->child, out);
                        sb_printf(out, "</%s>", c->name);
                    }
                }
                printed = any = 1;
            } else if (c->value == NULL) {
                /* containment node */
                size_t at = out->len;
                sb_printf(out, "<%s>", c->name);
                if (filter_children(fo->child, c, out)) {
                    sb_printf(out, "</%s>", c->name);
                    printed = any = 1;
                } else {
                    out->len = at;
                    out->p[at] = '\0';
                }
            }
        }
    }
    if (!any && !content) {
        out->len = start;
        out->p[start] = '\0';
        return 0;
    }
    return 1;
}

int print_filtered(const struct store *st, const struct lyd_node *filter, struct sbuf *out, struct nerr *e) {
    (void)e;
    sb_str(out, "");
    for (const struct lyd_node *f = filter; f; f = f->next) {
        const struct lyd_node_opaq *fo = opaq(f);
        if (fo == NULL || !filter_ns_ok(fo) || strcmp(fo->name.name, "netfilter") != 0) {
            continue;   /* selects nothing that this server holds */
        }
        if (fo->child == NULL && is_blank(fo->value)) {
            print_netfilter(st, out);
            continue;
        }
        struct gnode *nf = gn("netfilter", NULL, NULL);
        if (st->table) {
            gn("table", st->table, nf);
        }
        if (st->owner) {
            gn("owner", st->owner, nf);
        }
        struct gn_build b = {nf};
        hm_each(&st->rules, add_rule_gnode, &b);
        size_t at = out->len;
        sb_str(out, "<netfilter xmlns=\"" NS_PCPNF "\">");
        if (fo->child && filter_children(fo->child, nf, out)) {
            sb_str(out, "</netfilter>");
        } else {
            out->len = at;
            out->p[at] = '\0';
        }
        gn_free(nf);
    }
    return 0;
}
