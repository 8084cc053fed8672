## Detection tests, in the manner of Valgrind's memcheck tests: the recipe
## tests/detect/NAME.detect runs a test program under heapcheck, and what the
## program's stderr holds after filter.sh must equal tests/detect/NAME.stderr.exp.
## run.sh, their log compiler, documents the recipe format.  Included from the top
## Makefile.am; TEST_EXTENSIONS (with .detect) is set in tests/clean/local.mk.
##
## Every case is one C file built twice: tests/detect/NAME, a plain program that
## the harness runs with libheapcheck preloaded, and tests/detect/NAME-linked, the
## same source linked with libheapcheck.  To add a case NAME, write
## tests/detect/NAME.c, NAME.detect and NAME.stderr.exp, and add three lines below
## (automake takes a program's library and a second program's source only from
## variables named after that program):
##   detect_cases += tests/detect/NAME
##   tests_detect_NAME_linked_SOURCES = tests/detect/NAME.c
##   tests_detect_NAME_linked_LDADD = $(HC_LINKED)
## ('-' in a program name becomes '_' in its variables.)  Call the allocator
## through volatile function pointers, as clean_basic.c does: a compiler may delete
## a malloc/free pair it can see through, and a test of a double free with it.

DETECT_LOG_COMPILER = $(SHELL) $(top_srcdir)/tests/detect/run.sh

detect_cases =

detect_cases += tests/detect/clean_basic
tests_detect_clean_basic_linked_SOURCES = tests/detect/clean_basic.c
tests_detect_clean_basic_linked_LDADD = $(HC_LINKED)

# Everything else follows from the list.
check_PROGRAMS += $(detect_cases) $(detect_cases:=-linked)
TESTS += $(detect_cases:=.detect)
EXTRA_DIST += \
	tests/detect/run.sh tests/detect/filter.sh \
	$(detect_cases:=.detect) $(detect_cases:=.stderr.exp)
# Left by a failing case, for a look or to become the new expectation.
CLEANFILES += tests/detect/*.stderr.out tests/detect/*.stderr.diff
