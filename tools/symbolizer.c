/* heapcheck-symbolizer: the symbolizer that libheapcheck starts at its first report
 * (lib/symbols.c), as ASan starts llvm-symbolizer.  It is the tool's libdwfl
 * symbolizer (symbolize.c) behind a line protocol on stdin and stdout:
 *
 *   question:  MODULE-PATH <tab> FILE-ADDRESS-IN-HEX <newline>
 *              (a return address minus the module's load bias)
 *   answer:    one line per frame, innermost inlined frame first:
 *              FUNCTION <tab> FILE <tab> LINE <newline>   ("??", "" and 0 when unknown)
 *              then an empty line.
 *
 * It answers until end of input; modules stay open, answers are memoized. */
#include "config.h"

#include "symbolize.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tabs and newlines in a name would break the protocol's lines. */
static void put_field(const char *s)
{
    for (; s && *s; s++)
        putchar(*s == '\t' || *s == '\n' ? ' ' : *s);
}

int main(int argc, char **argv)
{
    hc_progname = "heapcheck-symbolizer";
    if (argc > 1) {
        fprintf(stderr, "usage: %s  (questions on stdin: MODULE<tab>HEX-ADDRESS)\n", argv[0]);
        return HC_EXIT_USAGE;
    }
    struct symbolizer *s = sym_new(true);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, stdin)) > 0) {
        if (line[len - 1] == '\n')
            line[--len] = '\0';
        char *tab = strrchr(line, '\t');
        char *end = NULL;
        unsigned long long pc = tab ? strtoull(tab + 1, &end, 16) : 0;
        if (tab && end != tab + 1 && *end == '\0') {
            *tab = '\0';
            struct sym_stack st;
            sym_module_address(s, line, pc, &st);
            for (size_t i = 0; i < st.n; i++) {
                put_field(st.f[i].function ? st.f[i].function : "??");
                putchar('\t');
                put_field(st.f[i].file);
                printf("\t%d\n", st.f[i].file ? st.f[i].line : 0);
            }
            sym_stack_free(&st);
        }
        putchar('\n');
        if (fflush(stdout) != 0)
            break;
    }
    free(line);
    sym_free(s);
    return 0;
}
