## Detection tests, in the manner of Valgrind's memcheck tests: the recipe
## tests/detect/NAME.detect runs a test program under heapcheck, and what the
## program's stderr holds after filter.sh must equal tests/detect/NAME.stderr.exp.
## run.sh, their log compiler, documents the recipe format.  Included from the top
## Makefile.am; TEST_EXTENSIONS (with .detect) is set in tests/clean/local.mk.
##
## Every program is one source built twice: tests/detect/P, a plain program that
## the harness runs with libheapcheck preloaded, and tests/detect/P-linked, the same
## source linked with libheapcheck.  Several recipes may run one program with other
## arguments (their `prog:` line).  To add a program P, add to detect_programs and
## write the two variables of P-linked below (automake takes a program's library
## only from a variable named after that program); to add a recipe NAME, write
## NAME.detect and NAME.stderr.exp and add tests/detect/NAME to detect_recipes.  Programs call the
## allocator through volatile function pointers (alloc.h): a compiler may delete a
## malloc/free pair it can see through, and a test of a double free with it.

DETECT_LOG_COMPILER = $(SHELL) $(top_srcdir)/tests/detect/run.sh

detect_programs = tests/detect/clean_basic tests/detect/overflow tests/detect/underflow \
	tests/detect/double_free tests/detect/invalid_free tests/detect/realloc_bad \
	tests/detect/write_after_free tests/detect/stray_memset \
	tests/detect/first_call tests/detect/signal_malloc tests/detect/double_free_thread \
	tests/detect/realloc_room tests/detect/free_block_damage
detect_recipes = \
	tests/detect/clean_basic \
	tests/detect/overflow_1_byte_past_request_1 \
	tests/detect/overflow_1_byte_past_request_8 \
	tests/detect/overflow_1_byte_past_request_13 \
	tests/detect/overflow_1_byte_past_request_24 \
	tests/detect/overflow_1_byte_past_request_4096 \
	tests/detect/overflow_1_byte_mapped_block \
	tests/detect/overflow_8_bytes \
	tests/detect/overflow_64_bytes \
	tests/detect/overflow_in_block_never_freed \
	tests/detect/overflow_continue_mode \
	tests/detect/underflow_1_byte \
	tests/detect/underflow_4_bytes \
	tests/detect/underflow_8_bytes \
	tests/detect/underflow_1_byte_in_slot \
	tests/detect/underflow_8_bytes_in_slot \
	tests/detect/double_free_immediate \
	tests/detect/double_free_after_other_allocations \
	tests/detect/double_free_other_thread \
	tests/detect/interior_free_offset_1 \
	tests/detect/interior_free_offset_16 \
	tests/detect/wild_free_stack_address \
	tests/detect/wild_free_global \
	tests/detect/wild_free_unmapped_address \
	tests/detect/first_call_free_wild \
	tests/detect/first_call_usable_size_stack \
	tests/detect/first_call_realloc_static \
	tests/detect/malloc_in_signal_handler \
	tests/detect/realloc_of_freed_pointer \
	tests/detect/realloc_of_interior_pointer \
	tests/detect/realloc_room_absorbed \
	tests/detect/realloc_room_beyond \
	tests/detect/realloc_room_grown \
	tests/detect/write_after_free_first_byte \
	tests/detect/write_after_free_middle \
	tests/detect/write_after_free_found_by_check \
	tests/detect/free_block_links_overwritten \
	tests/detect/free_block_size_overwritten \
	tests/detect/free_block_links_overwritten_bare \
	tests/detect/stray_memset_over_next_header

