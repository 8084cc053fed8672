/* A test with no heap bug: allocates, uses and frees a list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Called through volatile pointers: a compiler may delete a malloc/free pair it
 * can see through, and the bug with it. */
static void *(*volatile alloc)(size_t) = malloc;
static void (*volatile release)(void *) = free;

struct node {
    struct node *next;
    char word[16];
};

int main(void)
{
    struct node *head = NULL;
    for (int i = 0; i < 100; i++) {
        struct node *n = alloc(sizeof *n);
        if (!n)
            return 1;
        snprintf(n->word, sizeof n->word, "word%d", i);
        n->next = head;
        head = n;
    }
    size_t total = 0;
    while (head) {
        struct node *next = head->next;
        total += strlen(head->word);
        release(head);
        head = next;
    }
    return total == 590 ? 0 : 1;
}
