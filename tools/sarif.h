/* SARIF 2.1.0 rendering of report models (--sarif=FILE): docs/report-format.md. */
#ifndef HC_TOOL_SARIF_H
#define HC_TOOL_SARIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "report.h"

/* Returns false if the document could not be written. */
bool render_sarif(FILE *out, const struct proc *procs, size_t n,
                  const struct report_config *cfg);

#endif
