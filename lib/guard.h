/* The guard layer: the debugging layout inside each core block and every check.
 *
 *   core payload P: | header (12 B) | front canary (4 B) | user payload (n B) | rear canary |
 *
 * The header holds the requested size (as the slack after it), the family, the
 * allocation stack and a keyed checksum (SipHash, secret.h) over them, the core's head
 * word and P itself.  The rear canary starts exactly at user + n and fills the slack
 * to the end of the block.  Called with the current arena's lock held; errors are
 * returned as findings, never printed here. */
#ifndef HC_GUARD_H
#define HC_GUARD_H

#include "finding.h"

#define GUARD_PREFIX ((size_t)16)

struct guard_config {
    bool quarantine;     /* hold freed blocks back, poisoned */
    bool fill;           /* fill new blocks with alloc_fill */
    bool hold;           /* no quarantine: hold freed blocks back, reused in random order */
    size_t quarantine_size, quarantine_max_block;
    unsigned quarantine_ratio; /* percent of live bytes; 0: no such bound */
    unsigned char alloc_fill, free_fill;
    size_t fill_limit; /* bytes filled, and poisoned in full; 0: whole blocks */
};
extern struct guard_config guard_config;

void guard_init(void);
void *guard_alloc(size_t n, size_t align, enum alloc_kind kind, uint32_t stack, bool zero);
/* Memory is short: give the quarantined blocks back to the core (each verified;
 * at most one finding).  Returns the number of findings. */
int guard_flush_quarantine(struct finding *out);
/* Release u; returns the number of findings written to out (at most 2). */
int guard_free(void *u, enum alloc_kind kind, enum op op, uint32_t stack, struct finding *out);
/* Requested size of a live block, or a finding (returns 1) when u is not one. */
int guard_size(void *u, enum op op, size_t *size, struct finding *out);
/* realloc's first step: verify u and resize it in place to n bytes.  Returns 1 when
 * done, 0 when the block must move (*old: its requested size), -1 with a finding in
 * out when u is not a live block or is damaged. */
int guard_resize(void *u, size_t n, size_t *old, struct finding *out);
/* Verify every guarded block of the current arena and its core; up to max findings
 * into out; returns the number of problems (which may exceed max). */
size_t guard_check_all(struct finding *out, size_t max);
/* The guarded slots' canaries (shared by every arena; takes the slots lock). */
size_t guard_check_slots(struct finding *out, size_t max);
/* Every arena starts its countdown to a guarded slot from the pool's (after slots_init). */
void guard_arenas_start(void);
/* Requested size and allocation stack of a live block (false if its header does not
 * verify). */
bool guard_block_info(void *u, size_t *size, uint32_t *stack);
/* What the current arena knows of address a (hc_describe), as free() would classify
 * it: the block holding it, live or freed, with offset and stacks (block_known,
 * freed); else bug BUG_WILD_FREE, with a fill pattern's detail when a is one. */
void guard_describe(const void *a, struct finding *f);
/* The current arena's (slot blocks are counted by slots.c). */
size_t guard_live_bytes(void);
size_t guard_live_blocks(void);

#endif
