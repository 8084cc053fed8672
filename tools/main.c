/* heapcheck(1): the command line.  `heapcheck [options] -- PROG [ARGS...]` runs PROG
 * with the library preloaded and reports what the dumps say; `heapcheck report [options]
 * DUMP...` renders saved dumps.  Parses flags and decides the exit status. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc_fn.h"
#include "dump.h"
#include "pictures.h"
#include "render.h"
#include "sarif.h"
#include "report.h"
#include "run.h"
#include "suppress.h"
#include "symbolize.h"
#include "util.h"
#include "../lib/optvalue.h"

#define DEFAULT_ERROR_EXITCODE 23
/* The children not checked by default: the system's programs (shells, make, the
 * compiler and its passes, sed, grep...), whose findings are not the project's and
 * which are many in a `make check`; and shells and interpreters wherever they are
 * installed (patterns without '/' match the program's name). */
#define DEFAULT_TRACE_SKIP "/usr/*,/bin/*,/sbin/*,/lib/*,/lib64/*,/opt/*," INTERPRETERS
#define INTERPRETERS "sh,bash,dash,ksh,mksh,zsh,csh,tcsh,busybox,perl,perl5*,python*," \
    "ruby,tclsh*,lua,lua5*,node"

/* Programs that only start others: make, env, a shell or an interpreter, or a script
 * (a file starting "#!", whose interpreter is what runs).  Named on the command line,
 * they are not checked themselves but count as children (so the skip list applies),
 * and what they run is.  make leaks at exit; `heapcheck -- make check` is about the
 * tests, `heapcheck -- ./test.sh` about the programs the script runs (and a libtool
 * wrapper script about the program it wraps). */
static bool is_launcher(const char *prog)
{
    static const char *const names[] = {"make", "gmake", "env", "sh", "bash", "dash", "ksh",
                                         "mksh", "zsh", "csh", "tcsh", "busybox", "perl",
                                         "python", "python2", "python3", "ruby", "tclsh",
                                         "lua", "node"};
    const char *base = strrchr(prog, '/');
    base = base ? base + 1 : prog;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(base, names[i]) == 0)
            return true;
    /* python3.11, perl5.36...: a versioned interpreter */
    if ((strncmp(base, "python", 6) == 0 || strncmp(base, "perl5", 5) == 0) &&
        strspn(base + strcspn(base, "0123456789"), "0123456789.") ==
            strlen(base + strcspn(base, "0123456789")) && strpbrk(base, "0123456789"))
        return true;
    return run_is_script(prog);
}

struct options {
    const char *leak_check;     /* "off", "summary", "full"; NULL: not given */
    unsigned show_kinds, count_kinds;
    int error_exitcode;
    bool error_exitcode_given;
    bool gen_suppressions, json;  /* json: the JSON document on stdout, no text */
    const char *json_file, *sarif_file;   /* written beside the text report */
    const char *sarif_root;     /* --sarif-root: NULL, the working directory */
    bool trace_children;
    const char *trace_skip;     /* NULL: not given */
    struct picture_request pictures;    /* report: --folded, --svg, --html */
    const char *log_file, *keep_dir;
    size_t nsupp;
    const char **supp_files;
};

/* The library's options and the flags that stand for some of them, from the one
 * table, lib/options.def: --help cannot drift from what the library reads. */
