/* Suppression files (docs/suppressions.md), parsed and matched without allocating:
 * compiled into both the library (which maps its files and its table) and the tool.
 * heapcheck's own blocks and memcheck's are read into one fixed-size table; a bad
 * block is reported through a callback (FILE:LINE: what is wrong) and left out, the
 * others are kept.  Leak kinds are read by optvalue.h's parser. */
#ifndef HC_SUPPFILE_H
#define HC_SUPPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds of one table: past them a block is left out with a warning. */
#define SUPP_MAX 4096            /* suppressions */
#define SUPP_MAX_PATTERNS 65536  /* frame patterns, all suppressions together */
#define SUPP_MAX_TEXT (1u << 20) /* names, globs and file names, NUL-terminated */
#define SUPP_MAX_FILES 16
#define SUPP_MAX_LINE 4096       /* bytes in one line */
#define SUPP_MAX_FRAMES 1024     /* frames of a stack that are matched */

/* Which of an error's stacks a suppression looks at. */
enum supp_stack { SUPP_FOUND, SUPP_ALLOCATED, SUPP_FREED, SUPP_STACKS };

enum supp_pat_kind { SUPP_FUN, SUPP_SRC, SUPP_OBJ, SUPP_ANY };

struct supp_pattern {
    uint8_t kind;         /* enum supp_pat_kind */
    uint32_t glob;        /* offset in text (not for SUPP_ANY) */
};

struct supp_entry {
    uint32_t name, type, file; /* offsets in text */
    int line;
    bool is_leak;
    bool memcheck_free;        /* memcheck's Free: the errors of releasing memory */
    unsigned kinds;            /* leaks: the kinds it covers */
    unsigned stacks;           /* errors: a bit per enum supp_stack */
    uint32_t first_pat, npat;
};

struct supp_table {
    size_t n, npat, ntext, nfiles;
    bool full; /* a bound was reached (warned once) */
    struct supp_entry e[SUPP_MAX];
    struct supp_pattern pat[SUPP_MAX_PATTERNS];
    char text[SUPP_MAX_TEXT];
};

/* The table's strings. */
static inline const char *supp_text(const struct supp_table *t, uint32_t off) { return t->text + off; }

/* Called once per problem, with "FILE:LINE: message" (no newline). */
typedef void supp_diag_fn(const char *message, void *arg);

/* Add the suppressions of a file's contents (buf, len; no NUL needed) to t (zeroed
 * before the first file).  Returns the number of problems reported. */
unsigned supp_parse(struct supp_table *t, const char *fname, const char *buf, size_t len,
                    supp_diag_fn *diag, void *arg);

/* One frame of a symbolized stack; NULL for what is not known. */
struct supp_frame {
    const char *function, *file, *module;
};

/* Does suppression e's pattern list match the start of the stack? */
bool supp_entry_matches(const struct supp_table *t, const struct supp_entry *e,
                        const struct supp_frame *f, size_t n);
/* The first leak suppression for kind (enum value) matching the stack, or NULL. */
const struct supp_entry *supp_find_leak(const struct supp_table *t, unsigned kind,
                                        const struct supp_frame *f, size_t n);
/* Whether error suppression e applies to errors of this kind (the dump's word). */
bool supp_error_kind_matches(const struct supp_table *t, const struct supp_entry *e,
                             const char *kind);

/* fnmatch(3) without flags ('*' also matches '/'), without allocating. */
bool supp_glob(const char *glob, const char *s);

#endif
