/* fork_threads: fork() while other threads are busy in malloc and free.  The child
 * inherits the heap at whatever moment the fork caught it; it must find it whole
 * (the blocks of the forking thread intact, hc_check_heap() clean), keep allocating,
 * resizing and freeing — from new threads too — and exit 0.  Forks come from the main
 * thread and from a worker.  alarm() turns a deadlock (a lock held across the fork)
 * into a failure instead of a hang.  Threads in getline() and fflush(NULL) run too
 * (unless --no-stdio): their stdio locks meet the heap lock inside fork(). */
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NWORKERS 4
#define FORKS_FROM_MAIN 40
#define FORKS_FROM_WORKER 10   /* by worker 0 */
#define OWNED_MAX 128          /* blocks a thread holds */
#define CHILD_OPS 20000UL
#define CHILD_THREAD_OPS 5000UL
#define PARENT_TIME_LIMIT 240  /* seconds for the whole test */
#define STDIO_TIME_LIMIT 240   /* with stdio threads (a deadlock shows in well under a second; a loaded machine is slow) */
#define CHILD_TIME_LIMIT 60    /* seconds for one child */

/* Exit codes of a child, so the parent can say what went wrong. */
enum { CHILD_OK = 0, CHILD_BAD_CONTENTS = 2, CHILD_BAD_HEAP = 3, CHILD_NO_MEMORY = 4,
       CHILD_TIMEOUT = 5, CHILD_NO_THREAD = 6 };

/* ---- xorshift64* ---------------------------------------------------------------- */

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dULL;
}

static size_t rng_below(uint64_t *s, size_t n) { return (size_t)(rng_next(s) % n); }

/* ---- blocks with a checkable pattern --------------------------------------------- */

struct block {
    unsigned char *ptr;
    size_t size;
    uint64_t seed;
};

static uint64_t pattern_word(uint64_t seed, size_t word)
{
    return seed ^ ((uint64_t)word * 0x9e3779b97f4a7c15ULL);
}

/* Blocks are filled whole 8-byte words at a time; a size that is not a multiple of 8
 * leaves its last few bytes unchecked, which costs nothing in what the test proves. */
#define CHECKED_HEAD ((size_t)4 << 10)
#define CHECKED_TAIL ((size_t)512)

/* The words of a block that carry the pattern: all of them up to CHECKED_HEAD bytes,
 * then only the last CHECKED_TAIL bytes; big blocks are rare, and costly to scan. */
static size_t next_checked_word(size_t size, size_t word)
{
    size_t words = size / 8;
    if (word * 8 >= CHECKED_HEAD && (word + 1) * 8 + CHECKED_TAIL <= size) {
        size_t tail_start = (size - CHECKED_TAIL) / 8;
        if (word < tail_start)
            word = tail_start;
    }
    return word < words ? word : words;
}

static void fill(struct block *b)
{
    size_t words = b->size / 8;
    for (size_t k = next_checked_word(b->size, 0); k < words; k = next_checked_word(b->size, k + 1)) {
        uint64_t w = pattern_word(b->seed, k);
        memcpy(b->ptr + 8 * k, &w, 8);
    }
}

/* True when the pattern holds in the words below `limit` of a block written with
 * b->size bytes. */
static bool intact(const struct block *b, size_t limit)
{
    size_t words = (limit < b->size ? limit : b->size) / 8;
    for (size_t k = next_checked_word(b->size, 0); k < words; k = next_checked_word(b->size, k + 1)) {
        uint64_t w;
        memcpy(&w, b->ptr + 8 * k, 8);
        if (w != pattern_word(b->seed, k))
            return false;
    }
    return true;
}

static size_t random_size(uint64_t *rng)
{
    unsigned r = (unsigned)rng_below(rng, 1000);
    if (r < 700)
        return rng_below(rng, 200);
    if (r < 990)
        return 200 + rng_below(rng, 8000);
    return ((size_t)128 << 10) + rng_below(rng, (size_t)256 << 10); /* mapped */
}

/* A thread's private set of blocks and its random operations on them.  Returns false
 * when a block lost its contents or the allocator said no. */
struct owner {
    uint64_t rng;
    struct block blocks[OWNED_MAX];
    size_t n;
    const char *failure;
};

