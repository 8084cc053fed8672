## Reliability (issue 14): leak-check roots in other threads' registers, alternate
## signal stacks and an exit() from a thread; see each script's head.
check_PROGRAMS += tests/reliability/roots
tests_reliability_roots_SOURCES = tests/reliability/roots.c
tests_reliability_roots_LDADD = $(HC_LINKED)
tests_reliability_roots_LDFLAGS = -pthread
TESTS += tests/reliability/roots.sh
EXTRA_DIST += tests/reliability/roots.sh
