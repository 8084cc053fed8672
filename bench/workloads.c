/* bench-workloads: allocation workloads for comparing allocators.
 *
 *     bench-workloads WORKLOAD [OPS]
 *
 * Runs one workload with whatever malloc the process has (the system's, or one put
 * in front of it with LD_PRELOAD) and prints one line:
 *
 *     WORKLOAD ops=N seconds=S ops/s=R peak_rss_kib=K
 *
 * The program is deliberately not linked with heapcheck, so the same binary measures
 * every allocator.  Every random choice comes from a PRNG with a fixed seed, so each
 * run asks for the same sequence of sizes (thread interleavings aside).  Only the
 * steady-state loop is timed: filling the pools beforehand and emptying them after
 * are not.  Peak RSS is the whole run's, set-up included, since that is what a user
 * of the allocator pays for.  Threaded workloads pin their threads to distinct CPUs
 * (round robin over those allowed; see pin_to_cpu).
 *
 * Every block is stamped when allocated and the stamp is checked before it is freed
 * (and after each realloc): the check is cheap, it keeps the compiler from deleting
 * allocations whose memory is never read, and an allocator that hands out
 * overlapping blocks fails loudly instead of posting a good number. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define PAGE 4096u

/* ---- Random numbers --------------------------------------------------------------
 * xorshift64*: a few instructions per number, so the PRNG stays out of the profile. */
struct rng {
    uint64_t s;
};

static struct rng rng_seeded(uint64_t seed)
{
    /* Any non-zero state works; mix the seed so nearby seeds give unrelated streams. */
    uint64_t s = (seed + 1) * 0x9e3779b97f4a7c15ULL;
    s ^= s >> 31;
    return (struct rng){s ? s : 1};
}

static inline uint64_t rng_next(struct rng *r)
{
    uint64_t x = r->s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->s = x;
    return x * 0x2545f4914f6cdd1dULL;
}

/* Uniform in [0, n) by multiply-and-shift: no division on the hot path; the bias
 * (below 2^-32) does not matter here. */
static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static inline size_t rng_size(struct rng *r, size_t lo, size_t hi)
{
    return lo + rng_below(r, (uint32_t)(hi - lo + 1));
}

/* ---- Helpers ------------------------------------------------------------------- */
static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *xmalloc(size_t size)
{
    void *p = malloc(size);
    if (!p) {
        fprintf(stderr, "bench-workloads: malloc(%zu) failed\n", size);
        exit(EXIT_FAILURE);
    }
    return p;
}

static _Noreturn void corrupted(const void *p, size_t size)
{
    fprintf(stderr, "bench-workloads: block %p (%zu bytes) lost its contents\n", p, size);
    abort();
}

/* Mark the first and last byte (and, for big blocks, one byte per page, so the pages
 * count in RSS as they would for a program that uses its memory). */
static inline void stamp(unsigned char *p, size_t size, unsigned char s, bool every_page)
{
    p[0] = s;
    if (every_page)
        for (size_t off = PAGE; off < size; off += PAGE)
            p[off] = s;
    p[size / 2] = s;
    p[size - 1] = s;
}

static inline void verify(const unsigned char *p, size_t size, unsigned char s)
{
    if (p[0] != s || p[size - 1] != s)
        corrupted(p, size);
}

/* ---- Churn: a pool of live blocks, each step frees one and allocates another ------ */
struct churn_params {
    size_t slots, min, max;
    bool every_page;
    uint64_t seed;
};

static double churn(const struct churn_params *c, uint64_t ops)
{
    struct rng r = rng_seeded(c->seed);
    unsigned char **ptr = xmalloc(c->slots * sizeof *ptr);
    size_t *size = xmalloc(c->slots * sizeof *size);
    unsigned char *tag = xmalloc(c->slots);
    for (size_t i = 0; i < c->slots; i++) {
        size[i] = rng_size(&r, c->min, c->max);
        tag[i] = (unsigned char)i;
        ptr[i] = xmalloc(size[i]);
        stamp(ptr[i], size[i], tag[i], c->every_page);
    }
    double t0 = now_seconds();
    for (uint64_t op = 0; op < ops; op++) {
        uint32_t i = rng_below(&r, (uint32_t)c->slots);
        verify(ptr[i], size[i], tag[i]);
        free(ptr[i]);
        size[i] = rng_size(&r, c->min, c->max);
        tag[i] = (unsigned char)(op + 1);
        ptr[i] = xmalloc(size[i]);
        stamp(ptr[i], size[i], tag[i], c->every_page);
    }
    double elapsed = now_seconds() - t0;
    for (size_t i = 0; i < c->slots; i++) {
        verify(ptr[i], size[i], tag[i]);
        free(ptr[i]);
    }
    free(tag);
    free(size);
    free(ptr);
    return elapsed;
}

