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
 *   thread-stack  a stack overflow (recursion without end) in a second thread (-bare:
 *                 that never allocates): its alternate signal stack lets the report print
 *   continue      an overflow into the slack (reported at free), then a use after free
 *   free-fill     free() of a pointer loaded from a freed block
 *   fork          a use after free in a forked child; the parent reports how it died
 *   underflow-loop  read one byte before a 24-byte block, in a loop that allocates
 *                 at two sites per pass (default placement: caught in the second pass)
 *   past-64k      read one byte past a 65536-byte block (the largest a slot holds)
 *   thread-exits  2000 threads allocate and exit: their alternate stacks are unmapped
 *                 (the address space does not grow by one per thread) */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
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

static volatile unsigned long depth_limit = ~0UL;

/* Recursion that overflows the stack: a frame of 512 bytes that is not a tail call. */
static __attribute__((noinline)) unsigned long recurse(unsigned long n)
{
    volatile char frame[512];
    frame[0] = (char)n;
    if (n == depth_limit)
        return 0;
    return recurse(n + 1) + (unsigned long)frame[0];
}

/* VmSize: the process's address space in KiB (adjacent mappings merge, so their
 * count would not show a leak). */
static long mapped_kib(void)
{
    char line[256];
    long kib = -1;
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmSize:", 7))
            kib = strtol(line + 7, NULL, 10);
    if (f)
        fclose(f);
    return kib;
}

static void *allocate_then(void *overflow)
{
    if (!overflow || strcmp(overflow, "thread-stack-bare")) free(malloc(16)); /* allocates */
    sink = overflow ? (char)recurse(0) : 0;
    return NULL;
}

struct node {
    struct node *next;
    char payload[100000];
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
    } else if (!strncmp(m, "thread-stack", 12)) {
        pthread_t t;
        pthread_create(&t, NULL, allocate_then, (void *)m);
        pthread_join(t, NULL);
    } else if (!strcmp(m, "continue")) {
        p = malloc(13);
        p[13] = 'x';
        free(p); /* MARK:continue_free */
        sink = p[0]; /* MARK:continue_read */
    } else if (!strcmp(m, "fork")) {
        pid_t pid = fork();
        if (pid == 0) {
            p = malloc(13);
            free(p);
            sink = p[0];
            _exit(1);
        }
        int status;
        if (pid < 0 || waitpid(pid, &status, 0) != pid)
            return 3;
        fprintf(stderr, "the child was killed by signal %d\n", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        return 0;
    } else if (!strcmp(m, "free-fill")) {
        struct node *volatile n = malloc(sizeof *n);
        n->next = malloc(sizeof *n);
        free(n);
        free(n->next);
    } else if (!strcmp(m, "thread-exits")) {
        long before = -1; /* after 64 threads, which map what any thread needs once (arenas, glibc's stack cache) */
        for (int i = 0; i < 64 + 2000; i++, before = i == 64 ? mapped_kib() : before) {
            pthread_t t;
            if (pthread_create(&t, NULL, allocate_then, NULL) != 0 || pthread_join(t, NULL) != 0)
                return 3;
        }
        long after = mapped_kib();
        if (before < 0 || after < 0 || after - before > 16384) {
            fprintf(stderr, "address space: %ld KiB before, %ld KiB after 2000 threads\n", before, after);
            return 1;
        }
        return 0;
    } else if (!strcmp(m, "underflow-loop")) {
        for (int i = 0; i < 4; i++) { /* two call sites a pass: this one alternates sides */
            p = malloc(24);
            char *volatile tag = malloc(8);
            sink = p[-1]; /* MARK:underflow_loop */
            free(tag);
            free(p);
        }
    } else if (!strcmp(m, "past-64k")) {
        p = malloc(65536);
        sink = p[65536];
    } else if (!strcmp(m, "past-8-write")) {
        p = malloc(8);
        p[8] = 0;
    } else if (!strcmp(m, "alignments")) {
        int check_alignments(void);
        return check_alignments();
    } else if (!strncmp(m, "own-", 4)) {
        int own_handler(const char *mode);
        return own_handler(m);
    } else if (!strcmp(m, "continue-all")) {
        int continue_all(void);
        return continue_all();
    } else if (!strcmp(m, "underflow-realloc")) {
        int underflow_then_realloc(void);
        return underflow_then_realloc();
    } else {
        return 2;
    }
    fprintf(stderr, "not caught\n");
    return 1;
}

