## Valgrind memcheck with heapcheck underneath (docs/valgrind.md).  Included from the
## top Makefile.am, after tests/detect/local.mk.
##
## `make check` runs tests/valgrind/memcheck.sh: small programs, each with one kind
## of bug (or none), run under memcheck with libheapcheck preloaded, and memcheck's
## report must name the bug at the program's line, as it does on its own allocator.
## The script skips (77) when valgrind is not installed.
##
## `make check-valgrind` is separate (slow): the unit suites and a detection program
## under memcheck, to find errors in heapcheck's own code.

# The programs are plain: memcheck.sh preloads the library, as a user would.  No
# optimisation and full debug information, so that memcheck's line numbers are the
# source's (a CFLAGS given to configure or make comes later on the command line, and
# wins: the programs are written to give the same reports at -O2).
VG_TEST_CFLAGS = $(AM_CFLAGS) -O0 -g
VG_TEST_CXXFLAGS = $(AM_CXXFLAGS) -O0 -g

valgrind_programs = tests/valgrind/vg_clean tests/valgrind/vg_overflow \
	tests/valgrind/vg_uninit tests/valgrind/vg_read_after_free tests/valgrind/vg_leak
check_PROGRAMS += $(valgrind_programs) tests/valgrind/vg_clean-linked

tests_valgrind_vg_clean_SOURCES = tests/valgrind/vg_clean.c
tests_valgrind_vg_clean_CFLAGS = $(VG_TEST_CFLAGS)
tests_valgrind_vg_overflow_SOURCES = tests/valgrind/vg_overflow.c
tests_valgrind_vg_overflow_CFLAGS = $(VG_TEST_CFLAGS)
tests_valgrind_vg_uninit_SOURCES = tests/valgrind/vg_uninit.c
tests_valgrind_vg_uninit_CFLAGS = $(VG_TEST_CFLAGS)
tests_valgrind_vg_read_after_free_SOURCES = tests/valgrind/vg_read_after_free.c
tests_valgrind_vg_read_after_free_CFLAGS = $(VG_TEST_CFLAGS)
tests_valgrind_vg_leak_SOURCES = tests/valgrind/vg_leak.c
tests_valgrind_vg_leak_CFLAGS = $(VG_TEST_CFLAGS)

# The same correct program linked with libheapcheck (no LD_PRELOAD).  -no-install:
# libtool links the real program, with the library's build directory in its run
# path, instead of a wrapper script that memcheck would run in its place.
tests_valgrind_vg_clean_linked_SOURCES = tests/valgrind/vg_clean.c
tests_valgrind_vg_clean_linked_CFLAGS = $(VG_TEST_CFLAGS)
tests_valgrind_vg_clean_linked_LDADD = $(HC_LINKED)
tests_valgrind_vg_clean_linked_LDFLAGS = -no-install

# C++: new, new[], delete and delete[] (memcheck.sh runs it when it is built).
if HAVE_CXX
check_PROGRAMS += tests/valgrind/vg_clean_cxx
tests_valgrind_vg_clean_cxx_SOURCES = tests/valgrind/vg_clean_cxx.cc
tests_valgrind_vg_clean_cxx_CXXFLAGS = $(VG_TEST_CXXFLAGS)
endif

# The configured valgrind (empty when configure found none; the scripts then look in
# PATH, and skip if it is not there either).
AM_TESTS_ENVIRONMENT += VALGRIND='$(VALGRIND)'; export VALGRIND;

TESTS += tests/valgrind/memcheck.sh
EXTRA_DIST += tests/valgrind/memcheck.sh tests/valgrind/check-valgrind.sh

# make check-valgrind: every unit suite under memcheck (CK_FORK=no: Check would
# otherwise run each test in a child that memcheck does not follow), and the clean
# detection program with libheapcheck preloaded, the heapcheck way.  Any memcheck
# error, any leak, or a failing test fails the target.
check-valgrind: $(unit_tests:=$(EXEEXT)) tests/detect/clean_basic$(EXEEXT) lib/libheapcheck.la
	$(AM_V_at)$(AM_TESTS_ENVIRONMENT) \
	$(SHELL) $(srcdir)/tests/valgrind/check-valgrind.sh \
	$(unit_tests:=$(EXEEXT)) -- tests/detect/clean_basic$(EXEEXT)

.PHONY: check-valgrind
