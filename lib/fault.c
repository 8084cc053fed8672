/* The fatal-signal report (see fault.h).  On SIGSEGV or SIGBUS the handler, on an
 * alternate stack so a stack overflow still reports, describes the faulting access:
 * a guarded slot's guard page or freed data (slots_fault_info) gives the bug class
 * and the block; any other address gets "SEGV on unknown address" and what heapcheck
 * can tell of it (null, a fill pattern, in the register that faulted when the kernel
 * withholds a non-canonical address).  READ or WRITE comes from the page-fault error
 * code on x86-64.  The access stack is unwound from the signal context.  The report
 * goes through the one finding renderer, so it is kept for the dump, which is written
 * now; then the default action is restored and the access retried, so the process
 * dies of the same signal; with abort_on_error=0 a fault in the pool is reported,
 * its page opened (slots_fault_open) and the access retried, so the program goes on.
 * Each thread gets its own alternate stack at its first allocation, unmapped when
 * it exits.  A fault in the guarded slots is always heapcheck's; every other fault
 * goes to the program's own action, whether set before heapcheck's handler or after
 * it (sigwrap.c keeps it), and only where that is the default is it reported here. */
#define _GNU_SOURCE
#include "internal.h"
#include "fault.h"
#include "depot.h"
#include "dump.h"
#include "lock.h"
#include "options.h"
#include "os.h"
#include "report.h"
#include "slots.h"
#include "sigwrap.h"
#include "stack.h"

#ifdef HAVE_LIBUNWIND
#define UNW_LOCAL_ONLY
#include <libunwind.h>
#endif
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#define ALT_STACK_SIZE ((size_t)64 << 10)

static int reporting; /* the reporting thread's id, 0: none */

static bool is_fill_word(uintptr_t v, unsigned char fill, bool exact)
{
    uintptr_t pattern = (uintptr_t)0x0101010101010101ULL * fill;
    /* Built from it: the pattern plus or minus an offset under 64 KiB (a field of a
     * struct, an index into an array). */
    return exact ? v == pattern : (v >> 16) == (pattern >> 16);
}

void fault_explain_value(uintptr_t v, struct finding *f)
{
    if (options.free_fill < 256 && is_fill_word(v, (unsigned char)options.free_fill, false)) {
        f->detail = is_fill_word(v, (unsigned char)options.free_fill, true)
                        ? "is heapcheck's free fill (the bytes of a freed block): a pointer loaded from freed memory"
                        : "is built from heapcheck's free fill (the bytes of a freed block): a pointer loaded from "
                          "freed memory, plus an offset";
        f->cause = "a dangling pointer: a block was freed while a pointer in it was still used (keep it alive "
                   "longer, or clear the pointer when freeing)";
    } else if (options.alloc_fill < 256 && is_fill_word(v, (unsigned char)options.alloc_fill, false)) {
        f->detail = "is built from heapcheck's alloc fill (the bytes of a new block): a pointer loaded from "
                    "memory never written";
        f->cause = "an uninitialized pointer in a malloc'd block (malloc does not zero; use calloc or set it)";
    } else if (v < 4096) {
        f->detail = "is in the first page: a NULL pointer (plus an offset)";
        f->cause = "a NULL pointer not checked (a failed allocation or lookup)";
    }
}

/* The access: READ or WRITE, from the page-fault error code (bit 1: write). */
static enum op access_of(const ucontext_t *uc)
{
#if defined(__x86_64__)
    return (uc->uc_mcontext.gregs[REG_ERR] & 2) ? OP_WRITE : OP_READ;
#else
    (void)uc;
    return OP_ACCESS;
#endif
}

/* A non-canonical address (a general protection fault): the kernel gives 0 for it.
 * A register holding a fill pattern is then the likely pointer. */
static void explain_registers(const ucontext_t *uc, struct finding *f)
{
#if defined(__x86_64__)
    for (int r = REG_R8; r <= REG_RSP; r++) {
        struct finding probe;
        memset(&probe, 0, sizeof probe);
        fault_explain_value((uintptr_t)uc->uc_mcontext.gregs[r], &probe);
        if (probe.detail && probe.cause && (uintptr_t)uc->uc_mcontext.gregs[r] >= 4096) {
            f->addr = (const void *)uc->uc_mcontext.gregs[r];
            f->detail = probe.detail;
            f->cause = probe.cause;
            return;
        }
    }
#else
    (void)uc;
#endif
    f->detail = "(0: the kernel withholds it) was not canonical: a general protection fault, such as "
                "a garbage pointer gives";
}

