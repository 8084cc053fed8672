/* Damaged blocks found by hc_check_heap() are reported once per process: not again by
 * the check at exit, nor when the program frees them, nor when they leave the
 * quarantine.  A live 24-byte block overrun by one byte, and a freed 64-byte block
 * written at offset 5, each found by a check (abort_on_error=0 lets the program go on). */
#include <dlfcn.h>
#include "alloc.h"

int main(void)
{
    size_t (*check)(void) = (size_t (*)(void))dlsym(RTLD_DEFAULT, "hc_check_heap");
    if (!check)
        return 99;
    char *volatile live = malloc(24);
    live[24] = 0;
    if (check() != 1)
        return 98;
    char *volatile freed = malloc(64);
    free(freed);
    freed[5] = 'w';
    if (check() != 1) /* the freed block only: the live one was reported */
        return 97;
    if (check() != 0) /* both already reported */
        return 96;
    free(live);
    for (int i = 0; i < 20000; i++) /* the freed block leaves the quarantine */
        free(malloc(512));
    return 0;
}
