/* The suppression-file parser and matcher shared by the library and the tool
 * (lib/suppfile.c): globs, frame patterns with "...", both formats, a bad block left
 * out with FILE:LINE while the others stay, the table's bounds, random input. */
#define _GNU_SOURCE
#include "unit.h"
#include "optvalue.h"
#include "suppfile.h"

#include <stdio.h>
#include <string.h>

static struct supp_table *t;
static char last[600];
static int problems;

static void diag(const char *m, void *arg)
{
    (void)arg;
    problems++;
    snprintf(last, sizeof last, "%s", m);
}

static void setup(void)
{
    t = calloc(1, sizeof *t);
    ck_assert_ptr_nonnull(t);
    problems = 0;
    last[0] = '\0';
}

static void teardown(void) { free(t); }

static void reset(void)
{
    teardown();
    setup();
}

static unsigned parse(const char *text)
{
    return supp_parse(t, "f.supp", text, strlen(text), diag, NULL);
}

START_TEST(globs)
{
    ck_assert(supp_glob("a*c", "abbbc"));
    ck_assert(supp_glob("*", "/usr/lib/libc.so.6"));
    ck_assert(supp_glob("*/libc.so*", "/usr/lib/libc.so.6"));
    ck_assert(supp_glob("f?o", "foo"));
    ck_assert(supp_glob("[a-c]x", "bx"));
    ck_assert(!supp_glob("[!a-c]x", "bx"));
    ck_assert(supp_glob("[^a-c]x", "dx"));
    ck_assert(supp_glob("\\*", "*"));
    ck_assert(!supp_glob("\\*", "a"));
    ck_assert(supp_glob("a[b", "a[b")); /* an unclosed bracket is literal */
    ck_assert(!supp_glob("make", "make_node")); /* whole names only */
    ck_assert(supp_glob("make*", "make_node"));
    ck_assert(!supp_glob("a*b", "aXbY"));
    ck_assert(supp_glob("", ""));
    ck_assert(!supp_glob("", "x"));
}
END_TEST

START_TEST(kinds)
{
    unsigned k = 99;
    ck_assert(hc_kinds_parse("definite, indirectly+possible", 29, &k));
    ck_assert_uint_eq(k, 7);
    ck_assert(hc_kinds_parse("all", 3, &k));
    ck_assert_uint_eq(k, 15);
    ck_assert(hc_kinds_parse("none", 4, &k));
    ck_assert_uint_eq(k, 0);
    k = 99;
    ck_assert(!hc_kinds_parse("definite,", 9, &k));
    ck_assert(!hc_kinds_parse("", 0, &k));
    ck_assert(!hc_kinds_parse("lots", 4, &k));
    ck_assert_uint_eq(k, 99); /* left alone when refused */
}
END_TEST

static struct supp_frame fr(const char *fun)
{
    return (struct supp_frame){fun, NULL, "/usr/bin/prog"};
}

START_TEST(frames_and_dots)
{
    ck_assert_uint_eq(parse("leak:x\n  frame: fun:a\n  frame: ...\n  frame: fun:c\n"), 0);
    ck_assert_uint_eq(t->n, 1);
    const struct supp_entry *e = &t->e[0];
    struct supp_frame st[] = {fr("a"), fr("b"), fr("b"), fr("c"), fr("d")};
    ck_assert(supp_entry_matches(t, e, st, 5));     /* a ... c, then the rest is free */
    ck_assert(!supp_entry_matches(t, e, st, 2));    /* a b: no c */
    struct supp_frame other[] = {fr("z"), fr("a"), fr("c")};
    ck_assert(!supp_entry_matches(t, e, other, 3)); /* frame #0 must be a */
    struct supp_frame unknown[] = {fr(NULL)};
    ck_assert_uint_eq(parse("leak:u\n  frame: fun:???\n  frame: obj:prog\n"), 0);
    ck_assert(supp_entry_matches(t, &t->e[1], unknown, 1) == false); /* obj: needs a 2nd frame */
    ck_assert_uint_eq(parse("leak:v\n  frame: obj:prog\n"), 0);
    ck_assert(supp_entry_matches(t, &t->e[2], unknown, 1)); /* base name of the module */
    ck_assert_ptr_eq(supp_find_leak(t, 0, st, 5), &t->e[0]);
}
END_TEST

