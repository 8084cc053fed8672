/* Which processes are checked (trace_children, trace_children_skip, trace_parent). */
#ifndef HC_TRACE_H
#define HC_TRACE_H

#include <stdbool.h>

/* Whether this process is checked; called once at start-up, after the options. */
bool trace_this_process(void);
/* Whether EXE (a path) matches one of PATTERNS (globs separated by ','; a pattern with
 * a '/' is matched against the path, one without against the last component). */
bool trace_skip_matches(const char *patterns, const char *exe);

#endif
