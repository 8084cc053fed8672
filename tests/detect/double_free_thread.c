/* Double free of a block another thread freed: one thread allocates it (in that
 * thread's arena), a second frees it, then main frees it again.  The free goes to
 * the block's own arena, found by its address, whose quarantine still holds it: a
 * double free, with the allocation and the first free's stacks. */
#include "alloc.h"

#include <pthread.h>

static char *volatile block;

static void *allocate(void *arg)
{
    (void)arg;
    block = malloc(24);
    return NULL;
}

static void *release(void *arg)
{
    (void)arg;
    free(block);
    return NULL;
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, allocate, NULL) || pthread_join(t, NULL))
        return 99;
    if (pthread_create(&t, NULL, release, NULL) || pthread_join(t, NULL))
        return 99;
    free(block);
    return 0;
}
