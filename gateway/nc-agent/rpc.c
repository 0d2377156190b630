/*
 * pcp-nc-agent: the NETCONF operations (RFC 6241 section 7) on the one running datastore.
 *
 * Supported: get-config and get (subtree filter), edit-config on running (merge/replace/create/delete/remove,
 * default-operation merge/replace/none; every edit is all or nothing, whatever the error-option), lock and unlock
 * of running, close-session and kill-session. Not supported (operation-not-supported): copy-config,
 * delete-config, and everything the capabilities do not announce (candidate, startup, validate, url, xpath).
 */
#include "agent.h"

#include <stdlib.h>
#include <string.h>

struct session_data;

static struct nc_server_reply *error_reply(const struct nerr *e) {
    struct lyd_node *err;
    switch (e->tag) {
    case NC_ERR_UNKNOWN_ELEM:
    case NC_ERR_MISSING_ELEM:
    case NC_ERR_BAD_ELEM:
        err = nc_err(A.nc_ctx, e->tag, e->type, e->elem);
        break;
    case NC_ERR_UNKNOWN_NS:
        err = nc_err(A.nc_ctx, e->tag, e->type, e->elem, e->ns);
        break;
    case NC_ERR_BAD_ATTR:
    case NC_ERR_UNKNOWN_ATTR:
    case NC_ERR_MISSING_ATTR:
        err = nc_err(A.nc_ctx, e->tag, e->type, e->attr, e->elem);
        break;
    case NC_ERR_LOCK_DENIED:
        err = nc_err(A.nc_ctx, e->tag, e->sid);
        break;
    case NC_ERR_DATA_EXISTS:
    case NC_ERR_DATA_MISSING:
    case NC_ERR_MALFORMED_MSG:
        err = nc_err(A.nc_ctx, e->tag);
        break;
    default:
        err = nc_err(A.nc_ctx, e->tag, e->type);
        break;
    }
    if (err == NULL) {
        return NULL;
    }
    if (e->msg[0]) {
        nc_err_set_msg(err, e->msg, "en");
    }
    if (e->path[0]) {
        nc_err_set_path(err, e->path);
    }
    if (e->app_tag) {
        nc_err_set_app_tag(err, e->app_tag);
    }
    if (e->tag == NC_ERR_IN_USE && e->sid) {
        nc_err_set_sid(err, e->sid);
    }
    return nc_server_reply_err(err);
}

static struct nc_server_reply *simple_error(NC_ERR tag, NC_ERR_TYPE type, const char *msg) {
    struct nerr e;
    memset(&e, 0, sizeof e);
    nerr_set(&e, tag, type, "%s", msg);
    return error_reply(&e);
}

static struct lyd_node *child(const struct lyd_node *rpc, const char *name) {
    for (struct lyd_node *c = lyd_child(rpc); c; c = c->next) {
        if (c->schema && strcmp(c->schema->name, name) == 0) {
            return c;
        }
    }
    return NULL;
}

/* the datastore named by a <source>/<target> container: only running exists here */
static int is_running(const struct lyd_node *container) {
    struct lyd_node *c = container ? lyd_child(container) : NULL;
    return c && c->schema && strcmp(c->schema->name, "running") == 0;
}

/* ---- get-config, get ------------------------------------------------------------------------------ */

static struct nc_server_reply *get(struct lyd_node *rpc, const char *opname) {
    struct lyd_node *filter = child(rpc, "filter");
    if (strcmp(opname, "get-config") == 0 && !is_running(child(rpc, "source"))) {
        return simple_error(NC_ERR_OP_NOT_SUPPORTED, NC_ERR_TYPE_PROT, "only the running datastore exists");
    }
    struct sbuf out = {0};
    struct nerr e;
    memset(&e, 0, sizeof e);
    if (filter) {
        for (struct lyd_meta *m = filter->meta; m; m = m->next) {
            if (strcmp(m->name, "type") == 0 && strcmp(lyd_get_meta_value(m), "subtree") != 0) {
                return simple_error(NC_ERR_OP_NOT_SUPPORTED, NC_ERR_TYPE_PROT, "only subtree filters are supported");
            }
        }
        struct lyd_node_any *any = (struct lyd_node_any *)filter;
        const struct lyd_node *tree = any->value_type == LYD_ANYDATA_DATATREE ? any->value.tree : NULL;
        print_filtered(&A.st, tree, &out, &e);
    } else {
        print_netfilter(&A.st, &out);
    }
    const struct lys_module *ietfnc = ly_ctx_get_module_implemented(A.nc_ctx, "ietf-netconf");
    struct lyd_node *reply = NULL;
    if (lyd_new_inner(NULL, ietfnc, opname, 0, &reply) != LY_SUCCESS ||
        lyd_new_any(reply, NULL, "data", sb_take(&out), 1, LYD_ANYDATA_XML, 1, NULL) != LY_SUCCESS) {
        lyd_free_tree(reply);
        return NULL;
    }
    return nc_server_reply_data(reply, NC_WD_EXPLICIT, NC_PARAMTYPE_FREE);
}

