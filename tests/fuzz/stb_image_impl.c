/* stb_image's implementation (and stb_image_write's, which image_io.c also calls), compiled
 * into fuzz_image by fuzz builds with CNNCL_FUZZ_STB_SOURCE or MemorySanitizer, so that the
 * decoders carry libFuzzer's coverage and the sanitizers' checks; the executable's stbi_*
 * definitions take precedence over those of Debian's libstb, which cnnfilter_core links. The
 * same headers, hence the same version. */
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>
