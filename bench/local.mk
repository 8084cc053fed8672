## Benchmarks: `make bench` compares heapcheck with the system allocator on a few
## workloads (see bench/run.sh).  Never part of `make check`: the numbers need a quiet
## machine and a minute or two, and nothing in them passes or fails.  Included from
## the top Makefile.am.

# An EXTRA program: built only when `make bench` asks for it, not by `make`.  Not
# linked with heapcheck: one binary measures every allocator, heapcheck through
# LD_PRELOAD.
EXTRA_PROGRAMS += bench/bench-workloads
bench_bench_workloads_SOURCES = bench/workloads.c
EXTRA_DIST += bench/run.sh
# Automake cleans only the programs `make` builds; this one is built on demand.
CLEANFILES += bench/bench-workloads$(EXEEXT)

# Knobs, from the environment or the command line (bench/run.sh has the defaults):
# BENCH_RUNS (rounds), BENCH_WORKLOADS, BENCH_PRESETS, BENCH_OPS.
bench: lib/libheapcheck.la bench/bench-workloads$(EXEEXT)
	$(AM_V_at)BENCH_PROG=bench/bench-workloads$(EXEEXT) \
	BENCH_LIB=lib/libheapcheck.la \
	BENCH_OUT=bench/results \
	BENCH_VERSION='$(PACKAGE_VERSION)' \
	BENCH_RUNS='$(BENCH_RUNS)' \
	BENCH_WORKLOADS='$(BENCH_WORKLOADS)' \
	BENCH_PRESETS='$(BENCH_PRESETS)' \
	BENCH_OPS='$(BENCH_OPS)' \
	$(SHELL) $(srcdir)/bench/run.sh

.PHONY: bench
