/* The leak report on stderr (and the log file), in memcheck's words:
 *   48 (16 direct, 32 indirect) bytes in 1 blocks are definitely lost in loss record 1 of 3
 * then the allocation stack, largest records first, then the LEAK SUMMARY. */
#include "internal.h"
#include "leakreport.h"
#include "fmt.h"
#include "options.h"
#include "report.h"

static void flush_if_full(struct fmt *f)
{
    if (fmt_length(f) > 6144)
        report_flush();
}

void leak_report_print(const struct leak_result *r, bool full)
{
    size_t shown = 0;
    for (size_t i = 0; i < r->nrecords; i++)
        shown += (options.show_leak_kinds >> r->records[i].kind) & 1;
    if ((full && shown == 0) || !options.print_reports)
        return; /* nothing to show (a clean program prints nothing at all), or the
                 * heapcheck tool prints it from the dump */
    struct fmt *f = report_begin();
    if (full) {
        size_t n = 0;
        for (size_t i = 0; i < r->nrecords; i++) {
            const struct leak_record *x = &r->records[i];
            if (!((options.show_leak_kinds >> x->kind) & 1))
                continue;
            report_line_start(f);
            fmt_printf(f, "\n");
            report_line_start(f);
            if (x->indirect_bytes)
                fmt_printf(f, "%zu (%zu direct, %zu indirect) bytes", x->bytes + x->indirect_bytes, x->bytes,
                           x->indirect_bytes);
            else
                fmt_printf(f, "%zu bytes", x->bytes);
            fmt_printf(f, " in %zu blocks are %s in loss record %zu of %zu\n", x->blocks,
                       leak_kind_names[x->kind], ++n, shown);
            report_line_start(f);
            fmt_printf(f, "  allocated at:\n");
            report_stack(f, x->stack);
            flush_if_full(f);
        }
    }
    report_line_start(f);
    fmt_printf(f, "\n");
    report_line_start(f);
    fmt_printf(f, "LEAK SUMMARY:\n");
    static const char *const labels[LEAK_KINDS] = {"definitely lost", "indirectly lost",
                                                   "  possibly lost", "still reachable"};
    for (int k = 0; k < LEAK_KINDS; k++) {
        report_line_start(f);
        fmt_printf(f, "   %s: %zu bytes in %zu blocks\n", labels[k], r->bytes[k], r->blocks[k]);
    }
    report_line_start(f);
    fmt_printf(f, "        suppressed: %zu bytes in %zu blocks\n", r->suppressed_bytes, r->suppressed_blocks);
    if (!full || r->nrecords > shown) {
        report_line_start(f);
        fmt_printf(f, "%s\n", full ? "Reachable blocks are not shown (show_leak_kinds=all shows them)."
                                   : "For each leak with its allocation stack: HEAPCHECK_OPTIONS=leak_check=full");
    }
    report_end();
}

bool leak_result_counts(const struct leak_result *r)
{
    for (int k = 0; k < LEAK_KINDS; k++)
        if (((options.errors_for_leak_kinds >> k) & 1) && r->blocks[k])
            return true;
    return false;
}
