## Tests: unit suites (Check) against the internal library; programs that use the
## real library, linked and preloaded.  Included from the top Makefile.am.

UNIT_LDADD = lib/libheapcheck-internal.la $(CHECK_LIBS)
UNIT_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)

unit_tests = \
	tests/unit/check_freeidx \
	tests/unit/check_core \
	tests/unit/check_options \
	tests/unit/check_fmt
check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)

tests_unit_check_freeidx_SOURCES = tests/unit/check_freeidx.c tests/unit/unit.h
tests_unit_check_freeidx_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_freeidx_LDADD = $(UNIT_LDADD)
tests_unit_check_core_SOURCES = tests/unit/check_core.c tests/unit/unit.h
tests_unit_check_core_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_core_LDADD = $(UNIT_LDADD)
tests_unit_check_options_SOURCES = tests/unit/check_options.c tests/unit/unit.h
tests_unit_check_options_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_options_LDADD = $(UNIT_LDADD)
tests_unit_check_fmt_SOURCES = tests/unit/check_fmt.c tests/unit/unit.h
tests_unit_check_fmt_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_fmt_LDADD = $(UNIT_LDADD)

# Programs linked with the real library.
HC_LINKED = lib/libheapcheck.la
