/* Small helpers shared by the heapcheck tool: allocation that cannot fail (the tool
 * exits on out-of-memory), string building, and leak-kind names and sets. */
#ifndef HC_TOOL_UTIL_H
#define HC_TOOL_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit statuses of the tool itself. */
#define HC_EXIT_USAGE 2     /* bad flags, unreadable input, the tool's own failures */
#define HC_EXIT_NOTFOUND 127
#define HC_EXIT_NOEXEC 126

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t count, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Leak kinds, in the dump's words ("definitely", ...). */
enum leak_kind { LK_DEFINITE, LK_INDIRECT, LK_POSSIBLE, LK_REACHABLE, LK_COUNT };
#define LK_ALL ((1u << LK_COUNT) - 1)
const char *leak_kind_dump_name(enum leak_kind k); /* "definitely" */
const char *leak_kind_phrase(enum leak_kind k);    /* "definitely lost" */
/* Parse one kind, in either spelling ("definite" or "definitely"); -1 if unknown. */
int leak_kind_parse(const char *s, size_t n);
/* Parse a comma-separated list of kinds, or "all" or "none", into a bit set.
 * Returns false on an unknown word. */
bool leak_kinds_parse(const char *list, unsigned *set);

/* Messages: "heapcheck: ..." on stderr. */
extern const char *hc_progname;
void hc_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
