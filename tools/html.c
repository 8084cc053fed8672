/* --html: one self-contained page (inline CSS, inline SVG, one inline script; nothing
 * fetched): a summary, the symbolized errors, the leak summary with its flame graph
 * (or the live heap's, for snapshots alone), the top allocation sites, live bytes
 * over the snapshots when there are several, and the heap map of each dump that has
 * one.  The heap map is drawn by the script on canvases from the dumps' run-length
 * cells (embedded as JSON), so a large heap costs kilobytes, not a DOM node per
 * cell; the script marks the body data-rendered="ok" when it is done (the browser
 * test reads it) and records any error in data-script-error. */
#include "config.h"

#include "alloc_fn.h"
#include "pictures.h"
#include "render.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static void frame_html(FILE *out, const struct sym_frame *f)
{
    char name[512];
    frame_name(f, name, sizeof name);
    fputs("<li><code class=\"fn\">", out);
    xml_text(out, name);
    fputs("</code>", out);
    if (f->file) {
        fputs(" <span class=\"loc\">", out);
        xml_text(out, f->file);
        if (f->line)
            fprintf(out, ":%d", f->line);
        fputs("</span>", out);
    } else if (f->module && f->function) { /* else the name already says module+offset */
        fputs(" <span class=\"mod\">", out);
        xml_text(out, f->module);
        fprintf(out, "+0x%" PRIx64 "</span>", f->offset);
    }
    if (f->inlined)
        fputs(" <span class=\"mod\">(inlined)</span>", out);
    fputs("</li>", out);
}

static void stack_html(FILE *out, const char *label, const struct sym_stack *st)
{
    if (!st || !st->n)
        return;
    fprintf(out, "<div class=\"stack\"><div class=\"slabel\">%s</div><ol>", label);
    for (size_t i = 0; i < st->n; i++)
        frame_html(out, &st->f[i]);
    fputs("</ol></div>", out);
}

/* The place an error is shown under: its first frame of the program's own in the
 * stack where it was found (else where its block was allocated). */
static const struct sym_frame *error_site(const struct error_view *v)
{
    for (int w = 0; w < ES_COUNT; w++) {
        const struct sym_frame *f = alloc_fn_first_own_frame(v->st[w]);
        if (f)
            return f;
    }
    return NULL;
}

/* Errors of the same kind and description at the same place, in however many
 * processes, are shown once. */
static bool same_error(const struct error_view *a, const struct error_view *b)
{
    if (strcmp(a->e->kind, b->e->kind) != 0 || strcmp(a->e->op, b->e->op) != 0 ||
        a->e->size != b->e->size || a->e->offset != b->e->offset)
        return false;
    const struct sym_frame *fa = error_site(a), *fb = error_site(b);
    if (!fa || !fb)
        return false;
    return fa->function && fb->function && fa->file && fb->file &&
           strcmp(fa->function, fb->function) == 0 && strcmp(fa->file, fb->file) == 0 &&
           fa->line == fb->line;
}

struct shown_error {
    const struct proc *p;
    const struct error_view *v;
    size_t nprocs;
};

