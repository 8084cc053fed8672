/* Free-size overlap by a canary-preserving copy: one memcpy from a's start through the
 * next free block's size word, whose bytes past a's request are the ones read there
 * (a's rear canary, its foot, the head's tag), except the size. */
#include "size_overlap.h"

static void enlarge(void *a, size_t *b_head, size_t size)
{
    size_t len = (size_t)((char *)(b_head + 1) - (char *)a);
    unsigned char buf[256];
    if (len > sizeof buf)
        setup_error("b's head is too far from a");
    memcpy(buf, a, len);                     /* what is there now: canary included */
    size_t head;
    memcpy(&head, buf + len - 8, 8);
    head = (head & ~SIZE_MASK) | size;       /* the tag bits kept, the size changed */
    memcpy(buf + len - 8, &head, 8);
    memcpy(launder(a), buf, len);
}

int main(void) { return overlap_main(enlarge); }
