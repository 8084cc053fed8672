## Randomized stress, threads, fork and out-of-memory tests: plain programs linked
## with the real library, so heapcheck is the whole process's malloc.  Each exits 0
## (pass), 1 (fail), 77 (skip) or 99 (hard error) and ends with an "N passed, N failed"
## line; a failure prints the seed that replays it (stress_shadow SEED [OPS]).
## Longest first, so that `make -j check` overlaps it with the others.
## The corruption fuzzer overwrites headers, boundary tags and canaries of live and
## quarantined blocks and requires every one to be caught (10,000 trials).
## rlimit_as: a program under a low RLIMIT_AS of its own allocates as with glibc.
## quarantine_budget checks the quarantine's size bounds through hc_stats(), alloc_fill
## what a new block holds.

stress_tests = \
	tests/stress/stress_shadow \
	tests/stress/arenas \
	tests/stress/fork_threads \
	tests/stress/threads \
	tests/stress/oom \
	tests/stress/rlimit_as \
	tests/stress/quarantine_budget \
	tests/stress/alloc_fill \
	tests/stress/corruption_fuzz
check_PROGRAMS += $(stress_tests)
TESTS += $(stress_tests) tests/stress/shadow_threads.sh
EXTRA_DIST += tests/stress/shadow_threads.sh

tests_stress_stress_shadow_SOURCES = tests/stress/stress_shadow.c
tests_stress_stress_shadow_LDADD = $(HC_LINKED)
tests_stress_stress_shadow_LDFLAGS = -pthread
tests_stress_arenas_SOURCES = tests/stress/arenas.c
tests_stress_arenas_LDADD = $(HC_LINKED)
tests_stress_arenas_LDFLAGS = -pthread
tests_stress_threads_SOURCES = tests/stress/threads.c
tests_stress_threads_LDADD = $(HC_LINKED)
tests_stress_threads_LDFLAGS = -pthread
tests_stress_fork_threads_SOURCES = tests/stress/fork_threads.c
tests_stress_fork_threads_LDADD = $(HC_LINKED)
tests_stress_fork_threads_LDFLAGS = -pthread
tests_stress_oom_SOURCES = tests/stress/oom.c
tests_stress_oom_LDADD = $(HC_LINKED)
tests_stress_rlimit_as_SOURCES = tests/stress/rlimit_as.c
tests_stress_rlimit_as_LDADD = $(HC_LINKED)
tests_stress_quarantine_budget_SOURCES = tests/stress/quarantine_budget.c
tests_stress_quarantine_budget_LDADD = $(HC_LINKED)
tests_stress_alloc_fill_SOURCES = tests/stress/alloc_fill.c
tests_stress_alloc_fill_LDADD = $(HC_LINKED)
tests_stress_corruption_fuzz_SOURCES = tests/stress/corruption_fuzz.c
tests_stress_corruption_fuzz_LDADD = $(HC_LINKED)

## make soak (not part of make check): tests/stress/soak.c for SOAK_SECONDS (600), the
## full and the hardened preset in alternate rounds; prints operations, processes
## and duration.
SOAK_SECONDS = 600
EXTRA_PROGRAMS += tests/stress/soak
CLEANFILES += tests/stress/soak
tests_stress_soak_SOURCES = tests/stress/soak.c
tests_stress_soak_LDADD = $(HC_LINKED)
tests_stress_soak_LDFLAGS = -pthread
soak: tests/stress/soak$(EXEEXT)
	tests/stress/soak$(EXEEXT) $(SOAK_SECONDS)
.PHONY: soak
