/* House of spirit on the stack. */
#include "spirit.h"

int main(void)
{
    struct fake_block fake;
    memset(&fake, 0, sizeof fake);
    return spirit_main(&fake);
}
