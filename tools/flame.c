/* --svg: a flame graph drawn by heapcheck itself.  The weighted stacks are merged
 * into a tree from the outermost frame (siblings merged by function and file:line, so
 * each box's tooltip names one place), laid out with widths proportional to bytes,
 * the root at the bottom.  Colours explain themselves through a legend: in a leak
 * graph a box takes the colour of the leak kind holding most of its bytes; in a
 * snapshot, of where its code lives (the program, a library, unknown).  Each box is
 * a <g> with a <title> tooltip (function, file:line, bytes, blocks, share) and
 * data-bytes / data-blocks / data-depth attributes for tools and tests.  No script. */
#include "config.h"

#include "pictures.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct node {
    char *name, *where;
    uint64_t bytes, blocks;
    uint64_t by_kind[LK_COUNT];
    int cls; /* live graphs: 0 program, 1 library, 2 unknown */
    struct node *kids;
    size_t nkids, cap;
};

static struct node *child(struct node *n, const char *name, const char *where)
{
    for (size_t i = 0; i < n->nkids; i++)
        if (strcmp(n->kids[i].name, name) == 0 && strcmp(n->kids[i].where, where) == 0)
            return &n->kids[i];
    if (n->nkids == n->cap) {
        n->cap = n->cap ? n->cap * 2 : 4;
        n->kids = xrealloc(n->kids, n->cap, sizeof *n->kids);
    }
    struct node *k = &n->kids[n->nkids++];
    memset(k, 0, sizeof *k);
    k->name = xstrdup(name);
    k->where = xstrdup(where);
    return k;
}

static void account(struct node *n, const struct weighted *w)
{
    n->bytes = sat_add(n->bytes, w->bytes);
    n->blocks = sat_add(n->blocks, w->blocks);
    if (w->kind >= 0 && w->kind < LK_COUNT)
        n->by_kind[w->kind] = sat_add(n->by_kind[w->kind], w->bytes);
}

static int frame_class(const struct sym_frame *f, const char *exe)
{
    if (!f->module)
        return 2;
    return strcmp(f->module, exe) == 0 ? 0 : 1;
}

static void build(struct node *root, const struct picture_input *in)
{
    for (size_t i = 0; i < in->nw; i++) {
        const struct weighted *w = &in->w[i];
        struct node *n = root;
        account(n, w);
        if (in->several) {
            char label[300];
            const char *base = strrchr(w->p->d->exe, '/');
            snprintf(label, sizeof label, "%s", base ? base + 1 : w->p->d->exe);
            n = child(n, label, "program");
            n->cls = 2;
            account(n, w);
        }
        for (size_t f = w->st->n; f-- > 0;) {
            const struct sym_frame *fr = &w->st->f[f];
            char name[512], where[600];
            frame_name(fr, name, sizeof name);
            if (fr->file)
                snprintf(where, sizeof where, "%s:%d", fr->file, fr->line);
            else if (fr->module)
                snprintf(where, sizeof where, "%s+0x%" PRIx64, fr->module, fr->offset);
            else
                snprintf(where, sizeof where, "unknown");
            n = child(n, name, where);
            n->cls = frame_class(fr, w->p->d->exe);
            account(n, w);
        }
    }
}

static int by_name(const void *a, const void *b)
{
    const struct node *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->where, y->where);
}

static int depth_of(struct node *n)
{
    int d = 0;
    qsort(n->kids, n->nkids, sizeof *n->kids, by_name);
    for (size_t i = 0; i < n->nkids; i++) {
        int k = depth_of(&n->kids[i]);
        if (k + 1 > d)
            d = k + 1;
    }
    return d;
}

static void free_tree(struct node *n)
{
    for (size_t i = 0; i < n->nkids; i++)
        free_tree(&n->kids[i]);
    free(n->kids);
    free(n->name);
    free(n->where);
}

/* Hue and saturation per colour class; lightness varies a little by name, so
 * neighbouring boxes of one class stay apart. */
static const struct {
    int h, s, l;
    const char *label;
} leak_colours[LK_COUNT] = {{0, 72, 58, "definitely lost"},
                            {24, 85, 58, "indirectly lost"},
                            {45, 90, 55, "possibly lost"},
                            {210, 30, 68, "still reachable"}},
  live_colours[3] = {{28, 85, 58, "the program's code"},
                     {200, 60, 62, "shared libraries"},
                     {0, 0, 72, "unknown (not symbolized)"}};

