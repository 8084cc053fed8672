## Reliability (issue 14): leak-check roots in other threads' registers, alternate
## signal stacks and an exit() from a thread; see each script's head.
check_PROGRAMS += tests/reliability/roots
tests_reliability_roots_SOURCES = tests/reliability/roots.c
tests_reliability_roots_LDADD = $(HC_LINKED)
tests_reliability_roots_LDFLAGS = -pthread
TESTS += tests/reliability/roots.sh
EXTRA_DIST += tests/reliability/roots.sh

## Log and dump files planted by someone else (FIFO, another user's file) and a full
## disk: tests/reliability/outputs.sh.
check_PROGRAMS += tests/reliability/writer
tests_reliability_writer_SOURCES = tests/reliability/writer.c
tests_reliability_writer_LDADD = $(HC_LINKED)
TESTS += tests/reliability/outputs.sh
EXTRA_DIST += tests/reliability/outputs.sh
