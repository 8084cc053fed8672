/* The arenas' storage (see arena.h).  Static, so no arena lives in a heap it
 * describes. */
#include "internal.h"
#include "arena.h"

struct arena arenas[ARENAS_MAX];
__thread __attribute__((tls_model("initial-exec"))) struct arena *arena_cur = &arenas[0];
