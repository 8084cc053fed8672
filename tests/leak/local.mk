## The leak check end to end (tests/leak/leaks.sh): classification, symbolized
## allocation lines, and agreement with memcheck's summary.
check_PROGRAMS += tests/leak/leak_cases
tests_leak_leak_cases_SOURCES = tests/leak/leak_cases.c
tests_leak_leak_cases_LDADD = -lpthread
TESTS += tests/leak/leaks.sh
EXTRA_DIST += tests/leak/leaks.sh

## Leaks whose only pointers are stale copies in dead stack below the exit path
## (tests/leak/dropped.sh): at -O0 and -O2, preloaded and linked.
check_PROGRAMS += tests/leak/dropped_O0 tests/leak/dropped_O2 \
	tests/leak/dropped_linked_O0 tests/leak/dropped_linked_O2
tests_leak_dropped_O0_SOURCES = tests/leak/dropped_O0.c
tests_leak_dropped_O0_LDADD = -lpthread
tests_leak_dropped_O2_SOURCES = tests/leak/dropped_O2.c
tests_leak_dropped_O2_LDADD = -lpthread
tests_leak_dropped_linked_O0_SOURCES = tests/leak/dropped_O0.c
tests_leak_dropped_linked_O0_LDADD = $(HC_LINKED) -lpthread
tests_leak_dropped_linked_O2_SOURCES = tests/leak/dropped_O2.c
tests_leak_dropped_linked_O2_LDADD = $(HC_LINKED) -lpthread
EXTRA_DIST += tests/leak/dropped.c
TESTS += tests/leak/dropped.sh
EXTRA_DIST += tests/leak/dropped.sh
