/* What starts a snapshot: hc_dump_now() in the calling thread, and, when the options
 * ask for them, a signal (snapshot_signal) or a clock (snapshot_interval_ms) served by
 * one helper thread.  The signal handler only writes a byte to a non-blocking pipe
 * (async-signal-safe, and never blocks however many signals arrive); the helper
 * thread, which blocks every signal, waits on the pipe with poll() and its timeout
 * for the interval, and takes the snapshot in ordinary thread context: it may then
 * take the heap lock, which the interrupted thread may have been holding.  The
 * thread is started by a constructor of the library, so not in a process forked
 * without exec (its child has no helper: hc_dump_now still works there). */
#define _GNU_SOURCE
#include "internal.h"
#include "heap.h"
#include "heapcheck.h"
#include "options.h"
#include "report.h"
#include "snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

static bool ready(void)
{
    struct hc_stats st;
    heap_stats(&st); /* start-up first: the options are read there */
    return options.preset != PRESET_NONE;
}

int snapshot_api(void)
{
    if (!ready()) {
        errno = ENOTSUP; /* preset none keeps no record of blocks */
        return -1;
    }
    return snapshot_now("api");
}

#ifndef HC_NO_STANDARD_NAMES
static int pipe_fds[2] = {-1, -1};

static void on_signal(int sig)
{
    (void)sig;
    int saved = errno;
    char byte = 1;
    ssize_t n = write(pipe_fds[1], &byte, 1); /* full pipe: a snapshot is pending anyway */
    (void)n;
    errno = saved;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void take(const char *trigger)
{
    static bool warned;
    if (snapshot_now(trigger) != 0 && !warned) {
        warned = true;
        report_warning("heapcheck: warning: could not write a snapshot (dump_path): the disk may be full\n");
    }
}

static void *helper(void *arg)
{
    (void)arg;
    uint64_t interval = options.snapshot_interval_ms;
    uint64_t next = now_ms() + interval;
    for (;;) {
        int timeout = -1;
        if (interval) {
            uint64_t now = now_ms();
            timeout = next > now ? (int)(next - now < 86400000 ? next - now : 86400000) : 0;
        }
        struct pollfd p = {pipe_fds[0], POLLIN, 0};
        int r = poll(&p, 1, timeout);
        if (r > 0) {
            char drain[64];
            while (read(pipe_fds[0], drain, sizeof drain) > 0)
                ;
            take("signal");
        } else if (r == 0) {
            take("interval");
            uint64_t now = now_ms();
            next += interval;
            if (next <= now)
                next = now + interval; /* a slow snapshot: skip, do not catch up */
        } else if (errno != EINTR) {
            return NULL;
        }
    }
}

static bool install_signal(unsigned long sig)
{
    if (sig < 1 || sig >= (unsigned long)NSIG || sig == SIGKILL || sig == SIGSTOP) {
        report_warning("heapcheck: warning: snapshot_signal: not a signal that can be caught\n");
        return false;
    }
    if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0)
        return false;
    struct sigaction sa;
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    return sigaction((int)sig, &sa, NULL) == 0;
}

__attribute__((constructor)) static void snapshot_triggers_start(void)
{
    bool guarded = ready();
    bool by_signal = options.snapshot_signal != 0, by_clock = options.snapshot_interval_ms != 0;
    if (!by_signal && !by_clock)
        return;
    if (!guarded) {
        report_warning("heapcheck: warning: snapshots need a preset that records blocks (not none)\n");
        return;
    }
    if (by_signal && !install_signal(options.snapshot_signal) && !by_clock)
        return;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old); /* the helper inherits: no signal lands there */
    pthread_t t;
    if (pthread_create(&t, NULL, helper, NULL) == 0)
        pthread_detach(t);
    else
        report_warning("heapcheck: warning: could not start the snapshot thread\n");
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}
#endif
