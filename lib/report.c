/* Report output (see report.h): the report lock, the log file, the error count,
 * and hc_assert_fail.  write(2) only; no stdio, no malloc. */
#define _GNU_SOURCE
#include "internal.h"
#include "report.h"
#include "fmt.h"
#include "options.h"
#include "os.h"
#include "depot.h"
#include "dump.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <sched.h>
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

void report_init(void) { open_log(); }

static void emit(const char *text, size_t len)
{
    os_write_all(2, text, len);
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

void report_finish_error(void)
{
    if (options.abort_on_error) {
        /* The dump now: abort() runs no destructor. */
        if (options.dump_path && options.dump_path[0])
            dump_write(options.dump_path, NULL);
        struct fmt *f = report_begin();
        report_line_start(f);
        fmt_printf(f, "heapcheck: aborting (set HEAPCHECK_OPTIONS=abort_on_error=0 to report and go on)\n");
        report_end();
        abort();
    }
}

void hc_assert_fail(const char *cond, const char *file, int line)
{
    struct fmt *f = report_begin();
    fmt_printf(f, "heapcheck: internal check failed: %s (%s:%d); the heap is damaged beyond "
                  "what heapcheck can report\n", cond, file, line);
    report_end();
    abort();
}

void report_line_start(struct fmt *f) { fmt_printf(f, "==%d== ", report_pid); }

void report_frame(struct fmt *f, unsigned i, void *pc)
{
    Dl_info info;
    report_line_start(f);
    fmt_printf(f, "    #%u %p", i, pc);
    /* pc is a return address: look up pc - 1 so a call at a function's end is named
     * after that function, not the next. */
    if (dladdr((char *)pc - 1, &info) && info.dli_fname) {
        if (info.dli_sname)
            fmt_printf(f, " in %s+0x%zx", info.dli_sname, (size_t)((char *)pc - (char *)info.dli_saddr));
        fmt_printf(f, " (%s+0x%zx)", info.dli_fname, (size_t)((char *)pc - (char *)info.dli_fbase));
    }
    fmt_printf(f, "\n");
}

void report_stack(struct fmt *f, uint32_t id)
{
    unsigned n;
    void *const *frames = depot_get(id, &n);
    if (!n) {
        report_line_start(f);
        fmt_printf(f, "    (no stack recorded)\n");
    }
    for (unsigned i = 0; i < n; i++)
        report_frame(f, i, frames[i]);
}

/* Flush the report buffer mid-report, for reports longer than it (the leak report). */
void report_flush(void)
{
    emit(fmt_text(&out), fmt_length(&out));
    fmt_init(&out, buf, sizeof buf);
}
