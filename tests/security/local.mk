## The exploitation suite (tests/security/README.md): one program per heap-exploitation
## technique, built without heapcheck and run by run.sh with it preloaded under the
## full and hardened presets; each must be stopped, with a report, before its
## primitive works.  `tests/security/run.sh --matrix` also runs them on glibc and
## Scudo.  free_block_fuzz overwrites the words of free blocks at random and requires
## each overwrite to be reported, safely.  (keys_* and hardened_* are in keys.mk.)

security_programs = \
	tests/security/list_poisoning \
	tests/security/unsafe_unlink \
	tests/security/range_bin_poisoning \
	tests/security/size_overlap_indexed \
	tests/security/size_overlap_copy \
	tests/security/poison_null_byte \
	tests/security/house_of_force \
	tests/security/spirit_stack \
	tests/security/spirit_bss \
	tests/security/spirit_heap \
	tests/security/interior_free \
	tests/security/double_free_aa \
	tests/security/double_free_aba
check_PROGRAMS += $(security_programs) tests/security/free_block_fuzz
TESTS += tests/security/free_block_fuzz
tests_security_free_block_fuzz_SOURCES = tests/security/free_block_fuzz.c
tests_security_free_block_fuzz_LDADD = $(HC_LINKED)
# No builtins (and malloc through volatile pointers, sec.h): the programs write through
# dangling pointers and compare malloc's result with static addresses, which an
# optimizer may assume cannot happen; no warnings: every one of them is a bug on purpose.
SECURITY_CFLAGS = -g -fno-builtin -w
TESTS += tests/security/run.sh
EXTRA_DIST += tests/security/run.sh tests/security/README.md tests/security/sec.h \
	tests/security/size_overlap.h tests/security/spirit.h
tests_security_list_poisoning_SOURCES = tests/security/list_poisoning.c
tests_security_unsafe_unlink_SOURCES = tests/security/unsafe_unlink.c
tests_security_range_bin_poisoning_SOURCES = tests/security/range_bin_poisoning.c
tests_security_size_overlap_indexed_SOURCES = tests/security/size_overlap_indexed.c
tests_security_size_overlap_copy_SOURCES = tests/security/size_overlap_copy.c
tests_security_poison_null_byte_SOURCES = tests/security/poison_null_byte.c
tests_security_house_of_force_SOURCES = tests/security/house_of_force.c
tests_security_spirit_stack_SOURCES = tests/security/spirit_stack.c
tests_security_spirit_bss_SOURCES = tests/security/spirit_bss.c
tests_security_spirit_heap_SOURCES = tests/security/spirit_heap.c
tests_security_interior_free_SOURCES = tests/security/interior_free.c
tests_security_double_free_aa_SOURCES = tests/security/double_free_aa.c
tests_security_double_free_aba_SOURCES = tests/security/double_free_aba.c
tests_security_list_poisoning_CFLAGS = $(SECURITY_CFLAGS)
tests_security_unsafe_unlink_CFLAGS = $(SECURITY_CFLAGS)
tests_security_range_bin_poisoning_CFLAGS = $(SECURITY_CFLAGS)
tests_security_size_overlap_indexed_CFLAGS = $(SECURITY_CFLAGS)
tests_security_size_overlap_copy_CFLAGS = $(SECURITY_CFLAGS)
tests_security_poison_null_byte_CFLAGS = $(SECURITY_CFLAGS)
tests_security_house_of_force_CFLAGS = $(SECURITY_CFLAGS)
tests_security_spirit_stack_CFLAGS = $(SECURITY_CFLAGS)
tests_security_spirit_bss_CFLAGS = $(SECURITY_CFLAGS)
tests_security_spirit_heap_CFLAGS = $(SECURITY_CFLAGS)
tests_security_interior_free_CFLAGS = $(SECURITY_CFLAGS)
tests_security_double_free_aa_CFLAGS = $(SECURITY_CFLAGS)
tests_security_double_free_aba_CFLAGS = $(SECURITY_CFLAGS)
