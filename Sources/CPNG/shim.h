// libpng's simplified API (png_image): 16-bit PNGs, which libgd reduces to 8 bits, read and
// written without setjmp error handling.
#include <png.h>
