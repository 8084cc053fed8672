/* The machine-readable dump at exit (docs/dump-format.md), written with write(2)
 * from the no-allocation formatter. */
#ifndef HC_DUMP_H
#define HC_DUMP_H

#include "leak.h"
#include "finding.h"

/* r may be NULL (leak check off).  Returns false when the file could not be written
 * (warned, naming the file and the error: os_open_output refuses FIFOs, devices,
 * links and other users' files). */
bool dump_write(const char *prefix, const struct leak_result *r);

/* How the process ends, for the dump's "end" (version 3): at exit (the default), by
 * heapcheck's abort after an error, or by a fatal signal; the last two before the
 * leak check could run.  Set just before the last dump_write. */
enum dump_end { DUMP_END_EXIT, DUMP_END_ABORT, DUMP_END_SIGNAL };
void dump_note_end(enum dump_end how);

/* The dump to file name: of r (may be NULL), and of snap when given (a snapshot when
 * it holds live groups; its heap map and statistics either way). */
struct snapshot;
bool dump_write_file(const char *name, const struct leak_result *r, const struct snapshot *snap);

/* For snapshot.c: the formatter being written, a flush when it fills, and a stack
 * written unless the errors' or leaks' stacks already hold it. */
struct fmt *dump_fmt(void);
void dump_maybe_flush(void);
/* The dump's word for an error class ("heap-buffer-overflow"), which suppression
 * files name in 'type:' too. */
const char *dump_error_kind(enum bug bug);
void dump_stack_once(uint32_t id, bool *first);

#endif
