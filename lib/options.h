/* Options, read once from HEAPCHECK_OPTIONS (see options.def).  Parsing never
 * allocates and never fails: a bad entry is reported and its default kept. */
#ifndef HC_OPTIONS_H
#define HC_OPTIONS_H

#include "internal.h"

enum preset { PRESET_FULL, PRESET_HARDENED, PRESET_NONE };
enum level { LEVEL_OFF, LEVEL_SUMMARY, LEVEL_FULL };
/* KINDS options: a bit per enum leak_kind. */

#define OPT_SIZE size_t
#define OPT_UINT unsigned long
#define OPT_BOOL bool
#define OPT_PATH const char *
#define OPT_LIST const char *
#define OPT_PRESET enum preset
#define OPT_LEVEL enum level
#define OPT_KINDS unsigned
struct options {
#define OPT(name, type, def, help) OPT_##type name;
#include "options.def"
#undef OPT
};
extern struct options options;

/* Parse text (HEAPCHECK_OPTIONS syntax) over the defaults.  warn (may be NULL) gets
 * one line per bad entry; returns the number of bad entries. */
typedef void options_warn_fn(const char *message);
int options_parse(const char *text, options_warn_fn *warn);
/* Defaults, then the environment (secure_getenv). */
void options_load(options_warn_fn *warn);

#endif
