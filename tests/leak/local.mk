## The leak check end to end (tests/leak/leaks.sh): classification, symbolized
## allocation lines, and agreement with memcheck's summary.
check_PROGRAMS += tests/leak/leak_cases
tests_leak_leak_cases_SOURCES = tests/leak/leak_cases.c
tests_leak_leak_cases_LDADD = -lpthread
TESTS += tests/leak/leaks.sh
EXTRA_DIST += tests/leak/leaks.sh
