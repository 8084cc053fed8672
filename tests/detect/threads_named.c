/* A double free across named threads: main (T0) allocates a block, the thread named
 * "worker" (T1) frees it, the thread named "reaper" (T2) frees it again.  The report
 * must name each stack's thread: found in T2 (reaper), allocated in T0, freed by T1
 * (worker).  The threads run one after the other, so their numbers are fixed. */
#define _GNU_SOURCE
#include <pthread.h>
#include "alloc.h"

static void *block;

static void *worker(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "worker");
    free(block);
    return NULL;
}

static void *reaper(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "reaper");
    free(block);
    return NULL;
}

static void run(void *(*fn)(void *))
{
    pthread_t t;
    if (pthread_create(&t, NULL, fn, NULL) != 0 || pthread_join(t, NULL) != 0)
        exit(99);
}

int main(void)
{
    block = malloc(40);
    run(worker);
    run(reaper);
    return 0;
}