static void errors_section(FILE *out, const struct picture_input *in)
{
    uint64_t total = 0, unkept = 0;
    size_t cap = 0;
    for (size_t i = 0; i < in->nprocs; i++)
        if (in->procs[i].d->kind == DUMP_EXIT) {
            total += in->procs[i].errors;
            cap += in->procs[i].d->nerrors;
            if (in->procs[i].d->errors_total > in->procs[i].d->nerrors)
                unkept += in->procs[i].d->errors_total - in->procs[i].d->nerrors;
        }
    fprintf(out, "<section id=\"errors\"><h2>Errors <span class=\"count%s\">%" PRIu64 "</span></h2>\n",
            total ? "" : " none", total);
    if (!total)
        fputs("<p class=\"good\">No heap errors were found.</p>\n", out);
    struct shown_error *sh = xcalloc(cap ? cap : 1, sizeof *sh);
    size_t n = 0;
    for (size_t i = 0; i < in->nprocs; i++) {
        const struct proc *p = &in->procs[i];
        if (p->d->kind != DUMP_EXIT)
            continue; /* a snapshot repeats the errors its process's exit dump has */
        for (size_t j = 0; j < p->d->nerrors; j++) {
            const struct error_view *v = &p->errs[j];
            if (v->suppressed_by)
                continue;
            size_t k = 0;
            while (k < n && !same_error(sh[k].v, v))
                k++;
            if (k == n)
                sh[n++] = (struct shown_error){p, v, 0};
            if (sh[k].p != p || sh[k].nprocs == 0)
                sh[k].nprocs++;
        }
    }
    for (size_t k = 0; k < n; k++) {
        const struct error_view *v = sh[k].v;
        char desc[512], cause[512];
        error_description(v->e, desc, sizeof desc);
        error_likely_cause(v->e, cause, sizeof cause);
        /* The first few open; the rest one line each until clicked. */
        fprintf(out, "<details class=\"error\"%s><summary><span class=\"ekind\">",
                k < 5 ? " open" : "");
        xml_text(out, v->e->kind);
        fputs("</span> ", out);
        if (v->e->op[0]) {
            fputs("on <code>", out);
            xml_text(out, v->e->op);
            fputs("</code> ", out);
        }
        const char *base = strrchr(sh[k].p->d->exe, '/');
        fputs("<span class=\"pid\">", out);
        xml_text(out, base ? base + 1 : sh[k].p->d->exe);
        if (sh[k].nprocs > 1)
            fprintf(out, ", in %zu processes (first: %ld)", sh[k].nprocs, sh[k].p->d->pid);
        else
            fprintf(out, ", process %ld", sh[k].p->d->pid);
        fputs("</span></summary><p>", out);
        xml_text(out, desc);
        fputs("</p>", out);
        if (cause[0]) {
            fputs("<p class=\"cause\">likely cause: ", out);
            xml_text(out, cause);
            fputs("</p>", out);
        }
        stack_html(out, "found at", v->st[ES_FOUND]);
        stack_html(out, "allocated at", v->st[ES_ALLOCATED]);
        stack_html(out, "freed at", v->st[ES_FREED]);
        fputs("</details>\n", out);
    }
    if (unkept)
        fprintf(out, "<p>%" PRIu64 " more errors were counted but not kept in the dumps.</p>", unkept);
    free(sh);
    fputs("</section>\n", out);
}

static const char *const kind_class[LK_COUNT] = {"k-def", "k-ind", "k-pos", "k-rea"};

static void leaks_section(FILE *out, const struct picture_input *in, const struct picture_input *graph)
{
    struct hc_count sum[LK_COUNT] = {{0, 0}};
    size_t exits = 0, unchecked = 0, aborted = 0, killed = 0;
    for (size_t i = 0; i < in->nprocs; i++) {
        const struct proc *p = &in->procs[i];
        if (p->d->kind != DUMP_EXIT)
            continue;
        if (strcmp(p->d->leak_check, "off") == 0) {
            /* no leak check: nothing to add, and "nothing leaked" would be untrue */
            unchecked++;
            aborted += strcmp(p->d->end, "abort") == 0;
            killed += strcmp(p->d->end, "signal") == 0;
            continue;
        }
        exits++;
        for (int k = 0; k < LK_COUNT; k++) {
            sum[k].bytes = sat_add(sum[k].bytes, p->summary[k].bytes);
            sum[k].blocks = sat_add(sum[k].blocks, p->summary[k].blocks);
        }
    }
    fputs("<section id=\"leaks\"><h2>Leaks</h2>\n", out);
    if (unchecked) {
        fprintf(out, "<p class=\"warn\">The leak check did not run in %zu of the %zu processes",
                unchecked, unchecked + exits);
        if (aborted || killed)
            fprintf(out, " (%zu aborted on an error, %zu died of a fatal signal, before it)",
                    aborted, killed);
        else
            fputs(" (leak checking was off)", out);
        fputs(exits ? ": the numbers below are of the others.</p>\n" : ".</p>\n", out);
    }
    if (!exits && unchecked) {
        fputs("<p>No leak check ran, so nothing is known of the leaks.</p>\n", out);
    } else if (!exits) {
        fputs("<p>Only snapshots were given: the leak check runs at exit. The flame graph shows "
              "the live heap of the latest snapshot.</p>\n", out);
    } else {
        fputs("<table class=\"summary\"><tr><th>kind</th><th>bytes</th><th>blocks</th></tr>\n", out);
        for (int k = 0; k < LK_COUNT; k++) {
            char h[32];
            human_bytes(sum[k].bytes, h, sizeof h);
            fprintf(out, "<tr><td><span class=\"swatch %s\"></span>%s</td><td class=\"num\">%s</td>"
                         "<td class=\"num\">%" PRIu64 "</td></tr>\n",
                    kind_class[k], leak_kind_phrase((enum leak_kind)k), h, sum[k].blocks);
        }
        fputs("</table>\n", out);
    }
    if (!exits && unchecked) {
        /* said above */
    } else if (graph->bytes || !exits) {
        fputs("<div class=\"graph\">", out);
        flame_write_svg(out, graph, NULL, false, 1160);
        fputs("</div>", out);
    } else {
        fputs("<p class=\"good\">Nothing leaked (of the kinds shown), so there is no leak flame "
              "graph.</p>", out);
    }
    fputs("</section>\n", out);
}

