/* Printing the leak check's result (leak.h) and deciding whether it counts. */
#ifndef HC_LEAKREPORT_H
#define HC_LEAKREPORT_H

#include "leak.h"

/* full: each record of a shown kind with its stack, then the summary, or nothing when
 * no record is of a shown kind; otherwise the summary only. */
void leak_report_print(const struct leak_result *r, bool full);
/* Whether any leak is of a kind in errors_for_leak_kinds. */
bool leak_result_counts(const struct leak_result *r);

#endif