tests_detect_clean_basic_linked_SOURCES = tests/detect/clean_basic.c
tests_detect_free_block_damage_linked_SOURCES = tests/detect/free_block_damage.c
tests_detect_free_block_damage_linked_LDADD = $(HC_LINKED)
tests_detect_realloc_room_linked_SOURCES = tests/detect/realloc_room.c
tests_detect_realloc_room_linked_LDADD = $(HC_LINKED)
tests_detect_clean_basic_linked_LDADD = $(HC_LINKED)
tests_detect_overflow_linked_SOURCES = tests/detect/overflow.c
tests_detect_overflow_linked_LDADD = $(HC_LINKED)
tests_detect_underflow_linked_SOURCES = tests/detect/underflow.c
tests_detect_underflow_linked_LDADD = $(HC_LINKED)
tests_detect_double_free_linked_SOURCES = tests/detect/double_free.c
tests_detect_double_free_linked_LDADD = $(HC_LINKED)
tests_detect_double_free_thread_LDFLAGS = -pthread
tests_detect_double_free_thread_linked_SOURCES = tests/detect/double_free_thread.c
tests_detect_double_free_thread_linked_LDADD = $(HC_LINKED)
tests_detect_double_free_thread_linked_LDFLAGS = -pthread
tests_detect_invalid_free_linked_SOURCES = tests/detect/invalid_free.c
tests_detect_invalid_free_linked_LDADD = $(HC_LINKED)
tests_detect_realloc_bad_linked_SOURCES = tests/detect/realloc_bad.c
tests_detect_realloc_bad_linked_LDADD = $(HC_LINKED)
tests_detect_write_after_free_SOURCES = tests/detect/write_after_free.c
tests_detect_write_after_free_LDADD = -ldl
tests_detect_write_after_free_linked_SOURCES = tests/detect/write_after_free.c
tests_detect_write_after_free_linked_LDADD = $(HC_LINKED) -ldl
tests_detect_stray_memset_linked_SOURCES = tests/detect/stray_memset.c
tests_detect_stray_memset_linked_LDADD = $(HC_LINKED)
tests_detect_first_call_linked_SOURCES = tests/detect/first_call.c
tests_detect_first_call_linked_LDADD = $(HC_LINKED)
tests_detect_signal_malloc_linked_SOURCES = tests/detect/signal_malloc.c
tests_detect_signal_malloc_linked_LDADD = $(HC_LINKED)

# Caught at the access: guarded slots and the fatal-signal report (lib/slots.c,
# lib/fault.c).
detect_programs += tests/detect/access
detect_recipes += \
	tests/detect/access_read_after_free_first_byte \
	tests/detect/access_read_after_free_middle \
	tests/detect/access_read_past_32_byte_block \
	tests/detect/access_read_past_page_block \
	tests/detect/access_read_past_64k_block \
	tests/detect/access_underflow_read \
	tests/detect/access_write_after_free \
	tests/detect/access_wild_pointer \
	tests/detect/access_pointer_from_freed_block \
	tests/detect/access_own_handler \
	tests/detect/access_fault_in_thread \
	tests/detect/access_stack_overflow_in_thread \
	tests/detect/access_stack_overflow_in_bare_thread \
	tests/detect/access_thread_altstacks_unmapped \
	tests/detect/access_underflow_read_in_loop \
	tests/detect/access_continue_mode_keeps_findings \
	tests/detect/free_of_free_fill_pointer \
	tests/detect/access_fault_after_fork \
	tests/detect/access_write_past_8_byte_block \
	tests/detect/access_alignments_kept \
	tests/detect/access_own_sigaction_read_after_free \
	tests/detect/access_own_sigaction_wild_pointer \
	tests/detect/access_own_handler_flags \
	tests/detect/access_continue_after_faults \
	tests/detect/access_underflow_found_by_realloc
tests_detect_access_linked_SOURCES = tests/detect/access.c
tests_detect_access_linked_LDADD = $(HC_LINKED)

# C++: new, new[], delete and delete[] against malloc and free.  Distributed whatever
# configure found, so a tarball made without g++ still tests C++ where g++ is.
cxx_recipes = tests/detect/cxx_new_freed_with_free \
	tests/detect/cxx_malloc_released_with_delete \
	tests/detect/cxx_new_array_released_with_delete \
	tests/detect/cxx_new_released_with_delete_array
