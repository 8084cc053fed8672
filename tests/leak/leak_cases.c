/* Leak programs, one per case (the first argument), each leaving a known pattern of
 * blocks at exit.  The allocation lines carry "LEAK:" markers so the test can find
 * the line numbers it expects in the symbolized report.
 *   single    one block, no pointer to it                 16 bytes definitely lost
 *   list      a 4-node list whose head is lost            32 direct + 96 indirect
 *   global    a block held by a global only               100 bytes still reachable
 *   interior  a block held only through an interior ptr   64 bytes possibly lost
 *   thread    a block lost in a second thread             77 bytes definitely lost */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct node {
    struct node *next;
    long payload[3];
};

static void *(*volatile do_malloc)(size_t) = malloc;

void *global_holder;
char *interior_holder;

static __attribute__((noinline)) void leak_single(void)
{
    void *volatile p = do_malloc(16); /* LEAK:single */
    p = NULL;
    (void)p; /* read: clang's -Wunused-but-set-variable */
}

static __attribute__((noinline)) struct node *make_node(struct node *next)
{
    struct node *n = do_malloc(sizeof *n); /* LEAK:list */
    memset(n, 0, sizeof *n);
    n->next = next;
    return n;
}

static __attribute__((noinline)) void leak_list(void)
{
    struct node *volatile head = NULL;
    for (int i = 0; i < 4; i++)
        head = make_node(head);
    head = NULL;
}

static __attribute__((noinline)) void keep_global(void)
{
    global_holder = do_malloc(100); /* LEAK:global */
}

static __attribute__((noinline)) void keep_interior(void)
{
    char *b = do_malloc(64); /* LEAK:interior */
    memset(b, 0, 64);
    interior_holder = b + 24;
}

static __attribute__((noinline)) void *thread_body(void *arg)
{
    (void)arg;
    void *volatile p = do_malloc(77); /* LEAK:thread */
    p = NULL;
    (void)p;
    return NULL;
}

static __attribute__((noinline)) void leak_in_thread(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, thread_body, NULL) == 0)
        pthread_join(t, NULL);
}

int main(int argc, char **argv)
{
    const char *which = argc > 1 ? argv[1] : "";
    if (!strcmp(which, "single"))
        leak_single();
    else if (!strcmp(which, "list"))
        leak_list();
    else if (!strcmp(which, "global"))
        keep_global();
    else if (!strcmp(which, "interior"))
        keep_interior();
    else if (!strcmp(which, "thread"))
        leak_in_thread();
    else
        return 2;
    /* Clear what the calls above left in registers and below the stack pointer. */
    volatile char scrub[4096];
    memset((char *)scrub, 0, sizeof scrub);
    return 0;
}
