/* Stopping the other threads for the leak scan (see threads.h).
 *
 * A pointer may live only in a register of another thread (a reader blocked in a
 * system call keeps its buffer in a callee-saved register), or on a stack whose
 * thread is running a handler on its alternate signal stack.  So before the scan
 * every other thread gets a real-time signal (HC_STOP_SIGNAL) with tgkill; the
 * handler records the interrupted registers and stack pointer from its ucontext,
 * whether it was on its alternate stack (sigaltstack queried in the handler) and
 * pthread_self() (glibc keeps the thread descriptor at the top of the thread's stack
 * mapping, which names the thread's home stack), acknowledges, and waits on a futex
 * until the scan is over.  The handler runs on the interrupted stack (no SA_ONSTACK)
 * and uses SA_RESTART, so a read() in progress resumes.
 *
 * Every wait is bounded: the scanner waits at most STOP_WAIT_MS in all for the
 * acknowledgements; a thread that did not answer (our signal blocked, a thread
 * exiting, a thread in uninterruptible sleep) is described from /proc (its stack
 * pointer when blocked in a system call; no registers), and the scan treats it
 * conservatively.  A handler waits at most HANDLER_WAIT_MS for the release.  Threads
 * created while stopping are found by listing /proc/self/task again (up to
 * LIST_ROUNDS times); a thread that exits in between is skipped (ESRCH).
 *
 * The program's own handler for the signal, if any, is put back after the scan; when
 * there was none our handler stays installed (a late delivery to a thread that had
 * the signal blocked then does nothing, where the default action would kill the
 * process).  Raw system calls only: no malloc, no stdio. */
#define _GNU_SOURCE
#include "internal.h"
#include "threads.h"
#include "fmt.h"
#include "os.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#define HC_STOP_SIGNAL (SIGRTMAX - 3)
#define STOP_WAIT_MS 1000
#define HANDLER_WAIT_MS 60000
#define LIST_ROUNDS 4

static struct thread_state *states; /* a metadata mapping: not a root itself */
static size_t nstates;
static int stopping;    /* a scan is on: handlers acknowledge */
static int acks;        /* futex: acknowledgements so far */
static int resume_gen;  /* futex: bumped when the scan is over */
static struct sigaction saved_action;
static bool restore_action;

static long gettid_raw(void) { return syscall(SYS_gettid); }

static void futex_wait_ms(int *word, int val, long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, val, &ts, NULL, 0);
}

static void futex_wake_all(int *word) { syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 0x7fffffff, NULL, NULL, 0); }

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void save_registers(struct thread_state *t, const ucontext_t *uc)
{
#if defined(__x86_64__)
    t->nregs = NGREG < THREAD_REGS ? NGREG : THREAD_REGS;
    for (unsigned i = 0; i < t->nregs; i++)
        t->regs[i] = (uintptr_t)uc->uc_mcontext.gregs[i];
    t->sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
#elif defined(__aarch64__)
    t->nregs = 31 < THREAD_REGS ? 31 : THREAD_REGS;
    for (unsigned i = 0; i < t->nregs; i++)
        t->regs[i] = (uintptr_t)uc->uc_mcontext.regs[i];
    t->sp = (uintptr_t)uc->uc_mcontext.sp;
#else
    /* Elsewhere: the handler's own frame lies below the interrupted one, and the
     * kernel saved every register between the two, so scanning from here covers them. */
    (void)uc;
    t->nregs = 0;
    t->sp = (uintptr_t)__builtin_frame_address(0);
#endif
}

static void on_stop_signal(int sig, siginfo_t *info, void *ucv)
{
    (void)sig;
    int saved_errno = errno;
    if (!__atomic_load_n(&stopping, __ATOMIC_ACQUIRE) || info->si_pid != getpid()) {
        errno = saved_errno;
        return; /* late, or not ours */
    }
    int gen = __atomic_load_n(&resume_gen, __ATOMIC_ACQUIRE);
    long me = gettid_raw();
    size_t n = __atomic_load_n(&nstates, __ATOMIC_ACQUIRE);
    struct thread_state *t = NULL;
    for (size_t i = 0; i < n && !t; i++)
        if (states[i].tid == me && !states[i].stopped)
            t = &states[i];
    if (t) {
        save_registers(t, ucv);
        stack_t ss;
        t->on_altstack = sigaltstack(NULL, &ss) == 0 && (ss.ss_flags & SS_ONSTACK);
        t->tcb = (uintptr_t)pthread_self();
        t->main_thread = me == getpid();
        __atomic_store_n(&t->stopped, true, __ATOMIC_RELEASE);
        __atomic_fetch_add(&acks, 1, __ATOMIC_RELEASE);
        futex_wake_all(&acks);
        long deadline = now_ms() + HANDLER_WAIT_MS;
        while (__atomic_load_n(&resume_gen, __ATOMIC_ACQUIRE) == gen && now_ms() < deadline)
            futex_wait_ms(&resume_gen, gen, 100);
    }
    errno = saved_errno;
}

static bool read_small(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, buf, cap - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return n > 0;
}

static void proc_path(char *out, size_t cap, long tid, const char *file)
{
    struct fmt f;
    fmt_init(&f, out, cap);
    fmt_printf(&f, "/proc/self/task/%ld/%s", tid, file);
}