/* ---- edit-config ------------------------------------------------------------------------------------ */

int apply_change(struct change *c, struct nerr *e, const char *who) {
    double t0 = mono_now();
    if (change_check(&A.st, c, e) != 0) {
        return -1;
    }
    char err[1024] = "";
    int ncmds = 0;
    int rc = kernel_apply(&A.k, &A.st, c, err, sizeof err, &ncmds);
    if (rc == -1 && A.k.loaded && !kernel_table_present(&A.k)) {
        /* our table was removed behind our back (a "flush ruleset", say): rebuild it with the change */
        LOGW("table inet %s is gone: rebuilding it from the datastore", A.k.table);
        A.k.loaded = 0;
        rc = kernel_apply(&A.k, &A.st, c, err, sizeof err, &ncmds);
    }
    if (rc != 0) {
        nerr_set(e, rc == -2 ? NC_ERR_INVALID_VALUE : NC_ERR_OP_FAILED, NC_ERR_TYPE_APP, "%s", err);
        e->app_tag = "pcp-netfilter-nft";
        LOGW("%s: refused: %s", who, err);
        return -1;
    }
    double t1 = mono_now();
    struct sbuf rec = {0};
    print_change(&A.st, c, &rec);
    if (persist_append(&A.p, rec.p, rec.len, err, sizeof err) != 0) {
        sb_free(&rec);
        /* not on disk: take it out of the kernel again, so that nothing holds what was not acknowledged */
        char err2[512];
        if (kernel_load(&A.k, store_table(&A.st), &A.st, err2, sizeof err2) != 0) {
            LOGE("after a journal failure, cannot restore the kernel: %s", err2);
            A.k.loaded = 0;
        }
        nerr_set(e, NC_ERR_OP_FAILED, NC_ERR_TYPE_APP, "%s", err);
        LOGE("%s: %s", who, err);
        return -1;
    }
    sb_free(&rec);
    double t2 = mono_now();
    size_t puts = 0, dels = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (hm_get(&c->staged, c->names[i]) == &DELETED) {
            dels++;
        } else {
            puts++;
        }
    }
    change_commit(&A.st, c);
    if (A.p.journal_bytes > A.p.compact_min && A.p.journal_bytes > A.p.snapshot_bytes) {
        persist_compact(&A.p, &A.st);
    }
    A.last_change_rules = puts + dels;
    LOGI("%s: %zu puts, %zu deletes in nftables (%s) in %.2f ms, journal %.2f ms, total %.2f ms; %zu rules held", who,
         puts, dels, ncmds < 0 ? "full rebuild" : "incremental", (t1 - t0) * 1000, (t2 - t1) * 1000,
         (mono_now() - t0) * 1000, A.st.rules.n);
    return 0;
}

static struct nc_server_reply *edit_config(struct lyd_node *rpc, struct nc_session *session) {
    uint32_t sid = nc_session_get_id(session);
    if (!is_running(child(rpc, "target"))) {
        return simple_error(NC_ERR_OP_NOT_SUPPORTED, NC_ERR_TYPE_PROT, "only the running datastore exists");
    }
    if (A.lock_sid && A.lock_sid != sid) {
        struct nerr e;
        memset(&e, 0, sizeof e);
        nerr_set(&e, NC_ERR_IN_USE, NC_ERR_TYPE_PROT, "running is locked by session %u", A.lock_sid);
        e.sid = A.lock_sid;
        return error_reply(&e);
    }
    enum op dflt = OP_MERGE;
    struct lyd_node *d = child(rpc, "default-operation");
    if (d) {
        const char *v = lyd_get_value(d);
        dflt = !strcmp(v, "replace") ? OP_REPLACE : !strcmp(v, "none") ? OP_NONE : OP_MERGE;
    }
    if (child(rpc, "url")) {
        return simple_error(NC_ERR_OP_NOT_SUPPORTED, NC_ERR_TYPE_PROT, "url is not supported");
    }
    struct lyd_node *config = child(rpc, "config");
    const struct lyd_node *tree = NULL;
    if (config) {
        struct lyd_node_any *any = (struct lyd_node_any *)config;
        if (any->value_type != LYD_ANYDATA_DATATREE) {
            return simple_error(NC_ERR_INVALID_VALUE, NC_ERR_TYPE_PROT, "<config> must hold XML elements");
        }
        tree = any->value.tree;
    }
    struct change c;
    struct nerr e;
    memset(&e, 0, sizeof e);
    change_init(&c);
    char who[96];
    snprintf(who, sizeof who, "session %u (%s) edit-config", sid, session_user(session));
    struct nc_server_reply *reply;
    if (edit_parse(&A.st, &c, tree, dflt, &e) != 0 || apply_change(&c, &e, who) != 0) {
        if (e.tag != NC_ERR_OP_FAILED) {
            LOGI("%s refused: %s", who, e.msg);
        }
        reply = error_reply(&e);
    } else {
        reply = nc_server_reply_ok();
    }
    change_free(&c);
    return reply;
}