EXTRA_DIST += tests/detect/cxx_mismatch.cc $(cxx_recipes:=.detect) $(cxx_recipes:=.stderr.exp)
if HAVE_CXX
detect_programs += tests/detect/cxx_mismatch
detect_recipes += $(cxx_recipes)
tests_detect_cxx_mismatch_SOURCES = tests/detect/cxx_mismatch.cc
tests_detect_cxx_mismatch_linked_SOURCES = tests/detect/cxx_mismatch.cc
tests_detect_cxx_mismatch_linked_LDADD = $(HC_LINKED)
endif

# Reports as a user reads them (issue 11): gcc's -g -O2 without frame pointers,
# blocks made inside glibc, stderr closed.
detect_programs += tests/detect/reports
detect_recipes += tests/detect/report_strdup_helper_overflow \
	tests/detect/report_getline_leak \
	tests/detect/report_stderr_closed_overflow \
	tests/detect/report_realloc_block_overflow
tests_detect_reports_SOURCES = tests/detect/reports.c
tests_detect_reports_CFLAGS = $(AM_CFLAGS) -g -O2 -fomit-frame-pointer
tests_detect_reports_linked_SOURCES = tests/detect/reports.c
tests_detect_reports_linked_CFLAGS = $(AM_CFLAGS) -g -O2 -fomit-frame-pointer
tests_detect_reports_linked_LDADD = $(HC_LINKED)
# Distributed whatever configure found, as the recipes above.
EXTRA_DIST += tests/detect/cxx_names.cc tests/detect/cxx_names_demangled.detect \
	tests/detect/cxx_names_demangled.stderr.exp
if HAVE_CXX
detect_programs += tests/detect/cxx_names
detect_recipes += tests/detect/cxx_names_demangled
tests_detect_cxx_names_SOURCES = tests/detect/cxx_names.cc
tests_detect_cxx_names_CXXFLAGS = $(AM_CXXFLAGS) -g -O2 -fomit-frame-pointer
tests_detect_cxx_names_linked_SOURCES = tests/detect/cxx_names.cc
tests_detect_cxx_names_linked_CXXFLAGS = $(AM_CXXFLAGS) -g -O2 -fomit-frame-pointer
tests_detect_cxx_names_linked_LDADD = $(HC_LINKED)
endif

# Each stack names its thread; a damaged block is reported once per process.
detect_programs += tests/detect/threads_named tests/detect/check_then_exit
detect_recipes += tests/detect/threads_named_double_free \
	tests/detect/check_then_exit_reports_once
tests_detect_threads_named_LDADD = -lpthread
tests_detect_threads_named_linked_SOURCES = tests/detect/threads_named.c
tests_detect_threads_named_linked_LDADD = $(HC_LINKED) -lpthread
tests_detect_check_then_exit_LDADD = -ldl
tests_detect_check_then_exit_linked_SOURCES = tests/detect/check_then_exit.c
tests_detect_check_then_exit_linked_LDADD = $(HC_LINKED) -ldl

# One renderer: every recipe's findings, as the library printed them and as
# `heapcheck report` renders its dump, carry the same lines.
TESTS += tests/detect/both_ways.sh
EXTRA_DIST += tests/detect/both_ways.sh tests/detect/threads_named.c tests/detect/check_then_exit.c

# Everything else follows from the lists.
check_PROGRAMS += $(detect_programs) $(detect_programs:=-linked)
TESTS += $(detect_recipes:=.detect)
EXTRA_DIST += \
	tests/detect/run.sh tests/detect/filter.sh tests/detect/alloc.h \
	$(detect_recipes:=.detect) $(detect_recipes:=.stderr.exp)
# Left by a failing case, for a look or to become the new expectation.
CLEANFILES += tests/detect/*.stderr.out tests/detect/*.stderr.diff
