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
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

static int report_lock;
static size_t errors;
static int log_fd = -1;
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

/* Open PATH.PID (os_open_output: no FIFO, device, link or other user's file); again
 * after a fork. */
static void open_log(void)
{
    if (!options.log_path || !options.log_path[0])
        return;
    int pid = os_getpid();
    if (log_pid == pid)
        return; /* opened, or tried and warned, in this process */
    if (log_fd >= 0)
        close(log_fd);
    char name[1200];
    struct fmt f;
    fmt_init(&f, name, sizeof name);
    fmt_printf(&f, "%s.%d", options.log_path, pid);
    const char *why;
    log_fd = os_open_output(fmt_text(&f), false, &why);
    log_pid = pid;
    if (log_fd < 0)
        log_trouble("open", fmt_text(&f), why);
}

/* A private duplicate of stderr as it was at start, so a program that closes or
 * redirects fd 2 (sort closes it) loses no report.  Its identity is kept: a program
 * that closed it and opened another file under its number gets fd 2 instead. */
static int err_fd = -1;
static dev_t err_dev;
static ino_t err_ino;

static void keep_stderr(void)
{
    if (err_fd >= 0)
        return;
    struct stat st;
    int fd = fcntl(2, F_DUPFD_CLOEXEC, 3);
    if (fd >= 0 && fstat(fd, &st) == 0) {
        err_fd = fd;
        err_dev = st.st_dev;
        err_ino = st.st_ino;
    } else if (fd >= 0) {
        close(fd);
    }
}

/* At load, before main: the program may close fd 2 before its first malloc. */
__attribute__((constructor)) static void keep_stderr_at_load(void) { keep_stderr(); }

void report_init(void)
{
    keep_stderr();
    open_log();
}

static int stderr_fd(void)
{
    struct stat st;
    if (err_fd >= 0 && fstat(err_fd, &st) == 0 && st.st_dev == err_dev && st.st_ino == err_ino)
        return err_fd;
    return 2;
}

static void emit(const char *text, size_t len)
{
    os_write_all(stderr_fd(), text, len);
    open_log();
    int err = log_fd >= 0 ? os_write_all(log_fd, text, len) : 0;
    if (err) { /* a full disk: warn once, then stderr only */
        char name[1200];
        struct fmt f;
        fmt_init(&f, name, sizeof name);
        fmt_printf(&f, "%s.%d", options.log_path, log_pid);
        log_trouble("write", fmt_text(&f), os_error_text(err));
        close(log_fd);
        log_fd = -1; /* open_log does not try again in this process */
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
