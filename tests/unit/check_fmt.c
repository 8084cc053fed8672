/* The no-allocation formatter: each conversion, widths, and truncation. */
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

Suite *make_suite(void)
{
    Suite *s = suite_create("fmt");
    TCase *tc = tcase_create("fmt");
    tcase_add_test(tc, conversions);
    tcase_add_test(tc, truncates_without_overflow);
    suite_add_tcase(s, tc);
    return s;
}
