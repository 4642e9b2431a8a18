/* stb_image's implementation, compiled into fuzz_image by fuzz builds (CMake option
 * CNNCL_FUZZ_STB_SOURCE, on by default with CNNCL_FUZZ) so that its decoders carry libFuzzer's
 * coverage and ASan's checks; the executable's stbi_* definitions take precedence over those of
 * Debian's libstb, which cnnfilter_core links. The same header, hence the same version. */
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>