static bool owner_step(struct owner *w)
{
    unsigned r = (unsigned)rng_below(&w->rng, 100);
    if (w->n < OWNED_MAX && (r < 40 || w->n == 0)) {
        struct block b = {NULL, random_size(&w->rng), rng_next(&w->rng)};
        switch (r % 4) {
        case 0:
            b.ptr = calloc(1, b.size);
            break;
        case 1:
            b.ptr = memalign((size_t)64 << (r % 5), b.size);
            break;
        default:
            b.ptr = malloc(b.size);
            break;
        }
        if (!b.ptr) {
            w->failure = "allocation failed";
            return false;
        }
        fill(&b);
        w->blocks[w->n++] = b;
    } else if (r < 75) {
        size_t i = rng_below(&w->rng, w->n);
        if (!intact(&w->blocks[i], w->blocks[i].size)) {
            w->failure = "block changed before free";
            return false;
        }
        free(w->blocks[i].ptr);
        w->blocks[i] = w->blocks[--w->n];
    } else {
        struct block *b = &w->blocks[rng_below(&w->rng, w->n)];
        size_t new_size = random_size(&w->rng) + 1;
        void *q = realloc(b->ptr, new_size);
        if (!q) {
            w->failure = "realloc failed";
            return false;
        }
        b->ptr = q;
        if (!intact(b, b->size < new_size ? b->size : new_size)) {
            w->failure = "realloc lost contents";
            return false;
        }
        b->size = new_size;
        fill(b);
    }
    return true;
}

static bool owner_release_all(struct owner *w)
{
    bool ok = true;
    for (size_t i = 0; i < w->n; i++) {
        if (!intact(&w->blocks[i], w->blocks[i].size)) {
            w->failure = "block changed before the final free";
            ok = false;
        }
        free(w->blocks[i].ptr);
    }
    w->n = 0;
    return ok;
}

/* ---- the child ----------------------------------------------------------------- */

static void child_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "fork_threads: child timed out: deadlocked in the allocator?\n";
    ssize_t ignored = write(2, msg, sizeof msg - 1);
    (void)ignored;
    _exit(CHILD_TIMEOUT);
}

static void *child_thread(void *arg)
{
    struct owner *w = arg;
    for (unsigned long op = 0; op < CHILD_THREAD_OPS; op++)
        if (!owner_step(w))
            return (void *)w->failure;
    return owner_release_all(w) ? NULL : (void *)w->failure;
}

static void child_report(const char *what, const char *detail)
{
    /* After a fork only this thread exists; stdio is fine as long as the fork did not
     * catch another thread inside it, and no thread of ours prints while we run. */
    fprintf(stderr, "fork_threads: child %d: %s%s%s\n", (int)getpid(), what, detail ? ": " : "",
            detail ? detail : "");
}

/* Runs in the child, on the thread that forked, with that thread's blocks. */
static int child_main(struct owner *inherited, unsigned fork_no)
{
    signal(SIGALRM, child_alarm);
    alarm(CHILD_TIME_LIMIT);

    /* The forking thread's blocks must have come through intact and be freeable. */
    for (size_t i = 0; i < inherited->n; i++)
        if (!intact(&inherited->blocks[i], inherited->blocks[i].size)) {
            child_report("an inherited block changed", NULL);
            return CHILD_BAD_CONTENTS;
        }
    size_t problems = hc_check_heap();
    if (problems) {
        child_report("hc_check_heap() failed right after the fork", NULL);
        return CHILD_BAD_HEAP;
    }

    /* Odd children also run threads: the heap lock must work again after the fork. */
    enum { CHILD_THREADS = 2 };
    static struct owner helpers[CHILD_THREADS];
    pthread_t helper_ids[CHILD_THREADS];
    size_t nhelpers = fork_no % 2 ? CHILD_THREADS : 0;
    for (size_t i = 0; i < nhelpers; i++) {
        helpers[i] = (struct owner){.rng = inherited->rng + 1000 * (i + 1)};
        if (pthread_create(&helper_ids[i], NULL, child_thread, &helpers[i]) != 0) {
            child_report("pthread_create failed", NULL);
            return CHILD_NO_THREAD;
        }
    }
    int status = CHILD_OK;
    for (unsigned long op = 0; op < CHILD_OPS && status == CHILD_OK; op++)
        if (!owner_step(inherited)) {
            child_report("main work", inherited->failure);
            status = CHILD_BAD_CONTENTS;
        }
    for (size_t i = 0; i < nhelpers; i++) {
        void *failure;
        pthread_join(helper_ids[i], &failure);
        if (failure) {
            child_report("helper thread", failure);
            status = CHILD_BAD_CONTENTS;
        }
    }
    if (!owner_release_all(inherited)) {
        child_report("final free", inherited->failure);
        status = CHILD_BAD_CONTENTS;
    }
    if (hc_check_heap() != 0) {
        child_report("hc_check_heap() failed at the end", NULL);
        status = CHILD_BAD_HEAP;
    }
    return status;
}

/* ---- the parent ---------------------------------------------------------------- */

static volatile int stop_workers;
/* Children alive.  Workers rest while there is one, so that on a two-core machine the
 * child is not starved by them; the fork itself still catches them at work. */
static int children_running;
static int children_passed, children_failed;
static pthread_mutex_t tally_lock = PTHREAD_MUTEX_INITIALIZER;

