/* --folded: one line per distinct stack, frames from the outermost to the innermost
 * joined by ';', then a space and the bytes: the input of flamegraph.pl, inferno,
 * speedscope and the like.  Frames are function names (file and line would split one
 * function into many boxes); lines are sorted and equal ones merged, so the output
 * is the same for the same dump whatever the order of its records. */
#include "config.h"

#include "pictures.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct line {
    char *text;
    uint64_t bytes;
};

static void append(char **s, size_t *len, size_t *cap, const char *add)
{
    size_t n = strlen(add);
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *s = xrealloc(*s, *cap, 1);
    }
    memcpy(*s + *len, add, n + 1);
    *len += n;
}

/* ';' separates frames and the last space the count: neither may appear in a name. */
static void clean(char *name)
{
    for (char *c = name; *c; c++)
        if (*c == ';' || (unsigned char)*c < 0x20)
            *c = ':';
}

static int by_text(const void *a, const void *b)
{
    return strcmp(((const struct line *)a)->text, ((const struct line *)b)->text);
}

void folded_write(FILE *out, const struct picture_input *in)
{
    struct line *lines = xcalloc(in->nw ? in->nw : 1, sizeof *lines);
    for (size_t i = 0; i < in->nw; i++) {
        const struct weighted *w = &in->w[i];
        char *s = NULL;
        size_t len = 0, cap = 0;
        append(&s, &len, &cap, "");
        if (in->several) {
            char root[300];
            const char *base = strrchr(w->p->d->exe, '/');
            snprintf(root, sizeof root, "%s", base ? base + 1 : w->p->d->exe);
            clean(root);
            append(&s, &len, &cap, root);
        }
        for (size_t f = w->st->n; f-- > 0;) {
            char name[512];
            frame_name(&w->st->f[f], name, sizeof name);
            clean(name);
            if (len)
                append(&s, &len, &cap, ";");
            append(&s, &len, &cap, name);
        }
        if (!len)
            append(&s, &len, &cap, "[no stack]");
        lines[i] = (struct line){s, w->bytes};
    }
    qsort(lines, in->nw, sizeof *lines, by_text);
    for (size_t i = 0; i < in->nw;) {
        uint64_t bytes = 0;
        size_t j = i;
        for (; j < in->nw && strcmp(lines[j].text, lines[i].text) == 0; j++)
            bytes = sat_add(bytes, lines[j].bytes);
        if (bytes)
            fprintf(out, "%s %" PRIu64 "\n", lines[i].text, bytes);
        i = j;
    }
    for (size_t i = 0; i < in->nw; i++)
        free(lines[i].text);
    free(lines);
}
