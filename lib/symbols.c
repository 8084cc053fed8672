/* Symbolization inside the process, at report time, without calling malloc.
 *
 * A frame is first placed in its module (dladdr1's link map: the load bias and the
 * path).  Then two sources, best first:
 *  1. heapcheck-symbolizer (tools/symbolizer.c), the tool's libdwfl symbolizer as a
 *     helper process, started at the first report with vfork+execve (no atfork
 *     handlers, no allocation here) and asked over a socket pair (send with
 *     MSG_NOSIGNAL: a dead helper cannot kill us with SIGPIPE; every read waits
 *     under a time limit: a stuck helper cannot hang us).  It gives function,
 *     file:line and inlined frames, demangled.  It runs without LD_PRELOAD, so it
 *     never uses this heap, damaged or not.  HEAPCHECK_SYMBOLIZER names it; else a
 *     library in its build tree (libtool's BUILD/lib/.libs) starts BUILD/tools'
 *     one, if no one but this user or root can replace it; else the installed
 *     HC_SYMBOLIZER.
 *  2. The ELF symbol tables (.symtab, else .dynsym) of the module's file, mapped
 *     read-only: function+offset where there is no debug information or no helper.
 * A helper that fails once is not asked again (in this process; a fork child starts
 * its own).  symbolize=0 turns both off: module+offset only.  Every system call goes
 * through os.c. */
#define _GNU_SOURCE
#include "internal.h"
#include "symbols.h"
#include "options.h"
#include "os.h"
#include "fmt.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>

#ifndef HC_SYMBOLIZER
#define HC_SYMBOLIZER "heapcheck-symbolizer"
#endif

extern char **environ;

/* ---- The module of an address ---------------------------------------------- */

static char exe_path[1024];
static int exe_pid;

static const char *main_program(void)
{
    int pid = os_getpid();
    if (exe_pid != pid) { /* after an exec the path is read again; a fork keeps it */
        os_self_exe(exe_path, sizeof exe_path);
        exe_pid = pid;
    }
    return exe_path;
}

bool symbols_module(const void *pc, const char **path, uintptr_t *offset)
{
    Dl_info info;
    struct link_map *lm = NULL;
    /* pc is a return address: pc - 1 is in the call, which may end its function. */
    if (!dladdr1((const char *)pc - 1, &info, (void **)&lm, RTLD_DL_LINKMAP) || !lm)
        return false;
    *path = lm->l_name && lm->l_name[0] ? lm->l_name : main_program();
    if (!(*path)[0])
        *path = info.dli_fname ? info.dli_fname : "?";
    *offset = (uintptr_t)pc - lm->l_addr;
    return true;
}

/* ---- The helper --------------------------------------------------------------- */

enum { HELPER_UNTRIED, HELPER_RUNNING, HELPER_FAILED };
static int helper_state;
static struct os_fd helper = {-1, 0, 0}; /* our end of the socket pair (high) */
static int helper_pid;
static int helper_owner;      /* the process that started it */
static char reply[16384];

static void helper_stop(void)
{
    os_fd_release(&helper); /* not closed if the program closed it and reused its number */
    if (helper_owner == os_getpid())
        os_kill_wait(helper_pid);
    helper_pid = 0;
    helper_state = HELPER_FAILED;
}

/* The helper to start: HEAPCHECK_SYMBOLIZER; else, when this library runs from its
 * build tree (libtool's BUILD/lib/.libs/libheapcheck.so), BUILD/tools' symbolizer,
 * so `make check` and `make demo` need no install; else the installed one.  One
 * not named by the user is started only if no one but this user or root can
 * replace it.  NULL: none. */
static const char *find_helper(void)
{
    static char built[1024];
    static const char libs[] = "/lib/.libs", tool[] = "/tools/heapcheck-symbolizer";
    static char named[1024];
    const char *env = secure_getenv("HEAPCHECK_SYMBOLIZER");
    if (env && env[0] && strlen(env) < sizeof named) /* copied: the environment may go */
        return memcpy(named, env, strlen(env) + 1);
    Dl_info info;
    static char absolute[1024];
    const char *lib = NULL;
    if (dladdr((const void *)find_helper, &info) && info.dli_fname && strchr(info.dli_fname, '/')) {
        lib = info.dli_fname;
        /* LD_PRELOAD=lib/.libs/libheapcheck.so: relative to the directory the
         * process started in (rarely left before the first report). */
        size_t cwd, len = strlen(lib);
        if (lib[0] != '/' && os_cwd(absolute, sizeof absolute) &&
            (cwd = strlen(absolute)) + 1 + len < sizeof absolute) {
            absolute[cwd] = '/';
            memcpy(absolute + cwd + 1, lib, len + 1);
            lib = absolute;
        }
    }
    if (lib && lib[0] == '/') {
        size_t dir = (size_t)(strrchr(lib, '/') - lib), tail = sizeof libs - 1;
        if (dir >= tail && memcmp(lib + dir - tail, libs, tail) == 0 &&
            dir - tail + sizeof tool <= sizeof built) {
            memcpy(built, lib, dir - tail);
            memcpy(built + dir - tail, tool, sizeof tool);
            if (os_trusted_executable(built))
                return built;
        }
    }
    return os_trusted_executable(HC_SYMBOLIZER) ? HC_SYMBOLIZER : NULL;
}

