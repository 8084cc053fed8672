/* A program that lowers its own address-space limit (RLIMIT_AS, 64 MiB), as test
 * suites that check their out-of-memory paths do, allocates as it would with glibc:
 * malloc(24) succeeds, blocks of 100000 bytes are had until about the limit (glibc:
 * 61 MiB here; at least 40 MiB is asked), then malloc returns NULL with ENOMEM, and
 * after the blocks are freed a read after free still faults in a guarded slot (the
 * pool kept the slots it had used).  The guarded-slot pool reserved 272 MiB at
 * start-up, so every such malloc failed (slots.h: slots_give_back); and the program's
 * own mmap of 32 MiB too.  The same with the limit inherited (ulimit -v).  Each run
 * is a child that execs this program again with HEAPCHECK_OPTIONS set.
 * Usage: rlimit_as (the parent); rlimit_as child|child-mmap|inherited|uaf (a child,
 * under the limit). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define LIMIT ((rlim_t)64 << 20)
#define BLOCK 100000
#define MAX_BLOCKS 4096

static void *(*volatile do_malloc)(size_t) = malloc;
static void (*volatile do_free)(void *) = free;
static void *blocks[MAX_BLOCKS];
static volatile char sink;

static int child(const char *mode)
{
    struct rlimit rl = {LIMIT, LIMIT};
    if (strcmp(mode, "inherited") && setrlimit(RLIMIT_AS, &rl) != 0) {
        perror("setrlimit");
        return 99;
    }
    char *p = do_malloc(24);
    if (!p) {
        printf("malloc(24) under the limit: %s\n", strerror(errno));
        return 1;
    }
    /* The program's own mappings: the pool gave back what it never used at its
     * first guarded block since the limit was set (every block is guarded at first). */
    void *own = !strcmp(mode, "child-mmap") ? mmap(NULL, (size_t)32 << 20, PROT_READ | PROT_WRITE,
                                                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) : NULL;
    if (own == MAP_FAILED) {
        printf("mmap of 32 MiB under the limit: %s\n", strerror(errno));
        return 1;
    }
    if (own)
        munmap(own, (size_t)32 << 20);
    do_free(p);
    size_t n = 0;
    errno = 0;
    while (n < MAX_BLOCKS && (blocks[n] = do_malloc(BLOCK)) != NULL)
        memset(blocks[n++], 1, BLOCK);
    int err = errno;
    size_t mib = n * (size_t)BLOCK >> 20;
    for (size_t i = 0; i < n; i++)
        do_free(blocks[i]);
    if (!strcmp(mode, "uaf")) {
        char *volatile q = do_malloc(13);
        do_free(q);
        sink = q[0];
        return 0; /* not caught */
    }
    printf("%zu MiB in blocks of %d bytes, then %s\n", mib, BLOCK, n < MAX_BLOCKS ? strerror(err) : "no failure");
    return mib >= 40 && n < MAX_BLOCKS && err == ENOMEM ? 0 : 1;
}

/* Run this program as mode under HEAPCHECK_OPTIONS=options; its wait status. */
static int run(const char *self, const char *mode, const char *options, int quiet)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        setenv("HEAPCHECK_OPTIONS", options, 1);
        struct rlimit rl = {LIMIT, LIMIT};
        if (!strcmp(mode, "inherited") && setrlimit(RLIMIT_AS, &rl) != 0)
            _exit(99);
        if (quiet && !freopen("/dev/null", "w", stderr))
            _exit(99);
        execl(self, self, mode, (char *)NULL);
        _exit(99);
    }
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return status;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return child(argv[1]);
    static const struct { const char *mode, *options; } runs[] = {
        {"child-mmap", "leak_check=off"}, {"child", "preset=hardened"}, {"inherited", "leak_check=off"},
        {"inherited", "preset=hardened"}};
    int passed = 0, failed = 0;
    for (int i = 0; i < 4; i++) {
        printf("%s, %s: ", runs[i].mode, runs[i].options);
        int st = run("/proc/self/exe", runs[i].mode, runs[i].options, 0);
        int ok = st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
        if (!ok)
            printf("FAIL (wait status %#x)\n", st);
        ok ? passed++ : failed++;
    }
    int st = run("/proc/self/exe", "uaf", "leak_check=off", 1);
    int ok = st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV;
    printf("a read after free under the limit %s\n", ok ? "faults in a guarded slot" : "FAIL: is not caught");
    ok ? passed++ : failed++;
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
