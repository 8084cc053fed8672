/* libFuzzer harness for the HEAPCHECK_OPTIONS parser: any bytes must parse without
 * a crash, an out-of-bounds access (ASan) or undefined behaviour (UBSan), and leave
 * every option valid.  Built by `make fuzz-options`, run by `make fuzz-options-run`. */
#include "options.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void ignore(const char *message) { (void)message; }

/* The parser's one dependency outside options.c and fmt.c. */
void hc_assert_fail(const char *cond, const char *file, int line)
{
    (void)cond, (void)file, (void)line;
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char text[4096];
    if (size >= sizeof text)
        size = sizeof text - 1;
    memcpy(text, data, size);
    text[size] = '\0';
    options_load(NULL);
    options_parse(text, ignore);
    /* Every option keeps a value of its type: the enumerations stay in range. */
    if ((unsigned)options.preset > PRESET_NONE || (unsigned)options.leak_check > LEVEL_FULL ||
        options.show_leak_kinds > 15 || !options.log_path)
        abort();
    return 0;
}
