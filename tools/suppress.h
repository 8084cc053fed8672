/* Suppressions (docs/suppressions.md): load suppression files, match leak records and
 * errors against them by their symbolized stacks, and print ready-to-paste blocks for
 * --gen-suppressions. */
#ifndef HC_TOOL_SUPPRESS_H
#define HC_TOOL_SUPPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "symbolize.h"

/* Which of an error's stacks a suppression looks at. */
enum err_stack { ES_FOUND, ES_ALLOCATED, ES_FREED, ES_COUNT };

struct supp_list;

struct supp_list *supp_new(void);
void supp_free(struct supp_list *l);
/* Add the suppressions of FILE; false with a "FILE:LINE: ..." message in ERR. */
bool supp_load(struct supp_list *l, const char *file, char *err, size_t errlen);
size_t supp_count(const struct supp_list *l);

/* The name of the first suppression matching, or NULL. */
const char *supp_match_leak(const struct supp_list *l, enum leak_kind kind,
                            const struct sym_stack *stack);
/* STACKS[ES_*] may have n == 0 when the error has no such stack. */
const char *supp_match_error(const struct supp_list *l, const char *kind,
                             const struct sym_stack *const stacks[ES_COUNT]);

/* Print a suppression block matching exactly this leak record or error. */
void supp_print_leak(FILE *out, enum leak_kind kind, const struct sym_stack *stack);
void supp_print_error(FILE *out, const char *kind, enum err_stack which,
                      const struct sym_stack *stack);

#endif
