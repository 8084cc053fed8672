/* fd_reuse: a program that treats its descriptor table as its own, as gnulib's
 * spawn-pipe tests and daemons do, run with libheapcheck preloaded (fd_reuse.sh).
 *
 *   fd_reuse list             allocate with whole stacks (in main and in a thread),
 *                             then print the open descriptors below 100, one a line,
 *                             and "high N": how many are open at 100 or above
 *   fd_reuse loop|closefrom DIR
 *                             allocate; leak 24 bytes (the planted bug the report
 *                             must name) and report leaks now (the symbolizer
 *                             starts); close 3-20 (a loop) or everything from 3
 *                             (closefrom); reuse 3-20 for files and pipes; allocate
 *                             again from new stacks (a thread, a deep recursion)
 *                             while data sits in the pipes; check every byte of the
 *                             pipes and files; start children with fd 2 closed
 *                             (posix_spawn, fork+exec)
 *   fd_reuse child FILE       (a child, fd 2 closed) allocate, check fd 2 is still
 *                             closed, open FILE (it gets fd 2), write to it, leak 40
 *                             bytes (reported in DIR/child.log.PID, not in FILE)
 * Exit status 0 when every check held (heapcheck may turn it into its exitcode for
 * the leak), 1 with a line on stdout naming the check that failed.  Every wait is
 * bounded by the script's timeout: with libunwind's pipe on a reused number, the
 * allocations block in a read of the program's pipe. */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static void *volatile sink; /* keeps a planted leak from being optimized away */

static void fail(const char *what)
{
    printf("fd_reuse: FAIL: %s\n", what);
    fflush(stdout);
    _exit(1);
}

/* Allocations whose stacks libunwind has not seen: new return addresses, new
 * stack pages (libunwind validates each page it has not read before). */
static __attribute__((noinline)) void churn(int depth)
{
    volatile char pad[2048];
    pad[0] = (char)depth;
    if (depth > 0) {
        churn(depth - 1);
        return;
    }
    for (int i = 0; i < 20; i++)
        free(strdup("a string copied on a deep stack"));
    (void)pad[0];
}

/* The same from call sites never seen before (libunwind caches each return
 * address's step, and validates memory only on a miss). */
static __attribute__((noinline)) void churn_again(int depth)
{
    volatile char pad[3000];
    pad[0] = (char)depth;
    if (depth > 0) {
        churn_again(depth - 1);
        return;
    }
    for (int i = 0; i < 20; i++)
        free(strdup("another string copied on a deep stack"));
    (void)pad[0];
}

static void *thread_churn(void *arg)
{
    if (arg)
        churn_again(8);
    else
        churn(8);
    return NULL;
}

static void churn_everywhere(bool again)
{
    if (again)
        churn_again(40);
    else
        churn(40);
    pthread_t t;
    if (pthread_create(&t, NULL, thread_churn, again ? &t : NULL) != 0 || pthread_join(t, NULL) != 0)
        fail("thread");
}

static void list_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        fail("opendir /proc/self/fd");
    int self = dirfd(d);
    struct dirent *e;
    int high = 0;
    while ((e = readdir(d))) {
        int fd = atoi(e->d_name);
        if (e->d_name[0] == '.' || fd == self)
            continue;
        if (fd >= 100) {
            high++;
            continue;
        }
        char path[64], target[256];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(path, target, sizeof target - 1);
        target[n > 0 ? n : 0] = '\0';
        /* pipe:[inode] differs between runs: the kind is enough. */
        if (!strncmp(target, "pipe:", 5))
            target[4] = '\0';
        printf("%d %s\n", fd, target);
    }
    closedir(d);
    printf("high %d\n", high);
}

static void child(const char *file)
{
    churn_everywhere(false);
    if (fcntl(2, F_GETFD) != -1)
        fail("child: fd 2, closed by the parent, is open after allocations");
    int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd != 2)
        fail("child: the file did not get fd 2");
    static const char data[] = "the child's own data\n";
    if (write(fd, data, sizeof data - 1) != (ssize_t)(sizeof data - 1))
        fail("child: write");
    sink = malloc(40); /* a report at exit: into the log file, not into this file */
    sink = NULL;
    exit(0);
}

static void expect_file(const char *path, const char *want)
{
    char got[512];
    int fd = open(path, O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, got, sizeof got - 1) : -1;
    if (fd >= 0)
        close(fd);
    got[n > 0 ? n : 0] = '\0';
    if (strcmp(got, want) != 0) {
        printf("fd_reuse: %s holds:\n%s", path, got);
        fail("a file holds something it was not given");
    }
}

