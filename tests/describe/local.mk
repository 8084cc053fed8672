## hc_describe (lib/describe.c): its answer for each kind of address, compared with an
## expected report (describe.sh), and a real gdb session that calls it at a breakpoint,
## inside the allocator and after a fault (describe_gdb.sh; skipped without gdb).
check_PROGRAMS += tests/describe/describe_prog tests/describe/describe_gdb_prog
tests_describe_describe_prog_SOURCES = tests/describe/describe_prog.c
tests_describe_describe_prog_LDADD = $(HC_LINKED)
tests_describe_describe_gdb_prog_SOURCES = tests/describe/describe_gdb_prog.c
TESTS += tests/describe/describe.sh tests/describe/describe_gdb.sh
EXTRA_DIST += tests/describe/describe.sh tests/describe/describe_gdb.sh \
	tests/describe/describe.stderr.exp
