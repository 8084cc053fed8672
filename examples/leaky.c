/* The demo for `make demo`: a tiny word counter with two classic leaks.  It builds a
 * linked list of words and forgets the list (one definitely lost block, the rest
 * lost through it), and leaks a duplicated string on every call of a helper. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct word {
    struct word *next;
    char *text;
};

static char *shout(const char *s)
{
    char *copy = strdup(s); /* never freed by the caller: a leak per call */
    for (char *c = copy; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
    return copy;
}

static struct word *add_word(struct word *list, const char *text)
{
    struct word *w = malloc(sizeof *w);
    w->text = strdup(text);
    w->next = list;
    return w;
}

int main(void)
{
    const char *words[] = {"heap", "check", "finds", "leaks"};
    struct word *list = NULL;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        list = add_word(list, words[i]);
    size_t n = 0;
    for (struct word *w = list; w; w = w->next)
        n++;
    printf("%zu words, the first shouted: %s\n", n, shout(list->text));
    list = NULL; /* the list is lost here */
    return 0;
}