static void run_child(const char *self, const char *dir, int how)
{
    char file[4096];
    snprintf(file, sizeof file, "%s/child%d.out", dir, how);
    char *argv[] = {(char *)self, (char *)"child", file, NULL};
    pid_t pid;
    if (how == 0) {
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addclose(&fa, 2);
        if (posix_spawn(&pid, self, &fa, NULL, argv, environ) != 0)
            fail("posix_spawn");
        posix_spawn_file_actions_destroy(&fa);
    } else {
        pid = fork();
        if (pid < 0)
            fail("fork");
        if (pid == 0) {
            close(2);
            execve(self, argv, environ);
            _exit(126);
        }
    }
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail(how == 0 ? "the posix_spawn child failed" : "the fork+exec child failed");
    expect_file(file, "the child's own data\n");
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "list")) {
        churn_everywhere(false);
        churn_everywhere(true);
        list_fds();
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "child"))
        child(argv[2]);
    if (argc != 3 || (strcmp(argv[1], "loop") && strcmp(argv[1], "closefrom")))
        fail("usage: fd_reuse list | loop DIR | closefrom DIR | child FILE");
    const char *dir = argv[2];

    churn_everywhere(false); /* heapcheck and libunwind have opened what they open */
    /* The planted bug, and a report now (hc_leak_report, when heapcheck is there):
     * the symbolizer is started, and its socket is closed below with the rest. */
    sink = malloc(24);
    sink = NULL;
    size_t (*report_now)(void) = (size_t (*)(void))dlsym(RTLD_DEFAULT, "hc_leak_report");
    if (report_now)
        report_now();
    if (!strcmp(argv[1], "loop"))
        for (int fd = 3; fd <= 20; fd++)
            close(fd);
    else
        closefrom(3);

    /* 3: a file; then pipes (read end first: 4, 6, 8, 10, 12, blocking and empty
     * or holding the program's data); then files up to 20. */
    char path[4096];
    int files[20], nfiles = 0;
    snprintf(path, sizeof path, "%s/file3", dir);
    if ((files[nfiles++] = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) != 3)
        fail("fd 3 was not free after closing");
    int pipes[5][2];
    for (int i = 0; i < 5; i++)
        if (pipe(pipes[i]) != 0 || pipes[i][0] != 4 + 2 * i)
            fail("fds 4-13 were not free after closing");
    for (int fd = 14; fd <= 20; fd++) {
        snprintf(path, sizeof path, "%s/file%d", dir, fd);
        if ((files[nfiles++] = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) != fd)
            fail("fds 14-20 were not free after closing");
    }

    /* Data in pipes 0-2; pipes 3-4 empty (a read of them would block). */
    static const char msg[] = "the program's own message";
    for (int i = 0; i < 3; i++)
        if (write(pipes[i][1], msg, sizeof msg) != (ssize_t)sizeof msg)
            fail("write to a pipe");
    for (int i = 0; i < nfiles; i++) {
        char line[64];
        int n = snprintf(line, sizeof line, "file %d\n", files[i]);
        if (write(files[i], line, (size_t)n) != n)
            fail("write to a file");
    }

    churn_everywhere(true); /* new stacks, with the numbers reused */

    for (int i = 0; i < 3; i++) {
        char got[sizeof msg];
        if (read(pipes[i][0], got, sizeof got) != (ssize_t)sizeof got || memcmp(got, msg, sizeof msg))
            fail("a pipe's data was changed by someone else");
        fcntl(pipes[i][0], F_SETFL, O_NONBLOCK);
        if (read(pipes[i][0], got, 1) != -1)
            fail("a pipe holds bytes the program never wrote");
    }
    for (int i = 3; i < 5; i++) {
        char got;
        fcntl(pipes[i][0], F_SETFL, O_NONBLOCK);
        if (read(pipes[i][0], &got, 1) != -1)
            fail("an empty pipe holds bytes the program never wrote");
    }
    for (int i = 0; i < nfiles; i++) {
        char want[64];
        snprintf(want, sizeof want, "file %d\n", files[i]);
        snprintf(path, sizeof path, "%s/file%d", dir, files[i]);
        expect_file(path, want);
    }

    /* The children's reports: to a log file (they have no stderr), and their exit
     * status left alone, so that it says whether their checks held. */
    char options[4200];
    snprintf(options, sizeof options, "exitcode=0:log_path=%s/child.log", dir);
    setenv("HEAPCHECK_OPTIONS", options, 1);
    run_child(argv[0], dir, 0);
    run_child(argv[0], dir, 1);

    printf("fd_reuse: every check held\n");
    return 0;
}
