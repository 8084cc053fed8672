/* Report output (see report.h): the report lock, the log file, the error count,
 * and hc_assert_fail.  write(2) only; no stdio, no malloc. */
#define _GNU_SOURCE
#include "internal.h"
#include "report.h"
#include "fmt.h"
#include "options.h"
#include "os.h"
#include "depot.h"
#include "symbols.h"
#include "finding_text.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

static int report_lock;
static size_t errors;
static struct os_fd log_file = {-1, 0, 0};
static int log_pid;
static char buf[8192];
static struct fmt out;

static void lock_reports(void)
{
    while (__atomic_exchange_n(&report_lock, 1, __ATOMIC_ACQUIRE))
        sched_yield();
}

static void unlock_reports(void) { __atomic_store_n(&report_lock, 0, __ATOMIC_RELEASE); }

void report_after_fork(void) { __atomic_store_n(&report_lock, 0, __ATOMIC_RELAXED); }

/* A log file that cannot be opened or written: said once, on stderr. */
static void log_trouble(const char *what, const char *path, const char *why)
{
    char text[1400];
    struct fmt f;
    fmt_init(&f, text, sizeof text);
    fmt_printf(&f, "heapcheck: warning: cannot %s the log file %s (log_path): %s; reports go to stderr only\n",
               what, path, why);
    os_write_all(2, fmt_text(&f), fmt_length(&f));
}

/* Open PATH.PID (os_open_output: no FIFO, device, link or other user's file; a high
 * descriptor); again after a fork, and when the program closed ours. */
static void open_log(void)
{
    if (!options.log_path || !options.log_path[0])
        return;
    int pid = os_getpid();
    if (log_pid == pid && (log_file.fd < 0 || os_fd_same(&log_file)))
        return; /* opened, or tried and warned, in this process */
    /* Inherited from the parent, or closed by the program (whose file may now have
     * the number: it is not ours to close). */
    os_fd_release(&log_file);
    char name[1200];
    struct fmt f;
    fmt_init(&f, name, sizeof name);
    fmt_printf(&f, "%s.%d", options.log_path, pid);
    const char *why;
    int fd = os_open_output(fmt_text(&f), false, &why);
    bool again = log_pid == pid; /* reopened: it was warned about if it failed before */
    log_pid = pid;
    if (fd < 0 || !os_fd_keep(&log_file, fd)) {
        os_close(fd);
        log_file.fd = -1;
        if (!again)
            log_trouble("open", fmt_text(&f), fd < 0 ? why : "cannot examine it");
    }
}

/* A private duplicate of stderr as it was at start, so a program that closes or
 * redirects fd 2 (sort closes it) loses no report.  It lives high in the table
 * (os_fd_high): a program that closes its descriptors and reuses the numbers never
 * meets it.  Its identity is kept: once the program closed it (closefrom, a close
 * loop), it is never written to again (the number may be the program's file now):
 * a new duplicate of fd 2 is taken if fd 2 is still the original stderr, else the
 * reports go to fd 2 as it is. */
static struct os_fd err = {-1, 0, 0};
static uint64_t err_dev, err_ino; /* the original stderr */
static bool err_known;

static void keep_stderr(void)
{
    if (err.fd >= 0)
        return;
    int fd = os_fd_high(fcntl(2, F_DUPFD_CLOEXEC, 3));
    if (fd >= 0 && !os_fd_keep(&err, fd))
        os_close(fd);
    if (err.fd >= 0 && !err_known) {
        err_dev = err.dev;
        err_ino = err.ino;
        err_known = true;
    }
}

/* At load, before main: the program may close fd 2 before its first malloc. */
__attribute__((constructor)) static void keep_stderr_at_load(void) { keep_stderr(); }

void report_init(void)
{
    keep_stderr();
    open_log();
}

/* Where stderr's reports go: our duplicate while it is ours; else a new duplicate of
 * fd 2 if fd 2 is still the original stderr; else fd 2 unless it is a regular file
 * other than the original (a file the program opened on a number it freed: never
 * written into); -1: nowhere (the log file and the dump still get the report). */
static int stderr_fd(void)
{
    if (err.fd >= 0 && os_fd_same(&err))
        return err.fd;
    err.fd = -1; /* closed by the program: forgotten, never closed by us */
    struct stat st;
    int saved = errno, got = fstat(2, &st);
    errno = saved;
    if (got != 0)
        return -1;
    if (err_known && (uint64_t)st.st_dev == err_dev && (uint64_t)st.st_ino == err_ino) {
        keep_stderr();
        return err.fd >= 0 ? err.fd : 2;
    }
    return S_ISREG(st.st_mode) ? -1 : 2;
}

