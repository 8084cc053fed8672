/* Reports: every message heapcheck prints goes through here, formatted without
 * allocating (fmt.h) and written with write(2) to stderr and, when log_path is set,
 * to PATH.PID.  One report at a time across threads. */
#ifndef HC_REPORT_H
#define HC_REPORT_H

#include "internal.h"

struct fmt;

void report_init(void);
/* In a fork child: the report lock's holder, if any, is gone. */
void report_after_fork(void);
void report_warning(const char *line);
/* One problem found by the heap check. */
void report_heap_problem(const char *what, const void *where);
size_t report_error_count(void);
void report_count_error(void);

/* Building blocks for the per-class reports: begin takes the report lock and opens
 * the buffer; end writes it and releases the lock. */
struct fmt *report_begin(void);
void report_end(void);
/* report_begin, or NULL when the report lock stays held (a debugger stopped a report). */
struct fmt *report_try_begin(void);
/* Close a report without writing it (print_reports=0). */
void report_discard(void);
/* Inside a report: the "==PID== " prefix, one frame, a depot stack, and a flush of
 * the buffer for long reports. */
void report_line_start(struct fmt *f);
void report_frame(struct fmt *f, unsigned *index, void *pc);
void report_stack(struct fmt *f, uint32_t id);
/* The SUMMARY line's place in a stack (finding_where): "FILE:LINE in FUNCTION" of its
 * first frame of the program (finding_frame_is_program), else "(MODULE+0xOFFSET)" of
 * its first frame. */
void report_stack_brief(struct fmt *f, uint32_t id);
void report_flush(void);

#endif
