## Tests: unit suites (Check) against the internal library; programs that use the
## real library, linked and preloaded.  Included from the top Makefile.am.

UNIT_LDADD = lib/libheapcheck-internal.la $(CHECK_LIBS)
UNIT_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)

unit_tests = \
	tests/unit/check_freeidx \
	tests/unit/check_core \
	tests/unit/check_options \
	tests/unit/check_suppfile \
	tests/unit/check_fmt \
	tests/unit/check_secret
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
tests_unit_check_suppfile_SOURCES = tests/unit/check_suppfile.c tests/unit/unit.h
tests_unit_check_suppfile_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_suppfile_LDADD = $(UNIT_LDADD)
tests_unit_check_fmt_SOURCES = tests/unit/check_fmt.c tests/unit/unit.h
tests_unit_check_fmt_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_fmt_LDADD = $(UNIT_LDADD)
tests_unit_check_secret_SOURCES = tests/unit/check_secret.c tests/unit/unit.h
tests_unit_check_secret_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_secret_LDADD = $(UNIT_LDADD)

# Programs linked with the real library.
HC_LINKED = lib/libheapcheck.la

## `make fuzz-options`: the options parser's libFuzzer harness (clang; not part of
## make check); `make fuzz-options-run` runs it for FUZZ_SECONDS.
HC_FUZZ_OPTIONS_SRCS = tests/fuzz/fuzz_options.c lib/options.c lib/fmt.c
EXTRA_DIST += tests/fuzz/fuzz_options.c
CLEANFILES += tests/fuzz/fuzz_options
fuzz-options: tests/fuzz/fuzz_options
tests/fuzz/fuzz_options: $(HC_FUZZ_OPTIONS_SRCS:%=$(srcdir)/%)
	@if test -z "$(FUZZ_CC)"; then \
	  echo "make fuzz-options needs clang with libFuzzer (set FUZZ_CC)" >&2; exit 1; fi
	$(AM_V_CC)$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -DHC_NO_STANDARD_NAMES \
	  -I$(top_srcdir)/include -I$(top_srcdir)/lib -I$(top_builddir) \
	  $(HC_FUZZ_OPTIONS_SRCS:%=$(srcdir)/%) -o $@
fuzz-options-run: tests/fuzz/fuzz_options
	./tests/fuzz/fuzz_options -max_total_time=$(FUZZ_SECONDS) -max_len=512
.PHONY: fuzz-options fuzz-options-run
include tests/process/local.mk

# The keys_* and hardened_* security tests (issue 21).
include $(top_srcdir)/tests/security/keys.mk

include tests/suite/local.mk
