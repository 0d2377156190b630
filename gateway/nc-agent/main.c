/*
 * pcp-nc-agent: a NETCONF server for the pcp-netfilter model alone, on libnetconf2 + libyang + libnftables.
 *
 * OpenSSH stays the SSH server: its netconf subsystem is a relay (socat STDIO UNIX-CONNECT:<socket>) into this
 * daemon's unix socket. The peer's uid (SO_PEERCRED, i.e. the SSH login the relay runs as) is the NETCONF user;
 * only the users named with --user (and root) get a session. The one datastore (running) serves every session;
 * every edit is one nftables transaction of exactly what changed and is journaled before the reply, so <ok/> means
 * "in the kernel and on disk". See docs/gateway.md, "The nc agent".
 */
#include "agent.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

struct agent A;

static struct {
    const char *socket, *startup, *journal, *module, *ietf_dir, *log;
    const char **users;
    size_t nusers;
    uint32_t accept_mark;
    unsigned hello_timeout;
} opt;

static volatile sig_atomic_t stopping;
static int listen_fd = -1;
static pthread_mutex_t wake_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int hellos_running;
#define MAX_HELLOS 16

struct session_data {
    int fd;
    char user[64];                    /* libnetconf2 2.0.24 does not keep the name given to nc_accept_inout */
};

const char *session_user(const struct nc_session *s) {
    const struct session_data *d = nc_session_get_data(s);
    return d ? d->user : "?";
}

static void session_data_free(void *p) {
    struct session_data *d = p;
    if (d) {
        close(d->fd);
        free(d);
    }
}

static void nc_log(const struct nc_session *s, NC_VERB_LEVEL level, const char *msg) {
    uint32_t sid = s ? nc_session_get_id(s) : 0;
    log_msg(level == NC_VERB_ERROR ? LOG_ERR_ : level == NC_VERB_WARNING ? LOG_WARN_ : LOG_DEBUG_,
            "libnetconf2%s%.0u: %s", sid ? " session " : "", sid, msg);
}

static int user_allowed(uid_t uid, char *name, size_t len) {
    struct passwd pw, *res = NULL;
    char buf[4096];
    if (getpwuid_r(uid, &pw, buf, sizeof buf, &res) != 0 || res == NULL) {
        snprintf(name, len, "uid %u", (unsigned)uid);
        return 0;
    }
    snprintf(name, len, "%s", pw.pw_name);
    if (uid == 0) {
        return 1;
    }
    for (size_t i = 0; i < opt.nusers; i++) {
        if (strcmp(opt.users[i], pw.pw_name) == 0) {
            return 1;
        }
    }
    return 0;
}

struct hello {
    int fd;
    char user[64];
};

/* the NETCONF hello of one connection, off the poll thread so that a slow peer delays nobody else */
static void *hello_thread(void *arg) {
    struct hello *h = arg;
    struct nc_session *s = NULL;
    NC_MSG_TYPE t = nc_accept_inout(h->fd, h->fd, h->user, &s);
    if (t != NC_MSG_HELLO || s == NULL) {
        LOGW("no NETCONF session for %s: the hello failed (%d)", h->user, (int)t);
        close(h->fd);
    } else {
        struct session_data *d = xmalloc(sizeof *d);
        d->fd = h->fd;
        snprintf(d->user, sizeof d->user, "%s", h->user);
        nc_session_set_data(s, d);
        if (nc_ps_add_session(A.ps, s) != 0) {
            LOGE("cannot poll session %u", nc_session_get_id(s));
            nc_session_free(s, session_data_free);
        } else {
            LOGI("session %u: user %s", nc_session_get_id(s), h->user);
        }
    }
    free(h);
    pthread_mutex_lock(&wake_lock);
    hellos_running--;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&wake_lock);
    return NULL;
}

static void *accept_thread(void *arg) {
    (void)arg;
    while (!stopping) {
        int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) {
                continue;
            }
            if (!stopping) {
                LOGE("accept: %s", strerror(errno));
            }
            break;
        }
        struct ucred cred;
        socklen_t cl = sizeof cred;
        char user[64];
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) != 0 || !user_allowed(cred.uid, user, sizeof user)) {
            LOGW("refused a connection from %s (pid %d): not a NETCONF user of this gateway", user, (int)cred.pid);
            close(fd);
            continue;
        }
        pthread_mutex_lock(&wake_lock);
        int busy = hellos_running >= MAX_HELLOS;
        if (!busy) {
            hellos_running++;
        }
        pthread_mutex_unlock(&wake_lock);
        if (busy) {
            LOGW("refused a connection from %s: %d hellos in progress", user, MAX_HELLOS);
            close(fd);
            continue;
        }
        struct hello *h = xmalloc(sizeof *h);
        h->fd = fd;
        snprintf(h->user, sizeof h->user, "%s", user);
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &attr, hello_thread, h) != 0) {
            close(fd);
            free(h);
            pthread_mutex_lock(&wake_lock);
            hellos_running--;
            pthread_mutex_unlock(&wake_lock);
        }
        pthread_attr_destroy(&attr);
    }
    return NULL;
}

