/* The one renderer of a finding (see finding_text.h), shared by the library and the
 * heapcheck tool.  The grammar of every report:
 *
 *   ==PID== heapcheck: <bug class> on address 0x...
 *   ==PID== <what happened, in words: the block, the offset, the bytes changed>
 *   ==PID==   found by <operation> in thread T<n>, called at:      #0 ...
 *   ==PID==   the N-byte block at 0x... was allocated by <family> in thread T<n> at:  #0 ...
 *   ==PID==   and freed by thread T<n> at:                         #0 ...
 *   ==PID==   likely cause: <one sentence>
 *
 * fmt.h only: no allocation, no stdio, nothing but the description to read. */
#include "fmt.h"
#include "finding_text.h"

#include <string.h>

static const char *const bug_names[BUG_COUNT] = {
    [BUG_NONE] = "no error",
    [BUG_OVERFLOW] = "heap-buffer-overflow",
    [BUG_UNDERFLOW] = "heap-buffer-underflow",
    [BUG_DOUBLE_FREE] = "double-free",
    [BUG_INTERIOR_FREE] = "invalid-free of an interior pointer",
    [BUG_WILD_FREE] = "invalid-free of a wild pointer",
    [BUG_WRITE_AFTER_FREE] = "write-after-free",
    [BUG_BAD_HEADER] = "corrupted block header",
    [BUG_MISMATCH] = "alloc-dealloc-mismatch",
    [BUG_HEAP_CORRUPTION] = "heap corruption",
    [BUG_USE_AFTER_FREE] = "heap-use-after-free",
    [BUG_SEGV] = "SEGV on unknown address",
};

/* The dump's words (docs/dump-format.md): stable, never reworded. */
static const char *const bug_keys[BUG_COUNT] = {
    [BUG_NONE] = "none", [BUG_OVERFLOW] = "heap-buffer-overflow",
    [BUG_UNDERFLOW] = "heap-buffer-underflow", [BUG_DOUBLE_FREE] = "double-free",
    [BUG_INTERIOR_FREE] = "invalid-free-interior", [BUG_WILD_FREE] = "invalid-free-wild",
    [BUG_WRITE_AFTER_FREE] = "write-after-free", [BUG_BAD_HEADER] = "corrupted-header",
    [BUG_MISMATCH] = "alloc-dealloc-mismatch", [BUG_HEAP_CORRUPTION] = "heap-corruption",
    [BUG_USE_AFTER_FREE] = "heap-use-after-free", [BUG_SEGV] = "segv",
};
static const char *const op_keys[OP_COUNT] = {
    [OP_FREE] = "free", [OP_REALLOC] = "realloc", [OP_USABLE_SIZE] = "malloc_usable_size",
    [OP_DELETE] = "delete", [OP_DELETE_ARRAY] = "delete[]", [OP_CHECK] = "check",
    [OP_QUARANTINE_EXIT] = "quarantine", [OP_READ] = "read", [OP_WRITE] = "write",
    [OP_ACCESS] = "access", [OP_MALLOC] = "malloc",
};
static const char *const family_keys[FAM_UNKNOWN] = {
    [FAM_MALLOC] = "malloc", [FAM_NEW] = "new", [FAM_NEW_ARRAY] = "new[]", [FAM_REALLOC] = "realloc",
};

static const char *const op_names[OP_COUNT] = {
    [OP_FREE] = "free()", [OP_REALLOC] = "realloc()", [OP_USABLE_SIZE] = "malloc_usable_size()",
    [OP_DELETE] = "operator delete", [OP_DELETE_ARRAY] = "operator delete[]",
    [OP_CHECK] = "the heap check", [OP_QUARANTINE_EXIT] = "the quarantine (as the block left it)",
    [OP_READ] = "a READ", [OP_WRITE] = "a WRITE", [OP_ACCESS] = "an access",
    [OP_MALLOC] = "an allocation (malloc(), new, ...)",
};
static const char *const alloc_names[FAM_UNKNOWN] = {
    [FAM_MALLOC] = "malloc()", [FAM_NEW] = "operator new", [FAM_NEW_ARRAY] = "operator new[]",
    [FAM_REALLOC] = "realloc()",
};
static const char *const release_names[FAM_UNKNOWN] = {
    [FAM_MALLOC] = "free()", [FAM_NEW] = "operator delete", [FAM_NEW_ARRAY] = "operator delete[]",
    [FAM_REALLOC] = "free()",
};

