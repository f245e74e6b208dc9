/*
 * test_string.c - host unit tests of lib/string.c, the freestanding
 * memory functions of the kernels and user programs. Compiled with its
 * functions renamed (mkb_memcpy, ...: see the Makefile) so that they do
 * not replace the C library's.
 */
#include <stddef.h>
#include <stdint.h>

#include "check.h"

void *mkb_memcpy(void *d, const void *s, size_t n);
void *mkb_memmove(void *d, const void *s, size_t n);
void *mkb_memset(void *d, int c, size_t n);

static void test_memcpy_returns_its_destination(void)
{
	uint8_t src[64], dst[64];
	for (int i = 0; i < 64; i++)
		src[i] = (uint8_t)(i * 3 + 1), dst[i] = 0;
	CHECK(mkb_memcpy(dst, src, 64) == dst);   /* not dst + n */
	for (int i = 0; i < 64; i++)
		CHECK_EQ(dst[i], src[i]);
	CHECK(mkb_memcpy(dst, src, 0) == dst);
}

static void test_memset_and_memmove(void)
{
	uint8_t b[32];
	CHECK(mkb_memset(b, 0xAB, sizeof b) == b);
	for (int i = 0; i < 32; i++)
		CHECK_EQ(b[i], 0xAB);
	for (int i = 0; i < 32; i++)
		b[i] = (uint8_t)i;
	CHECK(mkb_memmove(b + 4, b, 16) == b + 4);   /* overlapping, copied backwards */
	for (int i = 0; i < 16; i++)
		CHECK_EQ(b[4 + i], i);
	CHECK(mkb_memmove(b, b + 4, 16) == b);       /* overlapping the other way */
	for (int i = 0; i < 16; i++)
		CHECK_EQ(b[i], i);
}

static const struct check_test tests[] = {
	CHECK_TEST(test_memcpy_returns_its_destination),
	CHECK_TEST(test_memset_and_memmove),
};
CHECK_MAIN(tests)
