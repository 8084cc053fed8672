## Tests of the heapcheck command-line tool: its flags and exit statuses, the dump
## loader on good and bad dumps, symbolization (against sample_prog, built with -g),
## suppressions, and whole runs.  Included from the top Makefile.am.

check_PROGRAMS += tests/tool/sample_prog
tests_tool_sample_prog_SOURCES = tests/tool/sample_prog.c
# -O0 is also forced by a pragma in the file, as CFLAGS come after these.
tests_tool_sample_prog_CFLAGS = $(AM_CFLAGS) -g -O0 -fno-omit-frame-pointer

check_PROGRAMS += tests/tool/snapshot_prog
tests_tool_snapshot_prog_SOURCES = tests/tool/snapshot_prog.c
tests_tool_snapshot_prog_CFLAGS = $(AM_CFLAGS) -g -O0 -fno-omit-frame-pointer
tests_tool_snapshot_prog_LDADD = $(HC_LINKED)

check_PROGRAMS += tests/tool/many_stacks
tests_tool_many_stacks_SOURCES = tests/tool/many_stacks.c
tests_tool_many_stacks_CFLAGS = $(AM_CFLAGS) -g -O0 -fno-omit-frame-pointer
tests_tool_many_stacks_LDADD = $(HC_LINKED)

check_PROGRAMS += tests/tool/wrapper_prog
tests_tool_wrapper_prog_SOURCES = tests/tool/wrapper_prog.c
tests_tool_wrapper_prog_CFLAGS = $(AM_CFLAGS) -g -O0 -fno-omit-frame-pointer

check_PROGRAMS += tests/tool/heapmap_prog
tests_tool_heapmap_prog_SOURCES = tests/tool/heapmap_prog.c
tests_tool_heapmap_prog_LDADD = $(HC_LINKED)

tool_tests = \
	tests/tool/cli.sh \
	tests/tool/exit_codes.sh \
	tests/tool/symbols_nm.sh \
	tests/tool/symbols_selfdump.sh \
	tests/tool/bad_dumps.sh \
	tests/tool/corpus.sh \
	tests/tool/suppress.sh \
	tests/tool/run_dumps.sh \
	tests/tool/real_run.sh \
	tests/tool/sample_project.sh \
	tests/tool/machine_output.sh \
	tests/tool/memcheck_supp.sh \
	tests/tool/lib_suppressions.sh \
	tests/tool/option_language.sh \
	tests/tool/access_run.sh \
	tests/tool/pictures.sh \
	tests/tool/snapshots.sh \
	tests/tool/many_stacks.sh \
	tests/tool/heapmap_check.sh \
	tests/tool/html_browser.sh \
	tests/tool/exit_status_suite.sh \
	tests/tool/run_scope.sh \
	tests/tool/m4_found.sh \
	tests/tool/suite_report.sh
TESTS += $(tool_tests)
EXTRA_DIST += $(tool_tests) tests/tool/common.sh tests/tool/fake_prog.sh \
	tests/tool/data tests/tool/corpus tests/tool/sarif/sarif-schema-2.1.0.json \
	tests/tool/sarif/README tests/tool/golden tests/tool/svg_check.py \
	tests/tool/png_check.py
# The Autotools project of sample_project.sh, which uses m4/heapcheck.m4.
EXTRA_DIST += tests/sample/configure.ac tests/sample/Makefile.am \
	tests/sample/wordlist.c tests/sample/leaky.c tests/sample/overflow.c \
	tests/sample/listing.sh