struct lib_option {
    const char *name, *type, *def, *help;
};
static const struct lib_option lib_option_table[] = {
#define OPT(name, type, def, help) {#name, #type, def, help},
#include "../lib/options.def"
#undef OPT
};
struct lib_range {
    const char *name;
    unsigned long lo, hi;
};
static const struct lib_range lib_range_table[] = {
#define OPT(name, type, def, help)
#define OPT_RANGE(name, lo, hi) {#name, lo, hi},
#include "../lib/options.def"
#undef OPT_RANGE
#undef OPT
};
struct lib_flag {
    const char *option, *flag;
};
static const struct lib_flag lib_flag_table[] = {
#define OPT(name, type, def, help)
#define OPT_FLAG(name, flag) {#name, flag},
#include "../lib/options.def"
#undef OPT_FLAG
#undef OPT
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* What the tool's flags take and their defaults, which are the tool's own. */
static const struct {
    const char *flag, *value, *tool_default;
} flag_values[] = {
    {"leak-check", "no|summary|full", "full"},
    {"show-leak-kinds", "KINDS", "definite,indirect,possible"},
    {"errors-for-leak-kinds", "KINDS", "definite,possible"},
    {"trace-children", "yes|no", "yes"},
    {"trace-children-skip", "PATTERNS", DEFAULT_TRACE_SKIP},
};

static const struct lib_option *lib_option(const char *name)
{
    for (size_t i = 0; i < COUNT(lib_option_table); i++)
        if (strcmp(lib_option_table[i].name, name) == 0)
            return &lib_option_table[i];
    return NULL;
}

/* TEXT in words, on lines of at most 79 columns indented by INDENT. */
static void print_wrapped(FILE *out, const char *text, int indent)
{
    int col = 0;
    for (const char *p = text; *p;) {
        while (*p == ' ')
            p++;
        int w = (int)strcspn(p, " ");
        if (w == 0)
            break;
        if (col && col + 1 + w > 79) {
            fputc('\n', out);
            col = 0;
        }
        if (col) {
            fputc(' ', out);
            col++;
        } else {
            col = fprintf(out, "%*s", indent, "");
        }
        col += fprintf(out, "%.*s", w, p);
        p += w;
    }
    if (col)
        fputc('\n', out);
}

static const char *value_syntax(const char *type)
{
    static const struct {
        const char *type, *syntax;
    } syntaxes[] = {
        {"SIZE", "BYTES"}, {"UINT", "N"}, {"BOOL", "0|1"}, {"PATH", "PATH"},
        {"PRESET", "full|hardened|none"}, {"LEVEL", "off|summary|full"},
        {"KINDS", "KINDS"}, {"LIST", "PATTERNS"},
    };
    for (size_t i = 0; i < COUNT(syntaxes); i++)
        if (strcmp(syntaxes[i].type, type) == 0)
            return syntaxes[i].syntax;
    return "VALUE";
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: heapcheck [OPTIONS] [--] PROG [ARGS...]\n"
            "       heapcheck report [OPTIONS] DUMP...\n"
            "\n"
            "Run PROG with the heapcheck allocator preloaded and report its heap errors and\n"
            "leaks (and those of its children), or render dumps kept from earlier runs.\n"
            "\n");
    for (size_t i = 0; i < COUNT(lib_flag_table); i++) {
        const struct lib_option *o = lib_option(lib_flag_table[i].option);
        for (size_t k = 0; o && k < COUNT(flag_values); k++) {
            if (strcmp(flag_values[k].flag, lib_flag_table[i].flag) != 0)
                continue;
            fprintf(out, "  --%s=%s  (default: %s)\n", flag_values[k].flag,
                    flag_values[k].value, flag_values[k].tool_default);
            print_wrapped(out, o->help, 6);
        }
    }
    fprintf(out,
            "  (KINDS: definite, indirect, possible, reachable, all, none; separated by ',' or '+')\n"
            "  --show-reachable[=yes|no]     show every kind of loss record (yes: all)\n"
            "  --error-exitcode=N            exit status when errors or counting leaks were\n"
            "                                found (23; 0: PROG's own status)\n"
            "  --suppressions=FILE           suppressions to apply (repeatable)\n"
            "  --gen-suppressions[=yes|no]   print a suppression for each error and leak\n"
            "  --log-file=FILE               write the report to FILE, not stderr\n"
            "  --keep-dumps=DIR              keep the processes' dumps in DIR\n"
            "  --json                        the report as one JSON document on stdout\n"
            "  --json=FILE                   also write the JSON document to FILE\n"
            "  --sarif=FILE                  also write the findings to FILE as SARIF 2.1.0\n"
            "  --sarif-root=DIR              SARIF locations relative to DIR (%%SRCROOT%%;\n"
            "                                default: the working directory)\n"
            "  --alloc-fn=NAME               an allocation wrapper (like xmalloc): skipped\n"
            "                                when placing a finding (repeatable; patterns)\n"
            "  --max-dump-size=BYTES         refuse dump files larger than this (268435456)\n"
            "report only:\n"
            "  --folded                      folded stacks of leaked (or, for a snapshot,\n"
            "                                live) bytes, one line per stack\n"
            "  --svg=FILE                    a flame graph of the same, as SVG\n"
            "  --html=FILE                   one self-contained page: errors, leaks, flame\n"
            "                                graph, top sites, snapshots, heap map\n"
            "  --program=NAME                of dumps of several programs, picture those of\n"
            "                                NAME (its path, or its base name)\n"
            "  -h, --help                    show this help and exit\n"
            "  -V, --version                 show the version and exit\n"
            "\n"
            "The library's options, in HEAPCHECK_OPTIONS=NAME=VALUE:NAME=VALUE... (the\n"
            "program gets the user's, then those of heapcheck's flags, which win):\n");
    for (size_t i = 0; i < COUNT(lib_option_table); i++) {
        const struct lib_option *o = &lib_option_table[i];
        fprintf(out, "  %s=%s  (default: %s", o->name, value_syntax(o->type),
                o->def[0] ? o->def : "\"\"");
        for (size_t k = 0; k < COUNT(lib_range_table); k++)
            if (strcmp(lib_range_table[k].name, o->name) == 0)
                fprintf(out, "; range %lu to %lu", lib_range_table[k].lo,
                        lib_range_table[k].hi);
        fprintf(out, ")\n");
        print_wrapped(out, o->help, 6);
    }
    fprintf(out, "\nSee heapcheck(1) and libheapcheck(3).\n");
}

