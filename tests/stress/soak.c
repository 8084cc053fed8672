/* make soak: a randomized soak of the allocator (not part of make check).
 *
 * `soak SECONDS [SEED]` runs rounds until SECONDS have passed, alternating the full and
 * the hardened preset (each round re-executes this program with HEAPCHECK_OPTIONS
 * set, so the preset is read at start-up).  A round (`soak round SEED`) runs 16 threads
 * of malloc, free, realloc, calloc, aligned_alloc, posix_memalign and memalign for a
 * few seconds over shared slots, so blocks are freed by other threads than their
 * allocator's; threads fork (the child allocates, then execs /bin/true or _exits);
 * a signal thread interrupts the workers with SIGUSR1 all the time (during their
 * allocations: the handler only counts); short-lived threads exit leaving their
 * blocks live in the slots; and at the end a worker calls exit() while the others
 * still allocate.  Every block carries a tag checked when it is freed.
 *
 * A round passes when it exits 0: no crash, no report (heapcheck's exit status 23
 * counts a leak or an error; every block is reachable from the slots, so a leak is a
 * false report), no hang (a round is killed after ROUND_SECONDS + 60 s).  The driver
 * prints the operations, processes and duration.  Exit: 0 pass, 1 fail. */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WORKERS 16
#define SLOTS 4096
#define ROUND_SECONDS 4

static _Atomic(uintptr_t) slots[SLOTS];
static _Atomic unsigned long ops, forks, signals_seen;
static int report_fd = -1;

static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static uint64_t tag_of(const void *p, size_t n) { return ((uintptr_t)p * 0x9e3779b97f4a7c15ULL) ^ n; }

/* A block: a magic number and its size in the first word and a tag in the second (when
 * it has room).  Only a stamp of a block at this very address can carry the magic. */
#define MAGIC 0x50a4ULL
static void stamp(void *p, size_t n)
{
    if (p && n >= 16) {
        uint64_t w[2] = {MAGIC << 48 | n, tag_of(p, n)};
        memcpy(p, w, sizeof w);
    }
}

static void check_and_free(void *p)
{
    if (!p)
        return;
    size_t n = malloc_usable_size(p);
    if (n >= 16) {
        uint64_t w[2];
        memcpy(w, p, sizeof w);
        size_t had = (size_t)(w[0] & 0xffffffffffffULL);
        if (w[0] >> 48 == MAGIC && had <= n && had >= 16 && w[1] != tag_of(p, had)) {
            fprintf(stderr, "soak: block %p of %zu bytes lost its tag\n", p, had);
            abort();
        }
    }
    free(p);
}

static size_t pick_size(uint64_t *s)
{
    uint64_t r = next(s);
    switch (r % 16) {
    case 0: return r % 64 < 4 ? (size_t)(r >> 8) % 300000 : (size_t)(r >> 8) % 4096; /* a mapping, sometimes */
    case 1: return 0;
    case 2: case 3: return (size_t)(r >> 8) % 16384;
    default: return (size_t)(r >> 8) % 512;
    }
}

static void *allocate(uint64_t *s, size_t *n)
{
    *n = pick_size(s);
    uint64_t r = next(s);
    size_t align = (size_t)1 << (4 + r % 9); /* 16 .. 4096 */
    void *p = NULL;
    switch (r % 8) {
    case 0: p = calloc(1 + *n / 16, 16); *n = (1 + *n / 16) * 16; break;
    case 1: p = aligned_alloc(align, *n); break;
    case 2: if (posix_memalign(&p, align, *n) != 0) p = NULL; break;
    case 3: p = memalign(align, *n); break;
    default: p = malloc(*n); break;
    }
    /* malloc's own: what C requires for the size (a guarded slot gives no more) */
    size_t need = *n >= 16 ? 16 : *n >= 8 ? 8 : *n >= 4 ? 4 : *n >= 2 ? 2 : 1;
    if (p && ((uintptr_t)p % need != 0 || (r % 8 >= 1 && r % 8 <= 3 && (uintptr_t)p % align != 0))) {
        fprintf(stderr, "soak: misaligned %p (alignment %zu)\n", p, align);
        abort();
    }
    return p;
}

static void one_op(uint64_t *s)
{
    size_t k = (size_t)(next(s) % SLOTS), n;
    uint64_t r = next(s);
    if (r % 4 == 0) { /* realloc what is there (taken first: the slot's owner is us) */
        void *old = (void *)atomic_exchange(&slots[k], 0);
        size_t want = pick_size(s);
        void *p = realloc(old, want);
        if (!p && want)
            p = old;
        else
            stamp(p, want);
        check_and_free((void *)atomic_exchange(&slots[k], (uintptr_t)p));
    } else {
        void *p = allocate(s, &n);
        stamp(p, n);
        check_and_free((void *)atomic_exchange(&slots[k], (uintptr_t)p)); /* often another thread's */
    }
    atomic_fetch_add_explicit(&ops, 1, memory_order_relaxed);
}

