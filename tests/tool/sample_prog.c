/* A program for the tool's tests, built with -g and without optimization.
 *   sample_prog dump FILE   writes a heapcheck dump of its own: the module map from
 *                           dl_iterate_phdr and real return addresses from backtrace(),
 *                           taken at the lines marked MARK:name below, so the test can
 *                           check that `heapcheck report` finds those functions and lines
 *                           (an inlined one included).
 *   sample_prog leak        leaks a list of three nodes (one definitely lost block that
 *                           holds the other two), for a run under the real library. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#if defined(__clang__)
#pragma clang optimize off
#elif defined(__GNUC__)
#pragma GCC optimize("O0")
#endif

#include <execinfo.h>
#include <link.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NSTACKS 4
#define MAXFRAMES 32

static void *stacks[NSTACKS][MAXFRAMES];
static int depth[NSTACKS];

/* Stands in for the library's stack capture: the first frame is this function's own
 * return into its caller, as the library's first frame is the return into malloc's
 * caller. */
static __attribute__((noinline)) void capture(int id)
{
    void *tmp[MAXFRAMES + 1];
    int n = backtrace(tmp, MAXFRAMES + 1);
    depth[id] = n > 1 ? n - 1 : 0;
    memcpy(stacks[id], tmp + 1, (size_t)depth[id] * sizeof(void *));
}

static inline __attribute__((always_inline)) void inner_alloc(int id)
{
    capture(id); /* MARK:inner_alloc */
}

static __attribute__((noinline)) void make_node(int id)
{
    capture(id); /* MARK:make_node */
}

static __attribute__((noinline)) void make_inlined(int id)
{
    inner_alloc(id); /* MARK:make_inlined */
}

static __attribute__((noinline)) void release_twice(int id)
{
    capture(id); /* MARK:release_twice */
}

struct node {
    struct node *next;
    char payload[8];
};

static struct node *leak_list(void)
{
    struct node *head = NULL;
    for (int i = 0; i < 3; i++) {
        struct node *n = malloc(sizeof *n); /* MARK:leak_malloc */
        if (!n)
            return head;
        n->next = head;
        head = n;
    }
    return head;
}

static FILE *out;
static int first_module = 1;

static int print_module(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    (void)data;
    char exe[PATH_MAX];
    const char *name = info->dlpi_name;
    if (!name || !name[0]) {
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        exe[n > 0 ? n : 0] = '\0';
        name = exe;
    }
    fprintf(out, "%s{\"path\":\"%s\",\"base\":\"0x%lx\",\"build_id\":\"\"}",
            first_module ? "" : ",", name, (unsigned long)info->dlpi_addr);
    first_module = 0;
    return 0;
}

static void print_stack(int id)
{
    fprintf(out, "%s\"%d\":[", id == 1 ? "" : ",", id);
    for (int i = 0; i < depth[id]; i++)
        fprintf(out, "%s\"%p\"", i ? "," : "", stacks[id][i]);
    fprintf(out, "]");
}

static int write_dump(const char *file)
{
    make_node(1);
    make_inlined(2);
    release_twice(3);
    out = fopen(file, "w");
    if (!out)
        return 1;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    fprintf(out, "{\"format\":\"heapcheck-dump\",\"version\":1,\"pid\":%d,\"ppid\":%d,"
                 "\"exe\":\"%s\",\"leak_check\":\"full\",\"modules\":[",
            (int)getpid(), (int)getppid(), exe);
    dl_iterate_phdr(print_module, NULL);
    fprintf(out, "],\"stacks\":{");
    for (int id = 1; id < NSTACKS; id++)
        print_stack(id);
    fprintf(out, "},\"errors\":[{\"kind\":\"double-free\",\"address\":\"0x4010\","
                 "\"block\":\"0x4010\",\"size\":16,\"offset\":0,\"changed\":0,\"op\":\"free\","
                 "\"op_stack\":3,\"alloc_stack\":1,\"free_stack\":2,\"detail\":\"\"}],"
                 "\"errors_total\":1,\"leaks\":["
                 "{\"kind\":\"definitely\",\"stack\":1,\"blocks\":1,\"bytes\":16,"
                 "\"indirect_bytes\":32},"
                 "{\"kind\":\"indirectly\",\"stack\":2,\"blocks\":2,\"bytes\":32,"
                 "\"indirect_bytes\":0},"
                 "{\"kind\":\"reachable\",\"stack\":3,\"blocks\":1,\"bytes\":8,"
                 "\"indirect_bytes\":0}],"
                 "\"summary\":{\"definitely\":{\"bytes\":16,\"blocks\":1},"
                 "\"indirectly\":{\"bytes\":32,\"blocks\":2},"
                 "\"possibly\":{\"bytes\":0,\"blocks\":0},"
                 "\"reachable\":{\"bytes\":8,\"blocks\":1},"
                 "\"suppressed\":{\"bytes\":0,\"blocks\":0}}}\n");
    return fclose(out) != 0;
}

static struct node *keep;

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "dump") == 0)
        return write_dump(argv[2]);
    if (argc == 2 && strcmp(argv[1], "leak") == 0) {
        keep = leak_list();
        keep = NULL; /* the list is now definitely lost */
        return 0;
    }
    fprintf(stderr, "usage: sample_prog dump FILE | leak\n");
    return 2;
}
