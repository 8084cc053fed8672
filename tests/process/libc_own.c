/* libc_own: what gnulib's test-localename does to glibc (setenv and unsetenv many
 * times, putenv, setlocale, newlocale, duplocale, uselocale), with strerror and
 * getpwnam, for libc_own.sh: glibc's own memory is not the program's leak.
 *   libc_own          free everything the program owns: no leak
 *   libc_own leak     the same, and 33 bytes leaked (still reported)
 *   libc_own thread   the same, exit with another thread still running (glibc's
 *                     memory cannot be released then: what remains of it must not
 *                     be reported either)
 *   libc_own signal   the same, exit() from a signal handler (likewise) */
#define _GNU_SOURCE
#include <locale.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *volatile sink;

static void *sleeper(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

static void exit_now(int sig)
{
    (void)sig;
    puts("libc_own: done");
    exit(0);
}

static void environment(void)
{
    static const char *const names[] = {"LC_ALL", "LC_CTYPE", "LC_MESSAGES", "LANG", "LANGUAGE",
                                        "LC_NUMERIC", "LC_TIME", "LC_COLLATE"};
    static const char *const values[] = {"C", "C.UTF-8", "POSIX", "fr_FR.UTF-8", "de_DE", "",
                                         "en_US.UTF-8", "ja_JP"};
    for (int round = 0; round < 20; round++)
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            if (setenv(names[i], values[(i + (size_t)round) % 8], 1) != 0)
                exit(2);
            if (round % 3 == 2)
                unsetenv(names[i]);
        }
    static char entry[] = "LIBC_OWN_PUT=yes";
    putenv(entry);
    unsetenv("LIBC_OWN_PUT");
}

static void locales(void)
{
    setlocale(LC_ALL, "");
    setlocale(LC_ALL, "C.UTF-8");
    setlocale(LC_CTYPE, "C");
    setlocale(LC_MESSAGES, "C.UTF-8");
    locale_t l = newlocale(LC_ALL_MASK, "C.UTF-8", (locale_t)0);
    if (l) {
        locale_t d = duplocale(l);
        locale_t old = uselocale(d);
        uselocale(old);
        freelocale(d);
        freelocale(l);
    }
    setlocale(LC_ALL, "C");
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    environment();
    locales();
    for (int e = 0; e < 140; e++)
        if (!strerror(e))
            return 2;
    (void)strerror(-7);
    (void)getpwnam("root");
    if (!strcmp(mode, "leak")) {
        sink = malloc(33); /* libc_own.sh: the program's leak */
        sink = NULL;
    }
    if (!strcmp(mode, "thread")) {
        pthread_t t;
        if (pthread_create(&t, NULL, sleeper, NULL) != 0)
            return 2;
    }
    if (!strcmp(mode, "signal")) {
        signal(SIGUSR1, exit_now);
        raise(SIGUSR1);
        return 2; /* not reached */
    }
    puts("libc_own: done");
    return 0;
}
