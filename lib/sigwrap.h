/* The program's own SIGSEGV and SIGBUS actions, kept apart from heapcheck's handler.
 * Once fault.c has installed its handler (sigwrap_claim), the program's sigaction,
 * signal, bsd_signal, ssignal, sysv_signal and sigset calls for these two signals
 * are served here: the action is recorded, the kernel keeps heapcheck's handler,
 * and the old action returned is the program's own.  The fault handler then gives
 * every fault outside the guarded slots to the program's action (sigwrap_deliver),
 * as the kernel would have.  Other signals go straight to the C library.  No malloc. */
#ifndef HC_SIGWRAP_H
#define HC_SIGWRAP_H

#include "internal.h"
#include <signal.h>

/* The C library's sigaction, never the wrapper. */
int sigwrap_real_sigaction(int sig, const struct sigaction *act, struct sigaction *old);
/* Install ours for SIGSEGV and SIGBUS; the actions in place before (the program's,
 * if it set one already) become the program's recorded ones. */
void sigwrap_claim(const struct sigaction *ours);
/* Run the program's action for a fault heapcheck does not report itself, as the
 * kernel would have run it (its mask, SA_SIGINFO, SA_RESETHAND, SA_NODEFER).
 * False when the action is the default (or SIG_IGN for a real fault, which the
 * kernel does not ignore either): heapcheck then reports the fault and dies. */
bool sigwrap_deliver(int sig, siginfo_t *si, void *ctx);

#endif
