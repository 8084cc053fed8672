/* Symbolization: turn a dump's return addresses into function, file:line and inlined
 * frames with elfutils' libdwfl, reading each module's ELF and DWARF offline (the
 * process is gone).  One Dwfl per module path, kept for the whole run. */
#ifndef HC_TOOL_SYMBOLIZE_H
#define HC_TOOL_SYMBOLIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dump.h"

struct sym_frame {
    uint64_t addr;          /* the return address, as in the dump */
    unsigned index;         /* the #N shown: frames are numbered in turn, inlined ones
                               included, as ASan numbers them */
    const char *function;   /* NULL when unknown */
    const char *file;       /* NULL when unknown */
    int line, column;       /* 0 when unknown */
    bool inlined;           /* inlined into the frame that follows (same addr) */
    const char *module;     /* the module's path, NULL when no module holds addr */
    uint64_t offset;        /* addr - the module's base */
};

struct sym_stack {
    size_t n;
    struct sym_frame *f;    /* innermost first; strings live as long as the symbolizer
                               and the dump */
};

struct symbolizer;

/* ENABLED false: no ELF or DWARF is read; frames get a module and offset only. */
struct symbolizer *sym_new(bool enabled);
void sym_free(struct symbolizer *s);

/* Symbolize STACK of dump D into OUT (free with sym_stack_free).  Leading frames inside
 * the heapcheck library itself are left out. */
void sym_stack(struct symbolizer *s, const struct hc_dump *d, const struct hc_stack *stack,
               struct sym_stack *out);
/* Symbolize the return address PC, a file address of the module at PATH (no dump: the
 * heapcheck-symbolizer helper's question), into OUT, innermost inlined frame first. */
void sym_module_address(struct symbolizer *s, const char *path, uint64_t pc, struct sym_stack *out);
void sym_stack_free(struct sym_stack *st);

#endif
