## Clean programs and real programs preloaded.
##
## Test scripts stay in the source tree (so they are distributed, not built) and run
## through $(SHELL): their execute bit does not survive every checkout or tarball.
## TEST_EXTENSIONS may be set only once in the whole Makefile; it lives here and
## also names the detection recipes of tests/detect/local.mk.
TEST_EXTENSIONS = .sh .detect
SH_LOG_COMPILER = $(SHELL)

# Every script test gets absolute paths: the scripts work in temporary directories,
# and under 'make distcheck' the source tree is read-only and apart from the build.
AM_TESTS_ENVIRONMENT = \
	top_srcdir='$(abs_top_srcdir)'; top_builddir='$(abs_top_builddir)'; \
	HC_LIB='$(abs_top_builddir)/lib/.libs/libheapcheck.so'; \
	export top_srcdir top_builddir HC_LIB;

clean_scripts = \
	tests/clean/real_programs.sh \
	tests/clean/exports.sh \
	tests/clean/options_doc.sh \
	tests/clean/symbolizer_lookup.sh \
	tests/clean/install.sh
TESTS += $(clean_scripts)
EXTRA_DIST += $(clean_scripts)
