## Whole processes under heapcheck, as real test suites run them: descriptors,
## glibc's own memory at exit, valgrind inside a suite.  Included from
## tests/local.mk.  The programs are plain (the scripts preload the library).
check_PROGRAMS += tests/process/fd_reuse
tests_process_fd_reuse_SOURCES = tests/process/fd_reuse.c
tests_process_fd_reuse_LDADD = -lpthread

TESTS += tests/process/fd_reuse.sh
EXTRA_DIST += tests/process/fd_reuse.sh