static void tally(bool ok)
{
    pthread_mutex_lock(&tally_lock);
    if (ok)
        children_passed++;
    else
        children_failed++;
    pthread_mutex_unlock(&tally_lock);
}

static void random_pause(uint64_t *rng)
{
    struct timespec ts = {0, (long)rng_below(rng, 2000000)}; /* up to 2 ms */
    nanosleep(&ts, NULL);
}

/* Fork, let the child work on `self`'s blocks, and judge its exit. */
static void fork_and_check(struct owner *self, unsigned fork_no, const char *forker)
{
    fflush(NULL); /* the child must not inherit half-written output */
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "fork_threads: fork #%u from %s: %s\n", fork_no, forker, strerror(errno));
        tally(false);
        return;
    }
    if (pid == 0)
        _exit(child_main(self, fork_no)); /* _exit: the parent's exit handlers are not ours */
    __atomic_fetch_add(&children_running, 1, __ATOMIC_RELAXED);
    int status;
    pid_t waited;
    while ((waited = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
        continue;
    if (waited < 0) {
        __atomic_fetch_sub(&children_running, 1, __ATOMIC_RELAXED);
        fprintf(stderr, "fork_threads: waitpid for fork #%u: %s\n", fork_no, strerror(errno));
        tally(false);
        return;
    }
    __atomic_fetch_sub(&children_running, 1, __ATOMIC_RELAXED);
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == CHILD_OK;
    if (!ok) {
        if (WIFSIGNALED(status))
            fprintf(stderr, "fork_threads: child of fork #%u from %s killed by signal %d (%s)\n",
                    fork_no, forker, WTERMSIG(status), strsignal(WTERMSIG(status)));
        else
            fprintf(stderr, "fork_threads: child of fork #%u from %s exited with %d\n", fork_no,
                    forker, WEXITSTATUS(status));
    }
    tally(ok);
}

static void rest_while_children_run(void);

struct worker {
    pthread_t thread;
    unsigned id;
    struct owner own;
    bool broken;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    unsigned forks_done = 0;
    unsigned long steps = 0;
    while (!__atomic_load_n(&stop_workers, __ATOMIC_RELAXED)) {
        if (!owner_step(&w->own)) {
            fprintf(stderr, "fork_threads: worker %u: %s\n", w->id, w->own.failure);
            w->broken = true;
            break;
        }
        if (w->id != 0)
            rest_while_children_run();
        /* Worker 0 forks too, every so often: fork() from a thread that is not main. */
        if (w->id == 0 && forks_done < FORKS_FROM_WORKER && ++steps % 20000 == 0)
            fork_and_check(&w->own, FORKS_FROM_MAIN + forks_done++, "worker 0");
    }
    /* Let the other thread's forks finish before leaving: the count must be complete. */
    while (w->id == 0 && forks_done < FORKS_FROM_WORKER && !w->broken)
        fork_and_check(&w->own, FORKS_FROM_MAIN + forks_done++, "worker 0");
    if (!owner_release_all(&w->own)) {
        fprintf(stderr, "fork_threads: worker %u: %s\n", w->id, w->own.failure);
        w->broken = true;
    }
    return NULL;
}

/* The stdio threads: getline() mallocs while it holds its stream's lock; fflush(NULL) holds the
 * stdio list lock while it takes each stream's lock; fork() takes the list lock after
 * the pthread_atfork prepare handlers.  An allocator that takes its lock in a prepare
 * handler closes the circle and deadlocks, where glibc's own malloc, which locks after
 * the list lock, does not. */
static void rest_while_children_run(void)
{
    while (__atomic_load_n(&children_running, __ATOMIC_RELAXED) > 0 &&
           !__atomic_load_n(&stop_workers, __ATOMIC_RELAXED)) {
        struct timespec rest = {0, 200000};
        nanosleep(&rest, NULL);
    }
}

static char stdio_text[4096];

static void *stdio_reader(void *arg)
{
    (void)arg;
    FILE *f = fmemopen(stdio_text, sizeof stdio_text - 1, "r");
    if (!f)
        return (void *)"fmemopen failed";
    while (!__atomic_load_n(&stop_workers, __ATOMIC_RELAXED)) {
        char *line = NULL; /* so that getline mallocs each time, under the stream lock */
        size_t cap = 0;
        if (getline(&line, &cap, f) < 0)
            rewind(f);
        free(line);
        rest_while_children_run();
    }
    fclose(f);
    return NULL;
}

static void *stdio_flusher(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&stop_workers, __ATOMIC_RELAXED)) {
        fflush(NULL);
        rest_while_children_run();
    }
    return NULL;
}

/* Decimal digits of n at the end of buf; for the signal handler, which may not printf. */
static char *format_count(char *end, int n)
{
    do {
        *--end = (char)('0' + n % 10);
        n /= 10;
    } while (n > 0);
    return end;
}

