/* threads: several threads allocate, resize and free random blocks at once, and hand
 * blocks to each other through a shared exchange, so blocks are freed and resized by a
 * thread other than the one that made them (and after it has exited).  Every block
 * carries a pattern checked at each hand-over; hc_check_heap() runs concurrently with
 * the others and once more at the end, when every block must be accounted for. */
#define _GNU_SOURCE
#include "heapcheck.h"

#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define NTHREADS 6
#define OPS_PER_THREAD 150000UL
#define OWNED_MAX 400          /* blocks a thread holds at once */
#define EXCHANGE_SLOTS 64
#define CHECK_EVERY 25000UL    /* each thread runs hc_check_heap() this often */
#define LEFTOVERS_MAX (NTHREADS * OWNED_MAX)
#define TIME_LIMIT 120         /* seconds: a deadlock fails the test instead of hanging */
#define STR(x) #x
#define XSTR(x) STR(x)

/* ---- xorshift64*, one state per thread ------------------------------------------ */

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dULL;
}

static size_t rng_below(uint64_t *s, size_t n) { return (size_t)(rng_next(s) % n); }

/* ---- blocks and their contents ------------------------------------------------- */

struct block {
    unsigned char *ptr;
    size_t size;
    uint64_t seed; /* the pattern; its top byte names the thread that wrote it */
};

/* Position-dependent, so bytes copied to the wrong offset or from another block show.
 * Blocks above DENSE_LIMIT carry it only in their first and last EDGE bytes: enough to
 * catch a wrong copy or metadata written over a block, at a fraction of the cost. */
#define DENSE_LIMIT ((size_t)16 << 10)
#define EDGE ((size_t)2 << 10)

static unsigned char pattern_byte(uint64_t seed, size_t offset)
{
    uint64_t w = seed ^ ((uint64_t)(offset / 8) * 0x9e3779b97f4a7c15ULL);
    return (unsigned char)(w >> (8 * (offset % 8)));
}

static void pattern_range(size_t size, size_t limit, int half, size_t *begin, size_t *end)
{
    if (size <= DENSE_LIMIT) {
        *begin = half ? limit : 0;
        *end = limit;
    } else if (half == 0) {
        *begin = 0;
        *end = EDGE < limit ? EDGE : limit;
    } else {
        *begin = size - EDGE;
        *end = limit;
        if (*begin > *end)
            *begin = *end;
    }
}

static void fill(struct block *b)
{
    for (int half = 0; half < 2; half++) {
        size_t begin, end;
        pattern_range(b->size, b->size, half, &begin, &end);
        for (size_t o = begin; o < end; o++)
            b->ptr[o] = pattern_byte(b->seed, o);
    }
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
    va_list ap;
    char line[512];
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "threads: FAILED: %s\n", line);
    printf("threads: 0 passed, 1 failed\n");
    fflush(stdout);
    _exit(EXIT_FAILURE); /* other threads may be inside the allocator: no exit handlers */
}

/* The pattern must hold in [0, limit) of a block written with b->size bytes. */
static void verify(const struct block *b, size_t limit, const char *when)
{
    for (int half = 0; half < 2; half++) {
        size_t begin, end;
        pattern_range(b->size, limit, half, &begin, &end);
        for (size_t o = begin; o < end; o++)
            if (b->ptr[o] != pattern_byte(b->seed, o))
                die("%s: block %p (%zu bytes, written by thread %u) byte %zu is 0x%02x, "
                    "expected 0x%02x", when, (void *)b->ptr, b->size,
                    (unsigned)(b->seed >> 56), o, b->ptr[o], pattern_byte(b->seed, o));
    }
}

/* ---- the shared state ---------------------------------------------------------- */

static pthread_mutex_t exchange_lock = PTHREAD_MUTEX_INITIALIZER;
static struct block exchange[EXCHANGE_SLOTS];     /* ptr NULL: empty slot */
static struct block leftovers[LEFTOVERS_MAX];     /* freed by main after the joins */
static size_t nleftovers;
static unsigned long handed_over, freed_foreign, resized_foreign;

struct worker {
    pthread_t thread;
    unsigned id;
    uint64_t rng;
    struct block owned[OWNED_MAX];
    size_t nowned;
};

static size_t random_size(uint64_t *rng)
{
    unsigned r = (unsigned)rng_below(rng, 1000);
    if (r < 600)
        return rng_below(rng, 129);
    if (r < 900)
        return 129 + rng_below(rng, 2048);
    if (r < 995)
        return 2177 + rng_below(rng, 30000);
    return ((size_t)128 << 10) + rng_below(rng, (size_t)512 << 10); /* mapped */
}

