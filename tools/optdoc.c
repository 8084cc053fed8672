/* optdoc: the options' documentation, generated from lib/options.def, the one table.
 * `optdoc markdown <README.md` and `optdoc man <man/libheapcheck.3.in` copy the file
 * with the part between its two marker lines replaced by the table in that format
 * (README.md's Markdown table; the man page's .TP list).  `make options-doc` writes
 * the results back into the source tree; tests/clean/options_doc.sh fails when they
 * differ from the committed files.  Built for the build machine, never installed. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct opt {
    const char *name, *type, *def, *help;
};

static const struct opt opts[] = {
#define OPT(name, type, def, help) {#name, #type, def, help},
#include "../lib/options.def"
#undef OPT
};

struct range {
    const char *name;
    unsigned long lo, hi;
};

static const struct range ranges[] = {
#define OPT(name, type, def, help)
#define OPT_RANGE(name, lo, hi) {#name, lo, hi},
#include "../lib/options.def"
#undef OPT_RANGE
#undef OPT
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct range *range_of(const char *name)
{
    for (size_t i = 0; i < COUNT(ranges); i++)
        if (strcmp(ranges[i].name, name) == 0)
            return &ranges[i];
    return NULL;
}

/* Markdown: a table cell, so '|' is escaped. */
static void md_text(const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            putchar('\\');
        putchar(*s);
    }
}

static void markdown(void)
{
    puts("| option | default | meaning |");
    puts("|---|---|---|");
    for (size_t i = 0; i < COUNT(opts); i++) {
        const struct opt *o = &opts[i];
        printf("| `%s` | `%s` | ", o->name, o->def[0] ? o->def : "\"\"");
        md_text(o->help);
        const struct range *r = range_of(o->name);
        if (r)
            printf(" (range %lu to %lu)", r->lo, r->hi);
        puts(" |");
    }
}

/* roff: a '-' starting a word (-O2) is a minus sign, to be escaped, one inside a
 * word a hyphen; '\\' starts an escape; a line starting with '.' or '\'' would be
 * a request. */
static void man_text(const char *s)
{
    const char *start = s;
    if (*s == '.' || *s == '\'')
        fputs("\\&", stdout);
    for (; *s; s++) {
        if (*s == '-' && (s == start || !isalnum((unsigned char)s[-1])))
            fputs("\\-", stdout);
        else if (*s == '\\')
            fputs("\\e", stdout);
        else if (*s == '"')
            fputs("\\(dq", stdout);
        else
            putchar(*s);
    }
}

static void man(void)
{
    for (size_t i = 0; i < COUNT(opts); i++) {
        const struct opt *o = &opts[i];
        const struct range *r = range_of(o->name);
        puts(".TP");
        printf(".BR %s \" (default: ", o->name);
        if (o->def[0])
            man_text(o->def);
        else
            fputs("\\(dq\\(dq", stdout);
        puts(")\"");
        man_text(o->help);
        if (r)
            printf(" (range %lu to %lu)", r->lo, r->hi);
        putchar('\n');
    }
}

int main(int argc, char **argv)
{
    const char *begin, *end;
    void (*table)(void);
    if (argc == 2 && strcmp(argv[1], "markdown") == 0) {
        begin = "<!-- options: generated from lib/options.def by `make options-doc` -->";
        end = "<!-- end of options -->";
        table = markdown;
    } else if (argc == 2 && strcmp(argv[1], "man") == 0) {
        begin = ".\\\" options: generated from lib/options.def by `make options-doc`";
        end = ".\\\" end of options";
        table = man;
    } else {
        fprintf(stderr, "usage: optdoc markdown|man <FILE >NEW-FILE\n");
        return 2;
    }
    char line[8192];
    int state = 0; /* 0: before the table, 1: in it, 2: after it */
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = '\0';
        if (state == 0 && strcmp(line, begin) == 0) {
            puts(line);
            table();
            state = 1;
        } else if (state == 1 && strcmp(line, end) == 0) {
            puts(line);
            state = 2;
        } else if (state != 1) {
            puts(line);
        }
    }
    if (state != 2) {
        fprintf(stderr, "optdoc: the input has no line '%s' followed by a line '%s'\n",
                begin, end);
        return 1;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("optdoc");
        return 1;
    }
    return 0;
}