static int bad_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int bad_usage(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", hc_progname);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    usage(stderr);
    return HC_EXIT_USAGE;
}

enum {
    OPT_LEAK_CHECK = 256, OPT_SHOW_KINDS, OPT_SHOW_REACHABLE, OPT_ERRORS_FOR, OPT_EXITCODE,
    OPT_SUPP, OPT_GEN_SUPP, OPT_LOG_FILE, OPT_KEEP, OPT_JSON, OPT_TRACE, OPT_TRACE_SKIP, OPT_SARIF,
    OPT_FOLDED, OPT_SVG, OPT_HTML, OPT_MAX_DUMP, OPT_SARIF_ROOT, OPT_ALLOC_FN, OPT_PROGRAM,
};

static const struct option long_opts[] = {
    {"leak-check", required_argument, NULL, OPT_LEAK_CHECK},
    {"show-leak-kinds", required_argument, NULL, OPT_SHOW_KINDS},
    {"show-reachable", optional_argument, NULL, OPT_SHOW_REACHABLE},
    {"errors-for-leak-kinds", required_argument, NULL, OPT_ERRORS_FOR},
    {"error-exitcode", required_argument, NULL, OPT_EXITCODE},
    {"suppressions", required_argument, NULL, OPT_SUPP},
    {"gen-suppressions", optional_argument, NULL, OPT_GEN_SUPP},
    {"log-file", required_argument, NULL, OPT_LOG_FILE},
    {"keep-dumps", required_argument, NULL, OPT_KEEP},
    {"json", optional_argument, NULL, OPT_JSON},
    {"sarif", required_argument, NULL, OPT_SARIF},
    {"sarif-root", required_argument, NULL, OPT_SARIF_ROOT},
    {"alloc-fn", required_argument, NULL, OPT_ALLOC_FN},
    {"program", required_argument, NULL, OPT_PROGRAM},
    {"trace-children", required_argument, NULL, OPT_TRACE},
    {"trace-children-skip", required_argument, NULL, OPT_TRACE_SKIP},
    {"folded", no_argument, NULL, OPT_FOLDED},
    {"svg", required_argument, NULL, OPT_SVG},
    {"html", required_argument, NULL, OPT_HTML},
    {"max-dump-size", required_argument, NULL, OPT_MAX_DUMP},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* A flag's yes or no, in HEAPCHECK_OPTIONS' words (1, yes, true / 0, no, false);
 * a flag given without a value means yes. */
static bool yes_no(const char *arg, bool *out)
{
    if (!arg) {
        *out = true;
        return true;
    }
    return hc_bool_parse(arg, strlen(arg), out);
}

/* Parse flags from ARGV[optind...]; stops at the first non-option when STOP_EARLY.
 * Returns -1 to go on, else an exit status. */
static int parse_flags(int argc, char **argv, bool stop_early, struct options *o)
{
    opterr = 0;
    int c;
    const char *shortopts = stop_early ? "+:hV" : ":hV";
    while ((c = getopt_long(argc, argv, shortopts, long_opts, NULL)) != -1) {
        bool b;
        char *end;
        switch (c) {
        case OPT_LEAK_CHECK: {
            static const char *const levels[] = {"off", "summary", "full"};
            int level;
            if (!hc_level_parse(optarg, strlen(optarg), &level))
                return bad_usage("--leak-check: '%s' is not no, summary or full", optarg);
            o->leak_check = levels[level];
            break;
        }
        case OPT_SHOW_KINDS:
        case OPT_ERRORS_FOR:
            if (!leak_kinds_parse(optarg, c == OPT_SHOW_KINDS ? &o->show_kinds
                                                              : &o->count_kinds))
                return bad_usage("'%s' is not a list of definite, indirect, possible, "
                                 "reachable, all or none", optarg);
            break;
        case OPT_SHOW_REACHABLE:
            if (!yes_no(optarg, &b))
                return bad_usage("--show-reachable: '%s' is not yes or no", optarg);
            o->show_kinds = b ? LK_ALL : o->show_kinds & ~(1u << LK_REACHABLE);
            break;
        case OPT_EXITCODE: {
            long v = strtol(optarg, &end, 10);
            if (!*optarg || *end || v < 0 || v > 255)
                return bad_usage("--error-exitcode: '%s' is not a number from 0 to 255",
                                 optarg);
            o->error_exitcode = (int)v;
            o->error_exitcode_given = true;
            break;
        }
        case OPT_SUPP:
            o->supp_files = xrealloc(o->supp_files, o->nsupp + 1, sizeof *o->supp_files);
            o->supp_files[o->nsupp++] = optarg;
            break;
        case OPT_GEN_SUPP:
            if (!yes_no(optarg, &o->gen_suppressions))
                return bad_usage("--gen-suppressions: '%s' is not yes or no", optarg);
            break;
        case OPT_LOG_FILE: o->log_file = optarg; break;
        case OPT_KEEP: o->keep_dir = optarg; break;
        case OPT_JSON:
            if (optarg)
                o->json_file = optarg;
            else
                o->json = true;
            break;
        case OPT_SARIF: o->sarif_file = optarg; break;
        case OPT_SARIF_ROOT:
            if (access(optarg, X_OK) != 0)
                return bad_usage("--sarif-root: %s: %s", optarg, strerror(errno));
            o->sarif_root = optarg;
            break;
        case OPT_ALLOC_FN:
            if (!*optarg)
                return bad_usage("--alloc-fn: a function name is needed");
            alloc_fn_add(optarg);
            break;
        case OPT_PROGRAM:
            if (!*optarg)
                return bad_usage("--program: a program name is needed");
            o->pictures.program = optarg;
            break;
        case OPT_TRACE:
            if (!yes_no(optarg, &o->trace_children))
                return bad_usage("--trace-children: '%s' is not yes or no", optarg);
            break;
        case OPT_TRACE_SKIP:
            if (strpbrk(optarg, ":=") || strlen(optarg) > 1000)
                return bad_usage("--trace-children-skip: '%s' has ':' or '=', or is too long",
                                 optarg);
            o->trace_skip = optarg;
            break;
        case OPT_FOLDED: o->pictures.folded = true; break;
        case OPT_SVG: o->pictures.svg = optarg; break;
        case OPT_HTML: o->pictures.html = optarg; break;
        case OPT_MAX_DUMP: {
            errno = 0;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (!*optarg || *optarg == '-' || *end || errno || v == 0 || v > SIZE_MAX)
                return bad_usage("--max-dump-size: '%s' is not a number of bytes", optarg);
            dump_max_bytes = (size_t)v;
            break;
        }
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("heapcheck %s\n", PACKAGE_VERSION);
            return 0;
        case ':':
            return bad_usage("option '%s' needs a value", argv[optind - 1]);
        default:
            return bad_usage("unknown option '%s'", argv[optind - 1]);
        }
    }
    return -1;
}

static bool has_findings(const struct proc *p)
{
    return p->fails || p->errors > 0;
}

/* The processes a run's summary line names; the others are counted, and all of them
 * listed in a file. */
#define SUMMARY_NAMES 3

/* Where the whole list of processes with findings goes when the summary line cannot
 * name them all: DIR/findings.txt with --keep-dumps=DIR, else
 * $TMPDIR/heapcheck.PID.findings.txt (PID: heapcheck's). */
static char *findings_list_path(const char *keep_dir)
{
    if (keep_dir)
        return xasprintf("%s/findings.txt", keep_dir);
    const char *t = getenv("TMPDIR");
    return xasprintf("%s/heapcheck.%ld.findings.txt", t && t[0] == '/' ? t : "/tmp",
                     (long)getpid());
}

/* One line per process with findings: what the summary line says of each, with its
 * counts. */
static bool write_findings_list(const char *path, const struct proc *shown, size_t k,
                                const struct report_config *cfg)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    for (size_t i = 0; i < k; i++) {
        uint64_t bytes = 0, blocks = 0;
        for (int kind = 0; kind < LK_COUNT; kind++)
            if (cfg->count_kinds & (1u << kind)) {
                bytes = sat_add(bytes, shown[i].summary[kind].bytes);
                blocks = sat_add(blocks, shown[i].summary[kind].blocks);
            }
        fprintf(f, "%s (pid %ld): %" PRIu64 " errors, %" PRIu64 " bytes in %" PRIu64
                " blocks leaked\n", shown[i].d->exe, shown[i].d->pid, shown[i].errors, bytes,
                blocks);
    }
    return fclose(f) == 0;
}

