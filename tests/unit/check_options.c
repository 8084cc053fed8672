/* HEAPCHECK_OPTIONS parsing: values, suffixes, separators, and bad input that must
 * give a warning naming the entry and keep the default, never a crash. */
#include "unit.h"
#include "options.h"
#include "os.h"
#include "trace.h"

#include <stdlib.h>
#include <string.h>

static char last[512];
static int warnings;
static void capture(const char *m)
{
    warnings++;
    strncpy(last, m, sizeof last - 1);
}

static void reset(void)
{
    warnings = 0;
    last[0] = '\0';
    options_parse("preset=full", NULL);
    /* defaults */
    unsetenv("HEAPCHECK_OPTIONS");
    options_load(NULL);
}

START_TEST(values_and_suffixes)
{
    reset();
    ck_assert_int_eq(options_parse("mmap_threshold=64k:trim_threshold=2m,quarantine_size=1g", capture), 0);
    ck_assert_uint_eq(options.mmap_threshold, 64 << 10);
    ck_assert_uint_eq(options.trim_threshold, 2 << 20);
    ck_assert_uint_eq(options.quarantine_size, (size_t)1 << 30);
    ck_assert_int_eq(options_parse("check_interval=0x10:abort_on_error=no:log_path=/tmp/x", capture), 0);
    ck_assert_uint_eq(options.check_interval, 16);
    ck_assert(!options.abort_on_error);
    ck_assert_str_eq(options.log_path, "/tmp/x");
    ck_assert_int_eq(options_parse("preset=hardened", capture), 0);
    ck_assert_int_eq(options.preset, PRESET_HARDENED);
    ck_assert_int_eq(warnings, 0);
}
END_TEST

START_TEST(out_of_range_warns_with_the_range)
{
    reset();
    /* exitcode=256 would make a leaking program exit 0 (256 & 255). */
    ck_assert_int_eq(options_parse("exitcode=256", capture), 1);
    ck_assert_uint_eq(options.exitcode, 23);
    ck_assert_ptr_nonnull(strstr(last, "exitcode=256 is out of range: exitcode wants 0 to 255; using the default 23"));
    ck_assert_int_eq(options_parse("stack_depth=1000000", capture), 1);
    ck_assert_uint_eq(options.stack_depth, 16);
    ck_assert_ptr_nonnull(strstr(last, "stack_depth wants 0 to 64"));
    ck_assert_int_eq(options_parse("alloc_fill=100000", capture), 1);
    ck_assert_uint_eq(options.alloc_fill, 190);
    ck_assert_ptr_nonnull(strstr(last, "alloc_fill wants 0 to 256"));
    ck_assert_int_eq(options_parse("free_fill=256:verbosity=3:quarantine_ratio=10001", capture), 3);
    ck_assert_int_eq(warnings, 6); /* three above, three here */
    /* The ends of each range are accepted. */
    ck_assert_int_eq(options_parse("exitcode=255:stack_depth=64:alloc_fill=256:free_fill=0:verbosity=2", capture), 0);
    ck_assert_uint_eq(options.exitcode, 255);
    ck_assert_uint_eq(options.stack_depth, 64);
}
END_TEST

START_TEST(defaults_come_from_the_table)
{
    reset();
    ck_assert_uint_eq(options.mmap_threshold, 128 << 10);
    ck_assert_int_eq(options.preset, PRESET_FULL);
    ck_assert(options.use_sbrk);
    ck_assert_str_eq(options.log_path, "");
}
END_TEST

START_TEST(unknown_option_warns_and_is_ignored)
{
    reset();
    ck_assert_int_eq(options_parse("nonsense=1:mmap_threshold=4k", capture), 1);
    ck_assert_int_eq(warnings, 1);
    ck_assert_ptr_nonnull(strstr(last, "unknown option 'nonsense'"));
    ck_assert_uint_eq(options.mmap_threshold, 4096);
}
END_TEST

START_TEST(bad_value_keeps_the_default)
{
    reset();
    options_parse("mmap_threshold=4k", NULL);
    ck_assert_int_eq(options_parse("mmap_threshold=12q", capture), 1);
    ck_assert_uint_eq(options.mmap_threshold, 128 << 10);
    ck_assert_ptr_nonnull(strstr(last, "mmap_threshold wants a size"));
    ck_assert_ptr_nonnull(strstr(last, "using the default 128k"));
    ck_assert_int_eq(options_parse("use_sbrk=maybe", capture), 1);
    ck_assert_int_eq(options_parse("mmap_threshold=99999999999999999999999", capture), 1);
    ck_assert_int_eq(options_parse("preset=paranoid", capture), 1);
    ck_assert_int_eq(options_parse("verbosity", capture), 1);
    ck_assert_ptr_nonnull(strstr(last, "no value for option 'verbosity'"));
}
END_TEST

START_TEST(separators_and_empty_entries)
{
    reset();
    ck_assert_int_eq(options_parse("::,,verbosity=2::", capture), 0);
    ck_assert_uint_eq(options.verbosity, 2);
    ck_assert_int_eq(options_parse("", capture), 0);
    ck_assert_int_eq(options_parse(NULL, capture), 0);
}
END_TEST

