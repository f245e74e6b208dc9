/* image.h - user programs linked into the kernel image (build/<mode>/images.S). */
#ifndef MKB_IMAGE_H
#define MKB_IMAGE_H
#include <stdint.h>
struct user_image {
	const char *name;
	const uint8_t *start, *end;
};
extern const struct user_image user_images[];
extern const int n_user_images;
#endif
