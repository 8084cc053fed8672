## The security tests of unforgeable keys, double-free naming and reuse order under
## the hardened preset (issue 21, items 3-5): keys_* and hardened_* in tests/security.
## Each program is built without heapcheck and run preloaded by its script
## (tests/security/keys_common.sh), which checks what the program printed and the
## exact report.  Included from tests/local.mk.

security_keys_programs = tests/security/keys_header_forge \
	tests/security/hardened_double_free \
	tests/security/hardened_stale_free_after_reuse \
	tests/security/hardened_fork_reuse_order \
	tests/security/hardened_write_after_free_held
check_PROGRAMS += $(security_keys_programs)
tests_security_keys_header_forge_SOURCES = tests/security/keys_header_forge.c
tests_security_hardened_double_free_SOURCES = tests/security/hardened_double_free.c
tests_security_hardened_stale_free_after_reuse_SOURCES = tests/security/hardened_stale_free_after_reuse.c
tests_security_hardened_fork_reuse_order_SOURCES = tests/security/hardened_fork_reuse_order.c
tests_security_hardened_write_after_free_held_SOURCES = tests/security/hardened_write_after_free_held.c

security_keys_scripts = tests/security/keys_header_forge.sh \
	tests/security/hardened_double_free.sh \
	tests/security/hardened_stale_free_after_reuse.sh \
	tests/security/hardened_fork_reuse_order.sh \
	tests/security/hardened_write_after_free_held.sh
TESTS += $(security_keys_scripts)
EXTRA_DIST += $(security_keys_scripts) tests/security/keys_common.sh \
	tests/security/keys_header_forge.hardened.stderr.exp \
	tests/security/keys_header_forge.full.stderr.exp \
	tests/security/hardened_double_free.hardened.stderr.exp \
	tests/security/hardened_double_free.full.stderr.exp \
	tests/security/hardened_stale_free_after_reuse.hardened.stderr.exp \
	tests/security/hardened_stale_free_after_reuse.full.stderr.exp \
	tests/security/hardened_write_after_free_held.stderr.exp
