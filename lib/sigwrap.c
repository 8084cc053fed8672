/* The program's SIGSEGV and SIGBUS actions (see sigwrap.h), as ASan keeps them: a
 * program (an interpreter, a JIT, a test harness) that installs its own fault handler
 * after heapcheck's must not take the faults of heapcheck's guarded slots, yet must
 * get every other fault exactly as it asked.  So the kernel keeps heapcheck's handler
 * and the program's action is recorded here, and delivered by hand.
 *
 * The C library's sigaction is reached as __sigaction, an exported alias of it that
 * is not wrapped (and which programs do not call), so no dlsym is needed on the path
 * that installs the handler.  The other calls (signal and its aliases, sysv_signal,
 * sigset) are glibc's own for every other signal, found with dlsym(RTLD_NEXT) when
 * first used (glibc's signal knows siginterrupt's settings, which only it can see).
 * Two copies of each recorded action: a writer fills the one not in use and then
 * flips, so the fault handler, which takes no lock, reads a whole action. */
#define _GNU_SOURCE
#include "internal.h"
#include "sigwrap.h"
#include "heapcheck.h"

#include <dlfcn.h>
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

extern int __sigaction(int sig, const struct sigaction *act, struct sigaction *old);

int sigwrap_real_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    return __sigaction(sig, act, old);
}

static struct sigaction actions[2][2]; /* [SIGSEGV, SIGBUS][copy] */
static int current[2];
static int writer; /* the writing thread's id, 0: none */
static bool claimed;

static int index_of(int sig) { return sig == SIGSEGV ? 0 : sig == SIGBUS ? 1 : -1; }

/* Writers exclude each other; one nested in a signal handler of the writing thread
 * (SA_RESETHAND from sigwrap_deliver, a program's handler calling sigaction) goes on. */
