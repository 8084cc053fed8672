## A real project's suite under heapcheck: tests/suite/proj, a small Autotools project
## shaped like sed's, grep's and m4's suites, built out of tree and run plainly and
## under `heapcheck -- make check` (tests/suite/real_suite.sh).  Included from
## tests/local.mk.

suite_tests = tests/suite/real_suite.sh tests/suite/bench_suite.sh
TESTS += $(suite_tests)
EXTRA_DIST += $(suite_tests) \
	tests/suite/proj/configure.ac tests/suite/proj/Makefile.am \
	tests/suite/proj/wordfreq.c tests/suite/proj/tests/init.sh \
	tests/suite/proj/tests/count.sh tests/suite/proj/tests/ignore-case.sh \
	tests/suite/proj/tests/sorted.sh tests/suite/proj/tests/grow.sh \
	tests/suite/proj/tests/long-word.sh tests/suite/proj/tests/valgrind.sh \
	tests/suite/proj/tests/test-spawn-pipe.c tests/suite/proj/tests/test-setenv.c