static void *signal_thread(void *arg) {
    sigset_t *set = arg;
    int sig;
    sigwait(set, &sig);
    LOGI("signal %d: stopping (the nftables table stays, and so do its leases)", sig);
    stopping = 1;
    shutdown(listen_fd, SHUT_RDWR);
    pthread_mutex_lock(&wake_lock);
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&wake_lock);
    return NULL;
}

static void usage(void) {
    fprintf(stderr,
            "usage: pcp-nc-agent --socket PATH --startup FILE [--journal FILE] [--module YANG] [--user NAME]...\n"
            "                    [--ietf-dir DIR] [--accept-mark N] [--log FILE] [--resync-interval S]\n"
            "                    [--compact-bytes N] [--no-sync] [--hello-timeout S] [--debug]\n");
    exit(2);
}

static void parse_args(int argc, char **argv) {
    static const struct option longs[] = {
        {"socket", 1, NULL, 's'}, {"startup", 1, NULL, 'S'}, {"journal", 1, NULL, 'j'}, {"module", 1, NULL, 'm'},
        {"user", 1, NULL, 'u'}, {"ietf-dir", 1, NULL, 'i'}, {"accept-mark", 1, NULL, 'a'}, {"log", 1, NULL, 'l'},
        {"resync-interval", 1, NULL, 'r'}, {"compact-bytes", 1, NULL, 'c'}, {"no-sync", 0, NULL, 'n'},
        {"hello-timeout", 1, NULL, 'h'}, {"debug", 0, NULL, 'd'}, {NULL, 0, NULL, 0}};
    opt.module = "/usr/local/lib/pcp-gateway/yang/pcp-netfilter@2026-11-23.yang";
    opt.ietf_dir = "/usr/share/yuma/modules/ietf";
    opt.accept_mark = 0x00800000;
    opt.hello_timeout = 60;
    A.resync_interval = 30;
    A.p.sync = 1;
    A.p.compact_min = 1 << 20;
    int c;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case 's': opt.socket = optarg; break;
        case 'S': opt.startup = optarg; break;
        case 'j': opt.journal = optarg; break;
        case 'm': opt.module = optarg; break;
        case 'i': opt.ietf_dir = optarg; break;
        case 'l': opt.log = optarg; break;
        case 'a': opt.accept_mark = (uint32_t)strtoul(optarg, NULL, 0); break;
        case 'r': A.resync_interval = atof(optarg); break;
        case 'c': A.p.compact_min = (size_t)strtoull(optarg, NULL, 0); break;
        case 'n': A.p.sync = 0; break;
        case 'h': opt.hello_timeout = (unsigned)atoi(optarg); break;
        case 'd': log_level = LOG_DEBUG_; break;
        case 'u':
            opt.users = realloc(opt.users, (opt.nusers + 1) * sizeof *opt.users);
            if (opt.users == NULL) {
                abort();
            }
            opt.users[opt.nusers++] = optarg;
            break;
        default: usage();
        }
    }
    if (!opt.socket || !opt.startup || optind != argc) {
        usage();
    }
}

static char *default_journal(const char *startup) {
    struct sbuf b = {0};
    sb_str(&b, startup);
    if (b.len > 4 && strcmp(b.p + b.len - 4, ".xml") == 0) {
        b.len -= 4;
        b.p[b.len] = '\0';
    }
    sb_str(&b, ".journal");
    return sb_take(&b);
}

static int setup_contexts(void) {
    /* libnetconf2's context holds ietf-netconf only: the edit-config and filter contents then stay opaque XML
     * with the client's own text, which store.c checks against pcp-netfilter in the second context */
    if (ly_ctx_new(opt.ietf_dir, LY_CTX_NO_YANGLIBRARY, &A.nc_ctx) != LY_SUCCESS) {
        LOGE("libyang: cannot create a context");
        return -1;
    }
    const char *features[] = {"writable-running", "rollback-on-error", NULL};
    if (ly_ctx_load_module(A.nc_ctx, "ietf-netconf", NULL, features) == NULL) {
        LOGE("cannot load ietf-netconf from %s (Debian: libyuma-base): %s", opt.ietf_dir, ly_errmsg(A.nc_ctx));
        return -1;
    }
    char *copy = xstrdup(opt.module);
    LY_ERR r = ly_ctx_new(dirname(copy), LY_CTX_NO_YANGLIBRARY, &A.model_ctx);
    free(copy);
    struct lys_module *mod = NULL;
    if (r != LY_SUCCESS || lys_parse_path(A.model_ctx, opt.module, LYS_IN_YANG, &mod) != LY_SUCCESS) {
        LOGE("cannot load the YANG module %s: %s", opt.module, A.model_ctx ? ly_errmsg(A.model_ctx) : "");
        return -1;
    }
    if (model_init(A.model_ctx) != 0) {
        return -1;
    }
    if (nc_server_init(A.nc_ctx) != 0) {
        LOGE("libnetconf2: cannot initialise the server");
        return -1;
    }
    /* announced by hand, since libnetconf2's context does not hold it (see above) */
    struct sbuf cap = {0};
    sb_printf(&cap, "%s?module=%s%s%s", mod->ns, mod->name, mod->revision ? "&revision=" : "",
              mod->revision ? mod->revision : "");
    nc_server_set_capability(cap.p);
    LOGI("announcing %s", cap.p);
    sb_free(&cap);
    nc_set_global_rpc_clb(rpc_dispatch);
    nc_server_set_hello_timeout((uint16_t)opt.hello_timeout);
    nc_server_set_idle_timeout(0);
    return 0;
}

