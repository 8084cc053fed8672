/* The operating system behind a few calls (see os.h).  Raw system calls only:
 * no stdio, no malloc, safe to call with the heap lock held. */
#define _GNU_SOURCE
#include "internal.h"
#include "os.h"
#include "fmt.h"
#include "vg.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

size_t os_page_size(void)
{
    static size_t page;
    if (!page)
        page = (size_t)sysconf(_SC_PAGESIZE);
    return page;
}

void *os_map(size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void os_unmap(void *p, size_t len)
{
    int saved = errno;
    munmap(p, len);
    errno = saved;
}

void *os_reserve(size_t len)
{
    void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

bool os_open_pages(void *p, size_t len)
{
    int saved = errno;
    bool ok = mprotect(p, len, PROT_READ | PROT_WRITE) == 0;
    errno = saved;
    return ok;
}

void os_close_pages(void *p, size_t len)
{
    int saved = errno;
    /* A fresh mapping over the old one: no access, and the pages are given back in
     * the same call. */
    if (mmap(p, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) == MAP_FAILED)
        mprotect(p, len, PROT_NONE);
    errno = saved;
}

size_t os_address_space_limit(void)
{
    struct rlimit rl;
    int saved = errno;
    bool limited = getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < SIZE_MAX;
    errno = saved;
    return limited ? (size_t)rl.rlim_cur : SIZE_MAX;
}

void os_hide_pages(void *p, size_t len)
{
    int saved = errno;
    mprotect(p, len, PROT_NONE);
    errno = saved;
}

void *os_sbrk(intptr_t delta)
{
    int saved = errno;
    void *old = sbrk(delta);
    errno = saved;
    return old == (void *)-1 ? NULL : old;
}

void *os_brk_now(void)
{
    return sbrk(0);
}

void os_discard(void *p, size_t len)
{
    int saved = errno;
    madvise(p, len, MADV_DONTNEED);
    errno = saved;
}

void os_random(void *buf, size_t len)
{
    int saved = errno;
    unsigned char *out = buf;
    size_t got = 0;
    while (got < len) {
        ssize_t n = getrandom(out + got, len - got, GRND_NONBLOCK);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (got < len) {
        /* No entropy source (very old kernel or seccomp): mix what differs per run. */
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^
                     (uint64_t)(uintptr_t)&ts ^ ((uint64_t)getpid() << 16);
        for (; got < len; got++) {
            x ^= x >> 33;
            x *= 0xff51afd7ed558ccdULL;
            x ^= x >> 29;
            out[got] = (unsigned char)x;
        }
    }
    errno = saved;
}

int os_write_all(int fd, const char *buf, size_t len)
{
    int saved = errno, err = 0;
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            err = n < 0 ? errno : ENOSPC;
            break;
        }
        buf += n;
        len -= (size_t)n;
    }
    errno = saved;
    return err;
}

const char *os_error_text(int err)
{
    if (err == ENXIO)
        return "a FIFO or socket with no reader, not a regular file";
    const char *text = strerrordesc_np(err); /* static text: no malloc, unlike strerror's unknowns */
    return text ? text : "unknown error";
}

int os_open_output(const char *path, bool truncate, const char **why)
{
    int saved = errno;
    /* O_NONBLOCK: opening a FIFO must not wait for a reader; O_NOFOLLOW: a planted
     * symbolic link is refused; nothing is truncated before the checks. */
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
    if (fd < 0) {
        *why = os_error_text(errno);
        errno = saved;
        return -1;
    }
    struct stat st;
    *why = NULL;
    if (fstat(fd, &st) != 0)
        *why = os_error_text(errno);
    else if (!S_ISREG(st.st_mode))
        *why = "not a regular file (a FIFO, a device or a socket)";
    else if (st.st_uid != geteuid())
        *why = "owned by another user";
    else if (st.st_nlink != 1)
        *why = "a regular file with other hard links";
    else if (truncate && ftruncate(fd, 0) != 0)
        *why = os_error_text(errno);
    if (*why) {
        close(fd);
        fd = -1;
    } else {
        fcntl(fd, F_SETFL, O_APPEND); /* back to blocking writes */
        fd = os_fd_high(fd);
    }
    errno = saved;
    return fd;
}

size_t os_environ_lookup(const char *name, char *out, size_t cap)
{
    int saved = errno;
    int fd = open("/proc/self/environ", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        errno = saved;
        return 0;
    }
    /* Entries are NUL-terminated "NAME=value"; read a chunk at a time and match each
     * entry's start against "name=", copying the value of a match. */
    size_t name_len = strlen(name), at = 0, len = 0; /* at: offset in the entry */
    enum { MATCHING, COPYING, SKIPPING } state = MATCHING;
    char buf[512];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
        for (ssize_t i = 0; i < n; i++) {
            char c = buf[i];
            if (c == '\0') {
                if (state == COPYING)
                    goto done;
                state = MATCHING;
                at = 0;
                continue;
            }
            if (state == MATCHING) {
                if (at < name_len ? c != name[at] : c != '=')
                    state = SKIPPING;
                else if (at++ == name_len)
                    state = COPYING;
            } else if (state == COPYING) {
                if (len + 1 >= cap) {
                    len = cap;
                    goto done;
                }
                out[len++] = c;
            }
        }
    }
done:
    if (state != COPYING)
        len = 0;
    if (len < cap)
        out[len] = '\0';
    close(fd);
    errno = saved;
    return len;
}

