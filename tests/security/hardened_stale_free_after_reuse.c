/* Stale free after reuse (issue 21, item 5): free A, then malloc the same size.  When
 * the allocator hands A straight back (the block freed last reused first, as the
 * hardened preset's core did), the program's stale pointer to A now frees the new
 * owner's live block, silently: a use-after-free primitive.
 *
 * Usage: hardened_stale_free_after_reuse TRIES
 * Each try frees a block A of 48 bytes, then mallocs 48 bytes and notes whether A came
 * back at once, and how many more malloc+free rounds of that size it took to come
 * back (up to 1000).  Prints the counts, then frees the stale A after a fresh malloc
 * that did not return it: that free must be reported (a double free). */
#include <stdio.h>
#include <stdlib.h>

#define SIZE 48
#define ROUNDS 1000

int main(int argc, char **argv)
{
    int tries = argc > 1 ? atoi(argv[1]) : 200;
    if (tries < 1 || tries > 100000) {
        fprintf(stderr, "usage: hardened_stale_free_after_reuse TRIES (1-100000)\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    /* The program's other blocks of this size, freed and in circulation. */
    void *warm[64];
    for (int i = 0; i < 64; i++)
        warm[i] = malloc(SIZE);
    for (int i = 0; i < 64; i++)
        free(warm[i]);
    int at_once = 0, never = 0, same_delay = 0, first_delay = -1;
    for (int t = 0; t < tries; t++) {
        void *a = malloc(SIZE);
        free(a);
        void *b = malloc(SIZE);
        if (b == a) {
            at_once++;
            free(b);
            continue;
        }
        free(b);
        /* How many more rounds until A is handed out again. */
        int delay = -1;
        for (int r = 1; r <= ROUNDS && delay < 0; r++) {
            void *c = malloc(SIZE);
            if (c == a)
                delay = r;
            free(c);
        }
        if (delay < 0)
            never++;
        else if (first_delay < 0)
            first_delay = delay;
        else if (delay == first_delay)
            same_delay++;
    }
    printf("tries: %d\n", tries);
    printf("A returned by the next malloc: %d\n", at_once);
    printf("A not back within %d rounds: %d\n", ROUNDS, never);
    printf("same delay as the first try: %d\n", same_delay);
    /* The attack: free A, the victim's malloc gets a block, the stale free of A. */
    char *volatile a = malloc(SIZE);
    free(a);
    char *victim = malloc(SIZE);
    printf("the victim's block is A: %s\n", victim == a ? "yes" : "no");
    if (victim == a)
        return 1; /* the stale free below would free the victim's live block */
    printf("stale free of A\n");
    free(a);
    printf("the stale free of A returned\n");
    return 0;
}
