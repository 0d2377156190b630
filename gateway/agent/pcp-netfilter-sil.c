/*
 * libpcp-netfilter.so: netconfd (yuma123) server instrumentation for the pcp-netfilter module.
 *
 * Puts every commit of /pcpnf:netfilter into nftables *inside* the commit, so that the reply to
 * <commit> (or to <edit-config> on running) means the rules are in the kernel, and a change that nft
 * refuses fails the commit with an rpc-error and leaves datastore and kernel as they were.
 *
 * How (see docs/gateway.md, "The SIL agent"):
 *   - netconfd calls the edit callbacks registered here for the netfilter container, its table leaf
 *     and every rule list entry, first in the APPLY phase and then, once all edits are applied to the
 *     target, in the COMMIT phase, once per edit; an error in the COMMIT phase makes netconfd roll
 *     the whole transaction back.
 *   - APPLY callbacks are counted. COMMIT callbacks collect the changed rules (the complete entries
 *     as they are now in the target) and deleted rule names; the last COMMIT callback of a
 *     transaction sends them as one request to pcp-nft-agentd and waits for its answer, which is one
 *     nft transaction that adds and deletes single set elements and rules. Its cost depends on the
 *     size of the change, not on the number of rules held.
 *   - pcp-nft-agentd (Python, python3-nftables/libnftables JSON) is this module's child process on a
 *     pipe. The first request after it starts is a full LOAD of the running configuration.
 *   - A rollback after a successful apply (another module's SIL failing later) sends UNDO.
 * Leaf values cross the pipe escaped (\\ \n \t \xHH); pcp-nft-agentd validates every value.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "procdefs.h"
#include "agt.h"
#include "agt_cb.h"
#include "agt_cfg.h"
#include "agt_timer.h"
#include "agt_util.h"
#include "cfg.h"
#include "log.h"
#include "ncx.h"
#include "ncxmod.h"
#include "obj.h"
#include "rpc.h"
#include "ses.h"
#include "status.h"
#include "val.h"

#define MODNAME "pcp-netfilter"
#define DEFAULT_AGENTD "/usr/local/lib/pcp-gateway/pcp-nft-agentd"
#define REPLY_TIMEOUT_MS 120000

static ncx_module_t *pcpnf_mod;
static pid_t helper_pid = -1;
static FILE *helper_in;     /* we write requests */
static FILE *helper_out;    /* we read replies */
static int helper_loaded;   /* the helper holds the running configuration */
static uint32 load_timer;

/* the transaction in progress */
static struct {
    unsigned long long txid;
    int active;
    int expected;           /* APPLY callbacks seen */
    int seen;               /* COMMIT callbacks seen */
    int full_load;          /* a LOAD (start-up) or a container delete: rebuild from running */
    int applied;            /* flushed with success: a ROLLBACK must send UNDO */
    char *buf;              /* the request body being built */
    size_t len, cap;
    char *table;            /* a new table name, "" for the default, NULL for unchanged */
} tx;

static void buf_add(const char *s, size_t n) {
    if (tx.len + n + 1 > tx.cap) {
        size_t cap = tx.cap ? tx.cap * 2 : 65536;
        while (cap < tx.len + n + 1) cap *= 2;
        char *nb = realloc(tx.buf, cap);
        if (nb == NULL) { abort(); }
        tx.buf = nb;
        tx.cap = cap;
    }
    memcpy(tx.buf + tx.len, s, n);
    tx.len += n;
    tx.buf[tx.len] = '\0';
}

static void buf_str(const char *s) { buf_add(s, strlen(s)); }

/* a value on one line: backslash, newline, tab and other control characters escaped */
static void buf_escaped(const char *s) {
    char tmp[8];
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\\') buf_str("\\\\");
        else if (*p == '\n') buf_str("\\n");
        else if (*p == '\t') buf_str("\\t");
        else if (*p < 0x20 || *p == 0x7f) { snprintf(tmp, sizeof tmp, "\\x%02x", *p); buf_str(tmp); }
        else buf_add((const char *)p, 1);
    }
}