/* Whether P has something to print besides findings: a loss record of a kind the
 * flags ask to see that does not count (--show-leak-kinds=all: still reachable). */
static bool has_shown_records(const struct proc *p, const struct report_config *cfg)
{
    for (size_t i = 0; i < p->d->nleaks; i++)
        if (!p->leaks[i].suppressed_by && (cfg->show_kinds & (1u << p->leaks[i].l->kind)))
            return true;
    return false;
}

/* A run (one process or a whole `make check`): the reports of the processes with
 * findings (or with loss records the flags ask to see), then one line counting the
 * processes, which names the first few with findings (all of them are listed in a
 * file when there are more). */
static void render_findings(FILE *out, const struct proc *procs, size_t n,
                            const struct report_config *cfg, const char *keep_dir)
{
    struct proc *shown = xcalloc(n ? n : 1, sizeof *shown);
    size_t k = 0, nshown = 0;
    for (size_t i = 0; i < n; i++)
        if (has_findings(&procs[i]) || has_shown_records(&procs[i], cfg))
            shown[nshown++] = procs[i];   /* a shallow copy, only to be rendered */
    if (nshown) {
        render_text(out, shown, nshown, cfg);
        fputc('\n', out);
    }
    /* The summary names those with findings. */
    for (size_t i = 0; i < nshown; i++)
        if (has_findings(&shown[i]))
            shown[k++] = shown[i];
    fprintf(out, "heapcheck: %zu process%s checked, %zu with findings", n, n == 1 ? "" : "es",
            k);
    for (size_t i = 0; i < k && i < SUMMARY_NAMES; i++)
        fprintf(out, "%s%s (pid %ld)", i ? ", " : ": ", shown[i].d->exe, shown[i].d->pid);
    if (k > SUMMARY_NAMES) {
        char *path = findings_list_path(keep_dir);
        fprintf(out, " and %zu more", k - SUMMARY_NAMES);
        if (write_findings_list(path, shown, k, cfg))
            fprintf(out, " (all %zu listed in %s)", k, path);
        else
            hc_warn("cannot write %s: %m", path);
        free(path);
    }
    fputc('\n', out);
    fflush(out);
    free(shown);
}

