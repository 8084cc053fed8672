/* Symbolization at report time, inside the process (see symbols.c): a return
 * address becomes its module and offset, and where possible function, file:line and
 * inlined frames.  Called with the report lock held; never calls malloc. */
#ifndef HC_SYMBOLS_H
#define HC_SYMBOLS_H

#include "internal.h"

struct sym_answer {
    const char *function; /* NULL when unknown */
    const char *file;     /* NULL when unknown */
    int line;
    size_t fn_offset;     /* pc - the function's start, when from a symbol table */
    bool has_offset;
};

#define SYM_MAX_INLINED 16

/* The module holding pc (its path; the main program's from /proc/self/exe) and
 * pc's offset in it as a file address (pc - the load bias).  False if none. */
bool symbols_module(const void *pc, const char **path, uintptr_t *offset);
/* The frames of return address pc, innermost inlined first, into out (at most max);
 * returns how many (0: nothing known but the module).  The strings live until the
 * next call. */
unsigned symbols_lookup(const void *pc, struct sym_answer *out, unsigned max);
/* Find the helper now (HEAPCHECK_SYMBOLIZER is read and copied): before glibc's
 * own memory, the environment included, is released at exit (libcfree.c). */
void symbols_prepare(void);

#endif