static void tx_reset(void) {
    tx.active = tx.expected = tx.seen = tx.full_load = tx.applied = 0;
    tx.txid = 0;
    tx.len = 0;
    if (tx.buf) tx.buf[0] = '\0';
    free(tx.table);
    tx.table = NULL;
}

static const char *node_name(const val_value_t *v) {
    return v ? (const char *)v->name : "";
}

static void emit_leaves(const val_value_t *parent, const char *prefix) {
    for (val_value_t *c = val_get_first_child(parent); c; c = val_get_next_child(c)) {
        if (obj_is_leaf(c->obj)) {
            xmlChar *s = val_make_sprintf_string(c);
            buf_str(prefix);
            buf_escaped((const char *)c->name);
            buf_str("=");
            if (s) { buf_escaped((const char *)s); free(s); }
            buf_str("\n");
        } else if (!prefix[0]) {            /* match, dnat, snat: one level of containers */
            char sub[128];
            snprintf(sub, sizeof sub, "%s/", (const char *)c->name);
            buf_escaped((const char *)c->name);
            buf_str("=\n");
            emit_leaves(c, sub);
        }
    }
}

static void emit_rule(const val_value_t *rule) {
    buf_str("PUT\n");
    emit_leaves(rule, "");
    buf_str("END\n");
}

static void emit_delete(const val_value_t *rule) {
    val_value_t *name = val_find_child(rule, (const xmlChar *)MODNAME, (const xmlChar *)"name");
    if (name == NULL) return;
    buf_str("DEL ");
    buf_escaped((const char *)VAL_STR(name));
    buf_str("\n");
}

/* ---------------------------------------------------------------------------------------------
 * the helper process
 */
static void helper_stop(void) {
    if (helper_in) { fclose(helper_in); helper_in = NULL; }
    if (helper_out) { fclose(helper_out); helper_out = NULL; }
    if (helper_pid > 0) {
        int st;
        kill(helper_pid, SIGTERM);
        waitpid(helper_pid, &st, 0);
    }
    helper_pid = -1;
    helper_loaded = 0;
}

static int helper_start(void) {
    int to_child[2], from_child[2];
    const char *agentd = getenv("PCPNF_AGENTD");
    if (agentd == NULL || !*agentd) agentd = DEFAULT_AGENTD;
    if (pipe(to_child) != 0) return -1;
    if (pipe(from_child) != 0) { close(to_child[0]); close(to_child[1]); return -1; }
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        dup2(to_child[0], 0);
        dup2(from_child[1], 1);
        /* stderr stays netconfd's (its log when started by start-gateway.sh) */
        for (int fd = 3; fd < 1024; fd++) close(fd);
        execl("/usr/bin/python3", "python3", agentd, (char *)NULL);
        _exit(127);
    }
    close(to_child[0]);
    close(from_child[1]);
    fcntl(to_child[1], F_SETFD, FD_CLOEXEC);
    fcntl(from_child[0], F_SETFD, FD_CLOEXEC);
    helper_in = fdopen(to_child[1], "w");
    helper_out = fdopen(from_child[0], "r");
    helper_pid = pid;
    helper_loaded = 0;
    log_info("\npcp-netfilter: started %s (PID %d)", agentd, (int)pid);
    return 0;
}

/* send one request, read the one-line answer into reply; 0 = OK */
static int helper_call(const char *req, size_t len, char *reply, size_t rlen) {
    signal(SIGPIPE, SIG_IGN);
    if (helper_pid <= 0 && helper_start() != 0) {
        snprintf(reply, rlen, "cannot start pcp-nft-agentd: %s", strerror(errno));
        return -1;
    }
    if (fwrite(req, 1, len, helper_in) != len || fflush(helper_in) != 0) {
        snprintf(reply, rlen, "pcp-nft-agentd is gone (write: %s)", strerror(errno));
        helper_stop();
        return -1;
    }
    struct pollfd pfd = { .fd = fileno(helper_out), .events = POLLIN };
    if (poll(&pfd, 1, REPLY_TIMEOUT_MS) <= 0) {
        snprintf(reply, rlen, "pcp-nft-agentd did not answer within %d s", REPLY_TIMEOUT_MS / 1000);
        helper_stop();
        return -1;
    }
    if (fgets(reply, (int)rlen, helper_out) == NULL) {
        snprintf(reply, rlen, "pcp-nft-agentd is gone (exited)");
        helper_stop();
        return -1;
    }
    reply[strcspn(reply, "\n")] = '\0';
    if (strncmp(reply, "OK", 2) == 0) return 0;
    if (strncmp(reply, "ERR ", 4) == 0) memmove(reply, reply + 4, strlen(reply + 4) + 1);
    return -1;
}

