/* Call-stack capture (see stack.h).  The walk reads [fp] (the caller's frame
 * pointer) and [fp + 8] (the return address) and only while fp lies strictly above
 * the previous frame and below the thread's stack top: those words are mapped.
 * The stack top: __libc_stack_end for the main thread; pthread_getattr_np for the
 * others, once per thread (it may call malloc: the re-entrant call records no
 * stack, which the guard below ensures). */
#define _GNU_SOURCE
#include "internal.h"
#include "stack.h"
#include "depot.h"
#include "vg.h"

#ifdef HAVE_LIBUNWIND
#define UNW_LOCAL_ONLY
#include <libunwind.h>
#endif
#include "os.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

extern void *__libc_stack_end;

static __thread __attribute__((tls_model("initial-exec"))) uintptr_t stack_top;
static __thread __attribute__((tls_model("initial-exec"))) bool finding_top;

static uintptr_t thread_stack_top(void)
{
    if (HC_LIKELY(stack_top))
        return stack_top;
    if (finding_top)
        return 0;
    if (syscall(SYS_gettid) == getpid()) {
        /* The main thread: arguments and environment lie above __libc_stack_end, still
         * in the stack mapping; stop at it all the same. */
        stack_top = (uintptr_t)__libc_stack_end;
        return stack_top;
    }
    finding_top = true;
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        void *addr;
        size_t size;
        if (pthread_attr_getstack(&attr, &addr, &size) == 0)
            stack_top = (uintptr_t)addr + size;
        pthread_attr_destroy(&attr);
    }
    finding_top = false;
    return stack_top;
}

unsigned stack_unwind(void *fp, void **out, unsigned max)
{
    if (max == 0)
        return 0;
    uintptr_t top = thread_stack_top();
    uintptr_t f = (uintptr_t)fp;
    unsigned n = 0;
    /* The first frame (the allocator's entry point) was built with a frame pointer. */
    out[n++] = ((void **)f)[1];
    while (n < max && top) {
        uintptr_t next = ((uintptr_t *)f)[0];
        if (next <= f || next > top - 2 * sizeof(void *) || next % sizeof(void *))
            break;
        void *ret = ((void **)next)[1];
        if ((uintptr_t)ret < 4096)
            break;
        out[n++] = ret;
        f = next;
    }
    return n;
}

#ifdef HAVE_LIBUNWIND
static __thread __attribute__((tls_model("initial-exec"))) bool unwinding;

unsigned stack_unwind_dwarf(void *fp, void **out, unsigned max)
{
    /* libunwind may allocate on first use: such a nested call unwinds by frame
     * pointers. */
    if (unwinding || max == 0)
        return stack_unwind(fp, out, max);
    /* Enough for heapcheck's own frames (a few) and max of the program's: a deeper
     * walk would cost a lookup per frame for nothing. */
    void *buf[DEPOT_MAX_FRAMES + 16];
    int want = (int)max + 16;
    unwinding = true;
    int n = unw_backtrace(buf, want < (int)(sizeof buf / sizeof buf[0]) ? want : (int)(sizeof buf / sizeof buf[0]));
    unwinding = false;
    /* Drop heapcheck's own frames: the program's stack starts at the entry point's
     * return address. */
    void *first = ((void **)fp)[1];
    for (int i = 0; i < n; i++) {
        if (buf[i] != first)
            continue;
        unsigned k = 0;
        for (; k < max && i + (int)k < n; k++)
            out[k] = buf[i + k];
        return k;
    }
    return stack_unwind(fp, out, max);
}

/* glibc's __restore_rt on x86-64: mov $15 (rt_sigreturn), %rax; syscall. */
static bool is_sigreturn(const void *pc)
{
    static const unsigned char code[] = {0x48, 0xc7, 0xc0, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05};
    uintptr_t a = (uintptr_t)pc;
    if (a < 4096 || (a & 4095) > 4096 - sizeof code) /* all of it in pc's (mapped) page */
        return false;
    return memcmp(pc, code, sizeof code) == 0;
}

bool stack_in_signal_handler(void)
{
    stack_t ss;
    if (sigaltstack(NULL, &ss) == 0 && (ss.ss_flags & SS_ONSTACK))
        return true;
    void *buf[256];
    unwinding = true; /* a malloc of libunwind's: frame pointers */
    vg_enter();       /* libunwind's validation writes stack words to its pipe */
    int n = unw_backtrace(buf, (int)(sizeof buf / sizeof buf[0]));
    vg_leave();
    unwinding = false;
    if (n <= 0)
        return true;
    for (int i = 0; i < n; i++)
        if (is_sigreturn(buf[i]))
            return true;
    return false;
}

/* libunwind (1.6) validates the memory it reads with a pipe of its own: at its
 * first use it opens one (pipe2, the two lowest free numbers: 3 and 4, or 4 and 5
 * beside our stderr), and at each page it has not validated yet it reads a byte
 * from one end and writes one from the address to the other.  A program that
 * closes its descriptors and reuses the numbers (gnulib's spawn-pipe tests) then
 * has libunwind block reading the program's pipe, or write into it; a child
 * started with fd 2 closed gets the pipe as its stderr.  The pipe's numbers live in
 * libunwind's private storage, so it is the pipe2 that libunwind calls which moves
 * them high (os_fd_high; O_NONBLOCK belongs to the open file, so the copies keep
 * it): pipe2 is interposed, and a call whose return address lies in libunwind's
 * module or in ours (the snapshot trigger's pipe; libunwind linked in statically)
 * gets high numbers.
 * Every other caller gets the system call as it is.  When the program closes them
 * (closefrom), libunwind's next read fails with EBADF and it opens a new pipe,
 * through here again. */
static __attribute__((unused)) bool called_by_unwinder(const void *ret)
{
    static void *unwinder_base, *own_base; /* neither module is ever unloaded */
    Dl_info info;
    if (!unwinder_base && dladdr((const void *)unw_backtrace, &info))
        unwinder_base = info.dli_fbase;
    if (!own_base && dladdr((const void *)stack_unwind, &info))
        own_base = info.dli_fbase;
    return dladdr(ret, &info) && info.dli_fbase &&
           (info.dli_fbase == unwinder_base || info.dli_fbase == own_base);
}

#else
unsigned stack_unwind_dwarf(void *fp, void **out, unsigned max)
{
    return stack_unwind(fp, out, max);
}

static __attribute__((unused)) bool called_by_unwinder(const void *ret)
{
    (void)ret;
    return false;
}

bool stack_in_signal_handler(void)
{
    return true; /* without libunwind's signal-frame steps it cannot be told */
}
#endif

#ifndef HC_NO_STANDARD_NAMES
__attribute__((visibility("default"))) int pipe2(int fds[2], int flags)
{
    long r = syscall(SYS_pipe2, fds, flags);
    if (r == 0 && called_by_unwinder(__builtin_return_address(0))) {
        int saved = errno;
        fds[0] = os_fd_high(fds[0]);
        fds[1] = os_fd_high(fds[1]);
        errno = saved;
    }
    return (int)r;
}
#endif

