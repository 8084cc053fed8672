## Whole processes under heapcheck, as real test suites run them: descriptors,
## glibc's own memory at exit, valgrind inside a suite.  Included from
## tests/local.mk.  The programs are plain (the scripts preload the library).
check_PROGRAMS += tests/process/fd_reuse
tests_process_fd_reuse_SOURCES = tests/process/fd_reuse.c
tests_process_fd_reuse_LDADD = -lpthread

TESTS += tests/process/fd_reuse.sh
EXTRA_DIST += tests/process/fd_reuse.sh

# valgrind_suite.sh: memcheck started with libheapcheck preloaded in the
# environment, as a suite that runs valgrind under heapcheck does.
check_PROGRAMS += tests/process/vg_suite
tests_process_vg_suite_SOURCES = tests/process/vg_suite.c
tests_process_vg_suite_CFLAGS = $(AM_CFLAGS) -O0 -g
if HAVE_CXX
check_PROGRAMS += tests/process/vg_suite_cxx
tests_process_vg_suite_cxx_SOURCES = tests/process/vg_suite_cxx.cc
tests_process_vg_suite_cxx_CXXFLAGS = $(AM_CXXFLAGS) -O0 -g
endif
TESTS += tests/process/valgrind_suite.sh
EXTRA_DIST += tests/process/valgrind_suite.sh

# zero_leak.sh: a 0-byte definite leak prints its SUMMARY line.
check_PROGRAMS += tests/process/zero_leak
tests_process_zero_leak_SOURCES = tests/process/zero_leak.c
TESTS += tests/process/zero_leak.sh
EXTRA_DIST += tests/process/zero_leak.sh

# libc_own.sh: glibc's own memory at exit is not the program's leak.
check_PROGRAMS += tests/process/libc_own
tests_process_libc_own_SOURCES = tests/process/libc_own.c
tests_process_libc_own_LDADD = -lpthread
TESTS += tests/process/libc_own.sh
EXTRA_DIST += tests/process/libc_own.sh