static val_value_t *running_netfilter(void) {
    cfg_template_t *running = cfg_get_config_id(NCX_CFGID_RUNNING);
    if (running == NULL || running->root == NULL) return NULL;
    return val_find_child(running->root, (const xmlChar *)MODNAME, (const xmlChar *)"netfilter");
}

/* the whole running configuration as a LOAD request, in tx.buf */
static void build_load(void) {
    val_value_t *nf = running_netfilter();
    tx.len = 0;
    buf_str("LOAD ");
    val_value_t *table = nf ? val_find_child(nf, (const xmlChar *)MODNAME, (const xmlChar *)"table") : NULL;
    if (table) buf_escaped((const char *)VAL_STR(table));
    buf_str("\n");
    if (nf) {
        for (val_value_t *c = val_get_first_child(nf); c; c = val_get_next_child(c)) {
            if (strcmp((const char *)c->name, "rule") == 0) emit_rule(c);
        }
    }
    buf_str("COMMIT\n");
}

static status_t flush(ses_cb_t *scb, rpc_msg_t *msg) {
    char reply[1024];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc;
    if (!helper_loaded || tx.full_load) {
        build_load();
        rc = helper_call(tx.buf, tx.len, reply, sizeof reply);
        if (rc == 0) helper_loaded = 1;
    } else {
        char *body = tx.buf ? strdup(tx.buf) : strdup("");
        tx.len = 0;
        buf_str("TX\n");
        if (tx.table) { buf_str("TABLE "); buf_escaped(tx.table); buf_str("\n"); }
        buf_str(body);
        buf_str("COMMIT\n");
        free(body);
        rc = helper_call(tx.buf, tx.len, reply, sizeof reply);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long us = (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000;
    if (rc == 0) {
        tx.applied = 1;
        log_info("\npcp-netfilter: transaction %llu in nftables: %s (%ld us)", tx.txid, reply, us);
        return NO_ERR;
    }
    log_error("\npcp-netfilter: transaction %llu refused, commit fails: %s", tx.txid, reply);
    if (scb && msg) {
        /* the reason goes to the client as error-message, error-app-tag names the gateway side */
        ncx_errinfo_t errinfo;
        memset(&errinfo, 0, sizeof errinfo);
        errinfo.error_message = (xmlChar *)reply;
        errinfo.error_app_tag = (xmlChar *)"pcp-netfilter-nft";
        agt_record_error_errinfo(scb, &msg->mhdr, NCX_LAYER_OPERATION, ERR_NCX_OPERATION_FAILED, NULL,
                                 NCX_NT_NONE, NULL, NCX_NT_NONE, NULL, &errinfo);
    }
    return ERR_NCX_OPERATION_FAILED;
}

/* ---------------------------------------------------------------------------------------------
 * the edit callback
 */
/* the rule entry a node belongs to (itself, or the ancestor), or NULL outside any rule */
static val_value_t *rule_of(val_value_t *v) {
    for (; v != NULL; v = v->parent) {
        if (strcmp(node_name(v), "rule") == 0 && v->parent && strcmp(node_name(v->parent), "netfilter") == 0) {
            return v;
        }
        if (strcmp(node_name(v), "netfilter") == 0) return NULL;
    }
    return NULL;
}

static status_t pcpnf_edit(ses_cb_t *scb, rpc_msg_t *msg, agt_cbtyp_t cbtyp, op_editop_t editop,
                           val_value_t *newval, val_value_t *curval) {
    val_value_t *node = newval ? newval : curval;
    const char *what = node_name(node);
    int is_rule = strcmp(what, "rule") == 0, is_table = strcmp(what, "table") == 0;
    int is_container = strcmp(what, "netfilter") == 0;
    int is_owner = strcmp(what, "owner") == 0;
    /* an edit of a leaf inside a rule (a merge of just <expires>, say) changes that rule: it goes out as
     * the whole rule entry as it is in the target after the edit */
    val_value_t *within = (!is_rule && !is_table && !is_container && !is_owner) ? rule_of(node) : NULL;
    if (!is_rule && !is_table && !is_container && within == NULL) return NO_ERR;
    if (within != NULL) {
        is_rule = 1;
    }
    unsigned long long txid = (msg && msg->rpc_txcb) ? (unsigned long long)msg->rpc_txcb->txid : 0;

    switch (cbtyp) {
    case AGT_CB_VALIDATE:
        return NO_ERR;     /* every value is validated by pcp-nft-agentd, with the change, at commit */
    case AGT_CB_APPLY:
        if (!tx.active || tx.txid != txid) {
            tx_reset();
            tx.active = 1;
            tx.txid = txid;
        }
        tx.expected++;
        return NO_ERR;
    case AGT_CB_COMMIT:
        if (!tx.active || tx.txid != txid) {
            /* a commit whose apply phase we did not see: handle this edit on its own */
            tx_reset();
            tx.active = 1;
            tx.txid = txid;
            tx.expected = 1;
        }
        tx.seen++;
        if (is_container) {
            if (editop == OP_EDITOP_LOAD || newval == NULL) tx.full_load = 1;
        } else if (is_table) {
            free(tx.table);
            tx.table = strdup(newval ? (const char *)VAL_STR(newval) : "");
        } else if (within != NULL) {
            emit_rule(within);
        } else if (editop == OP_EDITOP_DELETE || editop == OP_EDITOP_REMOVE || newval == NULL) {
            if (curval) emit_delete(curval);
        } else {
            emit_rule(newval);
        }
        if (tx.seen >= tx.expected) {
            status_t res = flush(scb, msg);
            if (res != NO_ERR) {
                tx.active = 0;
            }
            return res;
        }
        return NO_ERR;
    case AGT_CB_ROLLBACK:
        if (tx.active && tx.txid == txid && tx.applied) {
            char reply[1024];
            if (helper_call("UNDO\n", 5, reply, sizeof reply) != 0) {
                log_error("\npcp-netfilter: undo of transaction %llu failed: %s; reloading", txid, reply);
                helper_loaded = 0;
            }
            tx.applied = 0;
        }
        tx.active = 0;
        return NO_ERR;
    default:
        return NO_ERR;
    }
}

/* after start-up: make the kernel match the running configuration even if it is empty */
static int load_timer_fn(uint32 timer_id, void *cookie) {
    (void)timer_id;
    (void)cookie;
    if (!helper_loaded) {
        tx_reset();
        status_t res = flush(NULL, NULL);
        if (res != NO_ERR) log_error("\npcp-netfilter: initial load failed; the next commit retries it");
        tx_reset();
    }
    return 0;
}

status_t y_pcp_netfilter_init(const xmlChar *modname, const xmlChar *revision) {
    agt_profile_t *profile = agt_get_profile();
    (void)modname;
    status_t res = ncxmod_load_module((const xmlChar *)MODNAME, revision, &profile->agt_savedevQ, &pcpnf_mod);
    if (res != NO_ERR) return res;
    static const char *paths[] = {"/pcpnf:netfilter", "/pcpnf:netfilter/pcpnf:table", "/pcpnf:netfilter/pcpnf:rule"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        res = agt_cb_register_callback((const xmlChar *)MODNAME, (const xmlChar *)paths[i], NULL, pcpnf_edit);
        if (res != NO_ERR) return res;
    }
    return NO_ERR;
}

status_t y_pcp_netfilter_init2(void) {
    return agt_timer_create(1, FALSE, load_timer_fn, NULL, &load_timer);
}

void y_pcp_netfilter_cleanup(void) {
    if (load_timer) agt_timer_delete(load_timer);
    helper_stop();
    free(tx.buf);
    tx.buf = NULL;
}
