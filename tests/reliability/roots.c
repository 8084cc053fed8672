/* Leak-check roots that a scan of /proc and the stacks alone misses.  Each case keeps
 * its blocks reachable in one hard place, leaks one 13-byte block on purpose (so the
 * leak check is shown to run and to find a real leak), then exits while the hard
 * place is live.  A correct leak check reports exactly "definitely lost: 13 bytes in
 * 1 blocks" and nothing possibly lost (static_alt: the 555-byte block still
 * reachable; a stale copy of the 13-byte block's address may survive in the signal
 * frame there).  Usage: roots CASE
 *   reader       a 4096-byte block held only in a callee-saved register (rbx) of a
 *                thread blocked in read() (x86-64; elsewhere exit 77)
 *   altstack     a block held only on the normal stack of a thread that sits in a
 *                signal handler running on an alternate signal stack
 *   static_alt   exit() from a signal handler on an alternate stack that is a static
 *                array; the block is held only in a global
 *   exit_thread  threads allocate and free, all reachable from globals, while one of
 *                them calls exit() */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static void *(*volatile do_malloc)(size_t) = malloc;
static void (*volatile do_free)(void *) = free;

static void leak_13(void)
{
    void *volatile p = do_malloc(13);
    p = NULL;
    (void)p;
}

