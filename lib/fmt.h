/* A no-allocation formatter: printf-like into a caller's fixed buffer, then write(2).
 * Used by every report; safe with the heap lock held.  Conversions: %s %c %d %u %x
 * %p %%, with l/ll/z length modifiers; a width and '0' flag for numbers. */
#ifndef HC_FMT_H
#define HC_FMT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct fmt {
    char *buf;
    size_t cap, len; /* len may exceed cap: the text was cut */
};

void fmt_init(struct fmt *f, char *buf, size_t cap);
void fmt_printf(struct fmt *f, const char *format, ...) __attribute__((format(printf, 2, 3)));
void fmt_vprintf(struct fmt *f, const char *format, va_list ap);
/* The text so far (NUL-terminated, cut to fit). */
const char *fmt_text(struct fmt *f);
size_t fmt_length(const struct fmt *f);

/* The hexadecimal number at *p (lower-case digits, an optional "0x"), *p moved past
 * it: for /proc files, read without stdio. */
uintptr_t fmt_parse_hex(const char **p);

#endif
