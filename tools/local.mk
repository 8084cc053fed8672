## The heapcheck command-line tool: runs a program under the library and renders the
## dumps it writes (jansson to read them, elfutils' libdw to symbolize).  Included
## from the top Makefile.am.

bin_PROGRAMS = tools/heapcheck
tools_heapcheck_SOURCES = \
	tools/main.c \
	tools/util.c tools/util.h lib/optvalue.c lib/optvalue.h \
	tools/run.c tools/run.h \
	tools/dump.c tools/dump.h tools/dump_snap.c \
	tools/symbolize.c tools/symbolize.h \
	tools/suppress.c tools/suppress.h lib/suppfile.c lib/suppfile.h \
	tools/report.c tools/report.h \
	tools/render.c tools/render.h \
	lib/fmt.c lib/fmt.h lib/finding_text.c lib/finding_text.h \
	tools/sarif.c tools/sarif.h tools/alloc_fn.c tools/alloc_fn.h \
	tools/pictures.c tools/pictures.h tools/folded.c tools/flame.c tools/html.c
tools_heapcheck_CPPFLAGS = -I$(top_builddir) -DHC_LIBDIR='"$(libdir)"' -DHC_MANDIR='"$(mandir)"'
tools_heapcheck_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(LIBDW_CFLAGS)
tools_heapcheck_LDADD = $(JANSSON_LIBS) $(LIBDW_LIBS) -lstdc++

# The symbolizer libheapcheck starts at its first report (lib/symbols.c): installed
# where the library looks for it (HC_SYMBOLIZER); HEAPCHECK_SYMBOLIZER overrides.
pkglibexec_PROGRAMS = tools/heapcheck-symbolizer
tools_heapcheck_symbolizer_SOURCES = tools/symbolizer.c \
	tools/util.c tools/util.h lib/optvalue.c lib/optvalue.h tools/symbolize.c tools/symbolize.h tools/dump.h
tools_heapcheck_symbolizer_CPPFLAGS = -I$(top_builddir)
tools_heapcheck_symbolizer_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(LIBDW_CFLAGS)
tools_heapcheck_symbolizer_LDADD = $(LIBDW_LIBS) -lstdc++

man_MANS = man/heapcheck.1

## The options' documentation, generated from lib/options.def by tools/optdoc.c:
## `make options-doc` rewrites the options table of README.md and of
## man/libheapcheck.3.in in the source tree (commit the result);
## tests/clean/options_doc.sh fails while they differ from what it generates.
noinst_PROGRAMS += tools/optdoc
tools_optdoc_SOURCES = tools/optdoc.c
options-doc: tools/optdoc$(EXEEXT)
	$(AM_V_GEN)./tools/optdoc markdown <$(srcdir)/README.md >README.md.tmp && \
	  mv README.md.tmp $(srcdir)/README.md && \
	  $(MKDIR_P) man && \
	  ./tools/optdoc man <$(srcdir)/man/libheapcheck.3.in >man/libheapcheck.3.tmp && \
	  mv man/libheapcheck.3.tmp $(srcdir)/man/libheapcheck.3.in
.PHONY: options-doc

## 'make fuzz': the dump loader's libFuzzer harness, built with clang outside the
## normal build (it is not part of 'make check').  'make fuzz-run' runs it for
## FUZZ_SECONDS on a copy of the regression corpus.
FUZZ_SECONDS = 120
HC_FUZZ_SRCS = tools/fuzz_dump.c tools/util.c tools/dump.c tools/dump_snap.c tools/symbolize.c \
	tools/suppress.c lib/suppfile.c lib/optvalue.c tools/report.c tools/render.c lib/fmt.c lib/finding_text.c
HC_FUZZ_HDRS = lib/suppfile.h lib/optvalue.h tools/util.h tools/dump.h tools/symbolize.h tools/suppress.h \
	tools/report.h tools/render.h
EXTRA_DIST += tools/fuzz_dump.c
CLEANFILES += tools/fuzz_dump
fuzz: tools/fuzz_dump
tools/fuzz_dump: $(HC_FUZZ_SRCS:%=$(srcdir)/%) $(HC_FUZZ_HDRS:%=$(srcdir)/%)
	@if test -z "$(FUZZ_CC)"; then \
	  echo "make fuzz needs clang with libFuzzer (set FUZZ_CC)" >&2; exit 1; fi
	$(AM_V_at)$(MKDIR_P) tools
	$(AM_V_CC)$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined \
	  -I$(top_builddir) $(JANSSON_CFLAGS) $(LIBDW_CFLAGS) \
	  -o $@ $(HC_FUZZ_SRCS:%=$(srcdir)/%) $(JANSSON_LIBS) $(LIBDW_LIBS) -lstdc++
fuzz-run: tools/fuzz_dump
	rm -rf tools/fuzz-corpus && $(MKDIR_P) tools/fuzz-corpus
	for f in $(srcdir)/tests/tool/corpus/* $(srcdir)/tests/tool/data/*.json; do \
	  if test -f "$$f"; then cp "$$f" tools/fuzz-corpus/ || exit 1; fi; done
	./tools/fuzz_dump -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	  -artifact_prefix=tools/ tools/fuzz-corpus
.PHONY: fuzz fuzz-run
