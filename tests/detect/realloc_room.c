/* A block realloc() moved keeps room to grow in place; the room is rear canary until
 * the program grows into it.  Usage: realloc_room CASE
 *   absorbed  a stray write far into the room, then a growth over it: caught by the
 *             realloc() that would make the damaged byte the program's
 *   beyond    a stray write into the room past what the growth takes: caught by free()
 *   grown     a block grown within its room, then overflowed by one: caught by free() */
#include "alloc.h"
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    const char *c = argv[1];
    char *volatile p = malloc(16);
    char *volatile wall = malloc(16); /* p cannot grow in place: realloc moves it */
    p = realloc(p, 4000);             /* with room for 500 more bytes */
    if (!p || !wall)
        return 3;
    memset(p, 'a', 4000);
    if (strcmp(c, "absorbed") == 0) {
        p[4200] = 'x'; /* 200 bytes past the end */
        p = realloc(p, 4300);
    } else if (strcmp(c, "beyond") == 0) {
        p[4400] = 'x'; /* 400 bytes past the end */
        p = realloc(p, 4010);
    } else if (strcmp(c, "grown") == 0) {
        p = realloc(p, 4300);
        p[4300] = 'x';
    } else {
        return 2;
    }
    free(p);
    free(wall);
    return 0;
}
