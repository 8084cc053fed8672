/* A program that lowers its own address-space limit (RLIMIT_AS, 64 MiB), as test
 * suites that check their out-of-memory paths do, allocates as it would with glibc:
 * malloc(24) succeeds, blocks of 100000 bytes are had until about the limit (glibc:
 * 61 MiB here; at least 40 MiB is asked), then malloc returns NULL with ENOMEM, and
 * after the blocks are freed a read after free still faults in a guarded slot (the
 * pool kept the slots it had used).  The guarded-slot pool reserved 272 MiB at
 * start-up, so every such malloc failed (slots.h: slots_give_back).  Each preset runs
 * in a child that execs this program again with HEAPCHECK_OPTIONS set.
 * Usage: rlimit_as (the parent); rlimit_as child|uaf (a child, under the limit). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static int child(int uaf)
{
    struct rlimit rl = {LIMIT, LIMIT};
    if (setrlimit(RLIMIT_AS, &rl) != 0) {
        perror("setrlimit");
        return 99;
    }
    char *p = do_malloc(24);
    if (!p) {
        printf("malloc(24) under the limit: %s\n", strerror(errno));
        return 1;
    }
    do_free(p);
    size_t n = 0;
    errno = 0;
    while (n < MAX_BLOCKS && (blocks[n] = do_malloc(BLOCK)) != NULL)
        memset(blocks[n++], 1, BLOCK);
    int err = errno;
    size_t mib = n * (size_t)BLOCK >> 20;
    for (size_t i = 0; i < n; i++)
        do_free(blocks[i]);
    if (uaf) {
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
        return child(!strcmp(argv[1], "uaf"));
    static const char *const presets[] = {"leak_check=off", "preset=hardened"};
    int passed = 0, failed = 0;
    for (int i = 0; i < 2; i++) {
        printf("%s: ", presets[i]);
        int st = run("/proc/self/exe", "child", presets[i], 0);
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