static void take_ownership(struct worker *w, struct block b)
{
    b.seed = (b.seed & ~(0xffULL << 56)) | ((uint64_t)w->id << 56);
    w->owned[w->nowned++] = b;
}

/* The alignment C requires of malloc(size): that of the largest fundamental type that
 * fits in size bytes (a guarded slot gives no more, so small blocks end at its guard). */
static size_t malloc_alignment(size_t size)
{
    return size >= 16 ? 16 : size >= 8 ? 8 : size >= 4 ? 4 : size >= 2 ? 2 : 1;
}

static struct block new_block(struct worker *w)
{
    struct block b = {NULL, random_size(&w->rng), rng_next(&w->rng)};
    size_t align = (size_t)16 << rng_below(&w->rng, 9);
    bool zeroed = false;
    int err = 0; /* posix_memalign's answer, which it does not put in errno */
    switch (rng_below(&w->rng, 6)) {
    case 0:
        b.ptr = memalign(align, b.size);
        break;
    case 1:
        err = posix_memalign((void **)&b.ptr, align, b.size);
        if (err)
            b.ptr = NULL;
        break;
    case 2:
        b.ptr = calloc(1, b.size);
        zeroed = true;
        align = malloc_alignment(b.size);
        break;
    case 3:
        b.ptr = realloc(NULL, b.size);
        align = malloc_alignment(b.size);
        break;
    default:
        b.ptr = malloc(b.size);
        align = malloc_alignment(b.size);
        break;
    }
    if (!b.ptr)
        die("thread %u: allocation of %zu bytes failed: %s", w->id, b.size,
            strerror(err ? err : errno));
    /* Through a volatile: memalign is declared alloc_align, and the compiler may otherwise
     * take the alignment we check for granted. */
    unsigned char *volatile unseen = b.ptr;
    b.ptr = unseen;
    if ((uintptr_t)b.ptr % align)
        die("thread %u: block %p of %zu bytes misaligned for %zu", w->id, (void *)b.ptr, b.size,
            align);
    if (malloc_usable_size(b.ptr) < b.size)
        die("thread %u: malloc_usable_size(%p) %zu < %zu", w->id, (void *)b.ptr,
            malloc_usable_size(b.ptr), b.size);
    for (size_t o = 0; zeroed && o < b.size; o++)
        if (b.ptr[o])
            die("thread %u: calloc block %p byte %zu is not zero", w->id, (void *)b.ptr, o);
    return b;
}

static void resize(struct worker *w, struct block *b, const char *whose)
{
    size_t new_size = rng_below(&w->rng, 2) ? random_size(&w->rng) : b->size + rng_below(&w->rng, 200);
    if (new_size == 0)
        new_size = 1;
    void *q = realloc(b->ptr, new_size);
    if (!q)
        die("thread %u: realloc(%zu) of %s block failed", w->id, new_size, whose);
    b->ptr = q;
    verify(b, b->size < new_size ? b->size : new_size, "after realloc");
    b->size = new_size;
}

/* Swap one of our blocks (or nothing) for whatever sits in a random exchange slot. */
static void trade(struct worker *w)
{
    struct block give = {NULL, 0, 0};
    if (w->nowned > 0 && rng_below(&w->rng, 4) != 0) {
        size_t i = rng_below(&w->rng, w->nowned);
        give = w->owned[i];
        w->owned[i] = w->owned[--w->nowned];
    }
    size_t slot = rng_below(&w->rng, EXCHANGE_SLOTS);
    pthread_mutex_lock(&exchange_lock);
    struct block got = exchange[slot];
    exchange[slot] = give;
    if (got.ptr)
        handed_over++;
    pthread_mutex_unlock(&exchange_lock);
    if (!got.ptr)
        return;
    verify(&got, got.size, "received from another thread");
    unsigned choice = (unsigned)rng_below(&w->rng, 3);
    if (choice == 0 || w->nowned == OWNED_MAX) {
        free(got.ptr);
        __atomic_fetch_add(&freed_foreign, 1, __ATOMIC_RELAXED);
        return;
    }
    if (choice == 1) {
        resize(w, &got, "another thread's");
        __atomic_fetch_add(&resized_foreign, 1, __ATOMIC_RELAXED);
    }
    take_ownership(w, got); /* and rewrite it, as its new owner */
    fill(&w->owned[w->nowned - 1]);
}

