/*
 * pcp-nc-agent: the running datastore on disk, written ahead of every reply.
 *
 *   <snapshot> (startup.xml)  the whole configuration as XML, with its generation in a first-line comment;
 *   <journal>                 a header naming the snapshot generation it continues, then one record per committed
 *                             change: "R <length> <crc32>\n<edit-config content>\n", appended and fdatasync'ed
 *                             before the reply.
 * A change costs one record of its own size. When the journal outgrows the snapshot (and --compact-bytes), the
 * snapshot is rewritten (temporary file, fsync, rename) and the journal starts again: compaction is amortised.
 * On start the snapshot is read and the journal replayed up to the first incomplete or corrupt record (a crash in
 * the middle of an append); a journal of another generation (the snapshot was replaced or removed) is ignored.
 * Deleting the snapshot therefore means an empty configuration, as with netconfd's startup file.
 */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SNAPSHOT_TAG "<!-- pcp-nc-agent generation="
#define JOURNAL_TAG "pcp-nc-agent journal generation="

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    struct sbuf b = {0};
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        sb_add(&b, buf, n);
    }
    fclose(f);
    *len = b.len;
    return sb_take(&b);
}

static int fsync_dir(const char *path) {
    char *copy = xstrdup(path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
    free(copy);
    if (fd < 0) {
        return -1;
    }
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static int write_atomically(const char *path, const char *data, size_t len) {
    struct sbuf tmp = {0};
    sb_printf(&tmp, "%s.tmp", path);
    int fd = open(tmp.p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        sb_free(&tmp);
        return -1;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            close(fd);
            unlink(tmp.p);
            sb_free(&tmp);
            return -1;
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp.p, path) != 0) {
        unlink(tmp.p);
        sb_free(&tmp);
        return -1;
    }
    sb_free(&tmp);
    return fsync_dir(path);
}

/* applies one piece of stored XML (edit-config content) to the store; 0 or -1 */
static int replay(struct store *st, struct ly_ctx *nc_ctx, const char *xml, const char *what, int *foreign) {
    struct lyd_node *tree = NULL;
    if (lyd_parse_data_mem(nc_ctx, xml, LYD_XML, LYD_PARSE_OPAQ | LYD_PARSE_ONLY, 0, &tree) != LY_SUCCESS) {
        LOGE("%s: not XML: %s", what, ly_errmsg(nc_ctx));
        return -1;
    }
    /* the snapshot wraps the data in <config> (netconfd's startup format); a journal record does not */
    const struct lyd_node *first = tree;
    if (tree && tree->schema == NULL && strcmp(((struct lyd_node_opaq *)tree)->name.name, "config") == 0) {
        first = ((struct lyd_node_opaq *)tree)->child;
    }
    /* only pcp-netfilter is served: anything else (netconfd's NACM rules, say) is left out */
    struct lyd_node *keep = NULL;
    for (const struct lyd_node *n = first; n;) {
        const struct lyd_node *next = n->next;
        const struct lyd_node_opaq *o = n->schema ? NULL : (const struct lyd_node_opaq *)n;
        if (o && o->name.module_ns && strcmp(o->name.module_ns, NS_PCPNF) == 0) {
            struct lyd_node *dup;
            if (lyd_dup_single(n, NULL, LYD_DUP_RECURSIVE, &dup) == LY_SUCCESS) {
                if (keep) {
                    lyd_insert_sibling(keep, dup, NULL);
                } else {
                    keep = dup;
                }
            }
        } else {
            LOGW("%s: <%s> is not pcp-netfilter; this server holds nothing else and leaves it out", what,
                 LYD_NAME(n));
            if (foreign) {
                *foreign = 1;
            }
        }
        n = next;
    }
    lyd_free_all(tree);
    struct change c;
    struct nerr e;
    memset(&e, 0, sizeof e);
    change_init(&c);
    int rc = 0;
    if (edit_parse(st, &c, keep, OP_MERGE, &e) != 0 || change_check(st, &c, &e) != 0) {
        LOGE("%s: %s%s%s", what, e.msg, e.path[0] ? " at " : "", e.path);
        rc = -1;
    } else {
        change_commit(st, &c);
    }
    change_free(&c);
    lyd_free_all(keep);
    return rc;
}

static int open_journal(struct persist *p) {
    p->fd = open(p->journal, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (p->fd < 0) {
        LOGE("cannot open the journal %s: %s", p->journal, strerror(errno));
        return -1;
    }
    struct stat sb;
    p->journal_bytes = fstat(p->fd, &sb) == 0 ? (size_t)sb.st_size : 0;
    return 0;
}

int persist_compact(struct persist *p, const struct store *st) {
    double t0 = mono_now();
    uint64_t gen = p->generation + 1;
    struct sbuf b = {0};
    sb_printf(&b, SNAPSHOT_TAG "%llu: the running configuration of pcp-nc-agent; later changes are in %s -->\n",
              (unsigned long long)gen, p->journal);
    sb_str(&b, "<config xmlns=\"" NS_BASE "\">\n");
    print_netfilter(st, &b);
    sb_str(&b, "\n</config>\n");
    if (write_atomically(p->snapshot, b.p, b.len) != 0) {
        LOGE("cannot write the snapshot %s: %s", p->snapshot, strerror(errno));
        sb_free(&b);
        return -1;
    }
    p->snapshot_bytes = b.len;
    b.len = 0;
    sb_printf(&b, JOURNAL_TAG "%llu\n", (unsigned long long)gen);
    /* from here on the new snapshot holds everything: a crash before the new journal is in place leaves an old
     * journal whose generation no longer matches, and it is ignored */
    p->generation = gen;
    if (write_atomically(p->journal, b.p, b.len) != 0) {
        LOGE("cannot write the journal %s: %s", p->journal, strerror(errno));
        sb_free(&b);
        return -1;
    }
    sb_free(&b);
    if (p->fd >= 0) {
        close(p->fd);
    }
    if (open_journal(p) != 0) {
        return -1;
    }
    LOGI("snapshot generation %llu written (%zu bytes, %zu rules) in %.1f ms", (unsigned long long)gen,
         p->snapshot_bytes, st->rules.n, (mono_now() - t0) * 1000);
    return 0;
}

int persist_load(struct persist *p, struct store *st, struct ly_ctx *nc_ctx) {
    size_t len;
    int foreign = 0;
    p->fd = -1;
    p->generation = 0;
    char *snap = read_file(p->snapshot, &len);
    if (snap) {
        unsigned long long g = 0;
        if (strncmp(snap, SNAPSHOT_TAG, strlen(SNAPSHOT_TAG)) == 0) {
            g = strtoull(snap + strlen(SNAPSHOT_TAG), NULL, 10);
        }
        p->generation = g;
        if (replay(st, nc_ctx, snap, p->snapshot, &foreign) != 0) {
            free(snap);
            return -1;
        }
        free(snap);
        LOGI("loaded %s (generation %llu): %zu rules", p->snapshot, g, st->rules.n);
    } else {
        LOGI("no %s: starting with an empty configuration", p->snapshot);
    }
    char *jr = read_file(p->journal, &len);
    if (jr) {
        unsigned long long g = 0;
        char *line_end = strchr(jr, '\n');
        int ok = strncmp(jr, JOURNAL_TAG, strlen(JOURNAL_TAG)) == 0 && line_end;
        if (ok) {
            g = strtoull(jr + strlen(JOURNAL_TAG), NULL, 10);
        }
        if (!ok || !snap || g != p->generation || g == 0) {
            LOGW("%s continues generation %llu, not the snapshot's (%llu): ignored", p->journal, g,
                 (unsigned long long)p->generation);
        } else {
            size_t records = 0;
            char *at = line_end + 1;
            while (at < jr + len) {
                size_t rlen;
                unsigned int crc;
                int hl = 0;
                if (sscanf(at, "R %zx %x\n%n", &rlen, &crc, &hl) != 2 || hl == 0 ||
                    at + hl + rlen + 1 > jr + len || at[hl + rlen] != '\n' || crc32_of(at + hl, rlen) != crc) {
                    LOGW("%s: record %zu is incomplete or corrupt (a crash while it was written): the journal ends "
                         "before it", p->journal, records + 1);
                    break;
                }
                at[hl + rlen] = '\0';
                char what[64];
                snprintf(what, sizeof what, "journal record %zu", records + 1);
                if (replay(st, nc_ctx, at + hl, what, NULL) != 0) {
                    LOGE("%s: record %zu cannot be replayed; the journal ends before it", p->journal, records + 1);
                    break;
                }
                records++;
                at += hl + rlen + 1;
            }
            LOGI("replayed %zu journal records: %zu rules", records, st->rules.n);
        }
        free(jr);
    }
    if (foreign) {
        /* keep what another server wrote there (netconfd's NACM rules, say) before the snapshot replaces it */
        struct sbuf keep = {0};
        sb_printf(&keep, "%s.before-nc-agent", p->snapshot);
        if (rename(p->snapshot, keep.p) == 0) {
            LOGW("kept the original %s as %s", p->snapshot, keep.p);
        }
        sb_free(&keep);
    }
    /* start from a fresh snapshot and an empty journal */
    return persist_compact(p, st);
}

int persist_append(struct persist *p, const char *record, size_t len, char *err, size_t errlen) {
    char head[64];
    int hl = snprintf(head, sizeof head, "R %zx %08x\n", len, crc32_of(record, len));
    struct sbuf b = {0};
    sb_add(&b, head, (size_t)hl);
    sb_add(&b, record, len);
    sb_add(&b, "\n", 1);
    size_t last_offset = p->journal_bytes;
    size_t off = 0;
    while (off < b.len) {
        ssize_t w = write(p->fd, b.p + off, b.len - off);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            snprintf(err, errlen, "journal %s: %s", p->journal, strerror(errno));
            if (ftruncate(p->fd, (off_t)last_offset) != 0) {
                LOGE("cannot truncate %s after a failed write: %s", p->journal, strerror(errno));
            }
            sb_free(&b);
            return -1;
        }
        off += (size_t)w;
    }
    sb_free(&b);
    if (p->sync && fdatasync(p->fd) != 0) {
        snprintf(err, errlen, "journal %s: fdatasync: %s", p->journal, strerror(errno));
        if (ftruncate(p->fd, (off_t)last_offset) != 0) {
            LOGE("cannot truncate %s after a failed sync: %s", p->journal, strerror(errno));
        }
        return -1;
    }
    p->journal_bytes += off;
    return 0;
}