/* Modes added later, below main so that the line numbers the expected reports name
 * stay put:
 *   past-8-write  write one byte past an 8-byte block (placed at 8-byte alignment:
 *                 flush against its guard)
 *   alignments    every block of 1 to 64 bytes from malloc, calloc and realloc has
 *                 the alignment C requires for its size, every aligned request
 *                 (memalign, aligned_alloc, posix_memalign) the one asked, and
 *                 malloc_usable_size covers the request (a clean run) */
size_t malloc_usable_size(void *); /* <malloc.h>'s, which the macros of alloc.h would break */
void *memalign(size_t, size_t);

/* The alignment C requires of malloc(n): the largest fundamental type's that fits. */
static size_t required_align(size_t n)
{
    return n >= 16 ? 16 : n >= 8 ? 8 : n >= 4 ? 4 : n >= 2 ? 2 : 1;
}

static int misaligned(const char *what, void *p, size_t n, size_t align)
{
    if (!p || (uintptr_t)p % align || malloc_usable_size(p) < n) {
        fprintf(stderr, "%s(%zu): %p, alignment %zu wanted, usable size %zu\n", what, n, p, align,
                p ? malloc_usable_size(p) : 0);
        return 1;
    }
    return 0;
}

int check_alignments(void);
int check_alignments(void)
{
    int bad = 0;
    static const size_t aligns[] = {1, 2, 4, 8, 16, 32, 64, 4096};
    for (size_t n = 1; n <= 64; n++) {
        void *p = malloc(n), *c = calloc(1, n), *r = realloc(NULL, n);
        bad += misaligned("malloc", p, n, required_align(n));
        bad += misaligned("calloc", c, n, required_align(n));
        bad += misaligned("realloc", r, n, required_align(n));
        free(p), free(c), free(r);
        for (size_t k = 0; k < sizeof aligns / sizeof aligns[0]; k++) {
            size_t a = aligns[k];
            void *ma = memalign(a, n), *al = aligned_alloc(a, n), *pm = NULL;
            bad += misaligned("memalign", ma, n, a);
            bad += misaligned("aligned_alloc", al, n, a);
            if (a >= sizeof(void *)) {
                bad += posix_memalign(&pm, a, n) != 0;
                bad += misaligned("posix_memalign", pm, n, a);
            }
            free(ma), free(al), free(pm);
        }
    }
    return bad != 0;
}

/* More modes, the program's own fault handler and going on after a fault:
 *   own-sigaction-uaf  the program installs its own SIGSEGV handler (sigaction), then
 *                 reads a freed block: heapcheck's report, not the program's handler
 *   own-sigaction-wild  the same handler, then a read through a wild pointer: the
 *                 program's handler gets it, with its siginfo, and siglongjmps back
 *   own-flags     what the program sees of its own actions and how each is delivered:
 *                 the old actions sigaction and signal return, the mask and
 *                 SA_RESETHAND, signal(), sysv_signal(), sigset(), SIG_IGN for a
 *                 raised SIGSEGV; prints one line each (the same as without heapcheck)
 *   continue-all  a read after free, an overflow write, then a leak (for a run with
 *                 abort_on_error=0: all three reported) */
typedef void handler_fn(int);
handler_fn *sysv_signal(int, handler_fn *); /* <signal.h>'s, without _GNU_SOURCE */
handler_fn *sigset(int, handler_fn *);
static char *volatile wild_addr = (char *)(uintptr_t)0x5a5a5a5a000ULL;
static volatile int caught, caught_with_usr1_blocked, caught_with_segv_blocked;
static void *volatile caught_addr;

static void on_segv_info(int sig, siginfo_t *si, void *ctx)
{
    (void)ctx;
    sigset_t now;
    pthread_sigmask(SIG_BLOCK, NULL, &now);
    caught++;
    caught_addr = si->si_addr;
    caught_with_usr1_blocked = sigismember(&now, SIGUSR1);
    caught_with_segv_blocked = sigismember(&now, SIGSEGV);
    siglongjmp(escape, sig);
}

static void on_segv_plain(int sig)
{
    caught++;
    siglongjmp(escape, sig);
}

static const char *name_of(void (*h)(int))
{
    return h == SIG_DFL ? "SIG_DFL" : h == SIG_IGN ? "SIG_IGN" : h == on_segv_plain ? "on_segv_plain"
         : (uintptr_t)h == (uintptr_t)on_segv_info ? "on_segv_info" : "another handler";
}

