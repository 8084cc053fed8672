/* arenas: the several-arena heap (lib/arena.h), with arenas=4 and no guarded slots
 * (so every block is an arena's).  Cases:
 *   spread       three threads' first blocks lie in three arenas other than main's
 *                (arenas other than 0 map whole 4 MiB granules: distinct granules);
 *   cross_free   blocks made by producers are freed by consumers (the block's own
 *                arena takes it back), then hc_check_heap() is clean and every block
 *                accounted for;
 *   exited       a thread exits with 2000 live blocks; main finds them intact and
 *                frees them;
 *   fork         four threads fork while the others allocate; each child frees a
 *                block of every arena, allocates in each, checks the heap, exits 0;
 *   leak         a block reachable only through a block of another arena is not
 *                lost; a block no one points to is, with exactly its bytes;
 *   check        an overflow of a block in a thread's arena is found by
 *                hc_check_heap() from main (continue mode: one error, counted);
 *   near_large   blocks realloc() moves in a thread's arena, of sizes just below the
 *                large-block cut, with their growth room stay that arena's blocks
 *                (malloc_usable_size and free accept them: no error).
 * alarm() turns a deadlock into a failure. */
#define _GNU_SOURCE
#include "heapcheck.h"

#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define OPTIONS "arenas=4,guard_slots=0,abort_on_error=0,exitcode=0,leak_check=off"
#define GRANULE_SHIFT 22
#define TIME_LIMIT 120

static int passed, failed;

static void check(int ok, const char *what)
{
    printf("arenas: %s: %s\n", ok ? "PASS" : "FAIL", what);
    if (ok)
        passed++;
    else
        failed++;
}

static void run_threads(unsigned n, void *(*fn)(void *), void **args)
{
    pthread_t t[16];
    for (unsigned i = 0; i < n; i++)
        if (pthread_create(&t[i], NULL, fn, args ? args[i] : NULL)) {
            fprintf(stderr, "arenas: cannot create a thread\n");
            exit(99);
        }
    for (unsigned i = 0; i < n; i++)
        pthread_join(t[i], NULL);
}

/* ---- spread ---------------------------------------------------------------------- */

static pthread_barrier_t spread_barrier;

static void *first_block(void *arg)
{
    void **out = arg;
    *out = malloc(64);
    pthread_barrier_wait(&spread_barrier); /* all three alive at once */
    return NULL;
}

static void case_spread(void)
{
    void *mine = malloc(64), *theirs[3], *args[3] = {&theirs[0], &theirs[1], &theirs[2]};
    pthread_barrier_init(&spread_barrier, NULL, 3);
    run_threads(3, first_block, args);
    uintptr_t g[4] = {(uintptr_t)mine >> GRANULE_SHIFT, (uintptr_t)theirs[0] >> GRANULE_SHIFT,
                      (uintptr_t)theirs[1] >> GRANULE_SHIFT, (uintptr_t)theirs[2] >> GRANULE_SHIFT};
    int distinct = 1;
    for (int i = 0; i < 4; i++)
        for (int j = i + 1; j < 4; j++)
            distinct &= g[i] != g[j];
    check(distinct, "spread: main's and three threads' first blocks are in four arenas");
    free(mine);
    for (int i = 0; i < 3; i++)
        free(theirs[i]); /* by main: each back to its own arena */
}

/* ---- cross_free: producers and consumers through a ring ------------------------- */

#define RING 256
#define HANDED 40000
static void *ring[RING];
static size_t ring_head, ring_tail;
static pthread_mutex_t ring_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ring_cond = PTHREAD_COND_INITIALIZER;
static int bad_pattern;

static void *produce(void *arg)
{
    uintptr_t id = (uintptr_t)arg;
    for (size_t i = 0; i < HANDED / 2; i++) {
        size_t n = 16 + (i * 37 + id * 11) % 900;
        unsigned char *p = malloc(n);
        memset(p, (int)(n & 0xff), n);
        p[0] = (unsigned char)(n >> 8);
        pthread_mutex_lock(&ring_lock);
        while (ring_head - ring_tail == RING)
            pthread_cond_wait(&ring_cond, &ring_lock);
        ring[ring_head++ % RING] = p;
        pthread_cond_broadcast(&ring_cond);
        pthread_mutex_unlock(&ring_lock);
    }
    return NULL;
}

static void *consume(void *arg)
{
    (void)arg;
    for (size_t i = 0; i < HANDED / 2; i++) {
        pthread_mutex_lock(&ring_lock);
        while (ring_head == ring_tail)
            pthread_cond_wait(&ring_cond, &ring_lock);
        unsigned char *p = ring[ring_tail++ % RING];
        pthread_cond_broadcast(&ring_cond);
        pthread_mutex_unlock(&ring_lock);
        size_t n = malloc_usable_size(p);
        if (n < 16)
            bad_pattern = 1;
        free(p);
    }
    return NULL;
}