static void *work(void *arg)
{
    struct worker *w = arg;
    for (unsigned long op = 0; op < OPS_PER_THREAD; op++) {
        unsigned r = (unsigned)rng_below(&w->rng, 100);
        if (r < 35 && w->nowned < OWNED_MAX) {
            struct block b = new_block(w);
            take_ownership(w, b);
            fill(&w->owned[w->nowned - 1]);
        } else if (r < 65 && w->nowned > 0) {
            size_t i = rng_below(&w->rng, w->nowned);
            verify(&w->owned[i], w->owned[i].size, "before free");
            free(w->owned[i].ptr);
            w->owned[i] = w->owned[--w->nowned];
        } else if (r < 80 && w->nowned > 0) {
            struct block *b = &w->owned[rng_below(&w->rng, w->nowned)];
            verify(b, b->size, "before realloc");
            resize(w, b, "its own");
            fill(b);
        } else {
            trade(w);
        }
        if ((op + 1) % CHECK_EVERY == 0) {
            size_t problems = hc_check_heap(); /* while the other threads keep going */
            if (problems)
                die("thread %u: hc_check_heap() found %zu problems", w->id, problems);
        }
    }
    /* Free half of what is left here; hand the rest to main, to free after we exit. */
    pthread_mutex_lock(&exchange_lock);
    for (size_t i = 0; i < w->nowned; i++) {
        verify(&w->owned[i], w->owned[i].size, "at thread exit");
        if (i % 2)
            free(w->owned[i].ptr);
        else
            leftovers[nleftovers++] = w->owned[i];
    }
    pthread_mutex_unlock(&exchange_lock);
    w->nowned = 0;
    return NULL;
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "threads: FAILED: not done after " XSTR(TIME_LIMIT) " s (deadlock?)\n"
                              "threads: 0 passed, 1 failed\n";
    ssize_t ignored = write(2, msg, sizeof msg - 1);
    (void)ignored;
    _exit(EXIT_FAILURE);
}

static struct worker workers[NTHREADS];

static void *idle(void *arg) { return arg; }

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGALRM, on_alarm);
    alarm(TIME_LIMIT);

    uint64_t seed;
    if (argc > 1) {
        seed = strtoull(argv[1], NULL, 0);
    } else if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) != (ssize_t)sizeof seed) {
        seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    }
    /* Threads interleave differently each run; the seed still fixes what each does. */
    printf("threads: seed %" PRIu64 "\n", seed);

    /* glibc keeps a few blocks per exited thread (with the stacks it caches for reuse).
     * Start and join as many idle threads first, so the count below already has them. */
    for (unsigned i = 0; i < NTHREADS; i++)
        if (pthread_create(&workers[i].thread, NULL, idle, NULL) != 0) {
            fprintf(stderr, "threads: pthread_create failed\n");
            return 99;
        }
    for (unsigned i = 0; i < NTHREADS; i++)
        pthread_join(workers[i].thread, NULL);

    struct hc_stats before, after;
    void *volatile probe = malloc(40); /* volatile: the pair must not be optimized away */
    hc_stats(&before);
    free(probe);
    hc_stats(&after);
    if (after.live_blocks + 1 != before.live_blocks) {
        fprintf(stderr, "threads: malloc is not heapcheck's; is the test linked with it?\n");
        return 99;
    }

    for (unsigned i = 0; i < NTHREADS; i++) {
        workers[i].id = i + 1;
        workers[i].rng = (seed + i) * 0x9e3779b97f4a7c15ULL | 1;
        int err = pthread_create(&workers[i].thread, NULL, work, &workers[i]);
        if (err) {
            fprintf(stderr, "threads: pthread_create: %s\n", strerror(err));
            return 99;
        }
    }
    for (unsigned i = 0; i < NTHREADS; i++)
        pthread_join(workers[i].thread, NULL);

    /* Every thread is gone: free what they left, in the exchange and handed to us. */
    for (size_t i = 0; i < EXCHANGE_SLOTS; i++)
        if (exchange[i].ptr) {
            verify(&exchange[i], exchange[i].size, "left in the exchange");
            free(exchange[i].ptr);
        }
    for (size_t i = 0; i < nleftovers; i++) {
        verify(&leftovers[i], leftovers[i].size, "left by an exited thread");
        free(leftovers[i].ptr);
    }

    size_t problems = hc_check_heap();
    if (problems)
        die("final hc_check_heap() found %zu problems", problems);
    struct hc_stats end;
    hc_stats(&end);
    if (end.live_blocks != after.live_blocks)
        die("%zu blocks live at the end, %zu before the threads ran: the count was corrupted "
            "or a block leaked", end.live_blocks, after.live_blocks);
    printf("threads: %d threads x %lu ops; %lu blocks handed over, %lu freed and %lu resized "
           "by another thread, %zu freed after their thread exited\n",
           NTHREADS, OPS_PER_THREAD, handed_over, freed_foreign, resized_foreign, nleftovers);
    printf("threads: 1 passed, 0 failed\n");
    return 0;
}
