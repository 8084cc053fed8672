/* Allocation wrappers: functions that only call malloc and friends for their callers
 * (gnulib's xmalloc, glib's g_malloc...), skipped when a report looks for the place
 * that allocated (SARIF's location, the HTML page's top allocation sites), as
 * memcheck's --alloc-fn does.  The known wrappers of gnulib and glib by default, and
 * those the user names with --alloc-fn. */
#ifndef HC_TOOL_ALLOC_FN_H
#define HC_TOOL_ALLOC_FN_H

#include <stdbool.h>

#include "symbolize.h"

/* Add NAME (a function name; '*' and '?' match as in a shell) to the wrappers. */
void alloc_fn_add(const char *name);
/* Whether FUNCTION (NULL: unknown) is a wrapper. */
bool alloc_fn_is_wrapper(const char *function);
/* The first frame of ST that is the program's own (finding_frame_is_program: it has
 * a source file outside the system's libraries) and not a wrapper; NULL if none. */
const struct sym_frame *alloc_fn_first_own_frame(const struct sym_stack *st);

#endif
