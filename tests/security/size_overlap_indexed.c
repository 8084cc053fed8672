/* Free-size overlap by one indexed write: a[i] = x with i past a's end lands on the
 * next free block's size word (a's rear canary is skipped, so it stays intact). */
#include "size_overlap.h"

static void enlarge(void *a, size_t *b_head, size_t size)
{
    size_t i = (size_t)((char *)b_head - (char *)a) / sizeof(size_t);
    ((size_t *)launder(a))[i] = size;
}

int main(void) { return overlap_main(enlarge); }