/* The allocation site of a stack: its innermost frame in the program's own code that
 * is not an allocation wrapper (xmalloc, g_malloc, --alloc-fn: alloc_fn.h), else its
 * innermost frame in the program, else its innermost frame. */
static const struct sym_frame *site_of(const struct weighted *w)
{
    const struct sym_frame *own = NULL;
    for (size_t i = 0; i < w->st->n; i++) {
        const struct sym_frame *f = &w->st->f[i];
        if (!f->module || strcmp(f->module, w->p->d->exe) != 0)
            continue;
        if (!alloc_fn_is_wrapper(f->function))
            return f;
        if (!own)
            own = f;
    }
    return own ? own : w->st->n ? &w->st->f[0] : NULL;
}

struct site {
    const struct weighted *w; /* the largest stack through it */
    const struct sym_frame *f;
    uint64_t bytes, blocks;
};

static bool same_site(const struct sym_frame *a, const struct sym_frame *b)
{
    if (!a || !b)
        return a == b;
    if (a->function && b->function && a->file && b->file)
        return strcmp(a->function, b->function) == 0 && strcmp(a->file, b->file) == 0 &&
               a->line == b->line;
    return a->addr == b->addr;
}

static int by_bytes(const void *x, const void *y)
{
    const struct site *a = x, *b = y;
    return a->bytes != b->bytes ? (a->bytes > b->bytes ? -1 : 1) : 0;
}

static void sites_section(FILE *out, const struct picture_input *g)
{
    struct site *s = xcalloc(g->nw ? g->nw : 1, sizeof *s);
    size_t n = 0;
    for (size_t i = 0; i < g->nw; i++) {
        const struct weighted *w = &g->w[i];
        const struct sym_frame *f = site_of(w);
        size_t j = 0;
        while (j < n && !same_site(s[j].f, f))
            j++;
        if (j == n)
            s[n++] = (struct site){w, f, 0, 0};
        s[j].bytes = sat_add(s[j].bytes, w->bytes);
        s[j].blocks = sat_add(s[j].blocks, w->blocks);
        if (w->bytes > s[j].w->bytes)
            s[j].w = w;
    }
    qsort(s, n, sizeof *s, by_bytes);
    fprintf(out, "<section id=\"sites\"><h2>Top allocation sites</h2>\n<p>%s, by the innermost "
                 "frame in the program's own code, allocation wrappers such as xmalloc skipped (click a "
                 "row for its largest stack).</p>\n",
            g->live ? "Live bytes of the latest snapshot" : "Leaked bytes");
    fputs("<table class=\"sites\"><tr><th>#</th><th>bytes</th><th>blocks</th><th>share</th>"
          "<th>site</th></tr>\n", out);
    for (size_t i = 0; i < n && i < 25; i++) {
        char h[32];
        human_bytes(s[i].bytes, h, sizeof h);
        double share = g->bytes ? 100.0 * (double)s[i].bytes / (double)g->bytes : 0;
        fprintf(out, "<tr><td>%zu</td><td class=\"num\">%s</td><td class=\"num\">%" PRIu64
                     "</td><td><span class=\"bar\" style=\"width:%.0fpx\"></span> %.1f%%</td><td>"
                     "<details><summary>",
                i + 1, h, s[i].blocks, share, share);
        if (s[i].f) {
            char name[512];
            frame_name(s[i].f, name, sizeof name);
            fputs("<code class=\"fn\">", out);
            xml_text(out, name);
            fputs("</code>", out);
            if (s[i].f->file) {
                fputs(" <span class=\"loc\">", out);
                xml_text(out, s[i].f->file);
                fprintf(out, ":%d</span>", s[i].f->line);
            }
        } else {
            fputs("(no stack)", out);
        }
        fputs("</summary>", out);
        stack_html(out, "allocated at", s[i].w->st);
        fputs("</details></td></tr>\n", out);
    }
    if (!n)
        fputs("<tr><td colspan=\"5\">nothing to show</td></tr>\n", out);
    fputs("</table></section>\n", out);
    free(s);
}