/* Small objects, the common case of most programs: 8 B to 1 KiB, 10,000 live. */
static double run_small_churn(uint64_t ops)
{
    const struct churn_params c = {10000, 8, 1024, false, 1};
    return churn(&c, ops);
}

/* Buffers of 16-64 KiB, 1,000 live (about 40 MiB): below the usual mmap threshold, so
 * they exercise the heap's splitting and coalescing of big free blocks. */
static double run_medium_churn(uint64_t ops)
{
    const struct churn_params c = {1000, 16 << 10, 64 << 10, true, 2};
    return churn(&c, ops);
}

/* ---- Realloc chains: buffers grown a little at a time, as by a string builder ----
 * A few chains are interleaved so a growing block's neighbour is often another live
 * buffer (no growing in place for free).  One op is one realloc call; the malloc that
 * starts a chain and the free that ends it are not counted (one per few hundred). */
#define CHAINS 6

struct chain {
    unsigned char *p;
    size_t size, target;
    unsigned char tag;
};

static void chain_start(struct chain *c, struct rng *r, unsigned char tag)
{
    c->size = 16;
    c->target = rng_size(r, 32 << 10, 64 << 10);
    c->tag = tag;
    c->p = xmalloc(c->size);
    stamp(c->p, c->size, tag, false);
}

static double run_realloc_chains(uint64_t ops)
{
    struct rng r = rng_seeded(3);
    struct chain ch[CHAINS];
    for (unsigned i = 0; i < CHAINS; i++)
        chain_start(&ch[i], &r, (unsigned char)i);
    double t0 = now_seconds();
    for (uint64_t op = 0; op < ops; op++) {
        struct chain *c = &ch[rng_below(&r, CHAINS)];
        size_t grown = c->size + rng_size(&r, 1, 256);
        unsigned char *q = realloc(c->p, grown);
        if (!q) {
            fprintf(stderr, "bench-workloads: realloc(%zu) failed\n", grown);
            exit(EXIT_FAILURE);
        }
        /* realloc must have kept the old contents, both ends of them. */
        verify(q, c->size, c->tag);
        c->p = q;
        c->size = grown;
        c->p[grown - 1] = c->tag;
        if (grown >= c->target) {
            free(c->p);
            chain_start(c, &r, (unsigned char)(op + 1));
        }
    }
    double elapsed = now_seconds() - t0;
    for (unsigned i = 0; i < CHAINS; i++)
        free(ch[i].p);
    return elapsed;
}

/* ---- Threads: start together, so the timed span is the span of the work ---------- */
static pthread_barrier_t start_line;

static void spawn(pthread_t *t, void *(*fn)(void *), void *arg)
{
    int err = pthread_create(t, NULL, fn, arg);
    if (err) {
        fprintf(stderr, "bench-workloads: pthread_create: %s\n", strerror(err));
        exit(EXIT_FAILURE);
    }
}

/* Put the calling thread on the n-th CPU it may run on (modulo their number), so the
 * threads of a workload land on distinct CPUs, as they would on a machine with cores
 * to spare.  Left to the scheduler, two threads sometimes share one CPU and
 * sometimes not, and the two cases differ by up to ten times: the same build then
 * gives a different number on every run.  With a single CPU allowed this does
 * nothing. */
static void pin_to_cpu(unsigned n)
{
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0)
        return;
    unsigned count = (unsigned)CPU_COUNT(&allowed);
    if (count < 2)
        return;
    n %= count;
    for (unsigned cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (!CPU_ISSET(cpu, &allowed) || n-- > 0)
            continue;
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(cpu, &one);
        /* Best effort: an unpinned thread still gives a valid, if noisier, number. */
        (void)pthread_setaffinity_np(pthread_self(), sizeof one, &one);
        return;
    }
}

/* Busy-wait a little, then give the CPU away: with fewer cores than threads a pure
 * spin would burn the time slice the other side needs to make progress. */
static inline void backoff(unsigned *spins)
{
    if (++*spins < 64)
        return;
    *spins = 0;
    sched_yield();
}