static void *cross_main(void *arg)
{
    return (uintptr_t)arg < 2 ? produce(arg) : consume(arg);
}

static void *nothing(void *arg) { return arg; }

static void case_cross_free(void)
{
    struct hc_stats before, after;
    /* glibc keeps an exited thread's stack, and the block of its TLS vector with it:
     * four threads first, so the four below reuse them. */
    run_threads(4, nothing, NULL);
    hc_stats(&before);
    void *args[4] = {(void *)0, (void *)1, (void *)2, (void *)3};
    run_threads(4, cross_main, args);
    size_t problems = hc_check_heap();
    hc_stats(&after);
    if (problems || after.live_blocks != before.live_blocks || after.live_bytes != before.live_bytes)
        printf("arenas: cross_free: %zu problems, %zu/%zu blocks, %zu/%zu bytes live after/before\n",
               problems, after.live_blocks, before.live_blocks, after.live_bytes, before.live_bytes);
    check(!bad_pattern && problems == 0 && after.live_blocks == before.live_blocks &&
              after.live_bytes == before.live_bytes,
          "cross_free: 40000 blocks freed by another thread, heap clean, all accounted for");
}

/* ---- exited: a thread leaves live blocks behind -------------------------------- */

#define LEFT 2000
static unsigned char *left[LEFT];

static void *leave_blocks(void *arg)
{
    (void)arg;
    for (size_t i = 0; i < LEFT; i++) {
        left[i] = malloc(24 + i % 300);
        memset(left[i], (int)(i & 0xff), 24 + i % 300);
    }
    return NULL;
}

static void case_exited(void)
{
    struct hc_stats before, after;
    hc_stats(&before);
    run_threads(1, leave_blocks, NULL);
    int intact = 1;
    for (size_t i = 0; i < LEFT; i++) {
        for (size_t k = 0; k < 24 + i % 300; k++)
            intact &= left[i][k] == (unsigned char)(i & 0xff);
        if (i % 2)
            left[i] = realloc(left[i], 500); /* resized by another thread, too */
        free(left[i]);
    }
    size_t problems = hc_check_heap();
    hc_stats(&after);
    check(intact && problems == 0 && after.live_blocks == before.live_blocks,
          "exited: 2000 blocks of an exited thread intact, resized and freed by main");
}

/* ---- fork from many threads ---------------------------------------------------- */

#define FORKERS 4
#define PER_ARENA 50
static void *kept[FORKERS][PER_ARENA];
static volatile int stop_churn;
static pthread_barrier_t fork_barrier;

static int child(void)
{
    /* Blocks of every arena (each forker made its row in its own) freed here. */
    for (int t = 0; t < FORKERS; t++)
        for (int i = 0; i < PER_ARENA; i++)
            free(kept[t][i]);
    for (int i = 0; i < 1000; i++)
        free(malloc(16 + (size_t)i));
    return hc_check_heap() == 0 ? 0 : 1;
}

static void *forker(void *arg)
{
    uintptr_t id = (uintptr_t)arg;
    for (int i = 0; i < PER_ARENA; i++)
        kept[id][i] = malloc(32 + (size_t)i * 8);
    pthread_barrier_wait(&fork_barrier);
    int bad = 0;
    for (int round = 0; round < 5; round++) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(child());
        int status;
        if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
            bad = 1;
        free(malloc(100));
    }
    pthread_barrier_wait(&fork_barrier);
    return (void *)(uintptr_t)bad;
}

static void *churn(void *arg)
{
    (void)arg;
    void *p[64] = {0};
    for (unsigned long i = 0; !stop_churn; i++) {
        free(p[i % 64]);
        p[i % 64] = malloc(16 + i % 2000);
    }
    for (int i = 0; i < 64; i++)
        free(p[i]);
    return NULL;
}

static void case_fork(void)
{
    pthread_t f[FORKERS], c[2];
    pthread_barrier_init(&fork_barrier, NULL, FORKERS);
    for (int i = 0; i < 2; i++)
        pthread_create(&c[i], NULL, churn, NULL);
    for (uintptr_t i = 0; i < FORKERS; i++)
        pthread_create(&f[i], NULL, forker, (void *)i);
    int bad = 0;
    for (int i = 0; i < FORKERS; i++) {
        void *r;
        pthread_join(f[i], &r);
        bad |= r != NULL;
    }
    stop_churn = 1;
    for (int i = 0; i < 2; i++)
        pthread_join(c[i], NULL);
    for (int t = 0; t < FORKERS; t++)
        for (int i = 0; i < PER_ARENA; i++)
            free(kept[t][i]);
    check(!bad && hc_check_heap() == 0,
          "fork: 20 forks from 4 threads amid allocation; every child freed blocks of every arena and exited 0");
}

