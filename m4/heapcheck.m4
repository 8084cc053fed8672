# heapcheck.m4: `make check-heapcheck` for Autotools projects.    -*- Autoconf -*-
# serial 3
#
# HEAPCHECK_CHECK([MODE])
# -----------------------
# In configure.ac:  m4_pattern_forbid([^HEAPCHECK_])
#                   HEAPCHECK_CHECK            (or HEAPCHECK_CHECK([linked]))
# In Makefile.am:   @HEAPCHECK_CHECK_RULES@
# (m4_pattern_forbid: autoreconf fails at once, naming the macro, when aclocal cannot
# find this file, rather than configure saying "HEAPCHECK_CHECK: command not found".)
#
# Gives `make check-heapcheck`, which runs the project's TESTS under the heapcheck
# tool: those without an extension of TEST_EXTENSIONS through LOG_COMPILER, those
# with one (say .sh) through its own SH_LOG_COMPILER, each wrapped as
# `heapcheck FLAGS -- [COMPILER] TEST`.  Each test's report goes to its .log, and a
# test fails when heapcheck finds errors, or leaks of the kinds that count.  The
# suite's summary is test-suite-heapcheck.log, removed before each run and by
# `make mostlyclean` (and clean).  The rules use GNU make's functions.  MODE is how
# the tests get the allocator:
#   preload (the default)  the tool preloads libheapcheck into each test;
#   linked                 the project also links its tests with $(HEAPCHECK_LIBS)
#                          (and compiles them with $(HEAPCHECK_CFLAGS)), from
#                          pkg-config's heapcheck module; both are empty when
#                          heapcheck is disabled, so the ordinary build is unchanged.
# configure takes --disable-heapcheck; HEAPCHECK (the tool), HEAPCHECK_FLAGS (its
# flags, e.g. --suppressions=FILE), HEAPCHECK_CFLAGS and HEAPCHECK_LIBS can be set
# on its command line.  Sets the conditional HEAPCHECK_ENABLED and substitutes
# HEAPCHECK_ENABLED (yes or no).  See heapcheck-check(7).
AC_DEFUN([HEAPCHECK_CHECK],
[m4_case(m4_default([$1], [preload]), [preload], [], [linked], [],
  [m4_fatal([HEAPCHECK_CHECK: the mode is preload or linked, not '$1'])])dnl
AC_ARG_ENABLE([heapcheck],
  [AS_HELP_STRING([--disable-heapcheck],
    [no heapcheck for make check-heapcheck (default: enabled when the heapcheck tool is found)])],
  [], [enable_heapcheck=auto])
AC_ARG_VAR([HEAPCHECK], [the heapcheck tool, for make check-heapcheck])
AC_ARG_VAR([HEAPCHECK_FLAGS], [the heapcheck tool's flags, for make check-heapcheck])
HEAPCHECK_ENABLED=no
AS_IF([test "x$enable_heapcheck" != xno], [
  dnl The tool: HEAPCHECK as given, else where pkg-config says it was installed, else PATH.
  AS_IF([test -z "$HEAPCHECK"],
    [HEAPCHECK=`${PKG_CONFIG:-pkg-config} --variable=heapcheck heapcheck 2>/dev/null`
     AS_IF([test -n "$HEAPCHECK" && test ! -x "$HEAPCHECK"], [HEAPCHECK=])])
  AS_IF([test -z "$HEAPCHECK"], [AC_PATH_PROG([HEAPCHECK], [heapcheck])])
  AC_MSG_CHECKING([whether the heapcheck tool runs])
  AS_IF([test -n "$HEAPCHECK" && $HEAPCHECK --version >/dev/null 2>&1],
    [HEAPCHECK_ENABLED=yes], [HEAPCHECK_ENABLED=no])
  AC_MSG_RESULT([$HEAPCHECK_ENABLED${HEAPCHECK:+ ($HEAPCHECK)}])
  AS_IF([test "x$enable_heapcheck" = xyes && test "x$HEAPCHECK_ENABLED" != xyes],
    [AC_MSG_ERROR([--enable-heapcheck: the heapcheck tool was not found (set HEAPCHECK)])])
])
m4_if(m4_default([$1], [preload]), [linked], [
  AC_ARG_VAR([HEAPCHECK_CFLAGS], [compiler flags for linking tests with heapcheck])
  AC_ARG_VAR([HEAPCHECK_LIBS], [linker flags for linking tests with heapcheck])
  AS_IF([test "x$HEAPCHECK_ENABLED" = xyes], [
    AC_MSG_CHECKING([how to link tests with heapcheck])
    AS_IF([test -z "$HEAPCHECK_LIBS"],
      [HEAPCHECK_CFLAGS=`${PKG_CONFIG:-pkg-config} --cflags heapcheck 2>/dev/null`
       HEAPCHECK_LIBS=`${PKG_CONFIG:-pkg-config} --libs heapcheck 2>/dev/null`])
    AS_IF([test -z "$HEAPCHECK_LIBS"],
      [AC_MSG_ERROR([HEAPCHECK_CHECK([linked]): pkg-config knows no heapcheck module (set PKG_CONFIG_PATH, or HEAPCHECK_CFLAGS and HEAPCHECK_LIBS, or configure --disable-heapcheck)])])
    AC_MSG_RESULT([$HEAPCHECK_LIBS])
  ], [HEAPCHECK_CFLAGS= ; HEAPCHECK_LIBS=])
])
AC_SUBST([HEAPCHECK_ENABLED])
m4_ifdef([AM_CONDITIONAL],
  [AM_CONDITIONAL([HEAPCHECK_ENABLED], [test "x$HEAPCHECK_ENABLED" = xyes])])
dnl The rules.  Every LOG_COMPILER runs its test as `heapcheck FLAGS -- [COMPILER] TEST`;
dnl the tool checks the test and the project programs it starts (not the shells and
dnl system tools in between, heapcheck(1)), and exits non-zero on findings.  The
dnl per-extension compilers (automake: .sh -> SH_LOG_COMPILER) are found from
dnl TEST_EXTENSIONS at make time.
HEAPCHECK_CHECK_RULES='
heapcheck_uc = $(subst a,A,$(subst b,B,$(subst c,C,$(subst d,D,$(subst e,E,$(subst f,F,$(subst g,G,$(subst h,H,$(subst i,I,$(subst j,J,$(subst k,K,$(subst l,L,$(subst m,M,$(subst n,N,$(subst o,O,$(subst p,P,$(subst q,Q,$(subst r,R,$(subst s,S,$(subst t,T,$(subst u,U,$(subst v,V,$(subst w,W,$(subst x,X,$(subst y,Y,$(subst z,Z,$(1)))))))))))))))))))))))))))
heapcheck_ext_compilers = $(foreach e,$(TEST_EXTENSIONS),$(call heapcheck_uc,$(subst -,_,$(patsubst .%,%,$(e))))_LOG_COMPILER)
heapcheck_wrap = $(HEAPCHECK) $(HEAPCHECK_FLAGS) --
check-heapcheck:
	@if test "$(HEAPCHECK_ENABLED)" != yes; then \
	  echo "make check-heapcheck: heapcheck is disabled (configure found no heapcheck tool, or had --disable-heapcheck)" >&2; \
	  exit 1; fi
	@rm -f test-suite-heapcheck.log
	$(MAKE) $(AM_MAKEFLAGS) check \
	  LOG_COMPILER="$(heapcheck_wrap) $(LOG_COMPILER)" \
	  $(foreach v,$(heapcheck_ext_compilers),$(v)="$(heapcheck_wrap) $($(v))") \
	  TEST_SUITE_LOG=test-suite-heapcheck.log
mostlyclean-generic: mostlyclean-heapcheck
mostlyclean-heapcheck:
	-rm -f test-suite-heapcheck.log
.PHONY: check-heapcheck mostlyclean-heapcheck
'
AC_SUBST([HEAPCHECK_CHECK_RULES])
m4_ifdef([AM_SUBST_NOTMAKE], [AM_SUBST_NOTMAKE([HEAPCHECK_CHECK_RULES])])
])
