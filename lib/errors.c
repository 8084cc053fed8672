/* One report per bug class (see finding.h), in one grammar:
 *
 *   ==PID== heapcheck: <bug class> on address 0x...
 *   ==PID== <what happened, in words: the block, the offset, the bytes changed>
 *   ==PID==   found by <operation>:          #0 the program's caller
 *   ==PID== the N-byte block at 0x... was allocated by <family>:  #0 ...
 *   ==PID== and freed by <family>:           #0 ...
 *   ==PID== likely cause: <one sentence>
 *
 * Formatted with fmt.h into the report buffer: no allocation, write(2) only. */
#define _GNU_SOURCE
#include "internal.h"
#include "finding.h"
#include "fmt.h"
#include "os.h"
#include "report.h"
#include "options.h"


static const char *const bug_names[] = {
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

static const char *const op_names[] = {
    [OP_FREE] = "free()", [OP_REALLOC] = "realloc()", [OP_USABLE_SIZE] = "malloc_usable_size()",
    [OP_DELETE] = "operator delete", [OP_DELETE_ARRAY] = "operator delete[]",
    [OP_CHECK] = "the heap check", [OP_QUARANTINE_EXIT] = "the quarantine (as the block left it)",
    [OP_READ] = "a READ", [OP_WRITE] = "a WRITE", [OP_ACCESS] = "an access",
};

static bool is_access(enum op op) { return op == OP_READ || op == OP_WRITE || op == OP_ACCESS; }

static void plural(struct fmt *f, size_t n, const char *what);

/* Where an address lies against a block: "N bytes after/before/inside the S-byte block
 * at B" (addr, offset and size from the finding). */
static void place_in_block(struct fmt *f, const struct finding *x)
{
    fmt_printf(f, "%p is ", x->addr);
    if (x->offset < 0) {
        plural(f, (size_t)-x->offset, "byte");
        fmt_printf(f, " before");
    } else if ((size_t)x->offset >= x->size) {
        plural(f, (size_t)x->offset - x->size, "byte");
        fmt_printf(f, " after");
    } else {
        plural(f, (size_t)x->offset, "byte");
        fmt_printf(f, " inside");
    }
    fmt_printf(f, " the %zu-byte block at %p", x->size, x->block);
}

static const char *const alloc_names[] = {
    [KIND_MALLOC] = "malloc()", [KIND_NEW] = "operator new", [KIND_NEW_ARRAY] = "operator new[]",
    [KIND_REALLOC] = "realloc()",
};
static const char *const release_names[] = {
    [KIND_MALLOC] = "free()", [KIND_NEW] = "operator delete", [KIND_NEW_ARRAY] = "operator delete[]",
    [KIND_REALLOC] = "free()",
};

static const char *family(const char *const *names, enum alloc_kind k)
{
    return (unsigned)k <= KIND_REALLOC ? names[k] : "an unknown family";
}

#define line_start report_line_start
#define stack report_stack

static void plural(struct fmt *f, size_t n, const char *what)
{
    fmt_printf(f, "%zu %s%s", n, what, n == 1 ? "" : "s");
}

/* malloc_usable_size frees nothing: a bad pointer given to it is not an invalid free. */
static bool asks_size(const struct finding *x)
{
    return x->op == OP_USABLE_SIZE && (x->bug == BUG_INTERIOR_FREE || x->bug == BUG_WILD_FREE);
}

static void relation(struct fmt *f, const struct finding *x)
{
    line_start(f);
    if (is_access(x->op) && x->block_known) { /* caught at the access, by a guard page */
        place_in_block(f, x);
        fmt_printf(f, "%s\n", x->bug == BUG_USE_AFTER_FREE ? ", which was freed"
                               : x->freed ? ", which was freed (in quarantine)" : "");
        if (x->bug == BUG_SEGV && x->detail) {
            line_start(f);
            fmt_printf(f, "%s\n", x->detail);
        }
        return;
    }
    switch (x->bug) {
    case BUG_USE_AFTER_FREE:
    case BUG_SEGV:
        fmt_printf(f, "%p %s\n", x->addr, x->detail ? x->detail : "is not in any block heapcheck allocated, "
                                                                    "and heapcheck knows nothing else of it");
        break;
    case BUG_OVERFLOW:
        fmt_printf(f, "%p is %lld bytes after the %zu-byte block at %p; ", x->addr,
                   x->offset - (long long)x->size, x->size, x->block);
        plural(f, x->changed, "byte");
        fmt_printf(f, " past the block's end changed (its rear canary)\n");
        break;
    case BUG_UNDERFLOW:
        if (!x->block_known) { /* the header itself was hit: nothing in it is trusted */
            fmt_printf(f, "the block at %p cannot be trusted: %s\n", x->block,
                       x->detail ? x->detail : "its header was overwritten");
            break;
        }
        fmt_printf(f, "%p is ", x->addr);
        plural(f, (size_t)-x->offset, "byte");
        fmt_printf(f, " before the ");
        if (x->block_known)
            fmt_printf(f, "%zu-byte ", x->size);
        fmt_printf(f, "block at %p; ", x->block);
        plural(f, x->changed, "byte");
        fmt_printf(f, " before the block's start changed (its front canary)\n");
        break;
    case BUG_DOUBLE_FREE:
        if (x->offset) {
            fmt_printf(f, "%p is ", x->addr);
            plural(f, (size_t)x->offset, "byte");
            fmt_printf(f, " inside ");
        } else
            fmt_printf(f, "%p is ", x->addr);
        if (x->block_known)
            fmt_printf(f, "the %zu-byte block at %p, which was already freed\n", x->size, x->block);
        else
            fmt_printf(f, "the block at %p, which was already freed\n", x->block);
        break;
    case BUG_INTERIOR_FREE:
        fmt_printf(f, "%p is ", x->addr);
        plural(f, (size_t)(x->offset < 0 ? -x->offset : x->offset), "byte");
        fmt_printf(f, " %s the %zu-byte block at %p; only the block's start %s\n",
                   x->offset < 0 ? "before" : "inside", x->size, x->block,
                   asks_size(x) ? "has a usable size" : "may be freed");
        break;
    case BUG_WILD_FREE:
        if (x->detail) {
            fmt_printf(f, "%p %s\n", x->addr, x->detail);
            break;
        }
        fmt_printf(f, "%p is not in any block heapcheck allocated (a stack or global address, "
                      "memory from another allocator, or garbage); it was not touched\n", x->addr);
        break;
    case BUG_WRITE_AFTER_FREE:
        fmt_printf(f, "the %zu-byte block at %p was written after it was freed: the first changed "
                      "byte is at offset %lld, ", x->size, x->block, x->offset);
        plural(f, x->changed, "byte");
        fmt_printf(f, " changed\n");
        break;
    case BUG_BAD_HEADER:
        fmt_printf(f, "the block at %p cannot be trusted: %s\n", x->block, x->detail);
        if (x->prev_known) {
            line_start(f);
            fmt_printf(f, "  the %zu-byte block just before it, at %p, was overrun: ", x->prev_size, x->prev_block);
            plural(f, x->prev_changed, "byte");
            fmt_printf(f, " past its end changed; it was allocated at:\n");
            stack(f, x->prev_stack);
        }
        break;
    case BUG_MISMATCH:
        fmt_printf(f, "the %zu-byte block at %p was allocated by %s but released by %s\n", x->size,
                   x->block, family(alloc_names, x->alloc_kind), family(release_names, x->op_kind));
        break;
    case BUG_HEAP_CORRUPTION:
        fmt_printf(f, "%s", x->detail);
        if (x->addr)
            fmt_printf(f, " (at %p)", x->addr);
        fmt_printf(f, "\n");
        break;
    case BUG_NONE:
        break;
    }
}

static const char *title(const struct finding *x)
{
    if (asks_size(x))
        return x->bug == BUG_INTERIOR_FREE ? "invalid malloc_usable_size of an interior pointer"
                                           : "invalid malloc_usable_size of a wild pointer";
    return bug_names[x->bug];
}

static const char *likely_cause(const struct finding *x)
{
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
    case BUG_NONE: break;
    }
    return "";
}

