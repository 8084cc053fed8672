/* The no-allocation formatter: each conversion, widths, and truncation; the hex parser. */
#include "unit.h"
#include "fmt.h"

#include <string.h>

START_TEST(conversions)
{
    char buf[128];
    struct fmt f;
    fmt_init(&f, buf, sizeof buf);
    fmt_printf(&f, "%s|%d|%u|%x|%zu|%p|%c|%%|%5d|%04x", "hi", -42, 7u, 0xbeefu, (size_t)123456789012,
               (void *)0x1000, 'z', 3, 0xa);
    ck_assert_str_eq(fmt_text(&f), "hi|-42|7|beef|123456789012|0x1000|z|%|    3|000a");
}
END_TEST

START_TEST(truncates_without_overflow)
{
    char buf[8];
    struct fmt f;
    fmt_init(&f, buf, sizeof buf);
    fmt_printf(&f, "%s", "0123456789");
    ck_assert_str_eq(fmt_text(&f), "0123456");
    ck_assert_uint_eq(fmt_length(&f), 7);
}
END_TEST

/* A line of /proc/self/maps, and a "0x" value as /proc/self/task/TID/syscall has it. */
START_TEST(parses_hex)
{
    const char *p = "7f3dd7620000-7f3dd7646000 r--p";
    ck_assert_uint_eq(fmt_parse_hex(&p), 0x7f3dd7620000u);
    ck_assert_int_eq(*p, '-');
    p++;
    ck_assert_uint_eq(fmt_parse_hex(&p), 0x7f3dd7646000u);
    ck_assert_int_eq(*p, ' ');
    const char *q = "0x7ffc1234abcd\n";
    ck_assert_uint_eq(fmt_parse_hex(&q), 0x7ffc1234abcdu);
    ck_assert_int_eq(*q, '\n');
    const char *none = "zz";
    ck_assert_uint_eq(fmt_parse_hex(&none), 0);
    ck_assert_int_eq(*none, 'z');
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("fmt");
    TCase *tc = tcase_create("fmt");
    tcase_add_test(tc, conversions);
    tcase_add_test(tc, truncates_without_overflow);
    tcase_add_test(tc, parses_hex);
    suite_add_tcase(s, tc);
    return s;
}
