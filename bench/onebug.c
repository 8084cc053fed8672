/* One-bug programs for measuring what heapcheck catches at the faulting access
 * (bench/onebug.sh): each mode has exactly one heap bug (a read; over-write-*: a
 * write one byte past the end), then prints what it read and exits 0, so a bug not caught goes unnoticed.  Usage: onebug MODE; onebug
 * --list prints the modes.  Not a test: nothing here passes or fails. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *(*volatile do_malloc)(size_t) = malloc;
static void *(*volatile do_realloc)(void *, size_t) = realloc;
static void (*volatile do_free)(void *) = free;
static volatile long sink;

struct rec {
    int id;
    char name[20];
    struct rec *next;
};

static long uaf_small(void) { char *p = do_malloc(8); do_free(p); return p[0]; }
static long uaf_struct_field(void)
{
    struct rec *r = do_malloc(sizeof *r);
    r->id = 7;
    do_free(r);
    return r->id;
}
static long uaf_string(void)
{
    char *s = do_malloc(32);
    strcpy(s, "dangling");
    do_free(s);
    return (long)strlen(s);
}
static long uaf_after_realloc(void)
{
    char *p = do_malloc(40);
    memset(p, 1, 40);
    char *q = do_realloc(p, 4000);
    long v = p[10];
    do_free(q);
    return v;
}
static long uaf_memcpy(void)
{
    char *p = do_malloc(100), out[100];
    memset(p, 2, 100);
    do_free(p);
    memcpy(out, p, sizeof out);
    return out[50];
}
static long uaf_list(void)
{
    struct rec *a = do_malloc(sizeof *a), *b = do_malloc(sizeof *b);
    a->next = b;
    b->id = 3;
    b->next = NULL;
    do_free(b);
    return a->next->id;
}
static long uaf_page(void) { char *p = do_malloc(4096); memset(p, 0, 4096); do_free(p); return p[4000]; }
static long uaf_big(void) { char *p = do_malloc(20000); memset(p, 0, 20000); do_free(p); return p[100]; }
static long over_off_by_one_16(void)
{
    int *a = do_malloc(16 * sizeof *a);
    long s = 0;
    for (int i = 0; i <= 16; i++)
        s += a[i] = i;
    return s;
}
static long over_string_no_nul(void)
{
    char *s = do_malloc(5);
    memcpy(s, "hello", 5);
    return (long)strlen(s);
}
static long over_13(void) { char *p = do_malloc(13); memset(p, 0, 13); return p[13 + 3]; }
static long over_memcpy(void)
{
    char *p = do_malloc(64), out[80];
    memset(p, 0, 64);
    memcpy(out, p, sizeof out);
    return out[70];
}
static long over_page(void) { char *p = do_malloc(4096); memset(p, 0, 4096); return p[4096]; }
static long over_big(void) { char *p = do_malloc(10000); memset(p, 0, 10000); return p[10000]; }
/* Writes one byte past the end, as a string copy that forgets the NUL's byte does. */
static long over_write_1(void) { char *p = do_malloc(1); strcpy(p, "a" + 1); p[1] = 'x'; return p[0]; }
static long over_write_int(void) { int *a = do_malloc(sizeof *a); a[0] = 1; ((char *)a)[4] = 0; return a[0]; }
static long over_write_8(void) { char *p = do_malloc(8); memcpy(p, "12345678", 9); return p[0]; }
static long over_write_6(void) { char *p = do_malloc(6); strcpy(p, "hello!"); return p[0]; }
static long over_write_13(void) { char *p = do_malloc(13); strcpy(p, "thirteen char"); return p[0]; }
static long over_write_18(void) { char *p = do_malloc(18); strcpy(p, "eighteen character"); return p[0]; }
static long over_write_32(void) { char *p = do_malloc(32); memset(p, 'a', 33); return p[0]; }
static long under_write_one(void) { char *p = do_malloc(24); p[-1] = 0; do_free(p); return 0; }
static long under_write_eight(void) { long *p = do_malloc(8 * sizeof *p); p[-1] = 0; do_free(p); return 0; }
static long under_one(void) { char *p = do_malloc(24); memset(p, 0, 24); return p[-1]; }
static long under_eight(void) { long *p = do_malloc(8 * sizeof *p); memset(p, 0, 64); return p[-1]; }

/* The same bug in a loop that allocates at two call sites per pass: the buggy
 * block is caught in whichever pass places it on the bug's side. */
static long under_in_loop(void)
{
    long s = 0;
    for (int i = 0; i < 4; i++) {
        char *buf = do_malloc(24), *tag = do_malloc(8);
        memset(buf, 0, 24);
        s += buf[-1];
        do_free(tag);
        do_free(buf);
    }
    return s;
}
static long over_in_loop(void)
{
    long s = 0;
    for (int i = 0; i < 4; i++) {
        char *tag = do_malloc(8), *buf = do_malloc(32);
        memset(buf, 0, 32);
        s += buf[32];
        do_free(buf);
        do_free(tag);
    }
    return s;
}

static const struct { const char *name; long (*fn)(void); } modes[] = {
    {"uaf-small", uaf_small}, {"uaf-struct-field", uaf_struct_field}, {"uaf-string", uaf_string},
    {"uaf-after-realloc", uaf_after_realloc}, {"uaf-memcpy", uaf_memcpy}, {"uaf-list", uaf_list},
    {"uaf-page", uaf_page}, {"uaf-big", uaf_big},
    {"over-off-by-one-16", over_off_by_one_16}, {"over-string-no-nul", over_string_no_nul},
    {"over-13", over_13}, {"over-memcpy", over_memcpy}, {"over-page", over_page}, {"over-big", over_big},
    {"over-write-1", over_write_1}, {"over-write-int", over_write_int}, {"over-write-8", over_write_8},
    {"over-write-6", over_write_6}, {"over-write-13", over_write_13}, {"over-write-18", over_write_18},
    {"over-write-32", over_write_32},
    {"under-write-one", under_write_one}, {"under-write-eight", under_write_eight},
    {"under-one", under_one}, {"under-eight", under_eight}, {"under-in-loop", under_in_loop},
    {"over-in-loop", over_in_loop},
};

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        if (!strcmp(argv[1], "--list"))
            printf("%s\n", modes[i].name);
        else if (!strcmp(argv[1], modes[i].name)) {
            sink = modes[i].fn();
            printf("read %ld\n", (long)sink);
            return 0;
        }
    }
    return strcmp(argv[1], "--list") ? 2 : 0;
}
