/* The cost of a snapshot of a large heap: N live blocks (10^6 by default) from 640
 * call stacks (16 leaf functions at 40 depths) or, given a second argument B, from
 * 2^B call stacks (B levels each through one of two functions, as the block's number
 * says), then hc_dump_now() five times while
 * a second thread mallocs and frees in a loop and records its slowest call (the stall
 * the snapshot's hold of the heap lock causes the running program).  Prints the
 * median and worst snapshot time and the worst stall.  Built and run by hand:
 *   cc -O2 -g -fno-omit-frame-pointer -Iinclude bench/snapshot.c -o snap-bench \
 *      -Llib/.libs -lheapcheck -Wl,-rpath,$PWD/lib/.libs -lpthread
 *   HEAPCHECK_OPTIONS=dump_path=/tmp/snap:stack_depth=64 ./snap-bench 1000000 [17] */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "heapcheck.h"

static double clock_s(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
static double now(void) { return clock_s(CLOCK_MONOTONIC); }

typedef void *leaf_fn(size_t);
#define LEAF(n) \
    static __attribute__((noinline)) void *leaf##n(size_t s) \
    { \
        void *p = malloc(s + n); \
        __asm__ volatile("" ::: "memory"); /* not a tail call: the leaf stays in the stack */ \
        return p; \
    }
LEAF(0) LEAF(1) LEAF(2) LEAF(3) LEAF(4) LEAF(5) LEAF(6) LEAF(7)
LEAF(8) LEAF(9) LEAF(10) LEAF(11) LEAF(12) LEAF(13) LEAF(14) LEAF(15)
static leaf_fn *const leaves[16] = {leaf0, leaf1, leaf2, leaf3, leaf4, leaf5, leaf6, leaf7,
                                    leaf8, leaf9, leaf10, leaf11, leaf12, leaf13, leaf14, leaf15};

static __attribute__((noinline)) void *descend(int depth, leaf_fn *f, size_t s)
{
    void *p = depth ? descend(depth - 1, f, s) : f(s);
    __asm__ volatile("" ::: "memory"); /* not a tail call: one frame per level */
    return p;
}

static void *branch(int bits, size_t path, size_t s);
static __attribute__((noinline)) void *via_a(int bits, size_t path, size_t s)
{
    void *p = branch(bits, path, s);
    __asm__ volatile("" ::: "memory");
    return p;
}
static __attribute__((noinline)) void *via_b(int bits, size_t path, size_t s)
{
    void *p = branch(bits, path, s);
    __asm__ volatile("" ::: "memory");
    return p;
}
/* One stack per value of path's low `bits` bits. */
static __attribute__((noinline)) void *branch(int bits, size_t path, size_t s)
{
    void *p = !bits ? leaf0(s) : path & 1 ? via_a(bits - 1, path >> 1, s) : via_b(bits - 1, path >> 1, s);
    __asm__ volatile("" ::: "memory");
    return p;
}

static volatile int stop;
static double worst_stall;

static void *churn(void *arg)
{
    (void)arg;
    while (!stop) {
        double t = now();
        free(malloc(64));
        t = now() - t;
        if (t > worst_stall)
            worst_stall = t;
    }
    return NULL;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
    int bits = argc > 2 ? atoi(argv[2]) : 0;
    void **blocks = malloc(n * sizeof *blocks);
    for (size_t i = 0; i < n; i++)
        blocks[i] = bits > 0 ? branch(bits, i, 16 + i % 200)
                             : descend((int)(i % 40), leaves[(i / 40) % 16], 16 + i % 200);
    struct hc_stats st;
    hc_stats(&st);
    pthread_t t;
    pthread_create(&t, NULL, churn, NULL);
    double times[5], cpu[5];
    for (int i = 0; i < 5; i++) {
        double t0 = now(), c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
        if (hc_dump_now() != 0)
            perror("hc_dump_now");
        times[i] = now() - t0;
        cpu[i] = clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
    }
    stop = 1;
    pthread_join(t, NULL);
    qsort(times, 5, sizeof *times, by_value);
    qsort(cpu, 5, sizeof *cpu, by_value);
    printf("%zu live blocks (%zu bytes): snapshot median %.1f ms wall, %.1f ms CPU (worst %.1f "
           "wall); worst malloc+free stall in another thread %.1f ms\n",
           st.live_blocks, st.live_bytes, times[2] * 1e3, cpu[2] * 1e3, times[4] * 1e3,
           worst_stall * 1e3);
    for (size_t i = 0; i < n; i++)
        free(blocks[i]);
    free(blocks);
    return 0;
}