START_TEST(random_bytes_never_crash)
{
    reset();
    unsigned seed = 12345;
    char text[200];
    for (int round = 0; round < 20000; round++) {
        int n = (int)(rand_r(&seed) % (sizeof text - 1));
        for (int i = 0; i < n; i++) {
            static const char alphabet[] = "=:,abcdefghijklmnopqrstuvwxyz_0123456789kmgx\x01\xff";
            text[i] = alphabet[rand_r(&seed) % (sizeof alphabet - 1)];
        }
        text[n] = '\0';
        options_parse(text, NULL);
    }
    options_load(NULL);
    ck_assert_uint_eq(options.mmap_threshold, 128 << 10);
}
END_TEST

/* The start-up fallback reads the kernel's copy of the environment: it must find what
 * getenv finds for a variable set before the program started, find nothing for an
 * absent one, and say when a value does not fit. */
START_TEST(environment_read_from_proc)
{
    const char *path = getenv("PATH");
    ck_assert_ptr_nonnull(path); /* make check always runs with a PATH */
    char buf[8192];
    size_t n = os_environ_lookup("PATH", buf, sizeof buf);
    ck_assert_uint_eq(n, strlen(path));
    ck_assert_str_eq(buf, path);
    ck_assert_uint_eq(os_environ_lookup("HC_SURELY_NOT_SET_ANYWHERE", buf, sizeof buf), 0);
    ck_assert_uint_eq(os_environ_lookup("PAT", buf, sizeof buf), 0); /* a prefix is not a name */
    if (strlen(path) >= 2)
        ck_assert_uint_eq(os_environ_lookup("PATH", buf, 2), 2);
}
END_TEST

/* Lists (leak kinds, patterns) take ',' as the tool's flags do, although ',' also
 * separates entries: an entry without '=' continues the list before it. */
START_TEST(lists_take_commas)
{
    reset();
    ck_assert_int_eq(options_parse("show_leak_kinds=definite,indirect:verbosity=2", capture), 0);
    ck_assert_uint_eq(options.show_leak_kinds, 3); /* definite and indirect bits */
    ck_assert_uint_eq(options.verbosity, 2);
    ck_assert_int_eq(options_parse("errors_for_leak_kinds=possible+reachable", capture), 0);
    ck_assert_uint_eq(options.errors_for_leak_kinds, 12);
    ck_assert_int_eq(options_parse("errors_for_leak_kinds=none,show_leak_kinds=all", capture), 0);
    ck_assert_uint_eq(options.errors_for_leak_kinds, 0);
    ck_assert_uint_eq(options.show_leak_kinds, 15);
    ck_assert_int_eq(options_parse("trace_children_skip=/usr/*,make,*.sh:trace_children=no", capture), 0);
    ck_assert_str_eq(options.trace_children_skip, "/usr/*,make,*.sh");
    ck_assert(!options.trace_children);
    ck_assert_int_eq(warnings, 0);
    /* A bad item gives the list its default back, with a warning naming it. */
    ck_assert_int_eq(options_parse("show_leak_kinds=definite,bogus", capture), 1);
    ck_assert_ptr_nonnull(strstr(last, "'bogus'"));
    ck_assert_uint_eq(options.show_leak_kinds, 7); /* the default: definite,indirect,possible */
    /* ':' ends a list: a word after it is an unknown option, not a kind. */
    ck_assert_int_eq(options_parse("show_leak_kinds=definite:indirect", capture), 1);
    ck_assert_ptr_nonnull(strstr(last, "unknown option 'indirect'"));
}
END_TEST

/* trace_children_skip's patterns: '*' and '?', on the path with a '/', else the name. */
START_TEST(skip_patterns)
{
    ck_assert(trace_skip_matches("/usr/*", "/usr/bin/make"));
    ck_assert(!trace_skip_matches("/usr/*", "/home/me/proj/tests/leaky"));
    ck_assert(trace_skip_matches("cc1*,make", "/usr/lib/gcc/x86_64-linux-gnu/12/cc1"));
    ck_assert(trace_skip_matches("x,make", "/usr/bin/make"));
    ck_assert(!trace_skip_matches("mak", "/usr/bin/make"));
    ck_assert(!trace_skip_matches("make", "/usr/bin/gmake"));
    ck_assert(trace_skip_matches("?make", "/usr/bin/gmake"));
    ck_assert(trace_skip_matches("*/tests/*-slow", "/p/tests/big-slow"));
    ck_assert(!trace_skip_matches("*/tests/*-slow", "/p/tests/big-slow2"));
    ck_assert(trace_skip_matches("a*b*c", "aXXbYYbZc"));
    ck_assert(!trace_skip_matches("", "/usr/bin/make"));
    ck_assert(!trace_skip_matches(",,", "/usr/bin/make"));
    ck_assert(trace_skip_matches("*", "anything"));
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("options");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, values_and_suffixes);
    tcase_add_test(tc, defaults_come_from_the_table);
    tcase_add_test(tc, unknown_option_warns_and_is_ignored);
    tcase_add_test(tc, bad_value_keeps_the_default);
    tcase_add_test(tc, out_of_range_warns_with_the_range);
    tcase_add_test(tc, separators_and_empty_entries);
    tcase_add_test(tc, random_bytes_never_crash);
    tcase_add_test(tc, environment_read_from_proc);
    tcase_add_test(tc, lists_take_commas);
    tcase_add_test(tc, skip_patterns);
    suite_add_tcase(s, tc);
    return s;
}
