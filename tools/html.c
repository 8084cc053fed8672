/* --html: placeholder replaced below. */
#include "config.h"
#include "pictures.h"
bool html_write(FILE *out, const struct picture_input *in, const struct report_config *cfg)
{
    (void)cfg;
    flame_write_svg(out, in, NULL, false, 1200);
    return true;
}