/* Found once per process image (the environment it reads may be cleared at exit:
 * symbols_prepare). */
static const char *helper_path(void)
{
    static const char *path;
    static bool found;
    if (!found) {
        path = find_helper();
        found = true;
    }
    return path;
}

void symbols_prepare(void) { (void)helper_path(); }

static bool helper_start(void)
{
    const char *path = helper_path();
    if (!path)
        return false;
    /* Its environment: ours without LD_PRELOAD (it must not run on this library). */
    static char *envp[512];
    size_t n = 0;
    for (char **e = environ; e && *e && n < sizeof envp / sizeof envp[0] - 1; e++)
        if (strncmp(*e, "LD_PRELOAD=", 11) != 0)
            envp[n++] = *e;
    envp[n] = NULL;
    static char arg0[] = "heapcheck-symbolizer";
    static char *argv[] = {arg0, NULL};
    int fd;
    if (!os_spawn(path, argv, envp, &fd, &helper_pid))
        return false;
    helper_owner = os_getpid();
    if (!os_fd_keep(&helper, fd)) {
        os_close(fd);
        os_kill_wait(helper_pid);
        helper_pid = 0;
        return false;
    }
    return true;
}

/* Ask about one address; the answer (lines, then an empty line) lands in reply.
 * False when the helper failed: it is stopped and not asked again. */
static bool helper_ask(const char *path, uintptr_t offset)
{
    if (helper_state == HELPER_RUNNING && helper_owner != os_getpid()) {
        /* A fork child: the helper is the parent's. */
        os_fd_release(&helper);
        helper_pid = 0;
        helper_state = HELPER_UNTRIED;
    } else if (helper_state == HELPER_RUNNING && !os_fd_same(&helper)) {
        /* The program closed our socket (closefrom, a close loop): its number may
         * be the program's now.  Forget it, stop that helper, start another. */
        helper.fd = -1;
        os_kill_wait(helper_pid);
        helper_pid = 0;
        helper_state = HELPER_UNTRIED;
    }
    if (helper_state == HELPER_UNTRIED)
        helper_state = helper_start() ? HELPER_RUNNING : HELPER_FAILED;
    if (helper_state != HELPER_RUNNING)
        return false;
    char q[1200];
    struct fmt f;
    fmt_init(&f, q, sizeof q);
    fmt_printf(&f, "%s\t%zx\n", path, (size_t)offset);
    if (f.len >= sizeof q - 1)
        return false; /* a path too long to ask about */
    if (!os_send_all(helper.fd, q, f.len)) {
        helper_stop();
        return false;
    }
    /* Reading a large library's DWARF for the first time takes a while. */
    long deadline = os_now_ms() + 20000;
    size_t len = 0;
    while (!(len == 1 && reply[0] == '\n') && !(len >= 2 && reply[len - 1] == '\n' && reply[len - 2] == '\n')) {
        long r = len < sizeof reply - 1
                     ? os_read_within(helper.fd, reply + len, sizeof reply - 1 - len,
                                      deadline - os_now_ms())
                     : -1;
        if (r <= 0) {
            helper_stop();
            return false;
        }
        len += (size_t)r;
    }
    reply[len] = '\0';
    return true;
}

static int parse_int(const char *s)
{
    int v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (*s++ - '0');
    return v;
}

/* reply's lines "function<tab>file<tab>line", cut in place. */
static unsigned parse_reply(struct sym_answer *out, unsigned max)
{
    unsigned n = 0;
    char *p = reply;
    while (*p && *p != '\n' && n < max) {
        char *end = strchr(p, '\n');
        if (!end)
            break;
        *end = '\0';
        char *t1 = strchr(p, '\t');
        char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (t2) {
            *t1 = *t2 = '\0';
            struct sym_answer *a = &out[n++];
            a->function = strcmp(p, "??") ? p : NULL;
            a->file = t1[1] ? t1 + 1 : NULL;
            a->line = parse_int(t2 + 1);
            a->has_offset = false;
            a->fn_offset = 0;
        }
        p = end + 1;
    }
    /* Nothing known at all is as good as no answer. */
    if (n == 1 && !out[0].function && !out[0].file)
        n = 0;
    return n;
}