static int by_time(const void *x, const void *y)
{
    const struct proc *a = *(const struct proc *const *)x, *b = *(const struct proc *const *)y;
    if (a->d->time_ms != b->d->time_ms)
        return a->d->time_ms < b->d->time_ms ? -1 : 1;
    return a->d->seq < b->d->seq ? -1 : a->d->seq > b->d->seq;
}

static void timeline_section(FILE *out, const struct picture_input *in)
{
    const struct proc **s = xcalloc(in->nprocs ? in->nprocs : 1, sizeof *s);
    size_t n = 0;
    for (size_t i = 0; i < in->nprocs; i++)
        if (in->procs[i].d->kind == DUMP_SNAPSHOT && in->procs[i].d->has_stats)
            s[n++] = &in->procs[i];
    if (n < 2) {
        free(s);
        return;
    }
    qsort(s, n, sizeof *s, by_time);
    uint64_t t0 = s[0]->d->time_ms, t1 = s[n - 1]->d->time_ms, ymax = 1;
    for (size_t i = 0; i < n; i++)
        if (s[i]->d->stats.heap_bytes > ymax)
            ymax = s[i]->d->stats.heap_bytes;
    const int W = 1160, H = 300, L = 90, R = 20, T = 20, B = 40;
    double sx = (double)(W - L - R) / (double)(t1 > t0 ? t1 - t0 : 1);
    double sy = (double)(H - T - B) / (double)ymax;
    fprintf(out, "<section id=\"timeline\"><h2>Live bytes over %zu snapshots</h2>\n"
                 "<svg class=\"chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n",
            n, W, H, W, H);
    for (int g = 0; g <= 4; g++) {
        double y = H - B - (double)g * (H - T - B) / 4;
        char h[32];
        human_bytes(ymax * (uint64_t)g / 4, h, sizeof h);
        fprintf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
                     "<text x=\"%d\" y=\"%.1f\" class=\"axis\" text-anchor=\"end\">%s</text>\n",
                L, W - R, y, y, L - 6, y + 4, h);
    }
    fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"axis\">0 s</text><text x=\"%d\" y=\"%d\" "
                 "class=\"axis\" text-anchor=\"end\">%.1f s after the first snapshot</text>\n",
            L, H - B + 18, W - R, H - B + 18, (double)(t1 - t0) / 1000);
    static const struct {
        const char *cls, *label;
    } series[3] = {{"s-heap", "heap held from the OS"}, {"s-live", "live bytes"},
                   {"s-quar", "quarantine"}};
    for (int k = 0; k < 3; k++) {
        fprintf(out, "<polyline class=\"%s\" points=\"", series[k].cls);
        for (size_t i = 0; i < n; i++) {
            const struct hc_stats_rec *st = &s[i]->d->stats;
            uint64_t v = k == 0 ? st->heap_bytes : k == 1 ? st->live_bytes : st->quarantine_bytes;
            fprintf(out, "%.1f,%.1f ", L + (double)(s[i]->d->time_ms - t0) * sx, H - B - (double)v * sy);
        }
        fputs("\"/>\n", out);
    }
    for (size_t i = 0; i < n; i++) {
        const struct hc_stats_rec *st = &s[i]->d->stats;
        char h[32];
        human_bytes(st->live_bytes, h, sizeof h);
        fprintf(out, "<circle class=\"dot\" r=\"4\" cx=\"%.1f\" cy=\"%.1f\"><title>snapshot %" PRIu64
                     " (%s) of process %ld at +%.3f s: %s live in %" PRIu64 " blocks</title></circle>\n",
                L + (double)(s[i]->d->time_ms - t0) * sx, H - B - (double)st->live_bytes * sy,
                s[i]->d->seq, s[i]->d->trigger, s[i]->d->pid, (double)(s[i]->d->time_ms - t0) / 1000,
                h, st->live_blocks);
    }
    fputs("</svg><p class=\"legend\">", out);
    for (int k = 0; k < 3; k++)
        fprintf(out, "<span class=\"key %s\"></span>%s ", series[k].cls, series[k].label);
    fputs("</p></section>\n", out);
    free(s);
}

/* The heap maps as JSON for the script: [{"name", "regions": [[base, size, cell,
 * rle, is the guarded-slot pool]...], "large": [[blocks, bytes] per state]}].  "</" never appears inside. */