/* The last findings, for the exit dump. */
#define KEPT 256
static struct finding kept[KEPT];
static size_t nkept;

void report_finding(const struct finding *x)
{
    struct fmt *f = report_begin();
    if (nkept < KEPT)
        kept[nkept++] = *x;
    if (!options.print_reports) { /* for the dump only */
        report_discard();
        report_count_error();
        return;
    }
    line_start(f);
    if (x->bug == BUG_SEGV)
        fmt_printf(f, "heapcheck: %s %p\n", bug_names[x->bug], x->addr);
    else
        fmt_printf(f, "heapcheck: %s on address %p\n", title(x), x->addr);
    relation(f, x);
    line_start(f);
    fmt_printf(f, "  found by %s", op_names[x->op]);
    if (x->op_stack) {
        fmt_printf(f, is_access(x->op) ? " at:\n" : ", called at:\n");
        stack(f, x->op_stack);
    } else {
        fmt_printf(f, "\n");
    }
    if (x->block_known) {
        line_start(f);
        fmt_printf(f, "  the %zu-byte block at %p was allocated by %s at:\n", x->size, x->block,
                   family(alloc_names, x->alloc_kind));
        stack(f, x->alloc_stack);
        if (x->freed || x->bug == BUG_WRITE_AFTER_FREE || x->bug == BUG_USE_AFTER_FREE) {
            line_start(f);
            fmt_printf(f, "  and freed at:\n");
            stack(f, x->free_stack);
        }
    }
    line_start(f);
    fmt_printf(f, "  likely cause: %s\n", x->cause ? x->cause : likely_cause(x));
    report_end();
    report_count_error();
}

const struct finding *report_kept_findings(size_t *n)
{
    *n = nkept;
    return kept;
}

const char *report_bug_name(enum bug bug) { return bug_names[bug]; }

void report_summary(bool leaks_checked, size_t leaked_bytes, size_t leaked_blocks, uint32_t leak_stack)
{
    size_t errs = report_error_count();
    if (!options.print_reports || (!errs && !leaked_bytes))
        return;
    struct fmt *f = report_begin();
    line_start(f);
    fmt_printf(f, "SUMMARY: heapcheck:");
    if (nkept) { /* the first error: its class, and where it was found or made */
        const struct finding *x = &kept[0];
        fmt_printf(f, " %s", bug_names[x->bug]);
        report_stack_brief(f, x->op_stack ? x->op_stack : x->alloc_stack);
    } else if (errs) {
        fmt_printf(f, " heap corruption");
    } else {
        fmt_printf(f, " memory-leak");
        report_stack_brief(f, leak_stack);
    }
    fmt_printf(f, "; ");
    plural(f, errs, "error");
    if (leaks_checked) {
        fmt_printf(f, ", ");
        plural(f, leaked_bytes, "byte");
        fmt_printf(f, " leaked in ");
        plural(f, leaked_blocks, "block");
    } else {
        fmt_printf(f, ", leaks not checked");
    }
    fmt_printf(f, "\n");
    report_end();
}
