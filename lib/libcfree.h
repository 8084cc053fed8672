/* glibc's own memory at exit (see libcfree.c): released before the final leak
 * check when that is safe, and what remains of it not reported. */
#ifndef HC_LIBCFREE_H
#define HC_LIBCFREE_H

#include "leak.h"

/* __libc_freeres (and libstdc++'s __freeres), as memcheck runs them: at the final
 * leak check only, when the leak check is on, no other thread is alive and the
 * exit does not come from a signal handler. */
void libc_release_at_exit(void);
/* Take glibc's own blocks (its setenv tree) out of r, as suppressed. */
void libc_suppress_leaks(struct leak_result *r);

#endif