static void map_data(FILE *out, const struct picture_input *in)
{
    fputs("<script type=\"application/json\" id=\"hc-maps\">[", out);
    bool first = true;
    for (size_t i = 0; i < in->nprocs; i++) {
        const struct hc_dump *d = in->procs[i].d;
        if (!d->has_map)
            continue;
        fprintf(out, "%s\n{\"name\":\"", first ? "" : ",");
        first = false;
        if (d->kind == DUMP_SNAPSHOT)
            fprintf(out, "process %ld, snapshot %" PRIu64 " (%s)", d->pid, d->seq, d->trigger);
        else
            fprintf(out, "process %ld, at exit", d->pid);
        fputs("\",\"regions\":[", out);
        for (size_t r = 0; r < d->nregions; r++) {
            const struct hc_map_region *m = &d->regions[r];
            fprintf(out, "%s[\"0x%" PRIx64 "\",%" PRIu64 ",%" PRIu64 ",\"", r ? "," : "", m->base,
                    m->size, m->cell);
            for (size_t c = 0; c < m->ncells;) {
                size_t run = 1;
                while (c + run < m->ncells && m->cells[c + run] == m->cells[c])
                    run++;
                if (run > 1)
                    fprintf(out, "%zu", run);
                fputc(m->cells[c], out);
                c += run;
            }
            fprintf(out, "\",%d]", m->slots ? 1 : 0);
        }
        fprintf(out, "],\"omitted\":%" PRIu64 ",\"large\":[", d->omitted_regions);
        for (int s = 0; s < 6; s++)
            fprintf(out, "%s[%" PRIu64 ",%" PRIu64 "]", s ? "," : "", d->large[s].blocks, d->large[s].bytes);
        fputs("]}", out);
    }
    fputs("]</script>\n", out);
}

static const char style[] =
    "body{font:14px/1.45 \"DejaVu Sans\",Arial,sans-serif;margin:0;color:#1a1a1a;background:#f3f3ef}"
    "header{background:#26323a;color:#fff;padding:14px 24px}header h1{margin:0;font-size:22px}"
    "header p{margin:4px 0 0;color:#cfd8dc}nav a{color:#ffe082;margin-right:14px}"
    "main{max-width:1200px;margin:0 auto;padding:8px 16px 40px}"
    "section{background:#fff;border:1px solid #ddd;border-radius:6px;margin:16px 0;padding:8px 16px 14px}"
    "h2{font-size:18px;margin:8px 0}.count{background:#c62828;color:#fff;border-radius:10px;"
    "padding:0 9px;font-size:14px}.count.none{background:#2e7d32}.good{color:#2e7d32}"
    ".cards{display:flex;flex-wrap:wrap;gap:10px}.card{background:#fafafa;border:1px solid #e0e0e0;"
    "border-radius:6px;padding:8px 14px;min-width:150px}.card b{display:block;font-size:20px}"
    "details.error{border-left:4px solid #c62828;background:#fff8f7;margin:8px 0;padding:4px 10px}"
    "summary{cursor:pointer}.ekind{font-weight:bold;color:#b71c1c}.pid{color:#777;font-size:12px}"
    ".stack{margin:4px 0 6px}.slabel{color:#555;font-size:12px}ol{margin:2px 0;padding-left:28px}"
    "code.fn{font-family:\"DejaVu Sans Mono\",monospace;font-weight:bold}.loc{color:#1565c0}"
    ".mod{color:#777}table{border-collapse:collapse}td,th{padding:3px 10px;border-bottom:1px solid #eee;"
    "text-align:left;vertical-align:top}.num{text-align:right;font-variant-numeric:tabular-nums}"
    ".swatch,.key{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:6px;"
    "vertical-align:-1px;box-shadow:inset 0 0 0 1px rgba(0,0,0,.35)}.cause{color:#6d4c41}"
    ".warn{color:#b71c1c}.k-def{background:hsl(0,72%,58%)}.k-ind{background:hsl(24,85%,58%)}"
    ".k-pos{background:hsl(45,90%,55%)}.k-rea{background:hsl(210,30%,68%)}"
    ".bar{display:inline-block;height:10px;background:#90a4ae;max-width:100px}"
    ".graph{overflow-x:auto}.chart .grid{stroke:#e5e5e5}.chart .axis{font-size:12px;fill:#555}"
    ".chart polyline{fill:none;stroke-width:2.5}.s-live{stroke:#2e7d32;background:#2e7d32}"
    ".s-heap{stroke:#78909c;background:#78909c}.s-quar{stroke:#f9a825;background:#f9a825}"
    ".chart .dot{fill:#2e7d32}.legend{color:#333}"
    ".region{margin:10px 0}.rlabel{font-size:12px;color:#444;margin-bottom:2px;font-family:"
    "\"DejaVu Sans Mono\",monospace}canvas.strip{border:1px solid #bbb;display:block;cursor:crosshair}"
    "#maptip{position:fixed;background:#263238;color:#fff;padding:4px 8px;border-radius:4px;"
    "font-size:12px;pointer-events:none;display:none;font-family:\"DejaVu Sans Mono\",monospace}";

