/* malloc from a signal handler that interrupted malloc (a single-threaded process, so
 * heapcheck's lock is skipped): heapcheck must say so and abort, not corrupt its free
 * index.  A 200-microsecond interval timer interrupts a malloc/free loop whose heap
 * check (check_interval=1) keeps it inside the allocator most of the time. */
#include <signal.h>
#include <sys/time.h>
#include "alloc.h"

static void *volatile from_handler;

static void on_alarm(int sig)
{
    (void)sig;
    from_handler = malloc(24);
    free(from_handler);
}

int main(void)
{
    static void *keep[64];
    struct sigaction sa = {.sa_handler = on_alarm};
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 200}, {0, 200}};
    setitimer(ITIMER_REAL, &it, NULL);
    for (unsigned long i = 0; i < 100000000UL; i++) {
        unsigned k = (unsigned)(i * 2654435761u) % 64;
        free(keep[k]);
        keep[k] = malloc(16 + i % 200);
    }
    return 1; /* never interrupted inside: the test fails */
}
