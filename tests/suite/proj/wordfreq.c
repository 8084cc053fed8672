/* wordfreq: count the words of standard input and print "COUNT WORD" for each
 * distinct word, most frequent first (ties alphabetically), or alphabetically with
 * --sort=alpha; -i folds case.  A known limitation: words are cut at MAX_WORD bytes
 * (tests/long-word.sh, an expected failure).  Every block is freed before exit; with
 * --enable-plant=leak (PLANT_LEAK) a copy of each word is lost, the output unchanged. */
#include <config.h>
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORD 64

struct entry {
    char *word;
    size_t count;
};

static char **words;
static size_t nwords, words_cap;

static void die(const char *what)
{
    perror(what);
    exit(2);
}

/* reallocarray, as gnulib's xreallocarray does: the growth of every table. */
static void *xreallocarray(void *p, size_t n, size_t size)
{
    void *q = reallocarray(p, n, size);
    if (!q)
        die("wordfreq: reallocarray");
    return q;
}

#ifdef PLANT_LEAK
/* Each call overwrites the previous copy's only pointer: all but the last are lost. */
static char *volatile planted;
#endif

static void add_word(const char *s, size_t len, int fold)
{
    if (len > MAX_WORD)
        len = MAX_WORD;
    char *w = malloc(len + 1);
    if (!w)
        die("wordfreq: malloc");
    for (size_t i = 0; i < len; i++)
        w[i] = fold ? (char)tolower((unsigned char)s[i]) : s[i];
    w[len] = '\0';
#ifdef PLANT_LEAK
    planted = strdup(w);
#endif
    if (nwords == words_cap) {
        words_cap = words_cap ? 2 * words_cap : 16;
        words = xreallocarray(words, words_cap, sizeof *words);
    }
    words[nwords++] = w;
}

static int by_word(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int by_count(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->word, y->word);
}

static void usage(FILE *f)
{
    fputs("usage: wordfreq [-i|--ignore-case] [--sort=count|alpha] < FILE\n"
          "       wordfreq --version | --help\n",
          f);
}

int main(int argc, char **argv)
{
    int fold = 0, alpha = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--version")) {
            puts("wordfreq (suiteproj) 1.0");
            return 0;
        } else if (!strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "-i") || !strcmp(argv[i], "--ignore-case")) {
            fold = 1;
        } else if (!strcmp(argv[i], "--sort=alpha")) {
            alpha = 1;
        } else if (!strcmp(argv[i], "--sort=count")) {
            alpha = 0;
        } else {
            fprintf(stderr, "wordfreq: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }

    char *line = NULL;
    size_t line_cap = 0;
    ssize_t n;
    while ((n = getline(&line, &line_cap, stdin)) > 0) {
        for (ssize_t i = 0; i < n;) {
            while (i < n && isspace((unsigned char)line[i]))
                i++;
            ssize_t start = i;
            while (i < n && !isspace((unsigned char)line[i]))
                i++;
            if (i > start)
                add_word(line + start, (size_t)(i - start), fold);
        }
    }
    free(line);
    if (ferror(stdin))
        die("wordfreq: standard input");

    qsort(words, nwords, sizeof *words, by_word);
    struct entry *entries = NULL;
    size_t nentries = 0, entries_cap = 0;
    for (size_t i = 0; i < nwords; i++) {
        if (nentries && !strcmp(entries[nentries - 1].word, words[i])) {
            entries[nentries - 1].count++;
            continue;
        }
        if (nentries == entries_cap) {
            entries_cap = entries_cap ? 2 * entries_cap : 16;
            entries = xreallocarray(entries, entries_cap, sizeof *entries);
        }
        entries[nentries++] = (struct entry){words[i], 1};
    }
    if (!alpha)
        qsort(entries, nentries, sizeof *entries, by_count);
    for (size_t i = 0; i < nentries; i++)
        printf("%zu %s\n", entries[i].count, entries[i].word);

    for (size_t i = 0; i < nwords; i++)
        free(words[i]);
    free(words);
    free(entries);
    if (fflush(stdout) != 0 || ferror(stdout))
        die("wordfreq: standard output");
    return 0;
}
