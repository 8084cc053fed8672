/* Option values shared by the library and the tool (see optvalue.h). */
#include "optvalue.h"

#include <string.h>

static bool word_is(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && memcmp(s, w, n) == 0;
}

bool hc_kinds_parse(const char *s, size_t n, unsigned *out)
{
    static const char *const words[4][2] = {{"definite", "definitely"},
                                            {"indirect", "indirectly"},
                                            {"possible", "possibly"},
                                            {"reachable", "reachable"}};
    unsigned mask = 0;
    for (;;) {
        size_t w = 0;
        while (w < n && s[w] != ',' && s[w] != '+')
            w++;
        const char *p = s;
        size_t m = w;
        while (m && (*p == ' ' || *p == '\t')) {
            p++;
            m--;
        }
        while (m && (p[m - 1] == ' ' || p[m - 1] == '\t'))
            m--;
        if (word_is(p, m, "all")) {
            mask |= HC_KINDS_ALL;
        } else if (!word_is(p, m, "none")) {
            unsigned k = 0;
            while (k < 4 && !word_is(p, m, words[k][0]) && !word_is(p, m, words[k][1]))
                k++;
            if (k == 4)
                return false; /* unknown, or empty */
            mask |= 1u << k;
        }
        if (w == n)
            break;
        s += w + 1;
        n -= w + 1;
    }
    *out = mask;
    return true;
}

bool hc_bool_parse(const char *s, size_t n, bool *out)
{
    if (word_is(s, n, "1") || word_is(s, n, "yes") || word_is(s, n, "true"))
        *out = true;
    else if (word_is(s, n, "0") || word_is(s, n, "no") || word_is(s, n, "false"))
        *out = false;
    else
        return false;
    return true;
}

bool hc_level_parse(const char *s, size_t n, int *out)
{
    if (word_is(s, n, "off") || word_is(s, n, "no"))
        *out = 0;
    else if (word_is(s, n, "summary"))
        *out = 1;
    else if (word_is(s, n, "full") || word_is(s, n, "yes"))
        *out = 2;
    else
        return false;
    return true;
}
