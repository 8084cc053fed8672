/* The values of options, parsed by one function each for HEAPCHECK_OPTIONS
 * (options.c), the tool's flags (tools/main.c) and suppression files (suppfile.c):
 * compiled into both the library and the tool, so the words, separators and what is
 * refused are the same everywhere.  Nothing here allocates.  Each returns false on a
 * value it does not know and leaves *out alone then. */
#ifndef HC_OPTVALUE_H
#define HC_OPTVALUE_H

#include <stdbool.h>
#include <stddef.h>

/* Leak kinds (a bit each, in the order definite, indirect, possible, reachable),
 * separated by ',' or '+', blanks around words ignored: definite(ly), indirect(ly),
 * possible/possibly, reachable, all, none.  An empty word is refused. */
#define HC_KINDS_ALL 15u
bool hc_kinds_parse(const char *s, size_t n, unsigned *out);
/* 1, yes, true / 0, no, false. */
bool hc_bool_parse(const char *s, size_t n, bool *out);
/* The leak check's level: off or no (0), summary (1), full or yes (2). */
bool hc_level_parse(const char *s, size_t n, int *out);

#endif
