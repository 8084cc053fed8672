/* Bugs caught at the faulting access by heapcheck's guarded slots and its fatal-signal
 * report.  Usage: access MODE, one of
 *   uaf-first     read the first byte of a freed 13-byte block
 *   uaf-middle    read byte 50 of a freed 100-byte block
 *   past-16       read one byte past a 32-byte block (a multiple of 16: no slack)
 *   past-page     read one byte past a 4096-byte block
 *   underflow     read one byte before a 13-byte block (run with guard_left=1)
 *   waf           write byte 5 of a freed 64-byte block
 *   wild          read through a wild pointer
 *   freed-ptr     dereference a pointer loaded from a freed block (one too large
 *                 for a slot, so it is poisoned in the quarantine)
 *   own-handler   the program's own SIGSEGV handler catches the use after free
 *   thread        a use after free in a second thread
 *   continue      an overflow into the slack (reported at free), then a use after free
 *   free-fill     free() of a pointer loaded from a freed block */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "alloc.h"

static volatile char sink;
static sigjmp_buf escape;

static void on_segv(int sig)
{
    (void)sig;
    siglongjmp(escape, 1);
}

static void *read_after_free(void *arg)
{
    (void)arg;
    char *volatile p = malloc(13);
    free(p);
    sink = p[0];
    return NULL;
}

struct node {
    struct node *next;
    char payload[20000];
};

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    const char *m = argv[1];
    char *volatile p;
    if (!strcmp(m, "uaf-first")) {
        p = malloc(13);
        free(p);
        sink = p[0];
    } else if (!strcmp(m, "uaf-middle")) {
        p = malloc(100);
        free(p);
        sink = p[50];
    } else if (!strcmp(m, "past-16")) {
        p = malloc(32);
        sink = p[32];
    } else if (!strcmp(m, "past-page")) {
        p = malloc(4096);
        sink = p[4096];
    } else if (!strcmp(m, "underflow")) {
        p = malloc(13);
        sink = p[-1];
    } else if (!strcmp(m, "waf")) {
        p = malloc(64);
        free(p);
        p[5] = 'w'; /* MARK:write_after_free */
    } else if (!strcmp(m, "wild")) {
        p = (char *)(uintptr_t)0x5a5a5a5a000ULL;
        sink = *p;
    } else if (!strcmp(m, "freed-ptr")) {
        struct node *volatile n = malloc(sizeof *n);
        n->next = malloc(sizeof *n);
        free(n->next);
        free(n);
        struct node *next = n->next; /* the free fill */
        sink = next->payload[0];
    } else if (!strcmp(m, "own-handler")) {
        signal(SIGSEGV, on_segv);
        p = malloc(13);
        free(p);
        if (sigsetjmp(escape, 1) == 0)
            sink = p[0];
        else
            fprintf(stderr, "the program's own handler caught the fault\n");
        return 0;
    } else if (!strcmp(m, "thread")) {
        pthread_t t;
        pthread_create(&t, NULL, read_after_free, NULL);
        pthread_join(t, NULL);
    } else if (!strcmp(m, "continue")) {
        p = malloc(13);
        p[13] = 'x';
        free(p); /* MARK:continue_free */
        sink = p[0]; /* MARK:continue_read */
    } else if (!strcmp(m, "free-fill")) {
        struct node *volatile n = malloc(sizeof *n);
        n->next = malloc(sizeof *n);
        free(n);
        free(n->next);
    } else {
        return 2;
    }
    fprintf(stderr, "not caught\n");
    return 1;
}
