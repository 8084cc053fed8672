/* The report model of one process: symbolize each stack once, apply suppressions,
 * sort and number the leak records, and work out the counts after suppression (the
 * library's summary less what was suppressed) and whether the process fails. */
#include "config.h"

#include "report.h"

#include <stdlib.h>
#include <string.h>

#define COUNT_MAX ((uint64_t)INT64_MAX)

uint64_t sat_add(uint64_t a, uint64_t b)
{
    if (a > COUNT_MAX)
        a = COUNT_MAX;
    return b > COUNT_MAX - a ? COUNT_MAX : a + b;
}

static uint64_t sat_sub(uint64_t a, uint64_t b)
{
    return a > b ? a - b : 0;
}

static const struct sym_stack empty_stack;

const struct sym_stack *proc_stack(struct proc *p, struct symbolizer *s, uint64_t id)
{
    const struct hc_stack *st = dump_stack(p->d, id);
    if (!st)
        return &empty_stack;
    size_t i = (size_t)(st - p->d->stacks);
    if (!p->symbolized[i]) {
        sym_stack(s, p->d, st, &p->syms[i]);
        p->symbolized[i] = true;
    }
    return &p->syms[i];
}

static uint64_t leak_total(const struct hc_leak *l)
{
    return sat_add(l->bytes, l->indirect_bytes);
}

static int cmp_leak(const void *a, const void *b)
{
    const struct leak_view *x = a, *y = b;
    uint64_t tx = leak_total(x->l), ty = leak_total(y->l);
    if (tx != ty)
        return tx > ty ? -1 : 1;
    if (x->l->kind != y->l->kind)
        return x->l->kind < y->l->kind ? -1 : 1;
    if (x->l->blocks != y->l->blocks)
        return x->l->blocks > y->l->blocks ? -1 : 1;
    return x->l->stack < y->l->stack ? -1 : x->l->stack > y->l->stack;
}

void proc_init(struct proc *p, struct hc_dump *d, struct symbolizer *s,
               const struct report_config *cfg)
{
    memset(p, 0, sizeof *p);
    p->d = d;
    p->syms = xcalloc(d->nstacks, sizeof *p->syms);
    p->symbolized = xcalloc(d->nstacks, sizeof *p->symbolized);

    p->errs = xcalloc(d->nerrors, sizeof *p->errs);
    for (size_t i = 0; i < d->nerrors; i++) {
        struct error_view *v = &p->errs[i];
        v->e = &d->errors[i];
        v->st[ES_FOUND] = proc_stack(p, s, v->e->op_stack);
        v->st[ES_ALLOCATED] = proc_stack(p, s, v->e->alloc_stack);
        v->st[ES_FREED] = proc_stack(p, s, v->e->free_stack);
        v->prev = proc_stack(p, s, v->e->prev_stack);
        v->suppressed_by = supp_match_error(cfg->supps, v->e->kind, v->st);
        if (v->suppressed_by)
            p->errors_suppressed++;
    }
    p->errors = d->errors_total - p->errors_suppressed;

    for (int k = 0; k < LK_COUNT; k++)
        p->summary[k] = d->summary[k];
    p->suppressed = d->suppressed;
    p->leaks = xcalloc(d->nleaks, sizeof *p->leaks);
    for (size_t i = 0; i < d->nleaks; i++) {
        struct leak_view *v = &p->leaks[i];
        v->l = &d->leaks[i];
        v->st = proc_stack(p, s, v->l->stack);
        v->suppressed_by = supp_match_leak(cfg->supps, v->l->kind, v->st);
        if (v->suppressed_by) {
            struct hc_count *c = &p->summary[v->l->kind];
            c->bytes = sat_sub(c->bytes, v->l->bytes);
            c->blocks = sat_sub(c->blocks, v->l->blocks);
            p->suppressed.bytes = sat_add(p->suppressed.bytes, v->l->bytes);
            p->suppressed.blocks = sat_add(p->suppressed.blocks, v->l->blocks);
        }
    }
    qsort(p->leaks, d->nleaks, sizeof *p->leaks, cmp_leak);
    for (size_t i = 0; i < d->nleaks; i++)
        if (!p->leaks[i].suppressed_by)
            p->leaks[i].record = ++p->nrecords;

    p->fails = p->errors > 0;
    for (int k = 0; k < LK_COUNT; k++)
        if ((cfg->count_kinds & (1u << k)) &&
            (p->summary[k].blocks > 0 || p->summary[k].bytes > 0))
            p->fails = true;
}

void proc_fini(struct proc *p)
{
    for (size_t i = 0; p->d && i < p->d->nstacks; i++)
        sym_stack_free(&p->syms[i]);
    free(p->syms);
    free(p->symbolized);
    free(p->errs);
    free(p->leaks);
    dump_free(p->d);
    memset(p, 0, sizeof *p);
}