static void write_all(int fd, const char *text, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, text, len);
        if (n <= 0)
            return;
        text += n;
        len -= (size_t)n;
    }
}

static void parent_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "fork_threads: FAILED: the test did not finish in time "
                              "(a deadlock?)\n";
    write_all(2, msg, sizeof msg - 1);
    /* The closing line, counting the unfinished run as one more failure. */
    char line[80], passed[16], failed[16];
    char *p = format_count(passed + sizeof passed, children_passed);
    char *f = format_count(failed + sizeof failed, children_failed + 1);
    size_t len = 0;
    const char *parts[] = {"fork_threads: ", NULL, " passed, ", NULL, " failed\n"};
    size_t lens[] = {14, (size_t)(passed + sizeof passed - p), 9,
                     (size_t)(failed + sizeof failed - f), 8};
    parts[1] = p;
    parts[3] = f;
    for (int i = 0; i < 5; i++) {
        memcpy(line + len, parts[i], lens[i]);
        len += lens[i];
    }
    write_all(1, line, len);
    _exit(EXIT_FAILURE);
}

static struct worker workers[NWORKERS];
static struct owner main_owner;

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGALRM, parent_alarm);
    alarm(PARENT_TIME_LIMIT);

    /* The stdio threads run by default; --no-stdio leaves them out. */
    bool with_stdio = !(argc > 1 && strcmp(argv[1], "--no-stdio") == 0);
    if (!with_stdio)
        argc--, argv++;
    uint64_t seed;
    if (argc > 1)
        seed = strtoull(argv[1], NULL, 0);
    else if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) != (ssize_t)sizeof seed)
        seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    printf("fork_threads: seed %" PRIu64 "%s\n", seed, with_stdio ? ", with stdio threads" : "");

    if (with_stdio)
        alarm(STDIO_TIME_LIMIT);
    enum { STDIO_THREADS = 4 };
    pthread_t stdio_threads[STDIO_THREADS];
    if (with_stdio) {
        for (size_t i = 0; i + 1 < sizeof stdio_text; i++)
            stdio_text[i] = i % 40 == 39 ? '\n' : 'x';
        for (int i = 0; i < STDIO_THREADS; i++)
            if (pthread_create(&stdio_threads[i], NULL, i % 2 ? stdio_flusher : stdio_reader,
                               NULL) != 0) {
                fprintf(stderr, "fork_threads: pthread_create failed\n");
                return 99;
            }
    }

    main_owner.rng = seed | 1;
    for (unsigned i = 0; i < NWORKERS; i++) {
        workers[i].id = i;
        workers[i].own.rng = (seed + i + 1) * 0x9e3779b97f4a7c15ULL | 1;
        if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0) {
            fprintf(stderr, "fork_threads: pthread_create failed\n");
            return 99;
        }
    }
    uint64_t pause_rng = seed ^ 0x5555;
    for (unsigned f = 0; f < FORKS_FROM_MAIN; f++) {
        /* Change the main thread's blocks between forks, then fork at a random moment
         * of the workers' activity. */
        for (int i = 0; i < 200; i++)
            if (!owner_step(&main_owner)) {
                fprintf(stderr, "fork_threads: main: %s\n", main_owner.failure);
                tally(false);
                break;
            }
        random_pause(&pause_rng);
        fork_and_check(&main_owner, f, "main");
    }
    __atomic_store_n(&stop_workers, 1, __ATOMIC_RELAXED);
    bool parent_ok = true;
    for (unsigned i = 0; i < NWORKERS; i++) {
        pthread_join(workers[i].thread, NULL);
        parent_ok = parent_ok && !workers[i].broken;
    }
    for (int i = 0; with_stdio && i < STDIO_THREADS; i++) {
        void *failure;
        pthread_join(stdio_threads[i], &failure);
        if (failure) {
            fprintf(stderr, "fork_threads: stdio thread: %s\n", (const char *)failure);
            parent_ok = false;
        }
    }
    if (!owner_release_all(&main_owner)) {
        fprintf(stderr, "fork_threads: main: %s\n", main_owner.failure);
        parent_ok = false;
    }
    size_t problems = hc_check_heap();
    if (problems) {
        fprintf(stderr, "fork_threads: the parent's hc_check_heap() found %zu problems\n",
                problems);
        parent_ok = false;
    }
    tally(parent_ok);
    printf("fork_threads: %d forks (%d from main, %d from a worker) while %d threads worked\n",
           FORKS_FROM_MAIN + FORKS_FROM_WORKER, FORKS_FROM_MAIN, FORKS_FROM_WORKER, NWORKERS);
    printf("fork_threads: %d passed, %d failed\n", children_passed, children_failed);
    return children_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