/* The faulting access's stack, from the signal context.  Frame 0 is pc + 1: frames
 * are return addresses, symbolized at pc - 1, and this one is the access itself. */
static unsigned access_stack(ucontext_t *uc, void **pc, unsigned max)
{
#ifdef HAVE_LIBUNWIND
    unw_cursor_t cursor;
    if (unw_init_local2(&cursor, (unw_context_t *)uc, UNW_INIT_SIGNAL_FRAME) == 0) {
        unsigned n = 0;
        do {
            unw_word_t ip;
            if (unw_get_reg(&cursor, UNW_REG_IP, &ip) < 0 || !ip)
                break;
            pc[n] = (void *)(n == 0 ? ip + 1 : ip);
            n++;
        } while (n < max && unw_step(&cursor) > 0);
        if (n)
            return n;
    }
#endif
#if defined(__x86_64__)
    pc[0] = (char *)uc->uc_mcontext.gregs[REG_RIP] + 1;
    uintptr_t fp = (uintptr_t)uc->uc_mcontext.gregs[REG_RBP];
    uintptr_t sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
    /* Only a frame pointer in the live part of the stack is followed. */
    if (fp % sizeof(void *) || fp < sp || fp - sp > ((size_t)8 << 20))
        return 1;
    return 1 + stack_unwind((void *)fp, pc + 1, max - 1);
#else
    (void)uc, (void)pc, (void)max;
    return 0;
#endif
}

/* The depot needs the heap lock: the faulting thread may hold it (a fault inside
 * heapcheck), so it is tried for a while, never waited on. */