/* Does thread tid block our signal?  ("SigBlk:" of its status, a hex mask.) */
static bool blocks_signal(long tid)
{
    char path[64], text[2048];
    proc_path(path, sizeof path, tid, "status");
    if (!read_small(path, text, sizeof text))
        return false;
    const char *p = strstr(text, "SigBlk:");
    if (!p)
        return false;
    p += 7;
    while (*p == ' ' || *p == '\t')
        p++;
    uintptr_t mask = fmt_parse_hex(&p);
    return (mask >> (HC_STOP_SIGNAL - 1)) & 1;
}

/* A thread that did not answer: its stack pointer when blocked in a system call
 * (/proc/self/task/TID/syscall: "NR args... SP PC"), else unknown. */
static void describe_from_proc(struct thread_state *t)
{
    char path[64], text[512];
    proc_path(path, sizeof path, t->tid, "syscall");
    t->sp = 0;
    if (!read_small(path, text, sizeof text) || text[0] == 'r' || text[0] == '-')
        return;
    char *end = text + strlen(text);
    while (end > text && (end[-1] == '\n' || end[-1] == ' '))
        *--end = '\0';
    char *last = strrchr(text, ' ');
    if (!last)
        return;
    *last = '\0';
    const char *sp = strrchr(text, ' ');
    if (sp++)
        t->sp = fmt_parse_hex(&sp);
}

/* One listing of /proc/self/task: signal each thread not seen yet.  Returns how many
 * were signalled.  Raw getdents: opendir would allocate. */
static size_t signal_new_threads(long self)
{
    int dir = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return 0;
    size_t sent = 0;
    char ents[4096];
    long got;
    while ((got = syscall(SYS_getdents64, dir, ents, sizeof ents)) > 0) {
        for (long off = 0; off < got;) {
            struct dirent64 *d = (struct dirent64 *)(ents + off);
            off += d->d_reclen;
            long tid = 0;
            for (const char *c = d->d_name; *c >= '0' && *c <= '9'; c++)
                tid = tid * 10 + (*c - '0');
            if (!tid || tid == self)
                continue;
            bool known = false;
            for (size_t i = 0; i < nstates && !known; i++)
                known = states[i].tid == tid;
            if (known || nstates == THREADS_MAX)
                continue;
            struct thread_state *t = &states[nstates];
            memset(t, 0, sizeof *t);
            t->tid = tid;
            t->main_thread = tid == getpid();
            __atomic_store_n(&nstates, nstates + 1, __ATOMIC_RELEASE);
            if (blocks_signal(tid))
                continue; /* described from /proc below */
            if (syscall(SYS_tgkill, getpid(), tid, HC_STOP_SIGNAL) == 0)
                sent++;
            else
                t->tid = -1; /* gone */
        }
    }
    close(dir);
    return sent;
}

size_t threads_stop(struct thread_state **out)
{
    *out = NULL;
    if (!states) {
        states = os_map_meta(HC_ALIGN_UP(THREADS_MAX * sizeof *states, os_page_size()));
        if (!states)
            return 0;
    }
    int saved_errno = errno;
    nstates = 0;
    __atomic_store_n(&acks, 0, __ATOMIC_RELAXED);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_stop_signal;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigfillset(&sa.sa_mask);
    sigaction(HC_STOP_SIGNAL, &sa, &saved_action);
    restore_action = (saved_action.sa_flags & SA_SIGINFO) ? saved_action.sa_sigaction != on_stop_signal
                                                          : (saved_action.sa_handler != SIG_DFL &&
                                                             saved_action.sa_handler != SIG_IGN);
    __atomic_store_n(&stopping, 1, __ATOMIC_RELEASE);

    long self = gettid_raw(), deadline = now_ms() + STOP_WAIT_MS;
    int sent = 0;
    for (int round = 0; round < LIST_ROUNDS; round++) {
        size_t more = signal_new_threads(self);
        if (!more && round > 0)
            break;
        sent += (int)more;
        int got;
        while ((got = __atomic_load_n(&acks, __ATOMIC_ACQUIRE)) < sent && now_ms() < deadline)
            futex_wait_ms(&acks, got, 10);
    }
    for (size_t i = 0; i < nstates; i++)
        if (states[i].tid > 0 && !__atomic_load_n(&states[i].stopped, __ATOMIC_ACQUIRE))
            describe_from_proc(&states[i]);
    errno = saved_errno;
    *out = states;
    return nstates;
}

void threads_resume(void)
{
    if (!states)
        return;
    int saved_errno = errno;
    /* Late handlers (a signal still pending) see stopping == 0 and return at once. */
    __atomic_store_n(&stopping, 0, __ATOMIC_RELEASE);
    __atomic_fetch_add(&resume_gen, 1, __ATOMIC_RELEASE);
    futex_wake_all(&resume_gen);
    if (restore_action)
        sigaction(HC_STOP_SIGNAL, &saved_action, NULL);
    /* The registers are wiped so an old scan's values never count as roots. */
    memset(states, 0, nstates * sizeof *states);
    nstates = 0;
    errno = saved_errno;
}