const char *os_secure_getenv(const char *name, bool *too_long)
{
    *too_long = false;
    const char *value = secure_getenv(name);
    if (value || environ || getauxval(AT_SECURE))
        return value;
    static char early[4096];
    size_t n = os_environ_lookup(name, early, sizeof early);
    *too_long = n == sizeof early;
    return n && !*too_long ? early : NULL;
}

bool os_cwd(char *buf, size_t size)
{
    return getcwd(buf, size) != NULL;
}

int os_getpid(void)
{
    return (int)getpid();
}

int os_fd_floor(void)
{
    /* Valgrind keeps its own at the top of the table; so do we, but below 4096: a
     * soft limit of 2^20 (containers) would grow the kernel's table of every process
     * to 8 MiB for a handful of descriptors. */
    struct rlimit rl;
    rlim_t limit = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? rl.rlim_cur : 1024;
    if (limit == RLIM_INFINITY || limit > 4096)
        limit = 4096;
    return limit >= 128 ? (int)limit - 64 : limit > 6 ? (int)limit / 2 : 3;
}

int os_fd_high(int fd)
{
    int saved = errno;
    int floor = os_fd_floor();
    if (fd < 0 || fd >= floor)
        return fd;
    int moved = fcntl(fd, F_DUPFD_CLOEXEC, floor);
    if (moved < 0 && fd <= 2) /* never leave ours on 0, 1 or 2 */
        moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (moved >= 0)
        close(fd);
    else
        moved = fd;
    errno = saved;
    return moved;
}

bool os_fd_keep(struct os_fd *k, int fd)
{
    int saved = errno;
    struct stat st;
    k->fd = -1;
    if (fd >= 0 && fstat(fd, &st) == 0) {
        k->fd = fd;
        k->dev = (uint64_t)st.st_dev;
        k->ino = (uint64_t)st.st_ino;
    }
    errno = saved;
    return k->fd >= 0;
}

bool os_fd_same(const struct os_fd *k)
{
    int saved = errno;
    struct stat st;
    /* Close-on-exec as we left it, same device and inode: a number the program
     * reused for a file of its own fails one of these (a dup of the same file it
     * made itself would be the same file anyway). */
    bool same = k->fd >= 0 && (fcntl(k->fd, F_GETFD) & FD_CLOEXEC) && fstat(k->fd, &st) == 0 &&
                (uint64_t)st.st_dev == k->dev && (uint64_t)st.st_ino == k->ino;
    errno = saved;
    return same;
}

void os_fd_release(struct os_fd *k)
{
    if (os_fd_same(k))
        os_close(k->fd);
    k->fd = -1;
}

void os_close(int fd)
{
    int saved = errno;
    if (fd >= 0)
        close(fd);
    errno = saved;
}

long os_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void os_self_exe(char *out, size_t cap)
{
    int saved = errno;
    ssize_t n = cap ? readlink("/proc/self/exe", out, cap - 1) : -1;
    if (cap)
        out[n > 0 ? n : 0] = '\0';
    errno = saved;
}

const void *os_map_file(const char *path, size_t *size)
{
    int saved = errno;
    const void *map = NULL;
    *size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m != MAP_FAILED) {
            map = m;
            *size = (size_t)st.st_size;
        }
    }
    if (fd >= 0)
        close(fd);
    errno = saved;
    return map;
}

/* Only this user or root may change it: owned by one of them, writable by no one
 * else (a sticky directory, like /tmp, lets others add but not replace). */
static bool owner_only(const struct stat *st, bool dir)
{
    if (st->st_uid != geteuid() && st->st_uid != 0)
        return false;
    if (dir && (st->st_mode & S_ISVTX))
        return true;
    return (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

bool os_trusted_executable(const char *path)
{
    int saved = errno;
    char dir[1024];
    size_t len = strlen(path);
    struct stat st;
    bool ok = path[0] == '/' && len < sizeof dir && stat(path, &st) == 0 &&
              S_ISREG(st.st_mode) && owner_only(&st, false) && access(path, X_OK) == 0;
    if (ok)
        memcpy(dir, path, len + 1);
    /* Every directory up to the root: one writable by others could swap the file. */
    while (ok) {
        char *slash = strrchr(dir, '/');
        if (slash == dir)
            slash[1] = '\0';
        else
            *slash = '\0';
        ok = stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && owner_only(&st, true);
        if (slash == dir)
            break;
    }
    errno = saved;
    return ok;
}

bool os_spawn(const char *path, char *const argv[], char *const envp[], int *fd, int *pid)
{
    int saved = errno;
    /* Static: what vfork's child reads must not live in a register or stack slot
     * it may clobber for the parent. */
    static const char *child_path;
    static char *const *child_argv, *const *child_envp;
    static int child_sock, child_null;
    static sigset_t child_mask;
    child_path = path;
    child_argv = argv;
    child_envp = envp;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        errno = saved;
        return false;
    }
    /* High, close-on-exec: never on a number the program uses (or on 0-2, which a
     * program that closed them would otherwise hand out). */
    sv[0] = os_fd_high(sv[0]);
    sv[1] = os_fd_high(sv[1]);
    int null = os_fd_high(open("/dev/null", O_WRONLY | O_CLOEXEC));
    if (sv[0] < 0 || sv[1] < 0 || null < 0) {
        os_close(sv[0]);
        os_close(sv[1]);
        os_close(null);
        errno = saved;
        return false;
    }
    child_sock = sv[1];
    child_null = null;
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, &child_mask); /* no handler of ours runs in the child */
    pid_t child = vfork();
    if (child == 0) {
        dup2(child_sock, 0);
        dup2(child_sock, 1);
        dup2(child_null, 2);
        sigprocmask(SIG_SETMASK, &child_mask, NULL);
        execve(child_path, child_argv, child_envp);
        _exit(127);
    }
    sigprocmask(SIG_SETMASK, &child_mask, NULL);
    close(sv[1]);
    close(null);
    if (child < 0) {
        close(sv[0]);
        errno = saved;
        return false;
    }
    *fd = sv[0];
    *pid = (int)child;
    errno = saved;
    return true;
}

