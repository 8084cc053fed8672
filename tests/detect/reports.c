/* Reports a user reads: built with gcc's defaults (-g -O2, so no frame pointers), the
 * blocks come through glibc (strdup, getline, realloc), and every report must name
 * the program's functions and lines.  Usage: reports CASE
 *   strdup    a one-byte overflow of a block strdup() made in a helper
 *   getline   a line buffer getline() allocated in a helper, leaked
 *   closed    the program closes fd 2, then overflows a block
 *   realloc   a one-byte overflow of a block realloc() made from NULL */
#define _GNU_SOURCE
#include "alloc.h"
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* noinline, and work after the call, so neither inlining nor a tail call hides the
 * helper's frame. */
__attribute__((noinline)) static char *copy_name(const char *name)
{
    char *copy = strdup(name);
    if (!copy)
        exit(3);
    return copy;
}

__attribute__((noinline)) static char *first_line(FILE *in)
{
    char *line = NULL;
    size_t cap = 0;
    if (getline(&line, &cap, in) < 0)
        exit(3);
    return line;
}

static char *volatile keep;

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    const char *c = argv[1];
    if (strcmp(c, "strdup") == 0 || strcmp(c, "closed") == 0) {
        if (strcmp(c, "closed") == 0)
            close(2);
        char *p = copy_name("hello");
        p[strlen(p) + 1] = 0; /* one past the NUL: the first byte after the block */
        free(p);
    } else if (strcmp(c, "getline") == 0) {
        static char text[] = "one line\n";
        FILE *in = fmemopen(text, sizeof text - 1, "r");
        if (!in)
            return 3;
        keep = first_line(in);
        fclose(in);
        keep = NULL; /* the last pointer to the line is gone: definitely lost */
    } else if (strcmp(c, "realloc") == 0) {
        char *p = realloc(NULL, 10);
        p[10] = 0;
        free(p);
    } else {
        return 2;
    }
    return 0;
}