static bool lock_writer(void)
{
    int me = (int)syscall(SYS_gettid);
    for (;;) {
        int expected = 0;
        if (__atomic_compare_exchange_n(&writer, &expected, me, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return true;
        if (expected == me)
            return false;
        sched_yield();
    }
}

static void record(int k, const struct sigaction *act, struct sigaction *old)
{
    bool locked = lock_writer();
    int c = __atomic_load_n(&current[k], __ATOMIC_RELAXED);
    if (old)
        *old = actions[k][c];
    if (act) {
        actions[k][!c] = *act;
        __atomic_store_n(&current[k], !c, __ATOMIC_RELEASE);
    }
    if (locked)
        __atomic_store_n(&writer, 0, __ATOMIC_RELEASE);
}

void sigwrap_claim(const struct sigaction *ours)
{
    for (int k = 0; k < 2; k++) {
        struct sigaction before;
        if (__sigaction(k ? SIGBUS : SIGSEGV, ours, &before) == 0)
            record(k, &before, NULL);
    }
    __atomic_store_n(&claimed, true, __ATOMIC_RELEASE);
}

bool sigwrap_deliver(int sig, siginfo_t *si, void *ctx)
{
    int k = index_of(sig);
    if (k < 0)
        return false;
    struct sigaction a = actions[k][__atomic_load_n(&current[k], __ATOMIC_ACQUIRE)];
    bool info = a.sa_flags & SA_SIGINFO;
    void (*handler)(int) = a.sa_handler;
    if (handler == SIG_DFL || (!info && !handler))
        return false;
    if (handler == SIG_IGN)
        return si->si_code <= 0; /* sent by kill: ignored; a real fault kills all the same */
    if (a.sa_flags & SA_RESETHAND) {
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        sigemptyset(&dfl.sa_mask);
        record(k, &dfl, NULL);
    }
    /* The mask the kernel would have set: the interrupted one, the action's, and the
     * signal itself unless SA_NODEFER.  Returning restores the interrupted one. */
    sigset_t mask = ((ucontext_t *)ctx)->uc_sigmask;
    sigorset(&mask, &mask, &a.sa_mask);
    if (!(a.sa_flags & SA_NODEFER))
        sigaddset(&mask, sig);
    else
        sigdelset(&mask, sig);
    pthread_sigmask(SIG_SETMASK, &mask, NULL);
    if (info)
        a.sa_sigaction(sig, si, ctx);
    else
        handler(sig);
    return true;
}

#ifndef HC_NO_STANDARD_NAMES
typedef __sighandler_t signal_fn(int, __sighandler_t);

/* glibc's own function called name, for the signals heapcheck leaves alone. */
static signal_fn *real_signal_fn(signal_fn **cache, const char *name)
{
    signal_fn *f = __atomic_load_n(cache, __ATOMIC_ACQUIRE);
    if (!f) { /* dlsym may allocate: the bootstrap arena serves it (bootarena.h) */
        f = (signal_fn *)dlsym(RTLD_NEXT, name);
        __atomic_store_n(cache, f, __ATOMIC_RELEASE);
    }
    return f;
}

/* Whether the program's call for sig is served here (*k: its index). */
static bool ours(int sig, int *k)
{
    *k = index_of(sig);
    return *k >= 0 && __atomic_load_n(&claimed, __ATOMIC_ACQUIRE);
}

HC_EXPORT int sigaction(int sig, const struct sigaction *restrict act, struct sigaction *restrict old)
{
    int k;
    if (!ours(sig, &k))
        return __sigaction(sig, act, old);
    record(k, act, old);
    return 0;
}

/* signal() and its kin for SIGSEGV and SIGBUS, with the flags and mask glibc gives. */
static __sighandler_t set_handler(int k, int sig, __sighandler_t h, int flags, bool mask_self)
{
    if (h == SIG_ERR) {
        errno = EINVAL;
        return SIG_ERR;
    }
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sigemptyset(&sa.sa_mask);
    if (mask_self)
        sigaddset(&sa.sa_mask, sig);
    sa.sa_flags = flags;
    record(k, &sa, &old);
    return old.sa_handler;
}

static signal_fn *bsd_real, *sysv_real;

/* BSD semantics: the handler stays, the signal is blocked while it runs. */
HC_EXPORT __sighandler_t signal(int sig, __sighandler_t h)
{
    int k;
    if (ours(sig, &k))
        return set_handler(k, sig, h, SA_RESTART, true);
    signal_fn *f = real_signal_fn(&bsd_real, "signal");
    return f ? f(sig, h) : SIG_ERR;
}
__sighandler_t bsd_signal(int sig, __sighandler_t h); /* declared only for older X/Open */
HC_EXPORT __sighandler_t bsd_signal(int sig, __sighandler_t h) { return signal(sig, h); }
HC_EXPORT __sighandler_t ssignal(int sig, __sighandler_t h) { return signal(sig, h); }

/* System V semantics: reset to the default on delivery, not blocked while it runs. */
HC_EXPORT __sighandler_t sysv_signal(int sig, __sighandler_t h)
{
    int k;
    if (ours(sig, &k))
        return set_handler(k, sig, h, SA_RESETHAND | SA_NODEFER, false);
    signal_fn *f = real_signal_fn(&sysv_real, "sysv_signal");
    return f ? f(sig, h) : SIG_ERR;
}
HC_EXPORT __sighandler_t __sysv_signal(int sig, __sighandler_t h) { return sysv_signal(sig, h); }

static signal_fn *sigset_real;

/* SIG_HOLD blocks the signal; another disposition is set and unblocks it.  Either
 * way the old disposition is returned, SIG_HOLD if the signal was blocked. */
HC_EXPORT __sighandler_t sigset(int sig, __sighandler_t disp)
{
    int k;
    if (!ours(sig, &k)) {
        signal_fn *f = real_signal_fn(&sigset_real, "sigset");
        return f ? f(sig, disp) : SIG_ERR;
    }
    sigset_t one, was;
    sigemptyset(&one);
    sigaddset(&one, sig);
    struct sigaction old;
    if (disp == SIG_HOLD) {
        record(k, NULL, &old);
        if (pthread_sigmask(SIG_BLOCK, &one, &was) != 0)
            return SIG_ERR;
    } else {
        __sighandler_t prev = set_handler(k, sig, disp, 0, false);
        if (prev == SIG_ERR || pthread_sigmask(SIG_UNBLOCK, &one, &was) != 0)
            return SIG_ERR;
        old.sa_handler = prev;
    }
    return sigismember(&was, sig) ? SIG_HOLD : old.sa_handler;
}
#endif
