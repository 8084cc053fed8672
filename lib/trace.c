/* Which processes are checked.  The heapcheck tool preloads the library into the
 * program it runs and, through the environment, into every process that program
 * starts: the shells, compilers and make of a `make check` as well as its tests.  A
 * process that is not to be checked keeps the library (it cannot be unloaded) but runs
 * it as the bare allocator (preset none): no reports, no dump, no exit status of its
 * own.  The rule: the program the tool started (its pid's parent is trace_parent) is
 * always checked; any other process is checked when trace_children is on and its
 * executable matches none of trace_children_skip's patterns.  Without the tool
 * (trace_parent=0) every process is a child.  Reads /proc/self/exe into static
 * storage; nothing here allocates. */
#include "internal.h"
#include "options.h"
#include "trace.h"

#include <limits.h>
#include <string.h>
#include <unistd.h>

/* Glob match of the whole name: '*' any run of characters, '?' one character.  The
 * pattern is pat[0..n), not NUL-terminated.  Iterative, with one backtrack point for
 * the last '*', so it is linear in practice and never recurses. */
static bool glob_match(const char *pat, size_t n, const char *name)
{
    size_t p = 0, star = (size_t)-1;
    const char *resume = NULL;
    while (*name) {
        if (p < n && (pat[p] == '?' || pat[p] == *name)) {
            p++;
            name++;
        } else if (p < n && pat[p] == '*') {
            star = p++;
            resume = name;
        } else if (star != (size_t)-1) {
            p = star + 1;
            name = ++resume;
        } else {
            return false;
        }
    }
    while (p < n && pat[p] == '*')
        p++;
    return p == n;
}

bool trace_skip_matches(const char *patterns, const char *exe)
{
    const char *base = strrchr(exe, '/');
    base = base ? base + 1 : exe;
    for (const char *p = patterns; p && *p;) {
        size_t n = strcspn(p, ",");
        /* A pattern with a '/' is matched against the whole path, one without against
         * the program's name. */
        if (n && glob_match(p, n, memchr(p, '/', n) ? exe : base))
            return true;
        p += n;
        if (*p)
            p++;
    }
    return false;
}

bool trace_this_process(void)
{
    if (options.trace_parent && (unsigned long)getppid() == options.trace_parent)
        return true;
    if (!options.trace_children)
        return false;
    if (!options.trace_children_skip || !options.trace_children_skip[0])
        return true;
    static char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return true; /* cannot tell: check it */
    exe[n] = '\0';
    return !trace_skip_matches(options.trace_children_skip, exe);
}
