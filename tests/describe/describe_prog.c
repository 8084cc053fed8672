/* hc_describe on each kind of address, with the answer it returns: a live block's
 * interior, a freed block (in quarantine), the guard page after a block in a guarded
 * slot, this thread's stack, heapcheck's free fill, and an address nothing is mapped
 * at.  describe.sh compares the report with describe.stderr.exp.  Blocks of 70000
 * bytes are too large for a guarded slot (64 KiB), so they are heap blocks; the
 * 32-byte one gets a slot (the first allocations all do), flush against the guard
 * page after it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <heapcheck.h>

static void *(*volatile do_malloc)(size_t) = malloc;
static void (*volatile do_free)(void *) = free;

static void ask(const char *what, const void *addr)
{
    int known = hc_describe(addr);
    fprintf(stderr, "describe: %s: %d\n", what, known);
}

int main(void)
{
    char *slot = do_malloc(32);
    char *live = do_malloc(70000);
    char *freed = do_malloc(70000);
    do_free(freed);
    int local = 0;
    uintptr_t page = ((uintptr_t)slot + 32 + 4095) & ~(uintptr_t)4095;
    ask("a live block's interior", live + 100);
    ask("a freed block", freed);
    ask("a guard page", (const void *)(page + 16));
    ask("the stack", &local);
    ask("the free fill", (const void *)(uintptr_t)0xdbdbdbdbdbdbdbdbULL);
    ask("an address nothing is mapped at", (const void *)(uintptr_t)0x10000);
    do_free(live);
    do_free(slot);
    return local;
}