/* ---- Producer-consumer: blocks allocated on one thread, freed on another ---------
 * A single-producer single-consumer ring, lock-free so that the cost measured is the
 * allocator's (a mutex per item would cost more than the malloc).  Each side publishes
 * its position only every BATCH items, or before it waits: publishing per item moves
 * the counters' cache lines between cores once per item, which costs as much as the
 * malloc and free together and makes the result swing with thread placement.  One op
 * is one block through the queue: a malloc by the producer plus a free by the
 * consumer. */
#define RING 1024 /* a power of two */
#define BATCH 32

struct item {
    unsigned char *p;
    uint32_t size;
    unsigned char tag;
};

#define MAX_THREADS 8
static unsigned nthreads; /* the threaded workloads' threads (argument THREADS) */

struct ring {
    struct item slot[RING];
    /* On lines of their own, so each side writes only its own line. */
    _Alignas(64) _Atomic uint64_t head; /* items published by the producer */
    _Alignas(64) _Atomic uint64_t tail; /* items taken by the consumer */
    _Alignas(64) uint64_t ops;
    unsigned pair;
};
static struct ring rings[MAX_THREADS / 2];

static void *producer(void *arg)
{
    struct ring *q = arg;
    struct rng r = rng_seeded(4 + q->pair);
    uint64_t head = 0, tail = 0; /* tail: the consumer's position, as last seen */
    pin_to_cpu(2 * q->pair);
    pthread_barrier_wait(&start_line);
    for (; head < q->ops; head++) {
        size_t size = rng_size(&r, 8, 512);
        unsigned char *p = xmalloc(size);
        stamp(p, size, (unsigned char)head, false);
        unsigned spins = 0;
        while (head - tail == RING) {
            /* The consumer may itself be waiting for what we have not published. */
            atomic_store_explicit(&q->head, head, memory_order_release);
            tail = atomic_load_explicit(&q->tail, memory_order_acquire);
            if (head - tail == RING)
                backoff(&spins);
        }
        q->slot[head % RING] = (struct item){p, (uint32_t)size, (unsigned char)head};
        if ((head + 1) % BATCH == 0)
            atomic_store_explicit(&q->head, head + 1, memory_order_release);
    }
    atomic_store_explicit(&q->head, head, memory_order_release);
    return NULL;
}

static void *consumer(void *arg)
{
    struct ring *q = arg;
    uint64_t tail = 0, head = 0; /* head: the producer's position, as last seen */
    pin_to_cpu(2 * q->pair + 1);
    pthread_barrier_wait(&start_line);
    for (; tail < q->ops; tail++) {
        unsigned spins = 0;
        while (head == tail) {
            atomic_store_explicit(&q->tail, tail, memory_order_release);
            head = atomic_load_explicit(&q->head, memory_order_acquire);
            if (head == tail)
                backoff(&spins);
        }
        struct item it = q->slot[tail % RING];
        if ((tail + 1) % BATCH == 0)
            atomic_store_explicit(&q->tail, tail + 1, memory_order_release);
        verify(it.p, it.size, it.tag);
        free(it.p);
    }
    return NULL;
}

/* One thread: the same queue, each block freed RING blocks after its malloc by the
 * thread that allocated it (the baseline of the thread-scaling run). */
static double run_queue_alone(uint64_t ops)
{
    struct rng r = rng_seeded(4);
    static struct item q[RING];
    double t0 = now_seconds();
    for (uint64_t i = 0; i < ops + RING; i++) {
        if (i >= RING) {
            verify(q[i % RING].p, q[i % RING].size, q[i % RING].tag);
            free(q[i % RING].p);
        }
        if (i < ops) {
            size_t size = rng_size(&r, 8, 512);
            unsigned char *p = xmalloc(size);
            stamp(p, size, (unsigned char)i, false);
            q[i % RING] = (struct item){p, (uint32_t)size, (unsigned char)i};
        }
    }
    return now_seconds() - t0;
}

/* THREADS/2 producer-consumer pairs, each with a ring of its own. */
static double run_producer_consumer(uint64_t ops)
{
    if (nthreads == 1)
        return run_queue_alone(ops);
    unsigned pairs = nthreads / 2;
    pthread_t prod[MAX_THREADS / 2], cons[MAX_THREADS / 2];
    pthread_barrier_init(&start_line, NULL, 2 * pairs + 1);
    for (unsigned i = 0; i < pairs; i++) {
        rings[i].ops = ops / pairs + (i < ops % pairs);
        rings[i].pair = i;
        atomic_store(&rings[i].head, 0);
        atomic_store(&rings[i].tail, 0);
        spawn(&prod[i], producer, &rings[i]);
        spawn(&cons[i], consumer, &rings[i]);
    }
    pthread_barrier_wait(&start_line);
    double t0 = now_seconds();
    for (unsigned i = 0; i < pairs; i++) {
        pthread_join(prod[i], NULL);
        pthread_join(cons[i], NULL);
    }
    double elapsed = now_seconds() - t0;
    pthread_barrier_destroy(&start_line);
    return elapsed;
}