START_TEST(memcheck_blocks)
{
    ck_assert_uint_eq(parse("{\n   cache\n   Memcheck:Leak\n   match-leak-kinds: definite\n"
                            "   fun:malloc\n   fun:cache_new\n   ...\n}\n"
                            "{\n   cond\n   Memcheck:Cond\n   fun:inflate\n}\n"
                            "{\n   frees\n   Memcheck:Free\n   fun:free\n   fun:main\n}\n"),
                      0);
    ck_assert_uint_eq(t->n, 2); /* Cond has no heapcheck counterpart */
    ck_assert_ptr_null(memmem(t->text, t->ntext, "cond", 5)); /* nor keeps its name */
    ck_assert_str_eq(supp_text(t, t->e[0].name), "cache");
    ck_assert(t->e[0].is_leak);
    ck_assert_uint_eq(t->e[0].kinds, 1);
    ck_assert_uint_eq(t->e[0].npat, 2); /* the leading fun:malloc is skipped */
    struct supp_frame st[] = {fr("cache_new"), fr("main")};
    ck_assert_ptr_eq(supp_find_leak(t, 0, st, 2), &t->e[0]);
    ck_assert_ptr_null(supp_find_leak(t, 1, st, 2)); /* indirect: not this block's kind */
    ck_assert(supp_error_kind_matches(t, &t->e[1], "double-free"));
    ck_assert(supp_error_kind_matches(t, &t->e[1], "alloc-dealloc-mismatch"));
    ck_assert(!supp_error_kind_matches(t, &t->e[1], "heap-buffer-overflow"));
}
END_TEST

START_TEST(bad_blocks_are_left_out)
{
    unsigned n = parse("leak:good1\n  frame: fun:a\n"
                       "leak:bad\n  kinds: sometimes\n  frame: fun:b\n"
                       "error:good2\n  type: double-free\n  frame: fun:c\n"
                       "error:noframe\n  type: *\n"
                       "{\n   unclosed\n   Memcheck:Leak\n   fun:d\n");
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(t->n, 2);
    ck_assert_str_eq(supp_text(t, t->e[0].name), "good1");
    ck_assert_str_eq(supp_text(t, t->e[1].name), "good2");
    ck_assert_str_eq(last, "f.supp:11: memcheck suppression without its closing '}'");
    reset();
    ck_assert_uint_eq(parse("frame: fun:x\n"), 1);
    ck_assert_str_eq(last, "f.supp:1: expected 'leak:NAME' or 'error:NAME' to start a suppression");
    ck_assert_uint_eq(t->n, 0);
}
END_TEST

START_TEST(bounds)
{
    static char text[SUPP_MAX * 40 + 200];
    size_t len = 0;
    for (int i = 0; i < SUPP_MAX + 10; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "leak:l%d\n frame: fun:f%d\n", i, i);
    ck_assert_uint_eq(supp_parse(t, "big.supp", text, len, diag, NULL), 1);
    ck_assert_uint_eq(t->n, SUPP_MAX);
    ck_assert(strstr(last, "big.supp:") && strstr(last, "too many suppressions"));
    struct supp_frame st[] = {fr("f7")};
    ck_assert_ptr_eq(supp_find_leak(t, 0, st, 1), &t->e[7]);
    /* More files than the table names. */
    reset();
    for (int i = 0; i < SUPP_MAX_FILES; i++)
        ck_assert_uint_eq(supp_parse(t, "ok.supp", "leak:a\n frame: ...\n", 19, diag, NULL), 0);
    ck_assert_uint_eq(supp_parse(t, "one-too-many.supp", "leak:a\n frame: ...\n", 19, diag, NULL), 1);
    ck_assert_str_eq(last, "one-too-many.supp: too many suppression files (at most 16) or names; "
                           "the file is left out");
    ck_assert_uint_eq(t->n, SUPP_MAX_FILES);
    /* A line longer than the limit. */
    reset();
    static char longline[SUPP_MAX_LINE + 50];
    memset(longline, 'x', sizeof longline - 1);
    memcpy(longline, "leak:", 5);
    ck_assert_uint_eq(supp_parse(t, "l.supp", longline, sizeof longline - 1, diag, NULL), 1);
    ck_assert(strstr(last, "l.supp:1: line too long"));
}
END_TEST

START_TEST(random_input_never_crashes)
{
    static const char alphabet[] = "{}:.\n -#leak:error:frame:fun:obj:src:kinds:type:stack:"
                                   "Memcheck:Leak*?[]!\\...";
    char buf[512];
    srand(7);
    for (int round = 0; round < 3000; round++) {
        size_t n = (size_t)rand() % sizeof buf;
        for (size_t i = 0; i < n; i++)
            buf[i] = rand() % 4 ? alphabet[rand() % (int)(sizeof alphabet - 1)] : (char)rand();
        if (round % 50 == 0)
            reset();
        supp_parse(t, "r.supp", buf, n, NULL, NULL);
        ck_assert(t->n <= SUPP_MAX && t->npat <= SUPP_MAX_PATTERNS && t->ntext <= SUPP_MAX_TEXT);
        struct supp_frame st[] = {fr("a"), fr(NULL), fr("main")};
        for (size_t i = 0; i < t->n; i++)
            (void)supp_entry_matches(t, &t->e[i], st, 3);
    }
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("suppfile");
    TCase *tc = tcase_create("parse");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, globs);
    tcase_add_test(tc, kinds);
    tcase_add_test(tc, frames_and_dots);
    tcase_add_test(tc, memcheck_blocks);
    tcase_add_test(tc, bad_blocks_are_left_out);
    tcase_add_test(tc, bounds);
    tcase_add_test(tc, random_input_never_crashes);
    suite_add_tcase(s, tc);
    return s;
}
