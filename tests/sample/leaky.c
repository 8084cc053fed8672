/* A test that passes on its own but leaks the copy it makes (unless FIXED). */
#include <stdlib.h>
#include <string.h>

/* Called through volatile pointers: a compiler may delete a malloc/free pair it
 * can see through, and the bug with it. */
static void *(*volatile alloc)(size_t) = malloc;
static void (*volatile release)(void *) = free;

static char *duplicate(const char *s)
{
    char *d = alloc(strlen(s) + 1);
    if (d)
        strcpy(d, s);
    return d;
}

int main(void)
{
    char *copy = duplicate("a string that leaks");
    int ok = copy && strcmp(copy, "a string that leaks") == 0;
#ifdef FIXED
    release(copy);
#endif
    copy = NULL;
    return ok ? 0 : 1;
}