/* Wait until thread tid is blocked in system call nr (as /proc shows it). */
static void wait_in_syscall(pid_t tid, int nr)
{
    char path[64], text[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/syscall", (int)tid);
    for (int i = 0; i < 10000; i++) {
        FILE *f = fopen(path, "r");
        int got = -1;
        if (f) {
            if (fgets(text, sizeof text, f))
                got = atoi(text);
            fclose(f);
        }
        if (got == nr && text[0] != 'r')
            return;
        usleep(1000);
    }
    fprintf(stderr, "roots: thread %d never blocked in syscall %d\n", (int)tid, nr);
    exit(99);
}

#if defined(__x86_64__)
/* reader_body(fd, malloc): rbx = malloc(4096), wipe every other copy of the pointer
 * (caller-saved registers, the dead frames below the stack pointer), then read(fd)
 * with a raw system call.  Only rbx holds the block while the thread blocks. */
void reader_body(int fd, void *(*m)(size_t));
__asm__(".text\n"
        ".globl reader_body\n"
        "reader_body:\n"
        "  push %rbx\n"
        "  push %r12\n"
        "  sub $8, %rsp\n"
        "  mov %edi, %r12d\n"
        "  mov $4096, %edi\n"
        "  call *%rsi\n"
        "  mov %rax, %rbx\n"
        "  lea -2048(%rsp), %rdi\n" /* zero 2 KiB below the stack pointer */
        "  xor %eax, %eax\n"
        "  mov $256, %ecx\n"
        "  rep stosq\n"
        "  xor %ecx, %ecx\n xor %edx, %edx\n xor %esi, %esi\n xor %r8d, %r8d\n"
        "  xor %r9d, %r9d\n xor %r10d, %r10d\n xor %r11d, %r11d\n"
        "  mov %r12d, %edi\n"
        "  mov %rsp, %rsi\n"
        "  mov $1, %edx\n"
        "  xor %eax, %eax\n" /* SYS_read */
        "  syscall\n"
        "  mov %rbx, %rdi\n"
        "  call *free@GOTPCREL(%rip)\n"
        "  add $8, %rsp\n"
        "  pop %r12\n"
        "  pop %rbx\n"
        "  ret\n");

static int reader_fd;
static volatile pid_t reader_tid;

static void *reader(void *arg)
{
    (void)arg;
    reader_tid = (pid_t)syscall(SYS_gettid);
    reader_body(reader_fd, malloc);
    return NULL;
}

static int case_reader(void)
{
    int fds[2];
    pthread_t t;
    if (pipe(fds) != 0)
        return 99;
    reader_fd = fds[0];
    pthread_create(&t, NULL, reader, NULL);
    while (!reader_tid)
        usleep(1000);
    wait_in_syscall(reader_tid, SYS_read);
    leak_13();
    exit(0);
}
#else
static int case_reader(void) { return 77; }
#endif

/* A thread in a handler on its alternate stack; its block is on its normal stack. */
static volatile pid_t alt_tid;
static volatile int in_handler;

static void park(int sig)
{
    (void)sig;
    in_handler = 1;
    char c;
    int fds[2];
    if (pipe(fds) == 0)
        (void)!read(fds[0], &c, 1); /* forever */
}

static void *alt_thread(void *arg)
{
    (void)arg;
    void *volatile keep = do_malloc(777);
    stack_t ss = {.ss_size = 65536, .ss_flags = 0};
    ss.ss_sp = mmap(NULL, ss.ss_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    sigaltstack(&ss, NULL);
    struct sigaction sa = {.sa_handler = park, .sa_flags = SA_ONSTACK};
    sigaction(SIGUSR1, &sa, NULL);
    alt_tid = (pid_t)syscall(SYS_gettid);
    pthread_kill(pthread_self(), SIGUSR1);
    do_free(keep);
    return NULL;
}

static int case_altstack(void)
{
    pthread_t t;
    pthread_create(&t, NULL, alt_thread, NULL);
    while (!in_handler)
        usleep(1000);
    wait_in_syscall(alt_tid, SYS_read);
    leak_13();
    exit(0);
}

/* exit() from a handler on a static alternate stack: the globals must be scanned. */
static struct {
    char pad[8192]; /* past the page that the program's file maps */
    void *block;    /* a global right below the alternate stack, in the same mapping */
    char stack[1 << 16] __attribute__((aligned(16)));
} area;

static void exit_here(int sig)
{
    (void)sig;
    exit(0);
}

/* Dead frames keep stale copies of pointers; a scan that reads a whole stack must not
 * find the block there by chance. */
static __attribute__((noinline)) void wipe_stack(void)
{
    char big[1 << 18];
    explicit_bzero(big, sizeof big);
    __asm__ volatile("" : : "r"(big) : "memory");
}

static __attribute__((noinline)) void allocate_global(void)
{
    area.block = do_malloc(555);
    leak_13();
}

static int case_static_alt(void)
{
    allocate_global();
    wipe_stack();
    stack_t ss = {.ss_sp = area.stack, .ss_size = sizeof area.stack, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    struct sigaction sa = {.sa_handler = exit_here, .sa_flags = SA_ONSTACK};
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    return 1;
}

/* Allocating threads, all blocks reachable from globals; one thread calls exit(). */
#define THREADS 4
#define SLOTS 64
static void *volatile slots[THREADS][SLOTS];

static void *churn(void *arg)
{
    long id = (long)arg;
    unsigned seed = (unsigned)id * 7919u + 1;
    for (long i = 0;; i++) {
        seed = seed * 1103515245u + 12345u;
        unsigned k = (seed >> 8) % SLOTS;
        void *old = slots[id][k];
        slots[id][k] = do_malloc(16 + (seed >> 20) % 2000);
        do_free(old);
        if (id == 0 && i == 2000)
            exit(0);
    }
    return NULL;
}

static int case_exit_thread(void)
{
    leak_13();
    pthread_t t[THREADS];
    for (long i = 1; i < THREADS; i++)
        pthread_create(&t[i], NULL, churn, (void *)i);
    churn((void *)0);
    return 1;
}

int main(int argc, char **argv)
{
    const char *which = argc > 1 ? argv[1] : "";
    if (!strcmp(which, "reader"))
        return case_reader();
    if (!strcmp(which, "altstack"))
        return case_altstack();
    if (!strcmp(which, "static_alt"))
        return case_static_alt();
    if (!strcmp(which, "exit_thread"))
        return case_exit_thread();
    fprintf(stderr, "usage: roots reader|altstack|static_alt|exit_thread\n");
    return 2;
}