static void fork_child(uint64_t *s)
{
    pid_t pid = fork();
    if (pid == 0) {
        for (int i = 0; i < 100; i++) {
            size_t n;
            void *p = allocate(s, &n);
            stamp(p, n);
            check_and_free(p);
        }
        if (next(s) % 2)
            execl("/bin/true", "true", (char *)NULL);
        _exit(0);
    }
    if (pid > 0) {
        waitpid(pid, NULL, 0);
        atomic_fetch_add(&forks, 1);
    }
}

static void *worker(void *arg)
{
    uint64_t s = (uint64_t)(uintptr_t)arg * 0x2545F4914F6CDD1DULL + 1;
    time_t end = time(NULL) + ROUND_SECONDS;
    for (unsigned long i = 0;; i++) {
        one_op(&s);
        if (i % 5000 == 4999)
            fork_child(&s);
        if ((uintptr_t)arg % WORKERS == 0 && i % 64 == 0 && time(NULL) >= end) {
            /* exit() while the others allocate: counts first, then the leak check */
            char line[96];
            int len = snprintf(line, sizeof line, "%lu %lu\n", atomic_load(&ops), atomic_load(&forks));
            if (write(report_fd, line, (size_t)len) < 0)
                _exit(99);
            exit(0);
        }
    }
    return NULL;
}

/* Short-lived threads: allocate into the slots and exit, leaving the blocks live. */
static void *short_lived(void *arg)
{
    uint64_t s = (uint64_t)(uintptr_t)arg * 0x9E3779B97F4A7C15ULL + 7;
    for (int i = 0; i < 200; i++)
        one_op(&s);
    return NULL;
}

static void on_usr1(int sig)
{
    (void)sig;
    atomic_fetch_add_explicit(&signals_seen, 1, memory_order_relaxed);
}

static int round_main(uint64_t seed)
{
    struct sigaction sa = {.sa_handler = on_usr1, .sa_flags = SA_RESTART};
    sigaction(SIGUSR1, &sa, NULL);
    pthread_t w[WORKERS];
    for (uintptr_t i = 0; i < WORKERS; i++)
        pthread_create(&w[i], NULL, worker, (void *)(uintptr_t)(seed * WORKERS + i));
    uint64_t s = seed + 99;
    for (unsigned long i = 0;; i++) { /* until a worker calls exit() */
        struct timespec ts = {0, 200000};
        nanosleep(&ts, NULL);
        pthread_kill(w[next(&s) % WORKERS], SIGUSR1);
        if (i % 50 == 0) {
            pthread_t t;
            if (pthread_create(&t, NULL, short_lived, (void *)(uintptr_t)next(&s)) == 0)
                pthread_detach(t);
        }
    }
    return 0; /* not reached: a worker calls exit() */
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "round") == 0) {
        report_fd = 3;
        return round_main(strtoull(argv[2], NULL, 10));
    }
    long seconds = argc > 1 ? atol(argv[1]) : 600;
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : (uint64_t)time(NULL);
    time_t start = time(NULL);
    unsigned long total_ops = 0, total_forks = 0, rounds = 0, failed = 0;
    static const char *const presets[] = {"preset=full", "preset=hardened"};
    while (time(NULL) - start < seconds) {
        const char *preset = presets[rounds % 2];
        int fds[2];
        if (pipe(fds) != 0)
            return 1;
        char seed_text[32];
        snprintf(seed_text, sizeof seed_text, "%llu", (unsigned long long)(seed + rounds));
        pid_t pid = fork();
        if (pid == 0) {
            dup2(fds[1], 3);
            setenv("HEAPCHECK_OPTIONS", preset, 1);
            alarm(ROUND_SECONDS + 60); /* a hang is killed, and fails */
            execl("/proc/self/exe", argv[0], "round", seed_text, (char *)NULL);
            _exit(127);
        }
        close(fds[1]);
        char buf[128] = "";
        ssize_t got = read(fds[0], buf, sizeof buf - 1);
        close(fds[0]);
        int status;
        waitpid(pid, &status, 0);
        unsigned long o = 0, f = 0;
        if (got > 0)
            sscanf(buf, "%lu %lu", &o, &f);
        total_ops += o;
        total_forks += f;
        rounds++;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || got <= 0) {
            failed++;
            printf("FAIL: round %lu (%s, seed %s): %s %d\n", rounds, preset, seed_text,
                   WIFEXITED(status) ? "exit status" : "signal",
                   WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
            fflush(stdout);
        }
    }
    printf("soak: %lu rounds (processes: %lu rounds + %lu forked children), %lu operations, "
           "%ld s, %lu failed (seed %llu)\n",
           rounds, rounds, total_forks, total_ops, (long)(time(NULL) - start), failed,
           (unsigned long long)seed);
    return failed ? 1 : 0;
}
