/* One model of a finding as plain values, and the one piece of code that renders it.
 *
 * Compiled into the library (lib/errors.c fills a finding_desc from its struct
 * finding) and into the heapcheck tool (tools/render.c fills one from a dump's JSON),
 * so the report printed by the process and the one the tool prints from its dump
 * carry the same lines.  A description has no pointer to follow but its strings;
 * rendering allocates nothing: it formats with fmt.h into the caller's fixed buffer,
 * and asks the caller's sink for each line's prefix and each stack. */
#ifndef HC_FINDING_TEXT_H
#define HC_FINDING_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fmt;

enum bug {
    BUG_NONE,
    BUG_OVERFLOW,        /* rear canary changed */
    BUG_UNDERFLOW,       /* front canary changed */
    BUG_DOUBLE_FREE,     /* free of a block already freed */
    BUG_INTERIOR_FREE,   /* free of a pointer inside a live block */
    BUG_WILD_FREE,       /* free of a pointer in no heap block */
    BUG_WRITE_AFTER_FREE,/* quarantine poison changed */
    BUG_BAD_HEADER,      /* checksum or boundary tag wrong */
    BUG_MISMATCH,        /* allocated and released by different families */
    BUG_HEAP_CORRUPTION, /* a core invariant broken (from the heap check) */
    BUG_USE_AFTER_FREE,  /* an access to a freed guarded slot (fault.c) */
    BUG_SEGV,            /* a fault at an address no guarded slot explains */
    BUG_COUNT
};

enum op {
    OP_FREE, OP_REALLOC, OP_USABLE_SIZE, OP_DELETE, OP_DELETE_ARRAY, OP_CHECK,
    OP_QUARANTINE_EXIT,
    OP_READ, OP_WRITE, OP_ACCESS, /* the faulting access (fault.c); ACCESS: direction unknown */
    OP_MALLOC,                    /* an allocation that met a damaged free block */
    OP_COUNT
};

/* The allocation families, in the order of lib/heap.h's enum alloc_kind. */
enum family { FAM_MALLOC, FAM_NEW, FAM_NEW_ARRAY, FAM_REALLOC, FAM_UNKNOWN };

/* A thread as a report names it: "T2 (worker)".  number < 0: not known (a dump of
 * an older format). */
struct finding_thread {
    int number;           /* T0 is the main thread, then in order of first allocation */
    const char *name;     /* its name (pthread_setname_np, prctl), NULL or "" if unset */
};

struct finding_desc {
    enum bug bug;
    enum op op;
    uint64_t addr, block, size;  /* the bad address; the block's payload and requested size */
    long long offset;            /* addr - block (negative before it) */
    uint64_t changed;            /* bytes that differ from what heapcheck wrote */
    enum family alloc_family, release_family;
    const char *detail, *cause;  /* NULL when none */
    bool block_known, freed, has_op_stack;
    bool prev_known;             /* BUG_BAD_HEADER: the overrun block before it */
    uint64_t prev_block, prev_size, prev_changed;
    struct finding_thread op_thread, alloc_thread, free_thread;
    const char *unknown_class;   /* the tool: a class a newer dump names, shown as written */
};

/* The stacks a finding names. */
enum finding_stack { FS_OP, FS_ALLOC, FS_FREE, FS_PREV };

/* The caller's side of a rendering: the prefix of each line ("==PID== "), and one
 * stack's frame lines (each starting with line_start, numbered from #0). */
struct finding_sink {
    void (*line_start)(struct finding_sink *s, struct fmt *f);
    void (*stack)(struct finding_sink *s, struct fmt *f, enum finding_stack which);
};

/* The whole report of one finding, headline to likely cause. */
void finding_render(struct fmt *f, const struct finding_desc *d, struct finding_sink *s);
/* What a finding says of its address and block, in the same words, without the
 * headline, the operation or the likely cause (hc_describe): op OP_ACCESS and bug
 * BUG_SEGV place the address against the block (then detail, when set) or give
 * "ADDR detail"; the block's allocation and free follow, with their stacks. */
void finding_render_place(struct fmt *f, const struct finding_desc *d, struct finding_sink *s);
/* Its class as the headline names it (and the SUMMARY line): "heap-buffer-overflow",
 * "invalid malloc_usable_size of a wild pointer", ... */
const char *finding_title(const struct finding_desc *d);
/* One frame line after the prefix, as ASan prints it:
 *   "    #N 0xPC in FUNCTION[+0xOFF] FILE:LINE (MODULE+0xOFFSET)\n"
 * function, file and module may be NULL; fn_offset is printed when has_fn_offset. */
void finding_frame(struct fmt *f, unsigned index, uint64_t pc, const char *function,
                   bool has_fn_offset, uint64_t fn_offset, const char *file, int line,
                   const char *module, uint64_t module_offset);

/* The last line of a process with findings, after its prefix, greppable as ASan's:
 *   "SUMMARY: heapcheck: CLASS WHERE; N errors, B bytes leaked in K blocks\n"
 * TITLE is the first error's class (finding_title); NULL when no error was recorded:
 * "memory-leak" then, or "heap corruption" when errors were counted.  WHERE is the
 * place finding_where formats (NULL or "" for none).  "leaks not checked" replaces the
 * leak counts when the process ended before its leak check. */
void finding_summary(struct fmt *f, const char *title, const char *where, uint64_t errors,
                     bool leaks_checked, uint64_t leaked_bytes, uint64_t leaked_blocks);
/* Whether a process prints that line: errors, or leaked blocks that count (0-byte
 * blocks too). */
bool finding_summary_due(uint64_t errors, uint64_t leaked_blocks);
/* The SUMMARY line's place, from the first frame of a stack that is the program's:
 * one with a source line outside the system's libraries and headers (not glibc's
 * strdup or getline). */
bool finding_frame_is_program(const char *module, const char *file);
/* "FILE:LINE in FUNCTION" when file is known, else "(MODULE+0xOFFSET)" (a stack with
 * no frame of the program: its first frame's module), else nothing. */
void finding_where(struct fmt *f, const char *function, const char *file, int line,
                   const char *module, uint64_t module_offset);

/* The stable words of the dump format (docs/dump-format.md) for a bug class, an
 * operation and a family, and back (-1 when unknown). */
const char *finding_bug_key(enum bug b);
const char *finding_op_key(enum op o);
const char *finding_family_key(enum family k);
int finding_bug_from_key(const char *s);
int finding_op_from_key(const char *s);
int finding_family_from_key(const char *s);

#endif
