/* Blocks the program dropped, whose pointers survive only in dead stack: below the
 * frame that returned from main or called exit(), where the exit path's own frames
 * now lie.  Each is definitely lost, as memcheck says (it scans only above the stack
 * pointer); a leak check that scans the dead stack finds a stale copy and calls the
 * block still reachable.  Built twice, at -O0 (dropped_O0.c) and -O2 (dropped_O2.c).
 * Usage: dropped CASE, stdout to a file or a pipe
 *   printed      a 32-byte label made, printed, dropped; main returns     32 bytes in 1
 *   loop         three labels made, printed and dropped in a loop          96 bytes in 3
 *   nested_exit  a label made, listed in a table of recent labels (copies
 *                of its pointer in a frame that has returned), dropped;
 *                exit() from a nested call                                32 bytes in 1
 *   thread       a thread's node, listed as above, dropped; that thread
 *                calls exit() while main waits for it                      32 bytes in 1
 *   held         a label still held by a local of the function that calls
 *                exit(): live, so not lost (the scan starts low enough)    0 bytes in 0 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static __attribute__((noinline)) char *make_label(int n)
{
    char *s = malloc(32);
    if (s)
        snprintf(s, 32, "label %d", n);
    return s;
}

static int printed(void)
{
    char *kept = make_label(7);
    printf("%s\n", kept);
    kept = NULL;
    return 0;
}

static int loop(void)
{
    for (int i = 0; i < 3; i++) {
        char *kept = make_label(i);
        printf("%s\n", kept);
        kept = NULL;
    }
    return 0;
}

/* Prints the text of the newest of the recent blocks, the table filled with that
 * block: a frame full of copies of one pointer, dead once it returns. */
#define RECENT 512
static __attribute__((noinline)) void show_recent(const void *newest, const char *text)
{
    const void *recent[RECENT];
    for (int i = 0; i < RECENT; i++)
        recent[i] = newest;
    __asm__ volatile("" : : "r"(recent) : "memory"); /* the stores stay */
    printf("%s (%d recent)\n", text, RECENT);
}

static __attribute__((noinline)) void give_up(int status)
{
    fflush(stdout);
    exit(status);
}

static __attribute__((noinline)) void label_then_exit(void)
{
    char *kept = make_label(3);
    show_recent(kept, kept);
    kept = NULL;
    give_up(0);
}

static __attribute__((noinline)) void label_held_at_exit(void)
{
    char *volatile held = make_label(9);
    show_recent(held, held);
    give_up(0);
}

struct node {
    struct node *next;
    char label[24];
};

/* Made, listed and dropped in a call of its own, so no register of the thread's
 * keeps the pointer either. */
static __attribute__((noinline)) void node_dropped(void)
{
    struct node *n = malloc(sizeof *n);
    if (!n)
        return;
    n->next = NULL;
    snprintf(n->label, sizeof n->label, "node %d", 1);
    show_recent(n, n->label);
    n = NULL;
}

static void *node_then_exit(void *arg)
{
    (void)arg;
    node_dropped();
    give_up(0);
    return NULL;
}

static int thread_case(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, node_then_exit, NULL) != 0)
        return 99;
    pthread_join(t, NULL);
    return 98; /* not reached: the thread ends the process */
}

int main(int argc, char **argv)
{
    const char *which = argc > 1 ? argv[1] : "";
    if (!strcmp(which, "printed"))
        return printed();
    if (!strcmp(which, "loop"))
        return loop();
    if (!strcmp(which, "nested_exit")) {
        label_then_exit();
        return 1;
    }
    if (!strcmp(which, "thread"))
        return thread_case();
    if (!strcmp(which, "held")) {
        label_held_at_exit();
        return 1;
    }
    fprintf(stderr, "usage: dropped printed|loop|nested_exit|thread|held\n");
    return 2;
}
