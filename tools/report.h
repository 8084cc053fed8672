/* The report model: one process's dump with its stacks symbolized, suppressions
 * applied, leak records numbered largest first, and the counts that decide the exit
 * status.  render.c prints it; main.c decides the exit status from it. */
#ifndef HC_TOOL_REPORT_H
#define HC_TOOL_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "dump.h"
#include "suppress.h"
#include "symbolize.h"

struct report_config {
    unsigned show_kinds;        /* leak kinds whose records are printed */
    unsigned count_kinds;       /* leak kinds that count as findings */
    bool gen_suppressions;
    const struct supp_list *supps;
    const char *sarif_root;     /* SARIF's %SRCROOT%; NULL: the working directory */
};

struct error_view {
    const struct hc_error *e;
    const struct sym_stack *st[ES_COUNT];   /* n == 0 when the error has none */
    const struct sym_stack *prev;           /* the overrun block's before a damaged header */
    const char *suppressed_by;              /* NULL, or the suppression's name */
};

struct leak_view {
    const struct hc_leak *l;
    const struct sym_stack *st;
    const char *suppressed_by;
    unsigned record;                        /* 1-based among unsuppressed records */
};

struct proc {
    struct hc_dump *d;
    struct sym_stack *syms;     /* parallel to d->stacks */
    bool *symbolized;
    struct error_view *errs;    /* d->nerrors */
    struct leak_view *leaks;    /* d->nleaks, largest first */
    unsigned nrecords;          /* unsuppressed leak records */
    struct hc_count summary[LK_COUNT];   /* after suppressions */
    struct hc_count suppressed;
    uint64_t errors;            /* errors not suppressed (errors_total less those) */
    uint64_t errors_suppressed;
    bool fails;                 /* has errors or counting leaks: the exit status says so */
};

/* Build the model of D (which P then owns). */
void proc_init(struct proc *p, struct hc_dump *d, struct symbolizer *s,
               const struct report_config *cfg);
void proc_fini(struct proc *p);

/* The symbolized stack ID of P's dump, memoized in P (an empty stack if the dump has none). */
const struct sym_stack *proc_stack(struct proc *p, struct symbolizer *s, uint64_t id);

/* a + b, stopping at the largest value the report can print. */
uint64_t sat_add(uint64_t a, uint64_t b);

#endif
