/* The no-allocation formatter (see fmt.h).  No stdio, no malloc, no locale. */
#include "internal.h"
#include "fmt.h"

void fmt_init(struct fmt *f, char *buf, size_t cap)
{
    f->buf = buf;
    f->cap = cap;
    f->len = 0;
    if (cap)
        buf[0] = '\0';
}

static void put(struct fmt *f, char c)
{
    if (f->len + 1 < f->cap) {
        f->buf[f->len] = c;
        f->buf[f->len + 1] = '\0';
    }
    f->len++;
}

static void put_number(struct fmt *f, unsigned long long v, unsigned base, bool negative,
                       int width, char padch)
{
    char digits[24];
    int n = 0;
    do {
        unsigned d = (unsigned)(v % base);
        digits[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    if (negative)
        digits[n++] = '-';
    for (int i = n; i < width; i++)
        put(f, padch);
    while (n)
        put(f, digits[--n]);
}

void fmt_vprintf(struct fmt *f, const char *p, va_list ap)
{
    for (; *p; p++) {
        if (*p != '%') {
            put(f, *p);
            continue;
        }
        p++;
        char padch = ' ';
        int width = 0, longs = 0;
        if (*p == '0') {
            padch = '0';
            p++;
        }
        while (*p >= '0' && *p <= '9')
            width = width * 10 + (*p++ - '0');
        while (*p == 'l' || *p == 'z') {
            longs += *p == 'z' ? 2 : 1;
            p++;
        }
        switch (*p) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            int n = 0;
            while (s[n])
                n++;
            for (int i = n; i < width; i++)
                put(f, ' ');
            while (*s)
                put(f, *s++);
            break;
        }
        case 'c':
            put(f, (char)va_arg(ap, int));
            break;
        case 'd': {
            long long v = longs >= 2 ? va_arg(ap, long long) : longs ? va_arg(ap, long) : va_arg(ap, int);
            put_number(f, v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v, 10, v < 0,
                       width, padch);
            break;
        }
        case 'u':
        case 'x': {
            unsigned long long v = longs >= 2 ? va_arg(ap, unsigned long long)
                                   : longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
            put_number(f, v, *p == 'x' ? 16 : 10, false, width, padch);
            break;
        }
        case 'p':
            put(f, '0');
            put(f, 'x');
            put_number(f, (uintptr_t)va_arg(ap, void *), 16, false, width, padch);
            break;
        case '%':
            put(f, '%');
            break;
        case '\0':
            return;
        default:
            put(f, '%');
            put(f, *p);
        }
    }
}

void fmt_printf(struct fmt *f, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    fmt_vprintf(f, format, ap);
    va_end(ap);
}

const char *fmt_text(struct fmt *f) { return f->cap ? f->buf : ""; }

size_t fmt_length(const struct fmt *f) { return f->len < f->cap ? f->len : (f->cap ? f->cap - 1 : 0); }

uintptr_t fmt_parse_hex(const char **p)
{
    const char *s = *p;
    if (s[0] == '0' && s[1] == 'x')
        s += 2;
    uintptr_t v = 0;
    for (;; s++) {
        char c = *s;
        unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) : 16;
        if (d == 16)
            break;
        v = v * 16 + d;
    }
    *p = s;
    return v;
}