static void emit(const char *text, size_t len)
{
    int fd = stderr_fd();
    if (fd >= 0)
        os_write_all(fd, text, len);
    open_log();
    int failed = log_file.fd >= 0 ? os_write_all(log_file.fd, text, len) : 0;
    if (failed) { /* a full disk: warn once, then stderr only */
        char name[1200];
        struct fmt f;
        fmt_init(&f, name, sizeof name);
        fmt_printf(&f, "%s.%d", options.log_path, log_pid);
        log_trouble("write", fmt_text(&f), os_error_text(failed));
        os_fd_release(&log_file); /* open_log does not try again in this process */
    }
}

static int report_pid;

struct fmt *report_begin(void)
{
    lock_reports();
    report_pid = os_getpid();
    fmt_init(&out, buf, sizeof buf);
    return &out;
}

struct fmt *report_try_begin(void)
{
    for (int tries = 0; __atomic_exchange_n(&report_lock, 1, __ATOMIC_ACQUIRE); tries++) {
        if (tries == 1000)
            return NULL;
        sched_yield();
    }
    report_pid = os_getpid();
    fmt_init(&out, buf, sizeof buf);
    return &out;
}

void report_end(void)
{
    emit(fmt_text(&out), fmt_length(&out));
    unlock_reports();
}

void report_discard(void) { unlock_reports(); }

void report_warning(const char *line)
{
    if (options.verbosity < 1)
        return;
    struct fmt *f = report_begin();
    fmt_printf(f, "%s", line);
    report_end();
}

void report_heap_problem(const char *what, const void *where)
{
    __atomic_fetch_add(&errors, 1, __ATOMIC_RELAXED);
    struct fmt *f = report_begin();
    fmt_printf(f, "heapcheck: heap corruption: %s", what);
    if (where)
        fmt_printf(f, " at %p", where);
    fmt_printf(f, "\n");
    report_end();
}

void report_count_error(void) { __atomic_fetch_add(&errors, 1, __ATOMIC_RELAXED); }

size_t report_error_count(void) { return __atomic_load_n(&errors, __ATOMIC_RELAXED); }

void hc_assert_fail(const char *cond, const char *file, int line)
{
    struct fmt *f = report_begin();
    fmt_printf(f, "heapcheck: internal check failed: %s (%s:%d); the heap is damaged beyond "
                  "what heapcheck can report\n", cond, file, line);
    report_end();
    abort();
}

void report_line_start(struct fmt *f) { fmt_printf(f, "==%d== ", report_pid); }

/* One return address: its frames, inlined ones first, each numbered in turn as ASan
 * numbers them, in finding_text.c's frame format (the tool's too):
 *   #N 0xPC in FUNCTION FILE:LINE (MODULE+0xOFFSET)  */
void report_frame(struct fmt *f, unsigned *index, void *pc)
{
    struct sym_answer a[SYM_MAX_INLINED];
    unsigned n = symbols_lookup(pc, a, SYM_MAX_INLINED);
    const char *path = NULL;
    uintptr_t offset = 0;
    bool module = symbols_module(pc, &path, &offset);
    for (unsigned k = 0; k < (n ? n : 1); k++) {
        report_line_start(f);
        finding_frame(f, (*index)++, (uintptr_t)pc, n ? a[k].function : NULL, n && a[k].has_offset,
                      n ? a[k].fn_offset : 0, n ? a[k].file : NULL, n ? a[k].line : 0,
                      module ? path : NULL, offset);
    }
}

void report_stack(struct fmt *f, uint32_t id)
{
    unsigned n;
    void *const *frames = depot_get(id, &n);
    if (!n) {
        report_line_start(f);
        fmt_printf(f, "    (no stack recorded)\n");
    }
    unsigned index = 0;
    for (unsigned i = 0; i < n; i++) {
        report_frame(f, &index, frames[i]);
        if (fmt_length(f) > sizeof buf - 1024)
            report_flush();
    }
}

void report_stack_brief(struct fmt *f, uint32_t id)
{
    unsigned n;
    void *const *frames = depot_get(id, &n);
    for (unsigned i = 0; i < n; i++) {
        struct sym_answer a[SYM_MAX_INLINED];
        const char *path;
        uintptr_t offset;
        if (!symbols_module(frames[i], &path, &offset))
            continue;
        unsigned k = symbols_lookup(frames[i], a, SYM_MAX_INLINED);
        for (unsigned j = 0; j < k; j++) { /* an inlined frame too, not a system header's (getline) */
            if (finding_frame_is_program(path, a[j].file)) {
                finding_where(f, a[j].function, a[j].file, a[j].line, NULL, 0);
                return;
            }
        }
    }
    const char *path;
    uintptr_t offset;
    if (n && symbols_module(frames[0], &path, &offset))
        finding_where(f, NULL, NULL, 0, path, offset);
}

/* Flush the report buffer mid-report, for reports longer than it (the leak report). */
void report_flush(void)
{
    emit(fmt_text(&out), fmt_length(&out));
    fmt_init(&out, buf, sizeof buf);
}
