/* The pictures' driver (see pictures.h): load the dumps, refuse mixtures a picture
 * cannot show, collect the weighted stacks and hand them to the renderers. */
#include "config.h"

#include "pictures.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void frame_name(const struct sym_frame *f, char *buf, size_t len)
{
    if (f->function) {
        snprintf(buf, len, "%s", f->function);
    } else if (f->module) {
        const char *base = strrchr(f->module, '/');
        snprintf(buf, len, "%s+0x%" PRIx64, base ? base + 1 : f->module, f->offset);
    } else {
        snprintf(buf, len, "0x%" PRIx64, f->addr);
    }
}

void xml_text(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\n')
                fputc(*s, out);
        }
    }
}

void human_bytes(uint64_t n, char *buf, size_t len)
{
    static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)n;
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, len, "%" PRIu64 " bytes", n);
    else
        snprintf(buf, len, "%.1f %s", v, units[u]);
}

/* --program=NAME: the executable's path, or its base name. */
static bool is_program(const char *exe, const char *name)
{
    const char *base = strrchr(exe, '/');
    return strcmp(exe, name) == 0 || strcmp(base ? base + 1 : exe, name) == 0;
}

static void add(struct picture_input *in, size_t *cap, struct weighted w)
{
    if (in->nw == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        in->w = xrealloc(in->w, *cap, sizeof *in->w);
    }
    in->w[in->nw++] = w;
    in->several |= strcmp(w.p->d->exe, in->w[0].p->d->exe) != 0;
    in->bytes = sat_add(in->bytes, w.bytes);
    in->blocks = sat_add(in->blocks, w.blocks);
}

/* The latest snapshot of P's process among PROCS, or P itself. */
static bool latest_of_its_process(const struct proc *procs, size_t n, const struct proc *p)
{
    for (size_t i = 0; i < n; i++)
        if (procs[i].d->kind == DUMP_SNAPSHOT && procs[i].d->pid == p->d->pid &&
            (procs[i].d->time_ms > p->d->time_ms ||
             (procs[i].d->time_ms == p->d->time_ms && procs[i].d->seq > p->d->seq)))
            return false;
    return true;
}

static void collect_kind(struct picture_input *in, struct symbolizer *sym,
                         const struct report_config *cfg);

static int collect(struct picture_input *in, struct symbolizer *sym,
                   const struct report_config *cfg, bool strict)
{
    size_t nexit = 0, nsnap = 0;
    const struct proc *an_exit = NULL, *a_snap = NULL;
    for (size_t i = 0; i < in->nprocs; i++) {
        if (in->procs[i].d->kind == DUMP_SNAPSHOT) {
            nsnap++;
            if (a_snap && a_snap->d->pid == in->procs[i].d->pid && strict) {
                hc_warn("several snapshots of process %ld (%s, %s): a flame graph shows one "
                        "moment; give one snapshot per process (--html shows them over time)",
                        a_snap->d->pid, a_snap->d->file, in->procs[i].d->file);
                return HC_EXIT_USAGE;
            }
            a_snap = &in->procs[i];
        } else {
            nexit++;
            an_exit = &in->procs[i];
        }
    }
    if (strict && nexit && nsnap) {
        hc_warn("mixed dumps: %s is a snapshot, %s an exit dump; a flame graph draws leaked "
                "bytes (exit dumps) or live bytes (snapshots), not both",
                a_snap->d->file, an_exit->d->file);
        return HC_EXIT_USAGE;
    }
    in->live = nexit == 0;
    collect_kind(in, sym, cfg);
    return 0;
}

/* The weighted stacks: leak records of the exit dumps, or (in->live) the live
 * groups of each process's latest snapshot. */
static void collect_kind(struct picture_input *in, struct symbolizer *sym,
                         const struct report_config *cfg)
{
    size_t cap = 0;
    for (size_t i = 0; i < in->nprocs; i++) {
        struct proc *p = &in->procs[i];
        if (!in->live && p->d->kind == DUMP_EXIT) {
            for (size_t j = 0; j < p->d->nleaks; j++) {
                const struct leak_view *v = &p->leaks[j];
                if (!v->suppressed_by && (cfg->show_kinds & (1u << v->l->kind)))
                    add(in, &cap, (struct weighted){p, v->st, v->l->bytes, v->l->blocks,
                                                    (int)v->l->kind});
            }
        } else if (in->live && latest_of_its_process(in->procs, in->nprocs, p)) {
            for (size_t j = 0; j < p->d->nlive; j++) {
                const struct hc_live *l = &p->d->live[j];
                add(in, &cap, (struct weighted){p, proc_stack(p, sym, l->stack), l->bytes,
                                                l->blocks, -1});
            }
        }
    }
}

static bool write_file(const char *path, const struct picture_input *in,
                       const struct picture_input *live, const struct report_config *cfg,
                       bool html)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        hc_warn("cannot write %s: %s", path, strerror(errno));
        return false;
    }
    if (html)
        html_write(f, in, live, cfg);
    else
        flame_write_svg(f, in, NULL, true, 1200);
    if (fclose(f) != 0) {
        hc_warn("cannot write %s: %s", path, strerror(errno));
        return false;
    }
    return true;
}

int pictures_run(char **files, size_t nfiles, const struct report_config *cfg,
                 const struct picture_request *req, FILE *out)
{
    struct symbolizer *sym = sym_new(true);
    struct picture_input in = {0};
    in.procs = xcalloc(nfiles, sizeof *in.procs);
    int rc = 0;
    for (size_t i = 0; i < nfiles && !rc; i++) {
        char err[512];
        struct hc_dump *d = dump_load_file(files[i], err, sizeof err);
        if (!d) {
            hc_warn("cannot read dump: %s", err);
            rc = HC_EXIT_USAGE;
            break;
        }
        if (req->program && !is_program(d->exe, req->program)) {
            dump_free(d);
            continue;
        }
        proc_init(&in.procs[in.nprocs++], d, sym, cfg);
    }
    if (!rc && !in.nprocs) {
        hc_warn("--program=%s: none of the dumps is of that program", req->program);
        rc = HC_EXIT_USAGE;
    }
    if (!rc)
        rc = collect(&in, sym, cfg, req->folded || req->svg);
    if (!rc && req->folded)
        folded_write(out, &in);
    if (!rc && req->svg && !write_file(req->svg, &in, NULL, cfg, false))
        rc = HC_EXIT_USAGE;
    struct picture_input live = in;
    live.w = NULL;
    live.nw = 0;
    live.bytes = live.blocks = 0;
    live.several = false;
    live.live = true;
    if (!rc && req->html && !in.live)
        collect_kind(&live, sym, cfg); /* the snapshots' live heap beside the leaks */
    if (!rc && req->html && !write_file(req->html, &in, live.nw ? &live : NULL, cfg, true))
        rc = HC_EXIT_USAGE;
    free(live.w);
    for (size_t i = 0; i < in.nprocs; i++)
        proc_fini(&in.procs[i]);
    free(in.procs);
    free(in.w);
    sym_free(sym);
    return rc;
}
