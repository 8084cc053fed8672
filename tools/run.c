/* Running the program: the library's path (HEAPCHECK_LIB, the build tree beside
 * /proc/self/exe, the installed libdir), PATH lookup with a shell's 126/127 statuses,
 * a mkdtemp directory for dump_path, fork+execve with the environment extended, signal
 * forwarding while waiting, and the collection (or keeping) of the dumps. */
#include "config.h"

#include "run.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef HC_LIBDIR
#define HC_LIBDIR "/usr/local/lib"
#endif

extern char **environ;

static bool readable_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, R_OK) == 0;
}

/* PATH made absolute without resolving its last component (keep libheapcheck.so, not
 * the libheapcheck.so.0.0.0 it links to). */
static char *absolute(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? xasprintf("%.*s", (int)(slash - path) + (slash == path), path)
                      : xstrdup(".");
    char *real = realpath(dir, NULL);
    char *r = real ? xasprintf("%s%s%s", real, strcmp(real, "/") ? "/" : "",
                               slash ? slash + 1 : path)
                   : xstrdup(path);
    free(dir);
    free(real);
    return r;
}

char *find_library(void)
{
    const char *env = getenv("HEAPCHECK_LIB");
    if (env && *env) {
        if (!readable_file(env)) {
            hc_warn("HEAPCHECK_LIB=%s: not a readable file", env);
            return NULL;
        }
        return absolute(env);
    }
    /* From the build tree: the program is tools/heapcheck, or tools/.libs/heapcheck
     * behind a libtool wrapper script.  Only then: an installed tool (PREFIX/bin) uses
     * the installed library, even with PREFIX inside the build tree. */
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            static const struct {
                const char *dir, *lib;
            } build[] = {{"/tools", "/../lib/.libs/libheapcheck.so"},
                         {"/tools/.libs", "/../../lib/.libs/libheapcheck.so"}};
            for (size_t i = 0; i < sizeof build / sizeof build[0]; i++) {
                size_t len = strlen(exe), dlen = strlen(build[i].dir);
                if (len < dlen || strcmp(exe + len - dlen, build[i].dir) != 0)
                    continue;
                char *cand = xasprintf("%s%s", exe, build[i].lib);
                char *abs = readable_file(cand) ? absolute(cand) : NULL;
                free(cand);
                if (abs)
                    return abs;
            }
        }
    }
    static const char *const names[] = {HC_LIBDIR "/libheapcheck.so",
                                        HC_LIBDIR "/libheapcheck.so.0"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (readable_file(names[i]))
            return xstrdup(names[i]);
    hc_warn("cannot find the heapcheck library (looked beside this program's build tree "
            "and in %s); set HEAPCHECK_LIB to its path", HC_LIBDIR);
    return NULL;
}

/* Find PROG as a shell would.  Returns 0 with *path set, or 126/127 (message
 * printed). */
static int resolve_program(const char *prog, char **path, bool quiet)
{
#define hc_warn(...) (quiet ? (void)0 : hc_warn(__VA_ARGS__))
    struct stat st;
    if (strchr(prog, '/')) {
        if (stat(prog, &st) != 0) {
            if (errno == ENOENT || errno == ENOTDIR) {
                hc_warn("%s: command not found", prog);
                return HC_EXIT_NOTFOUND;
            }
            hc_warn("%s: %s", prog, strerror(errno));
            return HC_EXIT_NOEXEC;
        }
        if (S_ISDIR(st.st_mode)) {
            hc_warn("%s: Is a directory", prog);
            return HC_EXIT_NOEXEC;
        }
        if (access(prog, X_OK) != 0) {
            hc_warn("%s: %s", prog, strerror(errno));
            return HC_EXIT_NOEXEC;
        }
        *path = xstrdup(prog);
        return 0;
    }
    const char *p = getenv("PATH");
    if (!p)
        p = "/usr/local/bin:/usr/bin:/bin";
    char *denied = NULL;
    if (*prog) {
        for (;;) {
            size_t n = strcspn(p, ":");
            char *cand = n ? xasprintf("%.*s/%s", (int)n, p, prog) : xasprintf("./%s", prog);
            if (stat(cand, &st) == 0 && !S_ISDIR(st.st_mode)) {
                if (access(cand, X_OK) == 0) {
                    free(denied);
                    *path = cand;
                    return 0;
                }
                if (!denied) {
                    denied = cand;
                    cand = NULL;
                }
            }
            free(cand);
            p += n;
            if (!*p)
                break;
            p++;
        }
    }
    if (denied) {
        hc_warn("%s: Permission denied", denied);
        free(denied);
        return HC_EXIT_NOEXEC;
    }
    hc_warn("%s: command not found", prog);
    return HC_EXIT_NOTFOUND;
#undef hc_warn
}

