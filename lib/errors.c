/* The library's side of a finding's report (see finding.h): it keeps the findings for
 * the dump, describes each as a finding_desc and has finding_text.c render it (the
 * one renderer, shared with the heapcheck tool) into the report buffer with the
 * stacks symbolized in the process; and the SUMMARY line, in finding_summary's words
 * (the tool's too).  No allocation, write(2) only. */
#define _GNU_SOURCE
#include "internal.h"
#include "finding.h"
#include "fmt.h"
#include "os.h"
#include "report.h"
#include "depot.h"
#include "options.h"


/* The finding as the shared renderer's plain description. */
_Static_assert((int)FAM_REALLOC == (int)KIND_REALLOC && (int)FAM_NEW_ARRAY == (int)KIND_NEW_ARRAY,
               "enum family follows enum alloc_kind");

/* The thread a stack names (the depot keeps it with the stack). */
static struct finding_thread thread_of(uint32_t stack)
{
    struct finding_thread t;
    t.number = depot_thread(stack, &t.name);
    return t;
}

void finding_describe(const struct finding *x, struct finding_desc *d)
{
    *d = (struct finding_desc){
        .bug = x->bug, .op = x->op, .addr = (uintptr_t)x->addr, .block = (uintptr_t)x->block,
        .size = x->size, .offset = x->offset, .changed = x->changed,
        .alloc_family = (enum family)x->alloc_kind, .release_family = (enum family)x->op_kind,
        .detail = x->detail, .cause = x->cause, .block_known = x->block_known, .freed = x->freed,
        .has_op_stack = x->op_stack != 0, .prev_known = x->prev_known,
        .prev_block = (uintptr_t)x->prev_block, .prev_size = x->prev_size,
        .prev_changed = x->prev_changed,
        .op_thread = thread_of(x->op_stack),
        .alloc_thread = thread_of(x->block_known ? x->alloc_stack : 0),
        .free_thread = thread_of(x->block_known ? x->free_stack : 0),
    };
}

/* The library's sink: "==PID== " prefixes, and stacks from the depot symbolized in
 * the process (report_stack). */
struct lib_sink {
    struct finding_sink sink;
    const struct finding *x;
};

static void sink_line_start(struct finding_sink *s, struct fmt *f)
{
    (void)s;
    report_line_start(f);
}

static void sink_stack(struct finding_sink *s, struct fmt *f, enum finding_stack which)
{
    const struct finding *x = ((struct lib_sink *)s)->x;
    uint32_t id = which == FS_OP ? x->op_stack : which == FS_ALLOC ? x->alloc_stack
                  : which == FS_FREE ? x->free_stack : x->prev_stack;
    report_stack(f, id);
}

/* The last findings, for the exit dump. */
#define KEPT 256
static struct finding kept[KEPT];
static size_t nkept;

void report_finding(const struct finding *x)
{
    struct fmt *f = report_begin();
    if (nkept < KEPT)
        kept[nkept++] = *x;
    if (!options.print_reports) { /* for the dump only */
        report_discard();
        report_count_error();
        return;
    }
    struct finding_desc d;
    finding_describe(x, &d);
    struct lib_sink sink = {{sink_line_start, sink_stack}, x};
    finding_render(f, &d, &sink.sink);
    report_end();
    report_count_error();
}

const struct finding *report_kept_findings(size_t *n)
{
    *n = nkept;
    return kept;
}

void report_summary(bool leaks_checked, size_t leaked_bytes, size_t leaked_blocks, uint32_t leak_stack)
{
    size_t errs = report_error_count();
    if (!options.print_reports || !finding_summary_due(errs, leaked_blocks))
        return;
    struct fmt *f = report_begin();
    char where_buf[512];
    struct fmt where;
    fmt_init(&where, where_buf, sizeof where_buf);
    const char *title = NULL;
    if (nkept) { /* the first error: its class, and where it was found or made */
        const struct finding *x = &kept[0];
        struct finding_desc d;
        finding_describe(x, &d);
        title = finding_title(&d);
        report_stack_brief(&where, x->op_stack ? x->op_stack : x->alloc_stack);
    } else if (!errs) {
        report_stack_brief(&where, leak_stack);
    }
    report_line_start(f);
    finding_summary(f, title, fmt_text(&where), errs, leaks_checked, leaked_bytes, leaked_blocks);
    report_end();
}
