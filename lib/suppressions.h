/* Suppressions in the library (docs/suppressions.md): the files named by the
 * suppressions option, read once at start-up into a mapped table (suppfile.c's
 * parser), hide the errors and leak records they match from the library's report,
 * its dump and its exit status.  Stacks are symbolized for matching as the report
 * does it (symbols.h).  Nothing here calls malloc. */
#ifndef HC_SUPPRESSIONS_H
#define HC_SUPPRESSIONS_H

#include "internal.h"
#include "finding.h"
#include "leak.h"

/* Read the files (a warning naming FILE:LINE for each problem; the good blocks are
 * kept).  Called once, at initialization. */
void suppressions_load(void);
/* Whether a suppression hides this finding (then it is neither reported nor counted).
 * Takes the report lock: not to be called with it held. */
bool suppressions_hide_finding(const struct finding *x);
/* Move the leak records a suppression matches out of r, their bytes and blocks to
 * r's suppressed totals.  Takes the report lock. */
void suppressions_apply_leaks(struct leak_result *r);
/* How many findings and leak records suppressions have hidden so far (for
 * verbosity=2's summary). */
void suppressions_counts(size_t *errors, size_t *leak_records);

#endif