/* ---- leak check across arenas -------------------------------------------------- */

#define LOST_BYTES 777
static void **root;            /* -> a block of one arena, which points into another */
static uintptr_t hidden;       /* the lost block, disguised: not a pointer to it */

static void *make_holder(void *arg)
{
    (void)arg;
    root = malloc(sizeof(void *) * 4);
    memset(root, 0, sizeof(void *) * 4);
    return NULL;
}

static void *make_held(void *arg)
{
    (void)arg;
    root[1] = malloc(300);
    memset(root[1], 0x5a, 300);
    return NULL;
}

static void *make_lost(void *arg)
{
    (void)arg;
    void *volatile p = malloc(LOST_BYTES);
    hidden = (uintptr_t)p ^ (uintptr_t)0x5555555555555555ULL;
    p = NULL;
    return NULL;
}

static void case_leak(void)
{
    run_threads(1, make_holder, NULL);
    run_threads(1, make_held, NULL);
    run_threads(1, make_lost, NULL);
    size_t lost = hc_leak_report();
    check(lost == LOST_BYTES, "leak: a block held through another arena's block is reachable; "
                              "the unreferenced one is lost, exactly its bytes");
    free((void *)(hidden ^ (uintptr_t)0x5555555555555555ULL));
    free(root[1]);
    free(root);
}

/* ---- heap check across arenas -------------------------------------------------- */

/* Through a volatile pointer: a compiler that sees malloc(40) may drop a store past
 * its end as undefined. */
static void *(*volatile do_malloc)(size_t) = malloc;
static unsigned char *volatile overrun;

static void *overflow(void *arg)
{
    (void)arg;
    overrun = do_malloc(40);
    overrun[40] = 0; /* one past the end: the rear canary */
    return NULL;
}

static void case_check(void)
{
    struct hc_stats before, after;
    hc_stats(&before);
    run_threads(1, overflow, NULL);
    size_t problems = hc_check_heap();
    hc_stats(&after);
    if (problems != 1 || after.errors != before.errors + 1)
        printf("arenas: check: %zu problems, %zu errors before, %zu after\n", problems, before.errors,
               after.errors);
    check(problems == 1 && after.errors == before.errors + 1,
          "check: an overflow in a thread's arena is found by hc_check_heap() from main");
    /* The block was set aside as damaged; it stays that way (never reused). */
}

/* ---- near_large: realloc's growth room never makes a large block in an arena ----- */

static int near_large_bad;

static void *grow_near_large(void *arg)
{
    (void)arg;
    /* The default mmap threshold is 128 KiB; requests from 256 bytes below it are
     * arena 0's.  Sizes below that cut whose eighth of room brings them within a
     * few bytes of the threshold (116480 + 14560 = 131040). */
    for (size_t size = 116200; size < 116800; size++) {
        unsigned char *p = do_malloc(16), *wall = do_malloc(16); /* p must move */
        unsigned char *q = realloc(p, size);
        if (!q || malloc_usable_size(q) != size) {
            near_large_bad++;
            free(q ? q : p);
        } else {
            memset(q, 0x5a, size);
            free(q);
        }
        free(wall);
    }
    return NULL;
}

static void case_near_large(void)
{
    struct hc_stats before, after;
    hc_stats(&before);
    run_threads(1, grow_near_large, NULL);
    hc_stats(&after);
    check(near_large_bad == 0 && after.errors == before.errors && hc_check_heap() == 0,
          "near_large: blocks realloc() moved just below the large cut stay their arena's");
}

int main(int argc, char **argv)
{
    (void)argc;
    const char *o = getenv("HEAPCHECK_OPTIONS");
    if (!o || strcmp(o, OPTIONS) != 0) {
        /* Options are read at start-up: run again with them. */
        setenv("HEAPCHECK_OPTIONS", OPTIONS, 1);
        execv("/proc/self/exe", argv);
        perror("arenas: execv");
        return 99;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct hc_stats st;
    void *volatile probe = malloc(8);
    hc_stats(&st);
    free(probe);
    if (st.live_blocks == 0) {
        fprintf(stderr, "arenas: malloc is not heapcheck's\n");
        return 99;
    }
    alarm(TIME_LIMIT);
    case_spread();
    case_cross_free();
    case_exited();
    case_fork();
    case_leak();
    case_near_large();
    case_check();
    printf("arenas: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
