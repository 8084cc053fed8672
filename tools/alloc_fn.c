/* The allocation wrappers (alloc_fn.h): a fixed list of gnulib's and glib's, and the
 * user's --alloc-fn names, matched with fnmatch. */
#include "config.h"

#include "alloc_fn.h"
#include "util.h"

#include "../lib/finding_text.h"

#include <fnmatch.h>
#include <stddef.h>
#include <string.h>

static const char *const known[] = {
    /* gnulib's xalloc.h */
    "xmalloc", "xzalloc", "xcalloc", "xrealloc", "xcharalloc", "xmemdup", "xstrdup",
    "xnmalloc", "xnrealloc", "x2realloc", "x2nrealloc", "xreallocarray", "xinmalloc",
    "ximalloc", "xizalloc", "xicalloc", "xirealloc", "xireallocarray", "ximemdup",
    "ximemdup0", "xpalloc", "xstrndup", "xmemdup0", "xalloc_die",
    /* glib's gmem.h and gstrfuncs.h */
    "g_malloc", "g_malloc0", "g_realloc", "g_try_malloc", "g_try_malloc0", "g_try_realloc",
    "g_malloc_n", "g_malloc0_n", "g_realloc_n", "g_try_malloc_n", "g_try_malloc0_n",
    "g_try_realloc_n", "g_memdup", "g_memdup2", "g_strdup", "g_strndup", "g_slice_alloc",
    "g_slice_alloc0",
};

static const char **user;
static size_t nuser;

void alloc_fn_add(const char *name)
{
    user = xrealloc(user, nuser + 1, sizeof *user);
    user[nuser++] = name;
}

bool alloc_fn_is_wrapper(const char *function)
{
    if (!function)
        return false;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(function, known[i]) == 0)
            return true;
    for (size_t i = 0; i < nuser; i++)
        if (fnmatch(user[i], function, 0) == 0)
            return true;
    return false;
}

const struct sym_frame *alloc_fn_first_own_frame(const struct sym_stack *st)
{
    for (size_t i = 0; st && i < st->n; i++)
        if (finding_frame_is_program(st->f[i].module, st->f[i].file) &&
            !alloc_fn_is_wrapper(st->f[i].function))
            return &st->f[i];
    return NULL;
}
