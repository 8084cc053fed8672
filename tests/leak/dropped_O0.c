/* dropped.c at -O0 whatever CFLAGS say (they come after the Makefile's flags). */
#if defined(__clang__)
#pragma clang optimize off
#elif defined(__GNUC__)
#pragma GCC optimize("O0")
#endif
#include "dropped.c"
