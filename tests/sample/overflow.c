/* A test that passes on its own but writes one byte past a block: the classic
 * missing +1 for a string's NUL (unless FIXED). */
#include <stdlib.h>
#include <string.h>

/* Called through volatile pointers: a compiler may delete a malloc/free pair it
 * can see through, and the bug with it. */
static void *(*volatile alloc)(size_t) = malloc;
static void (*volatile release)(void *) = free;

int main(void)
{
    const char *s = "overflow";
#ifdef FIXED
    char *d = alloc(strlen(s) + 1);
#else
    char *d = alloc(strlen(s));
#endif
    if (!d)
        return 1;
    strcpy(d, s);
    int ok = d[0] == 'o';
    release(d);
    return ok ? 0 : 1;
}