static const char *key_of(const char *const *keys, unsigned n, unsigned i)
{
    return i < n && keys[i] ? keys[i] : "unknown";
}

static int from_key(const char *const *keys, int n, const char *s)
{
    for (int i = 0; s && i < n; i++)
        if (keys[i] && strcmp(keys[i], s) == 0)
            return i;
    return -1;
}

const char *finding_bug_key(enum bug b) { return key_of(bug_keys, BUG_COUNT, (unsigned)b); }
const char *finding_op_key(enum op o) { return key_of(op_keys, OP_COUNT, (unsigned)o); }
const char *finding_family_key(enum family k) { return key_of(family_keys, FAM_UNKNOWN, (unsigned)k); }
int finding_bug_from_key(const char *s) { return from_key(bug_keys, BUG_COUNT, s); }
int finding_op_from_key(const char *s) { return from_key(op_keys, OP_COUNT, s); }
int finding_family_from_key(const char *s) { return from_key(family_keys, FAM_UNKNOWN, s); }

static const char *family(const char *const *names, enum family k)
{
    return (unsigned)k < FAM_UNKNOWN ? names[k] : "an unknown family";
}

static void *ptr(uint64_t a) { return (void *)(uintptr_t)a; }

static bool is_access(enum op op) { return op == OP_READ || op == OP_WRITE || op == OP_ACCESS; }

static void plural(struct fmt *f, uint64_t n, const char *what)
{
    fmt_printf(f, "%llu %s%s", (unsigned long long)n, what, n == 1 ? "" : "s");
}

/* " in thread T2 (worker)"-style: WORDS then the thread, nothing when unknown. */
static void thread(struct fmt *f, const char *words, const struct finding_thread *t)
{
    if (t->number < 0)
        return;
    fmt_printf(f, "%sthread T%d", words, t->number);
    if (t->name && t->name[0])
        fmt_printf(f, " (%s)", t->name);
}

/* malloc_usable_size frees nothing: a bad pointer given to it is not an invalid free. */
static bool asks_size(const struct finding_desc *x)
{
    return x->op == OP_USABLE_SIZE && (x->bug == BUG_INTERIOR_FREE || x->bug == BUG_WILD_FREE);
}

const char *finding_title(const struct finding_desc *x)
{
    if (x->unknown_class)
        return x->unknown_class;
    if (asks_size(x))
        return x->bug == BUG_INTERIOR_FREE ? "invalid malloc_usable_size of an interior pointer"
                                           : "invalid malloc_usable_size of a wild pointer";
    return (unsigned)x->bug < BUG_COUNT ? bug_names[x->bug] : "unknown error";
}

/* Where an address lies against a block: "N bytes after/before/inside the S-byte block
 * at B" (addr, offset and size from the finding). */
static void place_in_block(struct fmt *f, const struct finding_desc *x)
{
    fmt_printf(f, "%p is ", ptr(x->addr));
    if (x->offset < 0) {
        plural(f, (uint64_t)-x->offset, "byte");
        fmt_printf(f, " before");
    } else if ((uint64_t)x->offset >= x->size) {
        plural(f, (uint64_t)x->offset - x->size, "byte");
        fmt_printf(f, " after");
    } else {
        plural(f, (uint64_t)x->offset, "byte");
        fmt_printf(f, " inside");
    }
    fmt_printf(f, " the %llu-byte block at %p", (unsigned long long)x->size, ptr(x->block));
}