static uint32_t store_stack(void *const *pc, unsigned n)
{
#ifdef HAVE_SYS_SINGLE_THREADED_H
    if (__libc_single_threaded)
        return depot_put(pc, n);
#endif
    for (int tries = 0; tries < 1000; tries++) {
        int expected = 0;
        if (__atomic_compare_exchange_n(&lock_word, &expected, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
            uint32_t id = depot_put(pc, n);
            lock_release(true);
            return id;
        }
        sched_yield();
    }
    return 0;
}

static void die_of(int sig, const siginfo_t *si)
{
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigwrap_real_sigaction(sig, &dfl, NULL);
    if (si->si_code <= 0) /* sent by kill or raise: retrying the access would not fault */
        raise(sig);
    /* Returning retries the faulting access, which now kills with the default action. */
}

/* One report at a time.  A second fault in the reporting thread (during its report)
 * dies; one in another thread waits when the reporter goes on (wait), else dies:
 * the reporter is about to end the process. */
static bool take_reporting(bool wait)
{
    int me = (int)syscall(SYS_gettid);
    for (;;) {
        int expected = 0;
        if (__atomic_compare_exchange_n(&reporting, &expected, me, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
            return true;
        if (expected == me || !wait)
            return false;
        sched_yield();
    }
}

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    int saved_errno = errno;
    struct finding f;
    /* A fault in the guarded slots is heapcheck's; any other the program's, when it
     * has a handler (installed before heapcheck's or after it: sigwrap.h). */
    bool in_pool = si->si_code > 0 && slots_fault_info(si->si_addr, &f);
    if (!in_pool && sigwrap_deliver(sig, si, ctx)) {
        errno = saved_errno;
        return;
    }
    bool go_on = in_pool && !options.abort_on_error;
    if (!take_reporting(go_on)) {
        die_of(sig, si); /* a second fault: during the report, or in another thread */
        return;
    }
    if (!in_pool) {
        memset(&f, 0, sizeof f);
        f.bug = BUG_SEGV;
        f.addr = si->si_addr;
        if (sig == SIGBUS)
            f.detail = "could not be accessed (SIGBUS, a bus error): a mapped file cut short under it, "
                       "or an access the hardware refused";
        else if (si->si_code == SI_KERNEL && !si->si_addr)
            explain_registers(uc, &f);
        else
            fault_explain_value((uintptr_t)si->si_addr, &f);
#if defined(__x86_64__)
        uintptr_t sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP], a = (uintptr_t)si->si_addr;
        if (!f.detail && a && (a > sp ? a - sp : sp - a) < ((uintptr_t)64 << 10)) {
            f.detail = "is next to the stack pointer: the stack ran into its guard (a stack overflow)";
            f.cause = "recursion too deep (or without end), or a very large local array";
        }
#endif
    }
    f.op = access_of(uc);
    void *pc[DEPOT_MAX_FRAMES];
    unsigned depth = options.stack_depth < 1 ? 1 : options.stack_depth < DEPOT_MAX_FRAMES
                                                       ? (unsigned)options.stack_depth : DEPOT_MAX_FRAMES;
    unsigned n = access_stack(uc, pc, depth);
    f.op_stack = n ? store_stack(pc, n) : 0;
    report_finding(&f);
    if (go_on && slots_fault_open(si->si_addr)) { /* retried: it reads the opened page */
        __atomic_store_n(&reporting, 0, __ATOMIC_RELEASE);
        errno = saved_errno;
        return;
    }
    report_summary(false, 0, 0, 0); /* the process ends here: its last line, as at exit */
    if (options.dump_path && options.dump_path[0]) {
        dump_note_end(DUMP_END_SIGNAL);
        dump_write(options.dump_path, NULL);
    }
    die_of(sig, si);
    errno = saved_errno;
}

/* Every thread's alternate stack, from its first allocation (the thread that loads
 * the library: at fault_init) to its exit, when the key's destructor unmaps it.  The
 * key is below PTHREAD_KEY_2NDLEVEL_SIZE, or pthread_setspecific could call malloc:
 * a key above it (a program that made 32 keys before heapcheck loaded) gives the
 * other threads no alternate stack rather than a recursion into malloc. */
#define SETSPECIFIC_NEVER_ALLOCATES 32
__thread __attribute__((tls_model("initial-exec"))) bool fault_thread_ready;
static pthread_key_t altstack_key;
static bool altstack_key_ok, handler_on;

static void release_altstack(void *alt)
{
    stack_t cur;
    if (sigaltstack(NULL, &cur) != 0)
        return;
    if (cur.ss_sp == alt) {
        if (cur.ss_flags & SS_ONSTACK)
            return; /* exiting from a handler on it (pthread_exit): keep it */
        stack_t off = {.ss_sp = NULL, .ss_size = 0, .ss_flags = SS_DISABLE};
        if (sigaltstack(&off, NULL) != 0)
            return;
    }
    os_unmap_meta(alt, ALT_STACK_SIZE); /* ours, and no longer the thread's */
}

/* This thread's alternate stack, unless it has one (the program's own: left alone). */
static void *give_altstack(void)
{
    stack_t old;
    if (sigaltstack(NULL, &old) != 0 || !(old.ss_flags & SS_DISABLE))
        return NULL;
    void *alt = os_map_meta(ALT_STACK_SIZE);
    if (!alt)
        return NULL;
    stack_t ss = {.ss_sp = alt, .ss_size = ALT_STACK_SIZE, .ss_flags = 0};
    if (sigaltstack(&ss, NULL) != 0) {
        os_unmap_meta(alt, ALT_STACK_SIZE);
        return NULL;
    }
    return alt;
}

void fault_thread_start(void)
{
    fault_thread_ready = true;
    if (!handler_on || !altstack_key_ok)
        return;
    void *alt = give_altstack();
    if (alt && pthread_setspecific(altstack_key, alt) != 0)
        release_altstack(alt);
}

bool fault_handler_installed(void)
{
    return __atomic_load_n(&handler_on, __ATOMIC_ACQUIRE) && altstack_key_ok;
}

void fault_init(void)
{
    fault_thread_ready = true;
    if (!options.handle_segv)
        return;
    altstack_key_ok = pthread_key_create(&altstack_key, release_altstack) == 0;
    if (altstack_key_ok && altstack_key >= SETSPECIFIC_NEVER_ALLOCATES) {
        pthread_key_delete(altstack_key);
        altstack_key_ok = false;
    }
    void *alt = give_altstack();
    if (alt && altstack_key_ok)
        pthread_setspecific(altstack_key, alt);
    handler_on = true;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigwrap_claim(&sa);
}