bool run_is_script(const char *prog)
{
    char *path = NULL;
    if (resolve_program(prog, &path, true) != 0)
        return false;
    char head[2] = {0, 0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    free(path);
    if (fd < 0)
        return false;
    bool script = read(fd, head, 2) == 2 && head[0] == '#' && head[1] == '!';
    close(fd);
    return script;
}

/* The environment for the program: ours, with LD_PRELOAD and HEAPCHECK_OPTIONS
 * extended. */
static char **child_env(const char *lib, const char *dump_prefix, const char *lib_options)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = xcalloc(n + 3, sizeof *env);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "LD_PRELOAD=", 11) != 0 &&
            strncmp(environ[i], "HEAPCHECK_OPTIONS=", 18) != 0)
            env[k++] = environ[i];
    const char *pre = getenv("LD_PRELOAD");
    env[k++] = pre && *pre ? xasprintf("LD_PRELOAD=%s:%s", pre, lib)
                           : xasprintf("LD_PRELOAD=%s", lib);
    const char *opts = getenv("HEAPCHECK_OPTIONS");
    /* print_reports=0: the library's own reports are unsymbolized; ours come from
     * the dump (written at exit, or right before an abort). */
    env[k++] = xasprintf("HEAPCHECK_OPTIONS=%s%sdump_path=%s:print_reports=0%s%s", opts ? opts : "",
                         opts && *opts ? ":" : "", dump_prefix,
                         lib_options && *lib_options ? ":" : "",
                         lib_options ? lib_options : "");
    env[k] = NULL;
    return env;
}

/* ---- signals ------------------------------------------------------------------- */

static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
#define NFORWARDED (sizeof forwarded / sizeof forwarded[0])
static volatile sig_atomic_t child_pid;

static void forward(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    /* A signal from the terminal (SI_KERNEL) went to the whole foreground group, the
     * program included: sending it again would deliver it twice. */
    if (child_pid > 0 && si->si_code != SI_KERNEL && si->si_pid != (pid_t)child_pid)
        kill((pid_t)child_pid, sig);
}

/* ---- dumps --------------------------------------------------------------------- */

static long dump_pid(const char *name)
{
    return strtol(name + 3, NULL, 10);   /* "hc.PID.json" */
}

static int cmp_dump_names(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    long px = dump_pid(x), py = dump_pid(y);
    return px != py ? (px < py ? -1 : 1) : strcmp(x, y);
}

static bool is_dump_name(const char *name)
{
    size_t n = strlen(name);
    return n > 8 && strncmp(name, "hc.", 3) == 0 && strcmp(name + n - 5, ".json") == 0;
}

/* Move FROM to TO, copying when they are on different file systems. */
static bool move_file(const char *from, const char *to)
{
    if (rename(from, to) == 0)
        return true;
    if (errno != EXDEV)
        return false;
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return false;
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    bool ok = out >= 0;
    char buf[65536];
    ssize_t n;
    while (ok && (n = read(in, buf, sizeof buf)) != 0) {
        if (n < 0 || write(out, buf, (size_t)n) != n)
            ok = false;
    }
    close(in);
    if (out >= 0 && close(out) != 0)
        ok = false;
    if (ok)
        unlink(from);
    return ok;
}

static void collect_dumps(struct run_result *r, const char *keep_dir)
{
    DIR *dir = opendir(r->tmpdir);
    if (!dir)
        return;
    struct dirent *de;
    size_t cap = 0;
    while ((de = readdir(dir)) != NULL) {
        if (!is_dump_name(de->d_name))
            continue;
        if (r->ndumps == cap) {
            cap = cap ? 2 * cap : 8;
            r->dumps = xrealloc(r->dumps, cap, sizeof *r->dumps);
        }
        r->dumps[r->ndumps++] = xstrdup(de->d_name);
    }
    closedir(dir);
    if (r->ndumps) /* qsort wants a real array, even of nothing */
        qsort(r->dumps, r->ndumps, sizeof *r->dumps, cmp_dump_names);
    if (keep_dir && mkdir(keep_dir, 0777) != 0 && errno != EEXIST) {
        hc_warn("cannot create %s: %s; the dumps are not kept", keep_dir, strerror(errno));
        keep_dir = NULL;
    }
    for (size_t i = 0; i < r->ndumps; i++) {
        char *tmp = xasprintf("%s/%s", r->tmpdir, r->dumps[i]);
        char *path = tmp;
        if (keep_dir) {
            char *kept = xasprintf("%s/%s", keep_dir, r->dumps[i]);
            if (move_file(tmp, kept)) {
                path = kept;
                free(tmp);
            } else {
                hc_warn("cannot keep %s in %s: %s", r->dumps[i], keep_dir, strerror(errno));
                free(kept);
            }
        }
        free(r->dumps[i]);
        r->dumps[i] = path;
    }
}

void run_cleanup(struct run_result *r)
{
    if (r->tmpdir) {
        DIR *dir = opendir(r->tmpdir);
        if (dir) {
            struct dirent *de;
            while ((de = readdir(dir)) != NULL)
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                    unlinkat(dirfd(dir), de->d_name, 0);
            closedir(dir);
        }
        if (rmdir(r->tmpdir) != 0)
            hc_warn("cannot remove %s: %s", r->tmpdir, strerror(errno));
    }
    for (size_t i = 0; i < r->ndumps; i++)
        free(r->dumps[i]);
    free(r->dumps);
    free(r->tmpdir);
    r->dumps = NULL;
    r->ndumps = 0;
    r->tmpdir = NULL;
}

