/* The operating system, behind a few calls: memory (sbrk, mmap), randomness, output.
 * Every other module reaches the OS only through here; nothing here allocates. */
#ifndef HC_OS_H
#define HC_OS_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

size_t os_page_size(void);
/* Anonymous read-write memory, or NULL.  Length must be a page multiple. */
void *os_map(size_t len);
void os_unmap(void *p, size_t len);
/* Grow or shrink the program break; returns the old break or NULL on failure. */
void *os_sbrk(intptr_t delta);
void *os_brk_now(void);
/* Address space with no access (PROT_NONE, nothing committed), or NULL. */
void *os_reserve(size_t len);
/* Make reserved pages readable and writable (false on failure). */
bool os_open_pages(void *p, size_t len);
/* Make pages inaccessible again and drop their contents (they read as zero once
 * reopened). */
void os_close_pages(void *p, size_t len);
/* The address-space limit (RLIMIT_AS's soft limit) in bytes; SIZE_MAX: none. */
size_t os_address_space_limit(void);
/* Make pages inaccessible, keeping their contents. */
void os_hide_pages(void *p, size_t len);
/* Tell the kernel the pages may be dropped (contents become zero on next touch). */
void os_discard(void *p, size_t len);
/* Fill with random bytes from getrandom(); falls back to mixing time and addresses. */
void os_random(void *buf, size_t len);
/* write(2) the whole buffer, retrying on EINTR and short writes; 0 or the errno of
 * the failure (ENOSPC for a write of nothing). */
int os_write_all(int fd, const char *buf, size_t len);
/* A description of an errno value that needs no allocation. */
const char *os_error_text(int err);
/* Open a log or dump file for writing, creating it 0600: a FIFO, a device, a socket,
 * a symbolic link, a file another user owns or one with other hard links is refused
 * (never waited on, never truncated).  Returns the descriptor (appending), or -1 with
 * *why saying what was wrong. */
int os_open_output(const char *path, bool truncate, const char **why);
int os_getpid(void);
/* The working directory into buf (the getcwd system call: no allocation); false when
 * it does not fit or cannot be had. */
bool os_cwd(char *buf, size_t size);
/* secure_getenv(name), also for a first malloc that ld.so makes before libc has set
 * environ: then the value is read from the kernel's copy (into a static buffer, so
 * for start-up only), unless the process is secure.  *too_long is set when such a
 * value is over 4095 bytes (NULL is returned). */
const char *os_secure_getenv(const char *name, bool *too_long);
/* The value of environment variable name, read from /proc/self/environ.  Copies it
 * into out (cap bytes, NUL-terminated); returns its length, 0 when absent or
 * unreadable, or cap when it does not fit (out then holds nothing usable). */
size_t os_environ_lookup(const char *name, char *out, size_t cap);
/* heapcheck's own descriptors (docs/design.md, "Descriptors"): kept high in the
 * table, at or above os_fd_floor() (64 below the soft RLIMIT_NOFILE, capped at 4096),
 * close-on-exec, so a program that closes and reuses its low numbers never meets
 * them.  os_fd_high moves fd there (closing fd) and returns the new number, or fd
 * itself when it cannot be moved (a tiny limit, EMFILE). */
int os_fd_floor(void);
int os_fd_high(int fd);
/* A kept descriptor and the identity of its file, so that one the program closed
 * (closefrom, a close loop) and whose number it reused is recognized and never
 * written to, read from or closed. */
struct os_fd {
    int fd; /* -1: none */
    uint64_t dev, ino;
};
/* Keep fd (already high): false (k->fd -1) when it cannot be examined. */
bool os_fd_keep(struct os_fd *k, int fd);
/* Whether k->fd is still the file kept. */
bool os_fd_same(const struct os_fd *k);
/* Close k->fd if it is still ours; forget it either way. */
void os_fd_release(struct os_fd *k);
/* Processes and files for the report's symbolizer (symbols.c). */
void os_close(int fd);
/* CLOCK_MONOTONIC in milliseconds. */
long os_now_ms(void);
/* The running executable's path (/proc/self/exe) into out; "" when unknown. */
void os_self_exe(char *out, size_t cap);
/* A regular file mapped read-only, whole (release with os_unmap); NULL and *size 0
 * when it cannot be. */
const void *os_map_file(const char *path, size_t *size);
/* True when path is absolute and names a regular file we may execute that only this
 * user or root can replace: it and every directory above it are owned by one of
 * them and writable by no one else (a sticky directory excepted). */
bool os_trusted_executable(const char *path);
/* Start path (argv, envp) with vfork+execve, every signal blocked around the vfork:
 * its stdin and stdout on one end of a socket pair, whose other end (close-on-exec,
 * high: os_fd_high) is *fd; its stderr on /dev/null.  False on failure. */
bool os_spawn(const char *path, char *const argv[], char *const envp[], int *fd, int *pid);
/* SIGKILL a child and reap it. */
void os_kill_wait(int pid);
/* Send the whole buffer on a socket, without SIGPIPE; false on failure. */
bool os_send_all(int fd, const char *buf, size_t len);
/* Wait at most ms for data, then read once: the bytes read, 0 at end of file, -1 on
 * error or time out. */
long os_read_within(int fd, char *buf, size_t cap, long ms);

/* fn(line, arg) for each line of the file at path, its newline removed, read through
 * a fixed buffer (no allocation): for /proc files such as /proc/self/maps.  A line of
 * 8 KiB or more is dropped.  False when the file cannot be opened. */
bool os_each_line(const char *path, void (*fn)(char *line, void *arg), void *arg);

/* One mapping of /proc/self/maps. */
struct os_mapping {
    uintptr_t lo, hi;
    const char *perms; /* its four permission letters, "rw-p" */
    const char *line;  /* the whole line: the path or [name], if any, at its end */
    bool guard_below;  /* a PROT_NONE mapping ends where it starts: a thread's stack */
};
/* fn(m, arg) for each well-formed line of /proc/self/maps, in address order. */
bool os_each_mapping(void (*fn)(const struct os_mapping *m, void *arg), void *arg);

/* Mappings for heapcheck's own metadata, remembered so the leak scanner does not take
 * the pointers in them (to every block) for the program's. */
void *os_map_meta(size_t len);
void os_unmap_meta(void *p, size_t len);
typedef void os_meta_fn(const void *start, const void *end, void *arg);
void os_meta_walk(os_meta_fn *fn, void *arg);

#endif