/* The heap map's drawing: decode each region's runs, lay its cells out in rows of
 * 512 (2 px each), colour by state, and say on hover what a cell covers. */
static const char script[] =
    "(function(){'use strict';\n"
    "window.addEventListener('error',function(e){document.body.setAttribute('data-script-error',String(e.message));});\n"
    "var COL={l:'#2e7d32',o:'#b39ddb',f:'#e8e8e8',q:'#f9a825',d:'#c62828',g:'#1565c0',c:'#455a64',u:'#b3e5fc'};\n"
    "var NAME={l:'live (the program\\'s bytes)',o:'heapcheck overhead (headers, canaries, slack)',f:'free',"
    "q:'quarantined (freed, held back)',d:'damaged (set aside)',g:'guarded: a slot holding a live block',"
    "c:'guarded slot, freed and kept closed',u:'guarded slot, never used'};\n"
    "var PER_ROW=512,CW=2,RH=14;\n"
    "function decode(rle){var out=[],n='';for(var i=0;i<rle.length;i++){var c=rle[i];"
    "if(c>='0'&&c<='9'){n+=c;continue;}var k=n?parseInt(n,10):1;for(var j=0;j<k;j++)out.push(c);n='';}return out;}\n"
    "function human(b){var u=['bytes','KiB','MiB','GiB','TiB'],i=0;while(b>=1024&&i<4){b/=1024;i++;}"
    "return i?b.toFixed(1)+' '+u[i]:b+' bytes';}\n"
    "var maps=JSON.parse(document.getElementById('hc-maps').textContent);\n"
    "var sel=document.getElementById('mapsel'),box=document.getElementById('maps'),"
    "leg=document.getElementById('maplegend'),tip=document.getElementById('maptip');\n"
    "function draw(m){box.textContent='';var count={};\n"
    "m.regions.forEach(function(r,ri){var cells=decode(r[3]),base=BigInt(r[0]),cell=r[2];"
    "var rows=Math.ceil(cells.length/PER_ROW);var div=document.createElement('div');div.className='region';"
    "var lab=document.createElement('div');lab.className='rlabel';"
    "lab.textContent=(r[4]?'guarded slots':'region '+(ri+1))+': '+r[0]+', '+human(r[1])+', '+cells.length+' cells of '+cell+' bytes';"
    "var cv=document.createElement('canvas');cv.className='strip';cv.width=PER_ROW*CW;cv.height=rows*RH;"
    "var g=cv.getContext('2d');cells.forEach(function(c,i){count[c]=(count[c]||0)+1;g.fillStyle=COL[c]||'#000';"
    "g.fillRect((i%PER_ROW)*CW,Math.floor(i/PER_ROW)*RH,CW,RH-1);});\n"
    "cv.addEventListener('mousemove',function(e){var b=cv.getBoundingClientRect();"
    "var i=Math.floor((e.clientY-b.top)/RH)*PER_ROW+Math.floor((e.clientX-b.left)/CW);if(i<0||i>=cells.length){tip.style.display='none';return;}"
    "var lo=base+BigInt(i*cell);tip.textContent='0x'+lo.toString(16)+' .. +'+cell+' bytes: '+NAME[cells[i]];"
    "tip.style.left=(e.clientX+12)+'px';tip.style.top=(e.clientY+12)+'px';tip.style.display='block';});\n"
    "cv.addEventListener('mouseleave',function(){tip.style.display='none';});"
    "div.appendChild(lab);div.appendChild(cv);box.appendChild(div);});\n"
    "var total=0;for(var k in count)total+=count[k];leg.textContent='';\n"
    "'lofqdgcu'.split('').forEach(function(c){if(!count[c]&&c!=='g')return;var s=document.createElement('span');"
    "s.innerHTML='<span class=\"key\" style=\"background:'+COL[c]+'\"></span>';"
    "s.appendChild(document.createTextNode(NAME[c]+(count[c]?': '+(100*count[c]/total).toFixed(1)+'% of cells':': none')+'   '));leg.appendChild(s);});\n"
    "var lg=m.large,parts=[];['live','overhead','free','quarantined','damaged','guarded'].forEach(function(n,i){"
    "if(lg[i][0])parts.push(lg[i][0]+' '+n+' ('+human(lg[i][1])+')');});\n"
    "var p=document.createElement('p');p.textContent='Outside the regions (large blocks in mappings of their own; guarded: live blocks in guarded slots): '+(parts.length?parts.join(', '):'none')+"
    "(m.omitted?'; '+m.omitted+' more regions not drawn':'');box.appendChild(p);}\n"
    "if(maps.length){maps.forEach(function(m,i){var o=document.createElement('option');o.value=i;o.textContent=m.name;sel.appendChild(o);});"
    "sel.value=String(maps.length-1);sel.addEventListener('change',function(){draw(maps[+sel.value]);});draw(maps[maps.length-1]);}\n"
    "document.body.setAttribute('data-rendered','ok');})();\n";

