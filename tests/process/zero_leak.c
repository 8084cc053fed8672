/* zero_leak: the only finding is a lost malloc(0), a 0-byte definite leak, which
 * sets the exit status: its SUMMARY line must be printed (zero_leak.sh). */
#include <stdlib.h>

static void *volatile sink;

int main(void)
{
    sink = malloc(0); /* zero_leak.sh: leaked here */
    sink = NULL;
    return 0;
}