typedef bool render_fn(FILE *, const struct proc *, size_t, const struct report_config *);

/* --json=FILE, --sarif=FILE: the document, written whole or the failure said. */
static bool write_document(const char *path, render_fn *render, const struct proc *procs,
                           size_t n, const struct report_config *cfg)
{
    FILE *f = fopen(path, "w");
    bool ok = f && render(f, procs, n, cfg);
    if (f && fclose(f) != 0)
        ok = false;
    if (!ok)
        hc_warn("cannot write %s: %m", path);
    return ok;
}

/* Load, model and render the dumps (of a run: only the processes with findings, and
 * the summary line); returns false if any could not be read.  *FAILS: some process
 * had findings; *ENDED: some process was ended by its findings (heapcheck aborted it
 * after an error, or it died of the fault it reported), which may be why the command
 * failed. */
static bool report_dumps(char **files, size_t nfiles, const struct options *o,
                         const struct supp_list *supps, FILE *out, bool run, bool *fails,
                         bool *ended)
{
    struct report_config cfg = {o->show_kinds, o->count_kinds, o->gen_suppressions, supps,
                                o->sarif_root};
    struct symbolizer *sym = sym_new(true);
    struct proc *procs = xcalloc(nfiles, sizeof *procs);
    size_t n = 0;
    bool all_read = true;
    for (size_t i = 0; i < nfiles; i++) {
        char err[512];
        struct hc_dump *d = dump_load_file(files[i], err, sizeof err);
        if (!d) {
            hc_warn("cannot read dump: %s", err);
            all_read = false;
            continue;
        }
        if (run && d->kind == DUMP_SNAPSHOT) {
            dump_free(d); /* a run's report is of its exit dumps; snapshots are kept */
            continue;
        }
        proc_init(&procs[n++], d, sym, &cfg);
    }
    *fails = *ended = false;
    for (size_t i = 0; i < n; i++) {
        *fails |= procs[i].fails;
        if (procs[i].fails &&
            (strcmp(procs[i].d->end, "abort") == 0 || strcmp(procs[i].d->end, "signal") == 0))
            *ended = true;
    }
    if (o->json) {
        if (!render_json(stdout, procs, n, &cfg))
            hc_warn("cannot write the report");
    } else if (run) {
        render_findings(out, procs, n, &cfg, o->keep_dir);
    } else if (n) {
        render_text(out, procs, n, &cfg);
    }
    if (o->json_file && !write_document(o->json_file, render_json, procs, n, &cfg))
        all_read = false;
    if (o->sarif_file && !write_document(o->sarif_file, render_sarif, procs, n, &cfg))
        all_read = false;
    for (size_t i = 0; i < n; i++)
        proc_fini(&procs[i]);
    free(procs);
    sym_free(sym);
    return all_read;
}

