/* Fork children do not replay their parent's reuse order (issue 21, item 5): the
 * hold's random order comes from a per-process key, drawn again in a fork child.
 * Otherwise an attacker could learn the order in one child of a forking server (by
 * address leaks) and rely on it in the next.
 *
 * The parent fills the hold with freed blocks of one size; each of two children then
 * frees and mallocs that size 64 times and prints the sequence of blocks it got,
 * numbered by the parent's allocation order.  The script checks that the children's
 * sequences differ. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIZE 48
#define N 64

static void *blocks[N];

static int number_of(void *p)
{
    for (int i = 0; i < N; i++)
        if (blocks[i] == p)
            return i;
    return -1;
}

int main(void)
{
    for (int i = 0; i < N; i++)
        blocks[i] = malloc(SIZE);
    for (int i = 0; i < N; i++)
        free(blocks[i]);
    fflush(stdout);
    for (int child = 0; child < 2; child++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 2;
        }
        if (pid == 0) {
            printf("child %d:", child);
            void *extra = malloc(SIZE);
            for (int r = 0; r < N; r++) {
                free(extra);
                extra = malloc(SIZE);
                printf(" %d", number_of(extra));
            }
            printf("\n");
            return 0;
        }
        int status;
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            return 3;
    }
    return 0;
}
