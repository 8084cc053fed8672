/* The machine-readable dump at exit (docs/dump-format.md), written with write(2)
 * from the no-allocation formatter. */
#ifndef HC_DUMP_H
#define HC_DUMP_H

#include "leak.h"

/* r may be NULL (leak check off).  Returns false when the file could not be written
 * (warned, naming the file and the error: os_open_output refuses FIFOs, devices,
 * links and other users' files). */
bool dump_write(const char *prefix, const struct leak_result *r);

#endif
