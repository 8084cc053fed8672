/* test-setenv: setenv and unsetenv many times over a few names and many values, as
 * programs that change their environment (and gnulib's test-setenv and
 * test-localename) do.  glibc keeps a copy of every value ever set in a tree of its
 * own (setenv.c's known_values, a tsearch tree) that only __libc_freeres frees: that
 * memory is glibc's; the program frees all of its own.  Passes when getenv sees each
 * change. */
#include <config.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    int failures = 0;
    char name[32], value[64];
    for (int i = 0; i < 2000; i++) {
        snprintf(name, sizeof name, "SUITEPROJ_VAR_%d", i % 7);
        snprintf(value, sizeof value, "value-%d-%s", i, i % 2 ? "odd" : "even");
        if (setenv(name, value, 1) != 0) {
            perror("test-setenv: setenv");
            return 1;
        }
        const char *got = getenv(name);
        if (!got || strcmp(got, value) != 0) {
            fprintf(stderr, "test-setenv: getenv(%s) = %s, expected %s\n", name,
                    got ? got : "(null)", value);
            failures++;
        }
        if (i % 3 == 0) {
            unsetenv(name);
            if (getenv(name) != NULL) {
                fprintf(stderr, "test-setenv: %s still set after unsetenv\n", name);
                failures++;
            }
        }
        /* setenv without overwrite keeps what is there. */
        if (setenv("SUITEPROJ_KEEP", value, 0) != 0 || !getenv("SUITEPROJ_KEEP") ||
            strcmp(getenv("SUITEPROJ_KEEP"), "value-0-even") != 0) {
            fprintf(stderr, "test-setenv: setenv without overwrite replaced the value\n");
            failures++;
        }
    }
    return failures ? 1 : 0;
}