static void relation(struct fmt *f, const struct finding_desc *x, struct finding_sink *s)
{
    s->line_start(s, f);
    if (is_access(x->op) && x->block_known) { /* caught at the access, by a guard page */
        place_in_block(f, x);
        fmt_printf(f, "%s\n", x->bug == BUG_USE_AFTER_FREE ? ", which was freed"
                               : x->freed ? ", which was freed (in quarantine)" : "");
        if (x->bug == BUG_SEGV && x->detail) {
            s->line_start(s, f);
            fmt_printf(f, "%s\n", x->detail);
        }
        return;
    }
    switch (x->bug) {
    case BUG_USE_AFTER_FREE:
    case BUG_SEGV:
        fmt_printf(f, "%p %s\n", ptr(x->addr), x->detail ? x->detail : "is not in any block heapcheck allocated, "
                                                                         "and heapcheck knows nothing else of it");
        break;
    case BUG_OVERFLOW:
        fmt_printf(f, "%p is %lld bytes after the %llu-byte block at %p; ", ptr(x->addr),
                   x->offset - (long long)x->size, (unsigned long long)x->size, ptr(x->block));
        plural(f, x->changed, "byte");
        fmt_printf(f, " past the block's end changed (its rear canary)\n");
        break;
    case BUG_UNDERFLOW:
        if (!x->block_known) { /* the header itself was hit: nothing in it is trusted */
            fmt_printf(f, "the block at %p cannot be trusted: %s\n", ptr(x->block),
                       x->detail ? x->detail : "its header was overwritten");
            break;
        }
        fmt_printf(f, "%p is ", ptr(x->addr));
        plural(f, (uint64_t)-x->offset, "byte");
        fmt_printf(f, " before the %llu-byte block at %p; ", (unsigned long long)x->size, ptr(x->block));
        plural(f, x->changed, "byte");
        fmt_printf(f, " before the block's start changed (its front canary)\n");
        break;
    case BUG_DOUBLE_FREE:
        fmt_printf(f, "%p is ", ptr(x->addr));
        if (x->offset) {
            plural(f, (uint64_t)x->offset, "byte");
            fmt_printf(f, " inside ");
        }
        if (x->block_known)
            fmt_printf(f, "the %llu-byte block at %p, which was already freed\n", (unsigned long long)x->size,
                       ptr(x->block));
        else
            fmt_printf(f, "the block at %p, which was already freed\n", ptr(x->block));
        break;
    case BUG_INTERIOR_FREE:
        fmt_printf(f, "%p is ", ptr(x->addr));
        plural(f, (uint64_t)(x->offset < 0 ? -x->offset : x->offset), "byte");
        fmt_printf(f, " %s the %llu-byte block at %p; only the block's start %s\n",
                   x->offset < 0 ? "before" : "inside", (unsigned long long)x->size, ptr(x->block),
                   asks_size(x) ? "has a usable size" : "may be freed");
        break;
    case BUG_WILD_FREE:
        if (x->detail) {
            fmt_printf(f, "%p %s\n", ptr(x->addr), x->detail);
            break;
        }
        fmt_printf(f, "%p is not in any block heapcheck allocated (a stack or global address, "
                      "memory from another allocator, or garbage); it was not touched\n", ptr(x->addr));
        break;
    case BUG_WRITE_AFTER_FREE:
        if (!x->block_known && x->detail) { /* a free block of the core: no size to tell */
            fmt_printf(f, "the free block at %p %s\n", ptr(x->block), x->detail);
            break;
        }
        fmt_printf(f, "the %llu-byte block at %p was written after it was freed: the first changed "
                      "byte is at offset %lld, ", (unsigned long long)x->size, ptr(x->block), x->offset);
        plural(f, x->changed, "byte");
        fmt_printf(f, " changed\n");
        break;
    case BUG_BAD_HEADER:
        fmt_printf(f, "the block at %p cannot be trusted: %s\n", ptr(x->block),
                   x->detail ? x->detail : "its header was overwritten");
        if (x->prev_known) {
            s->line_start(s, f);
            fmt_printf(f, "  the %llu-byte block just before it, at %p, was overrun: ",
                       (unsigned long long)x->prev_size, ptr(x->prev_block));
            plural(f, x->prev_changed, "byte");
            fmt_printf(f, " past its end changed; it was allocated at:\n");
            s->stack(s, f, FS_PREV);
        }
        break;
    case BUG_MISMATCH:
        fmt_printf(f, "the %llu-byte block at %p was allocated by %s but released by %s\n",
                   (unsigned long long)x->size, ptr(x->block), family(alloc_names, x->alloc_family),
                   family(release_names, x->release_family));
        break;
    case BUG_HEAP_CORRUPTION:
        fmt_printf(f, "%s", x->detail ? x->detail : "a heap invariant was broken");
        if (x->addr)
            fmt_printf(f, " (at %p)", ptr(x->addr));
        fmt_printf(f, "\n");
        break;
    case BUG_NONE:
    case BUG_COUNT:
        fmt_printf(f, "\n");
        break;
    }
}

