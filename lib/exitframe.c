/* Where the thread that ends the process left its own code (see exitframe.h), so
 * that the leak check at exit scans that thread's stack only where the program can
 * still reach it.
 *
 * The check runs from a destructor, called by exit() through __run_exit_handlers
 * and _dl_fini: several frames below the code that called exit().  The stack between
 * is dead, and it holds what the program's deeper calls left there (printf's copy of
 * a string pointer the program has since dropped), so scanning it counted leaked
 * blocks as reachable.  memcheck scans only above the stack pointer; LeakSanitizer
 * checks from an atexit hook.  Here:
 *  - exit() is interposed by an assembly stub that saves the caller's callee-saved
 *    registers, notes them and the caller's stack pointer, and jumps to libc's exit
 *    in its own place: no heapcheck frame is left on the stack for the exit handlers'
 *    stacks to show.
 *  - a return from main is seen through __libc_start_main, interposed the same way:
 *    main is entered through a stub that notes the stack slot of main's return
 *    address and jumps to main (again no frame).  When libc's start code calls exit()
 *    after main returned, that slot holds another return address; the live stack is
 *    then what is above it (libc's start code: nothing of the program's).  While the
 *    slot still holds main's return address, main has not returned (libc itself
 *    called exit: error(), say) and the scan starts at the destructor's frame, as
 *    before.
 * Each stub starts with endbr64 (a no-op without CET), as it is reached by an indirect
 * jump or call.  x86-64 only (elsewhere nothing is noted); not in the internal
 * library, whose unit tests keep libc's names. */
#define _GNU_SOURCE
#include "internal.h"
#include "exitframe.h"

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__) && !defined(HC_NO_STANDARD_NAMES)
#include <dlfcn.h>

#define HIDDEN __attribute__((visibility("hidden")))

/* Read by the stubs below. */
HIDDEN void *hc_real_exit;
HIDDEN void *hc_program_main;
HIDDEN uintptr_t hc_main_entry_sp; /* the slot of main's return address */
HIDDEN uintptr_t hc_main_return;   /* the return address found there */

HIDDEN void hc_exit_note(const uintptr_t *saved);
HIDDEN void *hc_start_resolve(void);

static long noted_tid; /* the thread whose exit() call is noted (-1: being noted) */
static struct exit_frame noted;

static void *next_symbol(const char *name)
{
    void *f = dlsym(RTLD_NEXT, name); /* may allocate: served as any other malloc */
    if (!f) {
        static const char msg[] = "heapcheck: no libc function after heapcheck's own; exiting\n";
        (void)!write(2, msg, sizeof msg - 1);
        _exit(127);
    }
    return f;
}

/* saved: rdi (the status), rbx, rbp, r12, r13, r14, r15 as the stub pushed them,
 * then the return address into exit()'s caller. */
