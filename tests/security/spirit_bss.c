/* House of spirit in .bss. */
#include "spirit.h"

static struct fake_block fake;

int main(void) { return spirit_main(&fake); }