/* What the tool adds to the user's HEAPCHECK_OPTIONS (after them, so flags win):
 * leak_check (full unless the user's options say), and which processes are checked.
 * The caller frees the result. */
static char *lib_options(const struct options *o, const char *prog)
{
    const char *env = getenv("HEAPCHECK_OPTIONS");
    const char *lc = o->leak_check;
    if (!lc && !(env && strstr(env, "leak_check=")))
        lc = "full";
    const char *skip = o->trace_skip;
    if (!skip && !(env && strstr(env, "trace_children_skip=")))
        skip = DEFAULT_TRACE_SKIP;
    /* trace_parent=0: no process is exempt from the skip list.  exitcode=0: each
     * process keeps its own exit status (a test suite's logic depends on them), its
     * findings go to its dump, and heapcheck's own status says whether any process had
     * findings; a user's exitcode= in HEAPCHECK_OPTIONS asks for the library's. */
    bool own_exitcode = env && strstr(env, "exitcode=");
    return xasprintf("trace_parent=%ld:trace_children=%d%s%s%s%s%s",
                     is_launcher(prog) ? 0L : (long)getpid(),
                     o->trace_children, lc ? ":leak_check=" : "", lc ? lc : "",
                     own_exitcode && !o->nsupp ? "" : ":exitcode=0",
                     skip ? ":trace_children_skip=" : "", skip ? skip : "");
}

/* The library's defaults (lib/options.def), so that the tool's flags default alike. */
static unsigned default_kinds(const char *name)
{
    unsigned set = 0;
    const struct lib_option *o = lib_option(name);
    if (!o || !leak_kinds_parse(o->def, &set))
        abort(); /* options.def's own default: a unit test parses them all */
    return set;
}

