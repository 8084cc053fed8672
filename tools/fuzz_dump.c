/* libFuzzer harness for the dump loader (built by 'make fuzz', never by 'make check'):
 * each input is loaded as a dump; what loads is also modelled and rendered as text and
 * JSON, without reading any ELF file, so odd values reach the renderer too. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include "dump.h"
#include "render.h"
#include "report.h"
#include "symbolize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    struct hc_dump *d = dump_load_buffer((const char *)data, size, "fuzz-input", err,
                                         sizeof err);
    if (!d)
        return 0;
    static FILE *sink;
    if (!sink)
        sink = fopen("/dev/null", "w");
    struct symbolizer *sym = sym_new(false);
    struct supp_list *supps = supp_new();
    struct report_config cfg = {LK_ALL, LK_ALL, true, supps};
    struct proc p;
    proc_init(&p, d, sym, &cfg);
    if (sink) {
        render_text(sink, &p, 1, &cfg);
        render_json(sink, &p, 1, &cfg);
    }
    proc_fini(&p);
    supp_free(supps);
    sym_free(sym);
    return 0;
}