static const char *likely_cause(const struct finding_desc *x)
{
    if (x->cause)
        return x->cause;
    if (asks_size(x))
        return x->bug == BUG_INTERIOR_FREE
                   ? "asking the size of a pointer that was advanced through the buffer, instead of the "
                     "pointer malloc returned"
                   : "asking the size of something that did not come from malloc, or of an uninitialized pointer";
    switch (x->bug) {
    case BUG_OVERFLOW: return "an index or length off by one or more (a missing +1 for a string's NUL, "
                              "<= instead of <), or a copy longer than the buffer";
    case BUG_UNDERFLOW: return "a negative index, or a pointer decremented past the start of the buffer";
    case BUG_DOUBLE_FREE: return "two owners of one pointer, or a pointer not set to NULL after free";
    case BUG_INTERIOR_FREE: return "freeing a pointer that was advanced through the buffer, instead of the "
                                   "pointer malloc returned";
    case BUG_WILD_FREE: return "freeing something that did not come from malloc, or an uninitialized pointer";
    case BUG_WRITE_AFTER_FREE: return "a dangling pointer: the block was used after free() (keep it alive "
                                      "longer, or clear the pointer when freeing)";
    case BUG_BAD_HEADER: return "an overflow from the block before this one, or an underflow of this block "
                                "by more than its canary";
    case BUG_MISMATCH: return "C++ new paired with free, malloc paired with delete, or new[] with delete";
    case BUG_HEAP_CORRUPTION: return "a wild write into heap metadata";
    case BUG_USE_AFTER_FREE: return "a dangling pointer: the block was used after free() (keep it alive "
                                    "longer, or clear the pointer when freeing)";
    case BUG_SEGV: return "a wild or uninitialized pointer, or a NULL pointer not checked";
    case BUG_NONE:
    case BUG_COUNT: break;
    }
    return "unknown";
}

/* The block's allocation, and its free when it was freed, each with its stack. */
static void block_lines(struct fmt *f, const struct finding_desc *x, struct finding_sink *s)
{
    if (!x->block_known)
        return;
    s->line_start(s, f);
    fmt_printf(f, "  the %llu-byte block at %p was allocated", (unsigned long long)x->size, ptr(x->block));
    if ((unsigned)x->alloc_family < FAM_UNKNOWN) /* a dump before version 3 does not say */
        fmt_printf(f, " by %s", alloc_names[x->alloc_family]);
    thread(f, " in ", &x->alloc_thread);
    fmt_printf(f, " at:\n");
    s->stack(s, f, FS_ALLOC);
    if (x->freed || x->bug == BUG_WRITE_AFTER_FREE || x->bug == BUG_USE_AFTER_FREE) {
        s->line_start(s, f);
        fmt_printf(f, "  and freed");
        thread(f, " by ", &x->free_thread);
        fmt_printf(f, " at:\n");
        s->stack(s, f, FS_FREE);
    }
}