/* ---- Larson-like server: threads replace blocks and hand some to each other ------
 * Each thread keeps its own slot array and replaces random slots, as in churn; now
 * and then the old block goes to another thread's mailbox instead of to free(), as a
 * request handed between worker threads would, and its new owner frees it.  One op is
 * one replacement. */
#define LARSON_SLOTS 1000
#define MAILBOX 256
#define PASS_ONE_IN 32   /* how often a block changes threads */
#define DRAIN_EVERY 128  /* ops between looks at the own mailbox */

struct mailbox {
    pthread_mutex_t lock;
    size_t n;
    struct item item[MAILBOX];
};

struct worker {
    unsigned id;
    uint64_t ops;
    pthread_t thread;
    struct mailbox box;
};

static struct worker workers[MAX_THREADS];

static void free_item(const struct item *it)
{
    verify(it->p, it->size, it->tag);
    free(it->p);
}

/* Free what other threads sent: swap the mailbox out under the lock, free outside it,
 * so the sender never waits for our frees. */
static void drain(struct mailbox *box)
{
    struct item got[MAILBOX];
    pthread_mutex_lock(&box->lock);
    size_t n = box->n;
    memcpy(got, box->item, n * sizeof got[0]);
    box->n = 0;
    pthread_mutex_unlock(&box->lock);
    for (size_t i = 0; i < n; i++)
        free_item(&got[i]);
}

/* Give it to another thread; free it here if that thread's mailbox is full. */
static void pass(struct mailbox *box, const struct item *it)
{
    pthread_mutex_lock(&box->lock);
    bool sent = box->n < MAILBOX;
    if (sent)
        box->item[box->n++] = *it;
    pthread_mutex_unlock(&box->lock);
    if (!sent)
        free_item(it);
}

static void *larson_worker(void *arg)
{
    struct worker *w = arg;
    struct rng r = rng_seeded(100 + w->id);
    pin_to_cpu(w->id);
    struct item slot[LARSON_SLOTS];
    for (size_t i = 0; i < LARSON_SLOTS; i++) {
        size_t size = rng_size(&r, 8, 1024);
        slot[i] = (struct item){xmalloc(size), (uint32_t)size, (unsigned char)i};
        stamp(slot[i].p, size, slot[i].tag, false);
    }
    pthread_barrier_wait(&start_line);
    for (uint64_t op = 0; op < w->ops; op++) {
        struct item *it = &slot[rng_below(&r, LARSON_SLOTS)];
        if (nthreads > 1 && rng_below(&r, PASS_ONE_IN) == 0) {
            unsigned to = (w->id + 1 + rng_below(&r, nthreads - 1)) % nthreads;
            pass(&workers[to].box, it);
        } else {
            free_item(it);
        }
        size_t size = rng_size(&r, 8, 1024);
        *it = (struct item){xmalloc(size), (uint32_t)size, (unsigned char)(op + 1)};
        stamp(it->p, size, it->tag, false);
        if (op % DRAIN_EVERY == 0)
            drain(&w->box);
    }
    /* Wait for everyone before freeing the slots, so the timed span ends with the
     * slowest thread's last replacement, not with the clean-up of the others. */
    pthread_barrier_wait(&start_line);
    pthread_barrier_wait(&start_line);
    for (size_t i = 0; i < LARSON_SLOTS; i++)
        free_item(&slot[i]);
    return NULL;
}

static double run_larson(uint64_t ops)
{
    pthread_barrier_init(&start_line, NULL, nthreads + 1);
    for (unsigned i = 0; i < nthreads; i++) {
        workers[i].id = i;
        /* Split ops so the shares add up to exactly ops. */
        workers[i].ops = ops / nthreads + (i < ops % nthreads);
        pthread_mutex_init(&workers[i].box.lock, NULL);
        workers[i].box.n = 0;
        spawn(&workers[i].thread, larson_worker, &workers[i]);
    }
    pthread_barrier_wait(&start_line);
    double t0 = now_seconds();
    pthread_barrier_wait(&start_line); /* every worker has done its share */
    double elapsed = now_seconds() - t0;
    pthread_barrier_wait(&start_line); /* let them free their slots */
    for (unsigned i = 0; i < nthreads; i++)
        pthread_join(workers[i].thread, NULL);
    for (unsigned i = 0; i < nthreads; i++) {
        drain(&workers[i].box);
        pthread_mutex_destroy(&workers[i].box.lock);
    }
    pthread_barrier_destroy(&start_line);
    return elapsed;
}

