/* The pictures of `heapcheck report`: --folded (folded stacks), --svg (a flame graph)
 * and --html (one self-contained page).  They share one input model: the dumps'
 * weighted stacks (leak records of exit dumps, live groups of snapshots), symbolized
 * through the report model (report.h), so suppressions and --show-leak-kinds apply
 * to the pictures as to the text. */
#ifndef HC_TOOL_PICTURES_H
#define HC_TOOL_PICTURES_H

#include <stdbool.h>
#include <stdio.h>

#include "report.h"

/* One weighted stack: bytes allocated there that leaked (kind: enum leak_kind) or are
 * live in a snapshot (kind -1). */
struct weighted {
    const struct proc *p;
    const struct sym_stack *st;
    uint64_t bytes, blocks;
    int kind;
};

struct picture_input {
    struct proc *procs;
    size_t nprocs;
    bool live;              /* snapshots: live bytes; else leaked bytes */
    struct weighted *w;     /* of the dumps the flame graph and folded stacks draw */
    size_t nw;
    uint64_t bytes, blocks; /* their sums */
    bool several;           /* they come from several programs: each gets a root box (the
                               processes of one program are merged) */
};

struct picture_request {
    bool folded;
    const char *svg, *html; /* output files, or NULL */
    const char *program;    /* --program: only the dumps of this program, or NULL */
};

/* Load the dumps and write what REQ asks (folded stacks to OUT).  Returns 0, or the
 * tool's exit status after printing a message (unreadable or mixed dumps). */
int pictures_run(char **files, size_t nfiles, const struct report_config *cfg,
                 const struct picture_request *req, FILE *out);

/* A frame's name for the pictures: its function, else module+0xoffset, else 0xaddr. */
void frame_name(const struct sym_frame *f, char *buf, size_t len);

/* folded.c */
void folded_write(FILE *out, const struct picture_input *in);

/* flame.c: the flame graph as a standalone SVG document, or (inline) as an <svg>
 * element for the HTML page; WIDTH in pixels. */
void flame_write_svg(FILE *out, const struct picture_input *in, const char *title,
                     bool standalone, int width);

/* html.c: IN as the flame graph and sites draw; LIVE (or NULL): the latest
 * snapshots' live heap, drawn too when IN is of leaks. */
bool html_write(FILE *out, const struct picture_input *in, const struct picture_input *live,
                const struct report_config *cfg);

/* XML text: & < > " escaped, control bytes dropped. */
void xml_text(FILE *out, const char *s);
/* "1.5 KiB" */
void human_bytes(uint64_t n, char *buf, size_t len);

#endif