HIDDEN void hc_exit_note(const uintptr_t *saved)
{
    if (!__atomic_load_n(&hc_real_exit, __ATOMIC_ACQUIRE))
        __atomic_store_n(&hc_real_exit, next_symbol("exit"), __ATOMIC_RELEASE);
    long none = 0;
    if (!__atomic_compare_exchange_n(&noted_tid, &none, -1, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return; /* another thread called exit() first: its frame is the one */
    noted.nregs = 6;
    for (size_t i = 0; i < 6; i++)
        noted.regs[i] = saved[1 + i];
    noted.stack_lo = (uintptr_t)(saved + 8); /* the caller's frame */
    __atomic_store_n(&noted_tid, (long)syscall(SYS_gettid), __ATOMIC_RELEASE);
}

/* The entry point of the program's exit(): note, then jump to libc's exit with the
 * stack and registers as the caller left them. */
__asm__(".text\n"
        ".globl exit\n"
        ".type exit, @function\n"
        "exit:\n"
        "  .cfi_startproc\n"
        "  endbr64\n"
        "  push %r15\n  .cfi_adjust_cfa_offset 8\n"
        "  push %r14\n  .cfi_adjust_cfa_offset 8\n"
        "  push %r13\n  .cfi_adjust_cfa_offset 8\n"
        "  push %r12\n  .cfi_adjust_cfa_offset 8\n"
        "  push %rbp\n  .cfi_adjust_cfa_offset 8\n"
        "  push %rbx\n  .cfi_adjust_cfa_offset 8\n"
        "  push %rdi\n  .cfi_adjust_cfa_offset 8\n"
        "  mov %rsp, %rdi\n"
        "  call hc_exit_note\n"
        "  pop %rdi\n  .cfi_adjust_cfa_offset -8\n"
        "  add $48, %rsp\n  .cfi_adjust_cfa_offset -48\n"
        "  jmp *hc_real_exit(%rip)\n"
        "  .cfi_endproc\n"
        ".size exit, .-exit\n");

/* main's entry: note where its return address lies, then become main. */
__asm__(".text\n"
        ".type hc_main_stub, @function\n"
        "hc_main_stub:\n"
        "  .cfi_startproc\n"
        "  endbr64\n"
        "  mov %rsp, hc_main_entry_sp(%rip)\n"
        "  mov (%rsp), %rax\n"
        "  mov %rax, hc_main_return(%rip)\n"
        "  jmp *hc_program_main(%rip)\n"
        "  .cfi_endproc\n"
        ".size hc_main_stub, .-hc_main_stub\n");

/* Returns libc's __libc_start_main (and resolves exit while the process is young). */
HIDDEN void *hc_start_resolve(void)
{
    if (!hc_real_exit)
        hc_real_exit = next_symbol("exit");
    return next_symbol("__libc_start_main");
}

/* __libc_start_main(main, argc, argv, init, fini, rtld_fini, stack_end): main
 * replaced by the stub, the rest passed on as they came. */
__asm__(".text\n"
        ".globl __libc_start_main\n"
        ".type __libc_start_main, @function\n"
        "__libc_start_main:\n"
        "  .cfi_startproc\n"
        "  endbr64\n"
        "  push %rdi\n  .cfi_adjust_cfa_offset 8\n"
        "  push %rsi\n  .cfi_adjust_cfa_offset 8\n"
        "  push %rdx\n  .cfi_adjust_cfa_offset 8\n"
        "  push %rcx\n  .cfi_adjust_cfa_offset 8\n"
        "  push %r8\n  .cfi_adjust_cfa_offset 8\n"
        "  push %r9\n  .cfi_adjust_cfa_offset 8\n"
        "  sub $8, %rsp\n  .cfi_adjust_cfa_offset 8\n"
        "  call hc_start_resolve\n"
        "  add $8, %rsp\n  .cfi_adjust_cfa_offset -8\n"
        "  pop %r9\n  .cfi_adjust_cfa_offset -8\n"
        "  pop %r8\n  .cfi_adjust_cfa_offset -8\n"
        "  pop %rcx\n  .cfi_adjust_cfa_offset -8\n"
        "  pop %rdx\n  .cfi_adjust_cfa_offset -8\n"
        "  pop %rsi\n  .cfi_adjust_cfa_offset -8\n"
        "  pop %rdi\n  .cfi_adjust_cfa_offset -8\n"
        "  mov %rdi, hc_program_main(%rip)\n"
        "  lea hc_main_stub(%rip), %rdi\n"
        "  jmp *%rax\n"
        "  .cfi_endproc\n"
        ".size __libc_start_main, .-__libc_start_main\n");

bool exit_frame_get(struct exit_frame *f)
{
    long tid = (long)syscall(SYS_gettid);
    if (__atomic_load_n(&noted_tid, __ATOMIC_ACQUIRE) == tid) {
        *f = noted;
        return true;
    }
    /* main returned (its return address slot was reused: libc's start code called
     * exit), and this is the main thread on its own stack. */
    stack_t ss;
    if (!hc_main_entry_sp || tid != getpid() || (sigaltstack(NULL, &ss) == 0 && (ss.ss_flags & SS_ONSTACK)))
        return false;
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    if (here >= hc_main_entry_sp || *(volatile uintptr_t *)hc_main_entry_sp == hc_main_return)
        return false;
    f->stack_lo = hc_main_entry_sp + sizeof(uintptr_t);
    f->nregs = 0;
    return true;
}
#else
bool exit_frame_get(struct exit_frame *f)
{
    (void)f;
    return false;
}
#endif
