/* Snapshots of the live heap while the program runs (hc_dump_now, snapshot_signal,
 * snapshot_interval_ms), and the heap map that every dump carries: live blocks
 * grouped by allocation stack, the statistics and the layout of the heap regions, all
 * taken in one hold of every lock, then written as a dump (docs/dump-format.md)
 * after the lock is released.  Scratch memory is mapped; nothing here calls malloc. */
#ifndef HC_SNAPSHOT_H
#define HC_SNAPSHOT_H

#include "internal.h"

struct snapshot;

/* Take every lock, record what is live (grouped by stack, when groups) and the
 * heap map, release the lock.  NULL when scratch memory could not be mapped. */
struct snapshot *snapshot_collect(bool groups);
void snapshot_release(struct snapshot *s);

/* Parts of the dump, written through dump.c's formatter (dump_fmt()). */
void snapshot_write_header(const struct snapshot *s);  /* "trigger", "seq", "time_ms" */
void snapshot_write_stacks(const struct snapshot *s, bool *first);
void snapshot_write_body(const struct snapshot *s);    /* "stats", "live", "heap_map" */
bool snapshot_has_groups(const struct snapshot *s);

/* Write PREFIX.PID.snap.SEQ.json now; trigger is "api", "signal" or "interval".
 * 0 on success, -1 (errno set) otherwise. */
int snapshot_now(const char *trigger);
/* hc_dump_now (snaptrigger.c): start-up first; -1 with ENOTSUP in preset none. */
int snapshot_api(void);

#endif
