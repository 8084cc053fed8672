/* dropped.c at -O2: gcc whatever CFLAGS say; clang at CFLAGS' level (-O2 by default). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O2")
#endif
#include "dropped.c"