/* The programs of the dumps, each with its number of processes, in the order first
 * met: "sed (120 processes), test-localename (3 processes)". */
struct program {
    const char *exe;
    size_t nprocs;
};

static size_t programs_of(const struct picture_input *in, struct program *pr)
{
    size_t n = 0;
    for (size_t i = 0; i < in->nprocs; i++) {
        const struct hc_dump *d = in->procs[i].d;
        bool seen_pid = false;
        for (size_t j = 0; j < i; j++)
            seen_pid |= in->procs[j].d->pid == d->pid;
        size_t k = 0;
        while (k < n && strcmp(pr[k].exe, d->exe) != 0)
            k++;
        if (k == n)
            pr[n++] = (struct program){d->exe, 0};
        if (!seen_pid)
            pr[k].nprocs++;
    }
    return n;
}

/* The dump that stands for process I's heap at the end: its exit dump, else its
 * latest snapshot. */
static bool is_final(const struct picture_input *in, size_t i)
{
    const struct hc_dump *d = in->procs[i].d;
    for (size_t j = 0; j < in->nprocs; j++) {
        const struct hc_dump *o = in->procs[j].d;
        if (j == i || o->pid != d->pid || !o->has_stats)
            continue;
        if (d->kind == DUMP_EXIT)
            continue;
        if (o->kind == DUMP_EXIT || o->time_ms > d->time_ms ||
            (o->time_ms == d->time_ms && o->seq > d->seq))
            return false;
    }
    return d->has_stats;
}

/* At most this many programs are named in the header; the rest are counted. */
#define PROGRAMS_NAMED 6

