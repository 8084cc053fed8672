# HC_APPEND_CFLAG(VARIABLE, FLAG)
# ---------------------------------
# Append FLAG to VARIABLE when the C compiler accepts it without a warning.
# The probe runs with -Werror so that a compiler that merely warns about an
# unknown flag (clang does) does not get it.
AC_DEFUN([HC_APPEND_CFLAG], [
  AS_VAR_PUSHDEF([hc_cache], [hc_cv_cflag_$2])
  AC_CACHE_CHECK([whether $CC accepts $2], [hc_cache], [
    hc_save_CFLAGS=$CFLAGS
    CFLAGS="$CFLAGS -Werror $2"
    AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])],
      [AS_VAR_SET([hc_cache], [yes])], [AS_VAR_SET([hc_cache], [no])])
    CFLAGS=$hc_save_CFLAGS])
  AS_VAR_IF([hc_cache], [yes], [$1="$$1 $2"])
  AS_VAR_POPDEF([hc_cache])
])

# HC_PKG_MODULE(PREFIX, MODULE, [ACTION-IF-FOUND], [ACTION-IF-NOT-FOUND])
# -------------------------------------------------------------------------
# Set PREFIX_CFLAGS and PREFIX_LIBS from pkg-config for MODULE.
AC_DEFUN([HC_PKG_MODULE], [
  AC_REQUIRE([HC_PROG_PKG_CONFIG])
  AC_MSG_CHECKING([for $2 with pkg-config])
  AS_IF([test -n "$PKG_CONFIG" && $PKG_CONFIG --exists "$2" 2>/dev/null],
    [$1_CFLAGS=`$PKG_CONFIG --cflags "$2"`
     $1_LIBS=`$PKG_CONFIG --libs "$2"`
     AC_MSG_RESULT([yes])
     $3],
    [AC_MSG_RESULT([no])
     $4])
  AC_SUBST([$1_CFLAGS])
  AC_SUBST([$1_LIBS])
])

AC_DEFUN([HC_PROG_PKG_CONFIG], [
  AC_ARG_VAR([PKG_CONFIG], [path to the pkg-config program])
  AC_PATH_TOOL([PKG_CONFIG], [pkg-config])
])
