## Benchmarks: `make bench` compares heapcheck with the system allocator on a few
## workloads (see bench/run.sh).  Never part of `make check`: the numbers need a quiet
## machine and a minute or two, and nothing in them passes or fails.  Included from
## the top Makefile.am.

# An EXTRA program: built only when `make bench` asks for it, not by `make`.  Not
# linked with heapcheck: one binary measures every allocator, heapcheck through
# LD_PRELOAD.
EXTRA_PROGRAMS += bench/bench-workloads
bench_bench_workloads_SOURCES = bench/workloads.c
EXTRA_DIST += bench/run.sh bench/snapshot.c
# Automake cleans only the programs `make` builds; this one is built on demand.
CLEANFILES += bench/bench-workloads$(EXEEXT)

# Every bench script reads its knobs from the environment (empty means its default;
# each script's opening comment lists the ones it takes): BENCH_RUNS, BENCH_WORKLOADS,
# BENCH_PRESETS, BENCH_OPS, BENCH_SIZES, BENCH_CHECK_LIVE, BENCH_PEERS, BENCH_QUICK,
# BENCH_TIMEOUT.  They come from the environment or the make command line.
bench_env = BENCH_LIB=lib/libheapcheck.la BENCH_OUT=bench/results \
	BENCH_VERSION='$(PACKAGE_VERSION)' BENCH_RUNS='$(BENCH_RUNS)' \
	BENCH_WORKLOADS='$(BENCH_WORKLOADS)' BENCH_PRESETS='$(BENCH_PRESETS)' \
	BENCH_OPS='$(BENCH_OPS)' BENCH_SIZES='$(BENCH_SIZES)' \
	BENCH_CHECK_LIVE='$(BENCH_CHECK_LIVE)' BENCH_PEERS='$(BENCH_PEERS)' \
	BENCH_QUICK='$(BENCH_QUICK)' BENCH_TIMEOUT='$(BENCH_TIMEOUT)'

bench: lib/libheapcheck.la bench/bench-workloads$(EXEEXT)
	$(AM_V_at)$(bench_env) BENCH_PROG=bench/bench-workloads$(EXEEXT) \
	$(SHELL) $(srcdir)/bench/run.sh

.PHONY: bench

## `make bench-peers`: heapcheck against other allocators and memory debuggers, and
## `make bench-scale`: cost per operation as the live blocks grow (bench/README.md).
## Both write dated results into bench/results (committed); both take many minutes.
# bench-rusage runs a program and reports its wall time and peak RSS (bench/peers.sh
# measures preloaded programs with it); bench-scale is the churn of bench/scale.sh,
# which finds hc_check_heap and hc_leak_report with dlsym when heapcheck is preloaded.
EXTRA_PROGRAMS += bench/bench-rusage bench/bench-scale bench/onebug
bench_bench_rusage_SOURCES = bench/rusage.c
bench_bench_scale_SOURCES = bench/scale.c
bench_bench_scale_LDADD = -ldl
# bench/onebug.sh: one heap bug per mode, caught at the access or not (guarded
# slots); built on demand with `make bench/onebug`.
bench_onebug_SOURCES = bench/onebug.c
EXTRA_DIST += bench/onebug.sh
CLEANFILES += bench/onebug$(EXEEXT)
EXTRA_DIST += bench/common.sh bench/peers.sh bench/threads.sh bench/scale.sh bench/instructions.sh bench/README.md \
	bench/programs/gen-c.awk bench/programs/gen-lines.awk bench/programs/gen-repo.awk \
	bench/programs/alloc.py bench/programs/hash.pl
CLEANFILES += bench/bench-rusage$(EXEEXT) bench/bench-scale$(EXEEXT)

bench-peers: lib/libheapcheck.la bench/bench-workloads$(EXEEXT) bench/bench-rusage$(EXEEXT)
	$(AM_V_at)$(bench_env) BENCH_PROG=bench/bench-workloads$(EXEEXT) \
	BENCH_RUSAGE=bench/bench-rusage$(EXEEXT) $(SHELL) $(srcdir)/bench/peers.sh
	$(AM_V_at)$(bench_env) BENCH_PROG=bench/bench-workloads$(EXEEXT) \
	$(SHELL) $(srcdir)/bench/threads.sh

# `make bench-threads`: the thread-scaling run of bench-peers alone.
bench-threads: lib/libheapcheck.la bench/bench-workloads$(EXEEXT)
	$(AM_V_at)$(bench_env) BENCH_PROG=bench/bench-workloads$(EXEEXT) \
	$(SHELL) $(srcdir)/bench/threads.sh

bench-scale: lib/libheapcheck.la bench/bench-scale$(EXEEXT)
	$(AM_V_at)$(bench_env) BENCH_PROG=bench/bench-scale$(EXEEXT) \
	$(SHELL) $(srcdir)/bench/scale.sh

# `make bench-instructions`: instructions per operation against live blocks, counted by
# callgrind (the algorithmic cost, free of cache effects).
bench-instructions: lib/libheapcheck.la bench/bench-scale$(EXEEXT)
	$(AM_V_at)$(bench_env) BENCH_PROG=bench/bench-scale$(EXEEXT) \
	$(SHELL) $(srcdir)/bench/instructions.sh

.PHONY: bench-peers bench-threads bench-scale bench-instructions

## `make bench-suite`: a real project's test suite (a Debian source package, SUITE=gzip
## by default; SUITE="sed grep" for several) run plainly, under `heapcheck -- make
## check` (the full preset) and under memcheck, with times, ratios and result counts
## appended to bench/results/DATE-suite.md (bench/suite.sh lists its knobs).  The
## sources and builds are cached outside the tree (SUITE_CACHE); HEAPCHECK=PATH
## measures another build's tool.
EXTRA_DIST += bench/suite.sh
bench-suite: tools/heapcheck$(EXEEXT) lib/libheapcheck.la
	$(AM_V_at)BENCH_OUT=bench/results BENCH_VERSION='$(PACKAGE_VERSION)' \
	BENCH_DATE='$(BENCH_DATE)' SUITE='$(SUITE)' SUITE_MODES='$(SUITE_MODES)' \
	HEAPCHECK='$(HEAPCHECK)' SUITE_HC_OPTIONS='$(SUITE_HC_OPTIONS)' \
	SUITE_HC_FLAGS='$(SUITE_HC_FLAGS)' SUITE_JOBS='$(SUITE_JOBS)' \
	SUITE_NICE='$(SUITE_NICE)' SUITE_TIMEOUT='$(SUITE_TIMEOUT)' \
	SUITE_CACHE='$(SUITE_CACHE)' SUITE_RAW='$(SUITE_RAW)' \
	SUITE_INSTALL='$(SUITE_INSTALL)' SUITE_CONFIGURE_FLAGS='$(SUITE_CONFIGURE_FLAGS)' \
	SUITE_CHECK_ARG='$(SUITE_CHECK_ARG)' \
	$(SHELL) $(srcdir)/bench/suite.sh

.PHONY: bench-suite