void os_kill_wait(int pid)
{
    int saved = errno;
    if (pid > 0) {
        kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    errno = saved;
}

bool os_send_all(int fd, const char *buf, size_t len)
{
    int saved = errno;
    while (len > 0) {
        ssize_t w = send(fd, buf, len, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        buf += w;
        len -= (size_t)w;
    }
    errno = saved;
    return len == 0;
}

long os_read_within(int fd, char *buf, size_t cap, long ms)
{
    int saved = errno;
    long got = -1;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (ms > 0 && cap > 0 && poll(&p, 1, ms > 0x7fffffff ? 0x7fffffff : (int)ms) > 0) {
        ssize_t r = read(fd, buf, cap);
        got = r < 0 ? -1 : (long)r;
    }
    errno = saved;
    return got;
}

#define MAX_META 4096

static struct meta {
    const void *start, *end;
} metas[MAX_META];
static size_t nmetas;
static int meta_lock;

void *os_map_meta(size_t len)
{
    void *p = os_map(len);
    if (!p)
        return NULL;
    vg_noaccess(p, len); /* memcheck's leak check must not see the pointers in here */
    while (__atomic_exchange_n(&meta_lock, 1, __ATOMIC_ACQUIRE))
        ;
    if (nmetas < MAX_META)
        metas[nmetas++] = (struct meta){p, (char *)p + len};
    __atomic_store_n(&meta_lock, 0, __ATOMIC_RELEASE);
    return p;
}

void os_unmap_meta(void *p, size_t len)
{
    while (__atomic_exchange_n(&meta_lock, 1, __ATOMIC_ACQUIRE))
        ;
    for (size_t i = 0; i < nmetas; i++) {
        if (metas[i].start == p) {
            metas[i] = metas[--nmetas];
            break;
        }
    }
    __atomic_store_n(&meta_lock, 0, __ATOMIC_RELEASE);
    os_unmap(p, len);
}

void os_meta_walk(os_meta_fn *fn, void *arg)
{
    for (size_t i = 0; i < nmetas; i++)
        fn(metas[i].start, metas[i].end, arg);
}

bool os_each_line(const char *path, void (*fn)(char *line, void *arg), void *arg)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    char buf[8192];
    size_t have = 0;
    for (;;) {
        ssize_t got = read(fd, buf + have, sizeof buf - 1 - have);
        if (got <= 0)
            break;
        have += (size_t)got;
        buf[have] = '\0';
        char *line = buf, *nl;
        while ((nl = strchr(line, '\n'))) {
            *nl = '\0';
            fn(line, arg);
            line = nl + 1;
        }
        have = (size_t)(buf + have - line);
        memmove(buf, line, have);
        if (have == sizeof buf - 1)
            have = 0; /* an absurdly long line: dropped */
    }
    close(fd);
    return true;
}

struct mapping_walk {
    void (*fn)(const struct os_mapping *m, void *arg);
    void *arg;
    uintptr_t prev_hi;
    bool prev_none;
};

static void mapping_line(char *line, void *arg)
{
    struct mapping_walk *w = arg;
    const char *p = line;
    uintptr_t lo = fmt_parse_hex(&p);
    if (*p++ != '-')
        return;
    uintptr_t hi = fmt_parse_hex(&p);
    if (*p++ != ' ' || strlen(p) < 4)
        return;
    struct os_mapping m = {lo, hi, p, line, w->prev_none && w->prev_hi == lo};
    w->prev_hi = hi;
    w->prev_none = strncmp(p, "---", 3) == 0;
    w->fn(&m, w->arg);
}

bool os_each_mapping(void (*fn)(const struct os_mapping *m, void *arg), void *arg)
{
    struct mapping_walk w = {fn, arg, 0, false};
    return os_each_line("/proc/self/maps", mapping_line, &w);
}