static int open_socket(void) {
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (strlen(opt.socket) >= sizeof sa.sun_path) {
        LOGE("socket path too long: %s", opt.socket);
        return -1;
    }
    strcpy(sa.sun_path, opt.socket);
    unlink(opt.socket);
    listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(listen_fd, 16) != 0) {
        LOGE("cannot listen on %s: %s", opt.socket, strerror(errno));
        return -1;
    }
    /* anyone may connect; who gets a session is decided by the peer's uid (SO_PEERCRED) */
    chmod(opt.socket, 0666);
    return 0;
}

static void resync(void) {
    char err[1024];
    if (A.k.loaded && kernel_table_present(&A.k)) {
        return;
    }
    if (A.k.loaded) {
        LOGW("table inet %s is gone: rebuilding it from the datastore", A.k.table);
    }
    double t0 = mono_now();
    if (kernel_load(&A.k, store_table(&A.st), &A.st, err, sizeof err) != 0) {
        LOGE("cannot put the datastore into nftables: %s", err);
        A.k.loaded = 0;
    } else {
        LOGI("table inet %s built from the datastore: %zu rules in %.1f ms", A.k.table, A.st.rules.n,
             (mono_now() - t0) * 1000);
    }
}

int main(int argc, char **argv) {
    parse_args(argc, argv);
    if (opt.log && log_open(opt.log) != 0) {
        fprintf(stderr, "pcp-nc-agent: cannot open the log %s: %s\n", opt.log, strerror(errno));
        return 1;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    ly_log_options(LY_LOSTORE_LAST);
    nc_verbosity(log_level >= LOG_DEBUG_ ? NC_VERB_VERBOSE : NC_VERB_WARNING);
    nc_set_print_clb_session(nc_log);

    A.p.snapshot = xstrdup(opt.startup);
    A.p.journal = opt.journal ? xstrdup(opt.journal) : default_journal(opt.startup);
    store_init(&A.st);
    if (setup_contexts() != 0) {
        return 1;
    }
    if (persist_load(&A.p, &A.st, A.nc_ctx) != 0) {
        LOGE("cannot load the datastore from %s / %s", A.p.snapshot, A.p.journal);
        return 1;
    }
    if (kernel_init(&A.k, opt.accept_mark) != 0) {
        LOGE("libnftables: cannot create a context");
        return 1;
    }
    resync();   /* leases that ended while we were down are not put back */
    A.next_resync = mono_now() + A.resync_interval;
    A.ps = nc_ps_new();
    if (open_socket() != 0) {
        return 1;
    }
    pthread_t acc, sig;
    pthread_create(&sig, NULL, signal_thread, &set);
    pthread_create(&acc, NULL, accept_thread, NULL);
    LOGI("serving pcp-netfilter on %s (users: root%s%s), datastore %s + %s", opt.socket, opt.nusers ? ", " : "",
         opt.nusers ? opt.users[0] : "", A.p.snapshot, A.p.journal);

    while (!stopping) {
        if (nc_ps_session_count(A.ps) == 0) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 200 * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_mutex_lock(&wake_lock);
            if (!stopping) {
                pthread_cond_timedwait(&wake, &wake_lock, &ts);
            }
            pthread_mutex_unlock(&wake_lock);
        } else {
            struct nc_session *s = NULL;
            int rc = nc_ps_poll(A.ps, 200, &s);
            if ((rc & NC_PSPOLL_SESSION_TERM) && s) {
                LOGI("session %u ended", nc_session_get_id(s));
                rpc_session_gone(s);
                nc_ps_del_session(A.ps, s);
                nc_session_free(s, session_data_free);
            }
        }
        if (mono_now() >= A.next_resync) {
            resync();
            A.next_resync = mono_now() + A.resync_interval;
        }
    }
    close(listen_fd);
    unlink(opt.socket);
    pthread_join(acc, NULL);
    nc_ps_clear(A.ps, 1, session_data_free);
    nc_ps_free(A.ps);
    nc_server_destroy();
    LOGI("stopped");
    return 0;
}