/* ---- Main ---------------------------------------------------------------------- */
static const struct workload {
    const char *name;
    double (*run)(uint64_t ops);
    uint64_t default_ops; /* about half a second with glibc on a current x86-64 */
    unsigned default_threads; /* 0: single-threaded, THREADS not accepted */
    const char *what;
} workloads[] = {
    {"small-churn", run_small_churn, 12000000, 0,
     "replace random blocks of 8 B-1 KiB among 10,000 live (op: free + malloc)"},
    {"medium-churn", run_medium_churn, 1000000, 0,
     "replace random blocks of 16-64 KiB among 1,000 live (op: free + malloc)"},
    {"realloc-chains", run_realloc_chains, 6000000, 0,
     "grow 6 interleaved buffers from 16 B to 32-64 KiB by 1-256 B (op: realloc)"},
    {"producer-consumer", run_producer_consumer, 300000, 2,
     "2 threads (THREADS/2 pairs; 1: one thread alone), blocks of 8-512 B through a queue (op: malloc + remote free)"},
    {"larson", run_larson, 8000000, 4,
     "4 threads (THREADS) x 1,000 slots of 8 B-1 KiB, 1 in 32 freed by another thread (op: free + malloc)"},
};
#define NWORKLOADS (sizeof workloads / sizeof workloads[0])

static void usage(FILE *out)
{
    fprintf(out, "usage: bench-workloads WORKLOAD [OPS [THREADS]]\n"
                 "prints: WORKLOAD ops=N seconds=S ops/s=R peak_rss_kib=K [threads=T]\n"
                 "THREADS (1, 2, 4 or 8) for the threaded workloads\n"
                 "workloads (default OPS):\n");
    for (size_t i = 0; i < NWORKLOADS; i++)
        fprintf(out, "  %-18s %9" PRIu64 "  %s\n", workloads[i].name,
                workloads[i].default_ops, workloads[i].what);
}

int main(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        usage(stdout);
        return EXIT_SUCCESS;
    }
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < NWORKLOADS; i++)
            puts(workloads[i].name);
        return EXIT_SUCCESS;
    }
    if (argc < 2 || argc > 4) {
        usage(stderr);
        return EXIT_FAILURE;
    }
    const struct workload *w = NULL;
    for (size_t i = 0; i < NWORKLOADS; i++)
        if (strcmp(argv[1], workloads[i].name) == 0)
            w = &workloads[i];
    if (!w) {
        fprintf(stderr, "bench-workloads: unknown workload '%s'\n", argv[1]);
        usage(stderr);
        return EXIT_FAILURE;
    }
    uint64_t ops = w->default_ops;
    if (argc >= 3) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(argv[2], &end, 10);
        if (errno || end == argv[2] || *end || v == 0 || argv[2][0] == '-') {
            fprintf(stderr, "bench-workloads: OPS must be a positive integer, not '%s'\n",
                    argv[2]);
            return EXIT_FAILURE;
        }
        ops = v;
    }
    nthreads = w->default_threads;
    if (argc == 4) {
        nthreads = (unsigned)atoi(argv[3]);
        if (!w->default_threads ||
            (nthreads != 1 && nthreads != 2 && nthreads != 4 && nthreads != 8)) {
            fprintf(stderr, "bench-workloads: THREADS must be 1, 2, 4 or 8, for a threaded "
                            "workload only, not '%s'\n", argv[3]);
            return EXIT_FAILURE;
        }
    }

    double seconds = w->run(ops);

    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) {
        perror("bench-workloads: getrusage");
        return EXIT_FAILURE;
    }
    /* Linux reports ru_maxrss in KiB. */
    printf("%s ops=%" PRIu64 " seconds=%.4f ops/s=%.0f peak_rss_kib=%ld", w->name, ops,
           seconds, seconds > 0 ? (double)ops / seconds : 0.0, ru.ru_maxrss);
    if (argc == 4)
        printf(" threads=%u", nthreads);
    putchar('\n');
    return EXIT_SUCCESS;
}
