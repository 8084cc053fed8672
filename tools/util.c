/* Small helpers shared by the heapcheck tool: allocation that cannot fail, formatted
 * strings, and the names of leak kinds in the dump's and memcheck's spellings. */
#include "config.h"

#include "util.h"
#include "../lib/optvalue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *hc_progname = "heapcheck";

static void out_of_memory(void)
{
    fprintf(stderr, "%s: out of memory\n", hc_progname);
    exit(HC_EXIT_USAGE);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *xrealloc(void *p, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        out_of_memory();
    size_t n = count * size;
    void *q = realloc(p, n ? n : 1);
    if (!q)
        out_of_memory();
    return q;
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = xmalloc(n);
    memcpy(p, s, n);
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        out_of_memory();
    char *s = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

void hc_warn(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", hc_progname);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static const char *const dump_names[LK_COUNT] = {"definitely", "indirectly", "possibly",
                                                  "reachable"};
static const char *const short_names[LK_COUNT] = {"definite", "indirect", "possible",
                                                   "reachable"};
static const char *const phrases[LK_COUNT] = {"definitely lost", "indirectly lost",
                                               "possibly lost", "still reachable"};

const char *leak_kind_dump_name(enum leak_kind k)
{
    return dump_names[k];
}

const char *leak_kind_phrase(enum leak_kind k)
{
    return phrases[k];
}

int leak_kind_parse(const char *s, size_t n)
{
    for (int k = 0; k < LK_COUNT; k++) {
        if ((strlen(dump_names[k]) == n && memcmp(s, dump_names[k], n) == 0) ||
            (strlen(short_names[k]) == n && memcmp(s, short_names[k], n) == 0))
            return k;
    }
    return -1;
}

bool leak_kinds_parse(const char *list, unsigned *set)
{
    return hc_kinds_parse(list, strlen(list), set); /* the library's parser too */
}