/* ---- The ELF symbol tables ----------------------------------------------------- */

struct elf_file {
    char path[512];
    const unsigned char *map;
    size_t size;              /* 0: could not be mapped */
};
#define ELF_CACHE 16
static struct elf_file elf_cache[ELF_CACHE];
static unsigned elf_next;
static char symname[512];

static const struct elf_file *elf_open(const char *path)
{
    for (unsigned i = 0; i < ELF_CACHE; i++)
        if (elf_cache[i].path[0] && strcmp(elf_cache[i].path, path) == 0)
            return &elf_cache[i];
    size_t len = strlen(path);
    if (len >= sizeof elf_cache[0].path || path[0] != '/')
        return NULL;
    struct elf_file *e = &elf_cache[elf_next++ % ELF_CACHE];
    if (e->size)
        os_unmap((void *)e->map, e->size);
    memcpy(e->path, path, len + 1);
    e->map = os_map_file(path, &e->size);
    if (e->map && e->size < sizeof(Elf64_Ehdr)) {
        os_unmap((void *)e->map, e->size);
        e->map = NULL;
        e->size = 0;
    }
    return e;
}

/* The function symbol of the file holding file address addr, from .symtab, else
 * .dynsym.  Every offset read is checked against the file's size. */
static bool elf_function(const struct elf_file *e, uintptr_t addr, struct sym_answer *out)
{
    if (!e || !e->size)
        return false;
    const Elf64_Ehdr *h = (const Elf64_Ehdr *)e->map;
    if (memcmp(h->e_ident, ELFMAG, SELFMAG) != 0 || h->e_ident[EI_CLASS] != ELFCLASS64 ||
        h->e_shentsize != sizeof(Elf64_Shdr) || h->e_shoff > e->size ||
        (size_t)h->e_shnum * sizeof(Elf64_Shdr) > e->size - h->e_shoff)
        return false;
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(e->map + h->e_shoff);
    for (int pass = 0; pass < 2; pass++) {
        unsigned want = pass == 0 ? SHT_SYMTAB : SHT_DYNSYM;
        for (unsigned i = 0; i < h->e_shnum; i++) {
            const Elf64_Shdr *s = &sh[i];
            if (s->sh_type != want || s->sh_link >= h->e_shnum || s->sh_entsize != sizeof(Elf64_Sym))
                continue;
            const Elf64_Shdr *str = &sh[s->sh_link];
            if (s->sh_offset > e->size || s->sh_size > e->size - s->sh_offset ||
                str->sh_offset > e->size || str->sh_size > e->size - str->sh_offset)
                continue;
            const Elf64_Sym *sym = (const Elf64_Sym *)(e->map + s->sh_offset);
            size_t nsym = s->sh_size / sizeof(Elf64_Sym);
            const Elf64_Sym *best = NULL;
            for (size_t k = 0; k < nsym; k++) {
                const Elf64_Sym *y = &sym[k];
                if (ELF64_ST_TYPE(y->st_info) != STT_FUNC || y->st_shndx == SHN_UNDEF ||
                    y->st_name >= str->sh_size || addr < y->st_value)
                    continue;
                if (addr < y->st_value + (y->st_size ? y->st_size : 1) &&
                    (!best || ELF64_ST_BIND(y->st_info) == STB_GLOBAL))
                    best = y;
            }
            if (!best)
                continue;
            const char *name = (const char *)e->map + str->sh_offset + best->st_name;
            size_t room = str->sh_size - best->st_name, n = 0;
            while (n < room && n < sizeof symname - 1 && name[n] && name[n] != '@')
                n++;
            memcpy(symname, name, n);
            symname[n] = '\0';
            out->function = symname;
            out->file = NULL;
            out->line = 0;
            out->fn_offset = addr - best->st_value;
            out->has_offset = true;
            return true;
        }
    }
    return false;
}

unsigned symbols_lookup(const void *pc, struct sym_answer *out, unsigned max)
{
    const char *path;
    uintptr_t offset;
    if (!options.symbolize || max == 0 || !symbols_module(pc, &path, &offset))
        return 0;
    if (path[0] == '/' && helper_ask(path, offset)) {
        unsigned n = parse_reply(out, max);
        if (n)
            return n;
    }
    /* The call is at pc - 1; the offset printed is that of the return address. */
    if (offset && elf_function(elf_open(path), offset - 1, out)) {
        out->fn_offset++;
        return 1;
    }
    return 0;
}
