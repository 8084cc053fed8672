/* Running a program under heapcheck: find the library, make a private directory for
 * the dumps, start the program with LD_PRELOAD and HEAPCHECK_OPTIONS set, pass
 * SIGINT/SIGTERM on to it, wait, and collect the dumps it and its children wrote. */
#ifndef HC_TOOL_RUN_H
#define HC_TOOL_RUN_H

#include <stdbool.h>
#include <stddef.h>

struct run_request {
    char **argv;                /* PROG ARGS..., NULL-terminated */
    const char *lib_options;    /* appended to HEAPCHECK_OPTIONS after dump_path */
    const char *keep_dir;       /* move the dumps here, or NULL */
};

struct run_result {
    int status;         /* the program's exit status, or 128 + signal */
    int signal;         /* the signal that ended it, or 0 */
    char *tmpdir;       /* the private directory (removed by run_cleanup) */
    size_t ndumps;
    char **dumps;       /* dump paths, by process id */
};

/* Run the program.  Returns 0 when it ran (see R), else the tool's exit status (127:
 * not found, 126: not executable, 2: heapcheck could not set up), with a message
 * printed. */
int run_program(const struct run_request *req, struct run_result *r);
void run_cleanup(struct run_result *r);

/* Whether PROG (found in PATH as a shell would) is a script starting "#!": what runs
 * is then its interpreter. */
bool run_is_script(const char *prog);

/* The library to preload: $HEAPCHECK_LIB, the build tree's, or the installed one.
 * NULL (with a message printed) when none is found. */
char *find_library(void);

#endif