/* A wild read under sigsetjmp: whether the program's handler brought it back. */
static int wild_read(void)
{
    caught = 0;
    if (sigsetjmp(escape, 1) == 0)
        sink = *wild_addr;
    return caught;
}

int own_handler(const char *mode);
int own_handler(const char *mode)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv_info;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR1);
    if (!strcmp(mode, "own-sigaction-uaf") || !strcmp(mode, "own-sigaction-wild")) {
        sigaction(SIGSEGV, &sa, NULL);
        char *p = malloc(13);
        if (mode[14] == 'u') {
            free(p);
            if (sigsetjmp(escape, 1) == 0)
                sink = p[0];
            fprintf(stderr, "the program's own handler caught the read after free\n");
            return 1;
        }
        caught = 0;
        if (sigsetjmp(escape, 1) == 0)
            sink = *wild_addr;
        fprintf(stderr, "the program's handler %s the wild read, at %s address, with SIGUSR1 %sblocked\n",
                caught ? "caught" : "missed", caught_addr == wild_addr ? "its" : "another",
                caught_with_usr1_blocked ? "" : "not ");
        free(p);
        return 0;
    }
    if (strcmp(mode, "own-flags"))
        return 2;
    sigaction(SIGSEGV, NULL, &old);
    fprintf(stderr, "at start: %s\n", name_of(old.sa_handler));
    sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGSEGV, NULL, &old);
    fprintf(stderr, "set: %s, SA_RESETHAND %s\n", name_of(old.sa_handler),
            old.sa_flags & SA_RESETHAND ? "kept" : "lost");
    int got = wild_read();
    sigaction(SIGSEGV, NULL, &old);
    fprintf(stderr, "SA_RESETHAND: caught %d, SIGSEGV %sblocked in it, then %s\n", got,
            caught_with_segv_blocked ? "" : "not ", name_of(old.sa_handler));
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    got = wild_read();
    fprintf(stderr, "SA_NODEFER: caught %d, SIGSEGV %sblocked in it\n", got, caught_with_segv_blocked ? "" : "not ");
    void (*prev)(int) = signal(SIGSEGV, on_segv_plain);
    fprintf(stderr, "signal: was %s\n", name_of(prev));
    got = wild_read();
    prev = signal(SIGSEGV, SIG_DFL);
    fprintf(stderr, "signal: caught %d; was %s\n", got, name_of(prev));
    prev = sysv_signal(SIGSEGV, on_segv_plain);
    got = wild_read();
    prev = sysv_signal(SIGSEGV, SIG_IGN);
    fprintf(stderr, "sysv_signal: caught %d; then %s\n", got, name_of(prev));
    raise(SIGSEGV);
    fprintf(stderr, "SIG_IGN: a raised SIGSEGV ignored\n");
    prev = sigset(SIGSEGV, on_segv_plain);
    got = wild_read();
    fprintf(stderr, "sigset: was %s; caught %d\n", name_of(prev), got);
    return 0;
}

static __attribute__((noinline)) void drop_a_block(void)
{
    char *volatile q = malloc(40);
    q[0] = 1;
    q = NULL;
}

static __attribute__((noinline)) void scrub_stack(void)
{
    volatile char frame[4096];
    memset((char *)frame, 0, sizeof frame);
}

int continue_all(void);
int continue_all(void)
{
    char *volatile p = malloc(13);
    p[0] = 'o';
    free(p);
    sink = p[0];
    int old_byte = sink == 'o';
    char *volatile q = malloc(32);
    q[32] = 'x';
    int written = q[32] == 'x';
    free(q);
    drop_a_block();
    scrub_stack();
    fprintf(stderr, "the program went on to its end (the read after free %s the old byte; the write past "
                    "the end %s)\n", old_byte ? "got" : "did not get", written ? "stuck" : "was lost");
    return 0;
}

/*   underflow-realloc  a write one byte before a 24-byte block in a guarded slot (into
 *                 its front canary), then realloc: realloc finds it and fails */
int underflow_then_realloc(void);
int underflow_then_realloc(void)
{
    char *volatile p = malloc(24);
    p[-1] = 0;
    char *q = realloc(p, 100);
    fprintf(stderr, "realloc %s\n", q ? "moved the block" : "failed");
    return 0;
}
