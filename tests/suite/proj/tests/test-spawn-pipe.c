/* test-spawn-pipe: a program that manages its own descriptors, as gnulib's
 * test-spawn-pipe and test-dup2 (m4's and sed's suites) do.  Each round it closes fds
 * 3-20, takes the lowest numbers again (a pipe lands on 3+k and 4+k), fills every
 * number up to 20 and frees them, allocates while its pipe is open, then starts a
 * child (itself, --child) with fd 2 closed that writes one line down the pipe.
 * It passes when every descriptor is the number POSIX says (the lowest free one), the
 * child finds fd 2 closed, and the pipes carry exactly the bytes written: nothing else
 * in the process may hold, read or write the program's descriptor numbers. */
#include <config.h>
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS 6
#define TOP_FD 20

static int failures;

static void check(int ok, const char *what, long got, long want)
{
    if (!ok) {
        fprintf(stderr, "test-spawn-pipe: %s: got %ld, expected %ld\n", what, got, want);
        failures++;
    }
}

/* Allocations from some depth, freed again: a heap tool does its work here
 * (stack capture, checks) while the program's descriptors are in use. */
static size_t churn(int depth)
{
    if (depth > 0)
        return churn(depth - 1) + 1;
    size_t sum = 0;
    for (int i = 0; i < 200; i++) {
        char *p = malloc(16 + (size_t)i * 7);
        if (!p)
            abort();
        memset(p, i, 16);
        sum += (unsigned char)p[3];
        free(p);
    }
    return sum;
}

/* Read until end of file, at most cap bytes, never waiting more than 10 s for a byte. */
static ssize_t read_all(int fd, char *buf, size_t cap)
{
    size_t len = 0;
    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int r = poll(&pfd, 1, 10000);
        if (r <= 0)
            return -1;
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0 || (len += (size_t)n) == cap)
            return (ssize_t)len;
    }
}

static int child(int out_fd)
{
    /* Started with fd 2 closed: it must still be, and be the first number open takes. */
    int fd2_closed = fcntl(2, F_GETFD) == -1 && errno == EBADF;
    churn(20);
    int first = open("/dev/null", O_RDONLY);
    char line[128];
    int len = snprintf(line, sizeof line, "child: fd 2 %s, first free fd %d\n",
                       fd2_closed ? "closed" : "open", first);
    if (first >= 0)
        close(first);
    return write(out_fd, line, (size_t)len) == len ? 0 : 1;
}

static void round_trip(const char *self, int k)
{
    for (int fd = 3; fd <= TOP_FD; fd++)
        close(fd);
    for (int i = 0; i < k; i++) {
        int fd = open("/dev/null", O_RDONLY);
        check(fd == 3 + i, "placeholder descriptor", fd, 3 + i);
    }
    int p[2];
    if (pipe(p) != 0) {
        perror("test-spawn-pipe: pipe");
        exit(1);
    }
    check(p[0] == 3 + k, "pipe read end", p[0], 3 + k);
    check(p[1] == 4 + k, "pipe write end", p[1], 4 + k);
    /* Every number up to TOP_FD taken, then given back. */
    for (int want = 5 + k; want <= TOP_FD; want++) {
        int fd = open("/dev/null", O_RDONLY);
        check(fd == want, "filler descriptor", fd, want);
    }
    for (int fd = 5 + k; fd <= TOP_FD; fd++)
        close(fd);
    for (int fd = 3; fd < 3 + k; fd++)
        close(fd);
    churn(20);

    char fdarg[16];
    snprintf(fdarg, sizeof fdarg, "%d", p[1]);
    char *const argv[] = {(char *)self, "--child", fdarg, NULL};
    pid_t pid = fork();
    if (pid < 0) {
        perror("test-spawn-pipe: fork");
        exit(1);
    }
    if (pid == 0) {
        close(2);
        close(p[0]);
        execv(self, argv);
        _exit(127);
    }
    close(p[1]);
    churn(20);
    char buf[256];
    const char *want = "child: fd 2 closed, first free fd 2\n";
    ssize_t n = read_all(p[0], buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    if (n < 0 || strcmp(buf, want) != 0) {
        fprintf(stderr, "test-spawn-pipe: round %d: the child wrote \"%s\", expected \"%s\"\n", k,
                buf, want);
        failures++;
    }
    int status;
    check(waitpid(pid, &status, 0) == pid, "waitpid", 0, 0);
    check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child's exit status", status, 0);
    close(p[0]);

    /* The program's own traffic through a pipe on the lowest numbers, with allocations
     * between the write and the read: the bytes come back exactly, and nothing more. */
    if (pipe(p) != 0) {
        perror("test-spawn-pipe: pipe");
        exit(1);
    }
    check(p[0] == 3, "second pipe read end", p[0], 3);
    check(p[1] == 4, "second pipe write end", p[1], 4);
    char msg[4000], back[sizeof msg + 1];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (char)('a' + (i * 7 + (size_t)k) % 26);
    check(write(p[1], msg, sizeof msg) == (ssize_t)sizeof msg, "write to the pipe", 0, 0);
    churn(20);
    close(p[1]);
    n = read_all(p[0], back, sizeof back);
    check(n == (ssize_t)sizeof msg, "bytes read back", n, (long)sizeof msg);
    check(n > 0 && memcmp(msg, back, sizeof msg) == 0, "the bytes read back are those written",
          0, 0);
    close(p[0]);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--child") == 0)
        return child(atoi(argv[2]));
    for (int k = 0; k < ROUNDS; k++)
        round_trip(argv[0], k % 3);
    if (failures)
        fprintf(stderr, "test-spawn-pipe: %d checks failed\n", failures);
    return failures ? 1 : 0;
}