int main(int argc, char **argv)
{
    struct options o = {0};
    o.show_kinds = default_kinds("show_leak_kinds");
    o.count_kinds = default_kinds("errors_for_leak_kinds");
    o.error_exitcode = DEFAULT_ERROR_EXITCODE;
    o.trace_children = true;

    int rc = parse_flags(argc, argv, true, &o);
    if (rc >= 0)
        return rc;
    bool dashdash = optind > 1 && strcmp(argv[optind - 1], "--") == 0;
    bool report_mode = !dashdash && optind < argc && strcmp(argv[optind], "report") == 0;
    char **rest;
    int nrest;
    if (report_mode) {
        int sub_argc = argc - optind;
        char **sub_argv = argv + optind;
        optind = 0;
        rc = parse_flags(sub_argc, sub_argv, false, &o);
        if (rc >= 0)
            return rc;
        rest = sub_argv + optind;
        nrest = sub_argc - optind;
        if (nrest == 0)
            return bad_usage("report: no dump files given");
        if (o.leak_check || o.keep_dir)
            return bad_usage("report: --leak-check and --keep-dumps are for running a program");
        if ((o.pictures.folded || o.pictures.svg || o.pictures.html) && o.json)
            return bad_usage("report: --json and the pictures (--folded, --svg, --html) are "
                             "separate outputs: give one");
    } else if (o.pictures.folded || o.pictures.svg || o.pictures.html) {
        return bad_usage("--folded, --svg and --html are for 'heapcheck report' of kept dumps");
    } else {
        rest = argv + optind;
        nrest = argc - optind;
        if (nrest == 0)
            return bad_usage("no program given to run");
    }

    struct supp_list *supps = supp_new();
    for (size_t i = 0; i < o.nsupp; i++) {
        char err[512];
        if (!supp_load(supps, o.supp_files[i], err, sizeof err)) {
            hc_warn("%s", err);
            supp_free(supps);
            free(o.supp_files);
            return HC_EXIT_USAGE;
        }
    }
    /* A report of saved dumps is the command's output; a run's report goes to stderr
     * beside the program's own output, as memcheck's does. */
    FILE *std = report_mode ? stdout : stderr;
    FILE *out = std;
    if (o.log_file && !(out = fopen(o.log_file, "w"))) {
        hc_warn("cannot write %s: %m", o.log_file);
        supp_free(supps);
        free(o.supp_files);
        return HC_EXIT_USAGE;
    }

    bool fails = false;
    if (report_mode && (o.pictures.folded || o.pictures.svg || o.pictures.html)) {
        struct report_config cfg = {o.show_kinds, o.count_kinds, false, supps};
        rc = pictures_run(rest, (size_t)nrest, &cfg, &o.pictures, out);
    } else if (report_mode) {
        bool ended;
        bool ok = report_dumps(rest, (size_t)nrest, &o, supps, out, false, &fails, &ended);
        rc = !ok ? HC_EXIT_USAGE : (fails && o.error_exitcode_given) ? o.error_exitcode : 0;
    } else {
        char *libopts = lib_options(&o, rest[0]);
        struct run_request req = {rest, libopts, o.keep_dir};
        struct run_result r;
        rc = run_program(&req, &r);
        if (rc == 0) {
            rc = r.status;
            if (r.ndumps == 0 && !is_launcher(rest[0])) {
                if (r.signal)
                    hc_warn("%s was killed by signal %d before it could write a heapcheck "
                            "dump", rest[0], r.signal);
                else
                    hc_warn("warning: %s wrote no heapcheck dump (statically linked? "
                            "setuid? or a library without dump support)", rest[0]);
            }
            bool ended;
            bool ok = report_dumps(r.dumps, r.ndumps, &o, supps, out, true, &fails, &ended);
            /* The command's own failure wins (its status is what a caller tests);
             * when it succeeded, skipped (77, Automake's SKIP), or failed when some
             * process was ended by its findings (a test heapcheck aborted fails make
             * check), findings make the status --error-exitcode. */
            if ((fails || !ok) && o.error_exitcode && (rc == 0 || rc == 77 || ended))
                rc = o.error_exitcode;
            if (o.keep_dir && r.ndumps)
                hc_warn("dumps kept in %s", o.keep_dir);
            run_cleanup(&r);
        }
        free(libopts);
    }
    int closed;
    if (out != std)
        closed = fclose(out);
    else
        closed = fflush(out);
    if (closed != 0) {
        hc_warn("cannot write %s: %m", o.log_file ? o.log_file : "the report");
        rc = HC_EXIT_USAGE;
    }
    supp_free(supps);
    free(o.supp_files);
    return rc;
}