/* ---- lock, unlock, kill-session --------------------------------------------------------------------- */

static struct nc_server_reply *lock(struct lyd_node *rpc, struct nc_session *session, int take) {
    uint32_t sid = nc_session_get_id(session);
    if (!is_running(child(rpc, "target"))) {
        return simple_error(NC_ERR_OP_NOT_SUPPORTED, NC_ERR_TYPE_PROT, "only the running datastore exists");
    }
    if (take) {
        if (A.lock_sid) {
            struct nerr e;
            memset(&e, 0, sizeof e);
            nerr_set(&e, NC_ERR_LOCK_DENIED, NC_ERR_TYPE_PROT, "running is locked by session %u", A.lock_sid);
            e.sid = A.lock_sid;
            return error_reply(&e);
        }
        A.lock_sid = sid;
        LOGI("session %u locked running", sid);
    } else {
        if (A.lock_sid != sid) {
            return simple_error(NC_ERR_OP_FAILED, NC_ERR_TYPE_PROT, A.lock_sid ? "running is locked by another session"
                                                                                : "running is not locked");
        }
        A.lock_sid = 0;
        LOGI("session %u unlocked running", sid);
    }
    return nc_server_reply_ok();
}

static struct nc_server_reply *kill_session(struct lyd_node *rpc, struct nc_session *session) {
    struct lyd_node *id = child(rpc, "session-id");
    uint32_t victim = id ? (uint32_t)strtoul(lyd_get_value(id), NULL, 10) : 0;
    uint32_t sid = nc_session_get_id(session);
    if (victim == sid) {
        return simple_error(NC_ERR_INVALID_VALUE, NC_ERR_TYPE_PROT, "a session cannot kill itself (close-session)");
    }
    struct nc_session *s = NULL;
    for (uint16_t i = 0; (s = nc_ps_get_session(A.ps, i)); i++) {
        if (nc_session_get_id(s) == victim) {
            break;
        }
    }
    if (s == NULL) {
        return simple_error(NC_ERR_INVALID_VALUE, NC_ERR_TYPE_PROT, "no session with this session-id");
    }
    nc_session_set_status(s, NC_STATUS_INVALID);
    nc_session_set_term_reason(s, NC_SESSION_TERM_KILLED);
    nc_session_set_killed_by(s, sid);
    /* RFC 6241 section 7.9: its locks are released and its operations end */
    if (A.lock_sid == victim) {
        A.lock_sid = 0;
    }
    LOGI("session %u killed session %u", sid, victim);
    return nc_server_reply_ok();
}

void rpc_session_gone(struct nc_session *session) {
    uint32_t sid = nc_session_get_id(session);
    if (A.lock_sid == sid) {
        A.lock_sid = 0;
        LOGI("session %u ended holding the lock of running: released", sid);
    }
}

struct nc_server_reply *rpc_dispatch(struct lyd_node *rpc, struct nc_session *session) {
    const char *op = rpc->schema->name;
    if (!strcmp(op, "get-config") || !strcmp(op, "get")) {
        return get(rpc, op);
    } else if (!strcmp(op, "edit-config")) {
        return edit_config(rpc, session);
    } else if (!strcmp(op, "lock")) {
        return lock(rpc, session, 1);
    } else if (!strcmp(op, "unlock")) {
        return lock(rpc, session, 0);
    } else if (!strcmp(op, "kill-session")) {
        return kill_session(rpc, session);
    }
    return simple_error(NC_ERR_OP_NOT_SUPPORTED, NC_ERR_TYPE_PROT, "this server supports get-config, get, "
                        "edit-config, lock, unlock, close-session and kill-session on running");
}
