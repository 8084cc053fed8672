/* Rendering of report models: memcheck-like text, one block per process, or one JSON
 * document (--json) with the processes, their symbolized errors and leaks. */
#ifndef HC_TOOL_RENDER_H
#define HC_TOOL_RENDER_H

#include <stddef.h>
#include <stdio.h>

#include "report.h"

void render_text(FILE *out, const struct proc *procs, size_t n,
                 const struct report_config *cfg);
/* Returns false if the document could not be written. */
bool render_json(FILE *out, const struct proc *procs, size_t n,
                 const struct report_config *cfg);

/* The dump's error as the model lib/finding_text.c renders (the library's too). */
struct finding_desc;
void error_describe(const struct hc_error *e, struct finding_desc *d);

/* The text report's "likely cause" of the error, into BUF ("" when it has none). */
void error_likely_cause(const struct hc_error *e, char *buf, size_t len);

/* One sentence saying where the error's address is relative to its block. */
void error_description(const struct hc_error *e, char *buf, size_t len);

#endif