static unsigned name_hash(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void fill(FILE *out, const struct node *n, bool live, bool root)
{
    if (root) {
        fputs("#c9c9c9", out);
        return;
    }
    int h, s, l;
    if (live) {
        h = live_colours[n->cls].h, s = live_colours[n->cls].s, l = live_colours[n->cls].l;
    } else {
        int k = 0;
        for (int i = 1; i < LK_COUNT; i++)
            if (n->by_kind[i] > n->by_kind[k])
                k = i;
        h = leak_colours[k].h, s = leak_colours[k].s, l = leak_colours[k].l;
    }
    l += (int)(name_hash(n->name) % 11) - 5;
    fprintf(out, "hsl(%d,%d%%,%d%%)", h, s, l);
}

struct layout {
    FILE *out;
    bool live;
    double scale, left;
    int maxdepth, top, row;
    uint64_t total;
};

#define CHAR_W 6.6

static void draw(const struct layout *L, const struct node *n, double x, int depth)
{
    double w = (double)n->bytes * L->scale;
    if (w < 0.3)
        return; /* too thin to see: its bytes are in its parent's box */
    double y = L->top + (double)(L->maxdepth - depth) * L->row;
    FILE *out = L->out;
    char bytes[32];
    human_bytes(n->bytes, bytes, sizeof bytes);
    fprintf(out, "<g class=\"f\" data-bytes=\"%" PRIu64 "\" data-blocks=\"%" PRIu64
                 "\" data-depth=\"%d\"><title>",
            n->bytes, n->blocks, depth);
    xml_text(out, n->name);
    fputs("\n", out);
    xml_text(out, n->where);
    fprintf(out, "\n%s (%" PRIu64 " bytes, %.1f%%) in %" PRIu64 " block%s", bytes, n->bytes,
            L->total ? 100.0 * (double)n->bytes / (double)L->total : 0.0, n->blocks,
            n->blocks == 1 ? "" : "s");
    if (!L->live && depth > 0) {
        for (int k = 0; k < LK_COUNT; k++)
            if (n->by_kind[k])
                fprintf(out, "\n  %s: %" PRIu64 " bytes", leak_colours[k].label, n->by_kind[k]);
    }
    fprintf(out, "</title><rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%d\" rx=\"2\" fill=\"",
            x, y, w, L->row - 1);
    fill(out, n, L->live, depth == 0);
    fputs("\"/>", out);
    size_t fit = w > 8 ? (size_t)((w - 6) / CHAR_W) : 0;
    if (fit >= 3) {
        char label[600];
        snprintf(label, sizeof label, "%s", n->name);
        if (strlen(label) > fit) {
            label[fit - 2] = '.';
            label[fit - 1] = '.';
            label[fit] = '\0';
        }
        fprintf(out, "<text x=\"%.2f\" y=\"%.1f\">", x + 3, y + L->row - 5);
        xml_text(out, label);
        fputs("</text>", out);
    }
    fputs("</g>\n", out);
    double cx = x;
    for (size_t i = 0; i < n->nkids; i++) {
        draw(L, &n->kids[i], cx, depth + 1);
        cx += (double)n->kids[i].bytes * L->scale;
    }
}

static void legend(FILE *out, bool live, int y, int width)
{
    int x = 10;
    int n = live ? 3 : LK_COUNT;
    for (int i = 0; i < n; i++) {
        int h = live ? live_colours[i].h : leak_colours[i].h;
        int s = live ? live_colours[i].s : leak_colours[i].s;
        int l = live ? live_colours[i].l : leak_colours[i].l;
        const char *label = live ? live_colours[i].label : leak_colours[i].label;
        fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" rx=\"2\" "
                     "fill=\"hsl(%d,%d%%,%d%%)\"/><text x=\"%d\" y=\"%d\" class=\"legend\">%s</text>\n",
                x, y, h, s, l, x + 19, y + 11, label);
        x += 24 + (int)(strlen(label) * 7.2) + 14;
    }
    fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"note\" text-anchor=\"end\">width: bytes; "
                 "bottom: outermost frame; hover a box for details</text>\n",
            width - 10, y + 11);
}

void flame_write_svg(FILE *out, const struct picture_input *in, const char *title,
                     bool standalone, int width)
{
    struct node root = {0};
    root.name = xstrdup("all");
    root.where = xstrdup(in->live ? "every live block" : "every leaked block shown");
    build(&root, in);
    int maxdepth = depth_of(&root);
    struct layout L = {out, in->live, 0, 10, maxdepth, 84, 18, root.bytes};
    L.scale = root.bytes ? (double)(width - 20) / (double)root.bytes : 0;
    int height = L.top + (maxdepth + 1) * L.row + 10;
    if (standalone)
        fputs("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n", out);
    fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" class=\"flame\" "
                 "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" data-total-bytes=\"%" PRIu64 "\">\n",
            width, height, width, height, root.bytes);
    fputs("<style>text{font-family:\"DejaVu Sans Mono\",Menlo,Consolas,monospace;font-size:11px;"
          "fill:#1a1a1a}text.title{font-family:\"DejaVu Sans\",Arial,sans-serif;font-size:17px;"
          "font-weight:bold}text.sub,text.note,text.legend{font-family:\"DejaVu Sans\",Arial,"
          "sans-serif;font-size:12px}text.note{fill:#666}g.f:hover rect{stroke:#000;"
          "stroke-width:1}g.f text{pointer-events:none}</style>\n",
          out);
    fprintf(out, "<rect width=\"%d\" height=\"%d\" fill=\"#fbfbf8\"/>\n", width, height);
    char total[32];
    human_bytes(root.bytes, total, sizeof total);
    fputs("<text x=\"10\" y=\"24\" class=\"title\">", out);
    if (title) {
        xml_text(out, title);
    } else {
        fputs(in->live ? "Live heap by allocation stack" : "Leaked memory by allocation stack", out);
        if (!in->several) {
            fputs(": ", out);
            xml_text(out, in->procs[0].d->exe);
        }
    }
    fprintf(out, "</text>\n<text x=\"10\" y=\"44\" class=\"sub\">%s", total);
    if (root.bytes >= 1024)
        fprintf(out, " (%" PRIu64 " bytes)", root.bytes);
    fprintf(out, " in %" PRIu64 " blocks from %zu %s%s", root.blocks, in->nw,
            in->live ? "allocation stack" : "leak record", in->nw == 1 ? "" : "s");
    if (in->live && in->nprocs >= 1 && in->procs[0].d->kind == DUMP_SNAPSHOT)
        fputs(", live at the snapshot", out);
    if (!root.bytes)
        fputs(in->live ? "; nothing is live" : "; nothing leaked", out);
    fputs("</text>\n", out);
    legend(out, in->live, 56, width);
    if (root.bytes)
        draw(&L, &root, L.left, 0);
    fputs("</svg>\n", out);
    free_tree(&root);
}