bool html_write(FILE *out, const struct picture_input *in, const struct picture_input *live,
                const struct report_config *cfg)
{
    (void)cfg;
    size_t nsnap = 0;
    for (size_t i = 0; i < in->nprocs; i++)
        nsnap += in->procs[i].d->kind == DUMP_SNAPSHOT;
    struct program *pr = xcalloc(in->nprocs, sizeof *pr);
    size_t nprog = programs_of(in, pr), nproc = 0;
    for (size_t k = 0; k < nprog; k++)
        nproc += pr[k].nprocs;
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>heapcheck: ", out);
    if (nprog == 1)
        xml_text(out, pr[0].exe);
    else
        fprintf(out, "%zu programs", nprog);
    fprintf(out, "</title>\n<style>%s</style></head>\n<body>\n<header><h1>heapcheck report: ", style);
    if (nprog == 1)
        xml_text(out, pr[0].exe);
    else
        fprintf(out, "%zu programs, %zu processes", nprog, nproc);
    fprintf(out, "</h1><p>%zu dump%s: %zu at exit, %zu snapshot%s; ", in->nprocs,
            in->nprocs == 1 ? "" : "s", in->nprocs - nsnap, nsnap, nsnap == 1 ? "" : "s");
    if (nproc == 1) {
        fprintf(out, "process %ld", in->procs[0].d->pid);
    } else {
        for (size_t k = 0; k < nprog && k < PROGRAMS_NAMED; k++) {
            const char *base = strrchr(pr[k].exe, '/');
            fputs(k ? ", " : "", out);
            xml_text(out, base ? base + 1 : pr[k].exe);
            fprintf(out, " (%zu process%s)", pr[k].nprocs, pr[k].nprocs == 1 ? "" : "es");
        }
        if (nprog > PROGRAMS_NAMED)
            fprintf(out, " and %zu more programs", nprog - PROGRAMS_NAMED);
    }
    free(pr);
    fputs("</p><nav><a href=\"#errors\">errors</a><a href=\"#leaks\">leaks</a><a href=\"#sites\">"
          "allocation sites</a>", out);
    if (nsnap >= 2)
        fputs("<a href=\"#timeline\">over time</a>", out);
    fputs("<a href=\"#heapmap\">heap map</a></nav></header>\n<main>\n", out);

    /* The numbers first: of each process, its exit dump (else its latest snapshot),
     * summed. */
    fputs("<section id=\"summary\"><h2>Summary</h2><div class=\"cards\">", out);
    uint64_t errors = 0, lost = 0;
    size_t checked = 0, finals = 0, exits = 0;
    bool slots = false;
    struct hc_stats_rec end = {0};
    for (size_t i = 0; i < in->nprocs; i++) {
        const struct proc *p = &in->procs[i];
        if (p->d->kind == DUMP_EXIT) {
            errors += p->errors;
            exits++;
            if (strcmp(p->d->leak_check, "off") != 0) {
                checked++;
                lost = sat_add(lost, sat_add(p->summary[LK_DEFINITE].bytes,
                                             p->summary[LK_POSSIBLE].bytes));
            }
        }
        if (!is_final(in, i))
            continue;
        finals++;
        end.live_bytes = sat_add(end.live_bytes, p->d->stats.live_bytes);
        end.live_blocks = sat_add(end.live_blocks, p->d->stats.live_blocks);
        end.heap_bytes = sat_add(end.heap_bytes, p->d->stats.heap_bytes);
        end.quarantine_bytes = sat_add(end.quarantine_bytes, p->d->stats.quarantine_bytes);
        for (size_t r = 0; r < p->d->nregions; r++)
            slots |= p->d->regions[r].slots;
    }
    char h[32];
    fprintf(out, "<div class=\"card\">errors<b>%" PRIu64 "</b></div>", errors);
    if (checked) {
        human_bytes(lost, h, sizeof h);
        fprintf(out, "<div class=\"card\">definitely + possibly lost<b>%s</b>%s</div>", h,
                checked < exits ? "where the leak check ran" : "");
    } else if (exits) {
        fputs("<div class=\"card\">leaks<b>not checked</b>the leak check did not run</div>", out);
    }
    if (finals) {
        const char *of = finals > 1 ? " (all processes)" : "";
        human_bytes(end.live_bytes, h, sizeof h);
        fprintf(out, "<div class=\"card\">live %s%s<b>%s</b>in %" PRIu64 " blocks</div>",
                exits ? "at the end" : "at the last snapshot", of, h, end.live_blocks);
        /* The main heap's regions and the large blocks' mappings: the guarded-slot
         * pool (drawn as the map's last strip) is address space reserved, not held. */
        human_bytes(end.heap_bytes, h, sizeof h);
        fprintf(out, "<div class=\"card\">heap held from the OS%s<b>%s</b>%s</div>", of, h,
                slots ? "besides the guarded slots" : "");
        human_bytes(end.quarantine_bytes, h, sizeof h);
        fprintf(out, "<div class=\"card\">in quarantine%s<b>%s</b></div>", of, h);
    }
    fputs("</div></section>\n", out);

    errors_section(out, in);
    leaks_section(out, in, in);
    if (live && !in->live) {
        fputs("<section id=\"live\"><h2>Live heap at the latest snapshot</h2><div class=\"graph\">", out);
        flame_write_svg(out, live, NULL, false, 1160);
        fputs("</div></section>\n", out);
    }
    /* Nothing leaked but snapshots were given: their sites say more than an empty table. */
    sites_section(out, live && !in->bytes ? live : in);
    timeline_section(out, in);
    fputs("<section id=\"heapmap\"><h2>Heap map</h2>\n<p>Each heap region is a strip read left to right, "
          "top to bottom; each cell shows the state holding most of its bytes. The pool of guarded "
          "slots, where there is one, is the last strip: slots holding a live block, slots freed and kept "
          "closed, slots never used, and the guard pages between them. Hover a cell for its address. Dump: <select id=\"mapsel\"></select></p>\n<p id=\"maplegend\" class=\"legend\"></p>"
          "<div id=\"maps\"></div><div id=\"maptip\"></div>\n", out);
    if (!finals)
        fputs("<p>These dumps carry no heap map (written by an older heapcheck).</p>\n", out);
    fputs("</section>\n</main>\n", out);
    map_data(out, in);
    fprintf(out, "<script>%s</script>\n</body></html>\n", script);
    return !ferror(out);
}