void finding_render(struct fmt *f, const struct finding_desc *x, struct finding_sink *s)
{
    s->line_start(s, f);
    if (x->bug == BUG_SEGV)
        fmt_printf(f, "heapcheck: %s %p\n", bug_names[x->bug], ptr(x->addr));
    else
        fmt_printf(f, "heapcheck: %s on address %p\n", finding_title(x), ptr(x->addr));
    relation(f, x, s);
    s->line_start(s, f);
    fmt_printf(f, "  found by %s", (unsigned)x->op < OP_COUNT ? op_names[x->op] : "an unknown operation");
    thread(f, " in ", &x->op_thread);
    if (x->has_op_stack) {
        fmt_printf(f, is_access(x->op) ? " at:\n" : ", called at:\n");
        s->stack(s, f, FS_OP);
    } else {
        fmt_printf(f, "\n");
    }
    block_lines(f, x, s);
    s->line_start(s, f);
    fmt_printf(f, "  likely cause: %s\n", likely_cause(x));
}

void finding_render_place(struct fmt *f, const struct finding_desc *x, struct finding_sink *s)
{
    relation(f, x, s);
    block_lines(f, x, s);
}

void finding_frame(struct fmt *f, unsigned index, uint64_t pc, const char *function,
                   bool has_fn_offset, uint64_t fn_offset, const char *file, int line,
                   const char *module, uint64_t module_offset)
{
    fmt_printf(f, "    #%u %p", index, ptr(pc));
    if (function) {
        fmt_printf(f, " in %s", function);
        if (has_fn_offset)
            fmt_printf(f, "+0x%llx", (unsigned long long)fn_offset);
    }
    if (file) {
        fmt_printf(f, " %s", file);
        if (line)
            fmt_printf(f, ":%d", line);
    }
    if (module)
        fmt_printf(f, " (%s+0x%llx)", module, (unsigned long long)module_offset);
    fmt_printf(f, "\n");
}

void finding_summary(struct fmt *f, const char *title, const char *where, uint64_t errors,
                     bool leaks_checked, uint64_t leaked_bytes, uint64_t leaked_blocks)
{
    if (!title)
        title = errors ? "heap corruption" : "memory-leak";
    fmt_printf(f, "SUMMARY: heapcheck: %s", title);
    if (where && where[0])
        fmt_printf(f, " %s", where);
    fmt_printf(f, "; ");
    plural(f, errors, "error");
    if (leaks_checked) {
        fmt_printf(f, ", ");
        plural(f, leaked_bytes, "byte");
        fmt_printf(f, " leaked in ");
        plural(f, leaked_blocks, "block");
    } else {
        fmt_printf(f, ", leaks not checked");
    }
    fmt_printf(f, "\n");
}

bool finding_summary_due(uint64_t errors, uint64_t leaked_blocks)
{
    /* Blocks, not bytes: a lost malloc(0) counts (and sets the exit status). */
    return errors > 0 || leaked_blocks > 0;
}

bool finding_frame_is_program(const char *module, const char *file)
{
    return module && strncmp(module, "/lib", 4) != 0 && strncmp(module, "/usr/lib", 8) != 0 &&
           file && strncmp(file, "/usr/include/", 13) != 0;
}

void finding_where(struct fmt *f, const char *function, const char *file, int line,
                   const char *module, uint64_t module_offset)
{
    if (file)
        fmt_printf(f, "%s:%d in %s", file, line, function ? function : "??");
    else if (module)
        fmt_printf(f, "(%s+0x%llx)", module, (unsigned long long)module_offset);
}
