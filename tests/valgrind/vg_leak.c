/* Leaks of every kind memcheck tells apart, with sizes that tell them apart too:
 *   definitely lost: a 37-byte block nothing points to, and the 48-byte head of a
 *                    linked list nothing points to (2 blocks, 85 bytes)
 *   indirectly lost: the other two nodes of that list, reached only through the lost
 *                    head (2 blocks, 96 bytes)
 *   possibly lost:   a 120-byte block that a global points into, 40 bytes in (1 block)
 *   still reachable: a 200-byte block a global points to (1 block)
 * memcheck.sh compares memcheck's LEAK SUMMARY for this program with the one heapcheck
 * prints for it on its own: the same rules must give the same numbers.
 *
 * The program calls nothing that allocates behind its back (no stdio), so that these
 * are its only blocks.  The blocks are made in a function of their own, and the stack
 * where it ran is then overwritten: a stale copy of a pointer left below the stack
 * pointer could otherwise be found by a leak check and make a lost block reachable. */
#include <stdlib.h>
#include <string.h>

static void *(*volatile do_malloc)(size_t) = malloc;

struct node {
    struct node *next;
    char payload[40];
};

static void *volatile held;        /* still reachable */
static char *volatile held_inside; /* possibly lost: points into its block */

static struct node *new_node(struct node *next)
{
    struct node *n = do_malloc(sizeof *n);
    if (!n)
        exit(2);
    memset(n->payload, 'n', sizeof n->payload);
    n->next = next;
    return n;
}

static __attribute__((noinline)) void make_leaks(void)
{
    char *lost = do_malloc(37);
    if (!lost)
        exit(2);
    memset(lost, 'l', 37); /* and its only pointer goes out of scope */

    (void)new_node(new_node(new_node(NULL))); /* the head is dropped at once */

    held = do_malloc(200);
    char *inner = do_malloc(120);
    if (!held || !inner)
        exit(2);
    memset(held, 0, 200);
    memset(inner, 0, 120); /* no size-like word that a memcheck heuristic could use */
    held_inside = inner + 40;
}

static __attribute__((noinline)) void scrub_stack(void)
{
    volatile unsigned char area[64 * 1024];
    for (size_t i = 0; i < sizeof area; i++)
        area[i] = 0;
}

int main(void)
{
    make_leaks();
    scrub_stack();
    return 0;
}