/* ---- running ------------------------------------------------------------------- */

static char *make_tmpdir(void)
{
    /* The dump path goes into HEAPCHECK_OPTIONS, where ':' and ',' separate options. */
    const char *t = getenv("TMPDIR");
    if (!t || t[0] != '/' || strpbrk(t, ":,") || strlen(t) > 200)
        t = "/tmp";
    char *dir = xasprintf("%s/heapcheck.XXXXXX", t);
    if (!mkdtemp(dir)) {
        hc_warn("cannot create a directory in %s for the dumps: %s", t, strerror(errno));
        free(dir);
        return NULL;
    }
    return dir;
}

static void exec_child(const char *path, char **argv, char **env, int errfd)
{
    execve(path, argv, env);
    if (errno == ENOEXEC) {
        /* A script without "#!": run it with the shell, as shells do. */
        size_t n = 0;
        while (argv[n])
            n++;
        char **sh = calloc(n + 2, sizeof *sh);
        if (sh) {
            sh[0] = "sh";
            sh[1] = (char *)path;
            for (size_t i = 1; i < n; i++)
                sh[i + 1] = argv[i];
            execve("/bin/sh", sh, env);
            errno = ENOEXEC;
        }
    }
    int e = errno;
    ssize_t w = write(errfd, &e, sizeof e);
    (void)w;
    _exit(HC_EXIT_NOTFOUND);
}

int run_program(const struct run_request *req, struct run_result *r)
{
    memset(r, 0, sizeof *r);
    char *lib = find_library();
    if (!lib)
        return HC_EXIT_USAGE;
    if (strpbrk(lib, ": ")) {
        hc_warn("%s: the library's path cannot go in LD_PRELOAD (it has ':' or a space)", lib);
        free(lib);
        return HC_EXIT_USAGE;
    }
    char *path = NULL;
    int rc = resolve_program(req->argv[0], &path, false);
    if (rc) {
        free(lib);
        return rc;
    }
    r->tmpdir = make_tmpdir();
    if (!r->tmpdir) {
        free(lib);
        free(path);
        return HC_EXIT_USAGE;
    }
    char *prefix = xasprintf("%s/hc", r->tmpdir);
    char **env = child_env(lib, prefix, req->lib_options);

    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) {
        hc_warn("pipe: %s", strerror(errno));
        rc = HC_EXIT_USAGE;
        goto out;
    }
    sigset_t block, old;
    sigemptyset(&block);
    for (size_t i = 0; i < NFORWARDED; i++)
        sigaddset(&block, forwarded[i]);
    sigprocmask(SIG_BLOCK, &block, &old);
    struct sigaction saved[NFORWARDED];
    bool installed[NFORWARDED] = {false};
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(pipefd[0]);
        sigprocmask(SIG_SETMASK, &old, NULL);
        exec_child(path, req->argv, env, pipefd[1]);
    }
    close(pipefd[1]);
    if (pid < 0) {
        hc_warn("fork: %s", strerror(errno));
        sigprocmask(SIG_SETMASK, &old, NULL);
        close(pipefd[0]);
        rc = HC_EXIT_USAGE;
        goto out;
    }
    child_pid = pid;
    for (size_t i = 0; i < NFORWARDED; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sigaction(forwarded[i], NULL, &saved[i]);
        if (saved[i].sa_handler == SIG_IGN)
            continue;   /* ignored when we started (nohup, background): leave it so */
        sa.sa_sigaction = forward;
        sa.sa_flags = SA_SIGINFO | SA_RESTART;
        sigemptyset(&sa.sa_mask);
        installed[i] = sigaction(forwarded[i], &sa, NULL) == 0;
    }
    sigprocmask(SIG_SETMASK, &old, NULL);

    int exec_errno = 0;
    ssize_t got;
    do
        got = read(pipefd[0], &exec_errno, sizeof exec_errno);
    while (got < 0 && errno == EINTR);
    close(pipefd[0]);

    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    child_pid = 0;
    for (size_t i = 0; i < NFORWARDED; i++)
        if (installed[i])
            sigaction(forwarded[i], &saved[i], NULL);

    if (got == (ssize_t)sizeof exec_errno) {
        hc_warn("%s: %s", req->argv[0], strerror(exec_errno));
        rc = exec_errno == ENOENT ? HC_EXIT_NOTFOUND : HC_EXIT_NOEXEC;
        goto out;
    }
    if (WIFSIGNALED(status)) {
        r->signal = WTERMSIG(status);
        r->status = 128 + r->signal;
    } else {
        r->status = WEXITSTATUS(status);
    }
    collect_dumps(r, req->keep_dir);
out:
    for (size_t i = 0; env[i]; i++)
        if (strncmp(env[i], "LD_PRELOAD=", 11) == 0 ||
            strncmp(env[i], "HEAPCHECK_OPTIONS=", 18) == 0)
            free(env[i]);
    free(env);
    free(prefix);
    free(path);
    free(lib);
    if (rc)
        run_cleanup(r);
    return rc;
}
