/* A multithreaded program that takes snapshots while its threads allocate: four
 * threads churn blocks of many sizes from several call sites; the main thread
 *   1. pauses them (a writer-preferring rwlock they take around each step), reads
 *      hc_stats, calls hc_dump_now, reads hc_stats again, and prints both;
 *   2. calls hc_dump_now three times while they run;
 *   3. pauses them, reads hc_stats, sends itself the snapshot signal, waits for the
 *      snapshot file to appear (by its known name), reads hc_stats again, and prints
 *      both with its name;
 *   4. sends the signal three times while they run and waits for a snapshot.
 * argv[1] is the directory of the snapshots, argv[2] their prefix (dump_path).  Exits
 * 0 when every call succeeded and every snapshot appeared within 30 s;
 * tests/tool/snapshots.sh checks their contents. */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "heapcheck.h"

#define THREADS 4
#define SLOTS 512

static pthread_rwlock_t pause_lock;
static volatile int stop;

static __attribute__((noinline)) void *small(size_t n) { return malloc(n); }
static __attribute__((noinline)) void *medium(size_t n) { return calloc(1, n); }
static __attribute__((noinline)) void *large(size_t n) { return malloc(n); }

static void *worker(void *arg)
{
    unsigned seed = (unsigned)(size_t)arg;
    void *slot[SLOTS] = {0};
    while (!stop) {
        pthread_rwlock_rdlock(&pause_lock);
        unsigned r = rand_r(&seed);
        size_t i = r % SLOTS;
        free(slot[i]);
        switch (r % 7) {
        case 0: slot[i] = large(140000 + r % 5000); break;
        case 1: case 2: slot[i] = medium(200 + r % 3000); break;
        default: slot[i] = small(1 + r % 150);
        }
        pthread_rwlock_unlock(&pause_lock);
    }
    for (size_t i = 0; i < SLOTS; i++)
        free(slot[i]);
    return NULL;
}

static int count_snapshots(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (strstr(e->d_name, ".snap.") && l >= 5 && strcmp(e->d_name + l - 5, ".json") == 0)
            n++;
    }
    if (d)
        closedir(d);
    return n;
}

/* The name of snapshot SEQ: PREFIX.PID.snap.SEQ.json (the library numbers API and
 * signal snapshots in one sequence, from 1). */
static void snapshot_name(const char *prefix, unsigned long seq, char *name, size_t len)
{
    snprintf(name, len, "%s.%ld.snap.%lu.json", prefix, (long)getpid(), seq);
}

/* Wait until snapshot SEQ exists; false after 30 s.  It polls the known name with
 * stat(), which allocates nothing: while the threads are paused, the heap must hold
 * just what it held at hc_stats() (opendir's buffer would be one more live block). */
static bool wait_for(const char *prefix, unsigned long seq)
{
    char name[512];
    snapshot_name(prefix, seq, name, sizeof name);
    struct stat st;
    for (int i = 0; i < 3000; i++) {
        if (stat(name, &st) == 0)
            return true;
        usleep(10000);
    }
    return false;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    const char *dir = argv[1], *prefix = argv[2];
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&pause_lock, &attr);
    pthread_t t[THREADS];
    for (size_t i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, worker, (void *)(i + 1));
    usleep(200000);
    char name[512], line[1024];
    unsigned long seq = 0; /* the snapshots taken so far */
    int fails = 0;

    struct hc_stats a, b;
    pthread_rwlock_wrlock(&pause_lock);
    hc_stats(&a);
    int rc = hc_dump_now();
    hc_stats(&b);
    pthread_rwlock_unlock(&pause_lock);
    fails += rc != 0;
    snapshot_name(prefix, ++seq, name, sizeof name);
    snprintf(line, sizeof line, "quiet-api %s %zu %zu %zu %zu\n", base_name(name), a.live_bytes, a.live_blocks,
             b.live_bytes, b.live_blocks);
    fputs(line, stdout);

    for (int i = 0; i < 3; i++) {
        fails += hc_dump_now() != 0;
        seq++;
        usleep(20000);
    }

    pthread_rwlock_wrlock(&pause_lock);
    hc_stats(&a);
    kill(getpid(), SIGUSR2);
    bool appeared = wait_for(prefix, ++seq);
    hc_stats(&b);
    pthread_rwlock_unlock(&pause_lock);
    fails += !appeared;
    snapshot_name(prefix, seq, name, sizeof name);
    printf("quiet-signal %s %zu %zu %zu %zu\n", base_name(name), a.live_bytes, a.live_blocks, b.live_bytes,
           b.live_blocks);

    for (int i = 0; i < 3; i++) {
        kill(getpid(), SIGUSR2);
        usleep(30000);
    }
    fails += !wait_for(prefix, ++seq); /* the signals may coalesce: one snapshot at least */
    stop = 1;
    for (size_t i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    printf("snapshots %d fails %d\n", count_snapshots(dir), fails);
    return fails ? 1 : 0;
}
