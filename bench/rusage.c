/* bench-rusage: run a program, then print its wall time and peak resident set size.
 *
 *     bench-rusage [-t SECONDS] [-o FILE] [NAME=VALUE]... PROGRAM [ARG]...
 *
 * Like env(1), leading NAME=VALUE arguments are added to the environment, but only
 * in the child: a preloaded allocator (LD_PRELOAD=...) then runs in the program
 * measured and never in this wrapper.  The program's standard streams are this
 * wrapper's.  Once it ends, one line goes to standard error, or to FILE with -o
 * (a program that ends its last message without a newline cannot run into it):
 *
 *     rusage seconds=S maxrss_kib=K status=N
 *
 * S is wall-clock time from fork to the end of wait4; K is ru_maxrss as wait4
 * reports it, which on Linux is the largest of the program's own peak and those of
 * the children it waited for (so `gcc -c` counts cc1 and as); N is the exit status,
 * or 128 + the signal that ended the program.  This wrapper exits with N as well.
 *
 * With -t, a program still running after SECONDS is killed, with every process it
 * started (it runs in a process group of its own), and N is 124 as with timeout(1).
 * The limit lives here rather than in timeout(1) so that no third process stands
 * between the wrapper and the program (and gets the preloaded allocator too).
 *
 * It exists so that the benchmark scripts need neither GNU time (not installed
 * everywhere) nor a shell's `time`, whose output format and whose lack of a peak
 * RSS vary between shells. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
    (void)sig;
    timed_out = 1;
}

int main(int argc, char **argv)
{
    int first = 1;
    unsigned limit = 0;
    const char *report = NULL;
    while (first + 1 < argc && argv[first][0] == '-') {
        if (strcmp(argv[first], "-t") == 0) {
            char *end;
            unsigned long v = strtoul(argv[first + 1], &end, 10);
            if (*end != '\0' || v == 0 || v > 86400) {
                fprintf(stderr, "bench-rusage: -t wants whole seconds, 1-86400, not '%s'\n",
                        argv[first + 1]);
                return 2;
            }
            limit = (unsigned)v;
        } else if (strcmp(argv[first], "-o") == 0) {
            report = argv[first + 1];
        } else {
            break;
        }
        first += 2;
    }
    while (first < argc && argv[first][0] != '=' && strchr(argv[first], '=') != NULL)
        first++;
    if (first >= argc) {
        fprintf(stderr,
                "usage: bench-rusage [-t SECONDS] [-o FILE] [NAME=VALUE]... PROGRAM [ARG]...\n");
        return 2;
    }

    double t0 = now_seconds();
    pid_t pid = fork();
    if (pid < 0) {
        perror("bench-rusage: fork");
        return 2;
    }
    if (pid == 0) {
        setpgid(0, 0);
        for (int i = 1; i < first; i++)
            if (putenv(argv[i]) != 0) {
                perror("bench-rusage: putenv");
                _exit(127);
            }
        execvp(argv[first], argv + first);
        fprintf(stderr, "bench-rusage: cannot run %s: %s\n", argv[first], strerror(errno));
        _exit(127);
    }

    /* Also here, so the group exists before any kill below, whichever runs first. */
    setpgid(pid, pid);
    if (limit > 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_alarm; /* no SA_RESTART: wait4 returns EINTR */
        sigaction(SIGALRM, &sa, NULL);
        alarm(limit);
    }

    int status;
    struct rusage ru;
    pid_t got;
    for (;;) {
        got = wait4(pid, &status, 0, &ru);
        if (got >= 0 || errno != EINTR)
            break;
        if (timed_out)
            kill(-pid, SIGKILL);
    }
    double seconds = now_seconds() - t0;
    if (got < 0) {
        perror("bench-rusage: wait4");
        return 2;
    }

    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (timed_out)
        code = 124;
    FILE *f = stderr;
    if (report != NULL && (f = fopen(report, "w")) == NULL) {
        fprintf(stderr, "bench-rusage: cannot write %s: %s\n", report, strerror(errno));
        return 2;
    }
    fprintf(f, "rusage seconds=%.4f maxrss_kib=%ld status=%d\n", seconds, ru.ru_maxrss, code);
    if (f != stderr && fclose(f) != 0) {
        fprintf(stderr, "bench-rusage: cannot write %s: %s\n", report, strerror(errno));
        return 2;
    }
    return code;
}
