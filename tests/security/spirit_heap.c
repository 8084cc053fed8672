/* House of spirit inside a heap block: the fake block is laid out in the payload of a
 * live 10000-byte block, and freed. */
#include "spirit.h"

int main(void)
{
    char *big = malloc(sizeof(struct fake_block) + 32);
    struct fake_block *fake = (struct fake_block *)(((uintptr_t)big + 15) & ~(uintptr_t)15);
    memset(fake, 0, sizeof *fake);
    return spirit_main(fake);
}
