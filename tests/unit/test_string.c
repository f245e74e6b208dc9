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

/* Every alignment of both ends and every length around the word size:
 * the bytes before and after stay, the ones between are copied or set
 * (memcpy and memset move words where they can: lib/string.c). */
static void test_every_alignment_and_length(void)
{
	static uint8_t src[256], dst[256];
	for (int i = 0; i < 256; i++)
		src[i] = (uint8_t)(i * 7 + 3);
	for (size_t so = 0; so < 16; so++)
		for (size_t dofs = 0; dofs < 16; dofs++)
			for (size_t n = 0; n <= 100; n++) {
				for (int i = 0; i < 256; i++)
					dst[i] = 0xEE;
				mkb_memcpy(dst + dofs, src + so, n);
				int bad = 0;
				for (size_t i = 0; i < 256; i++)
					bad |= dst[i] != (i >= dofs && i < dofs + n ? src[so + i - dofs] : 0xEE);
				CHECK(!bad);
				mkb_memset(dst + dofs, 0x5A, n);
				for (size_t i = 0; i < 256; i++)
					bad |= dst[i] != (i >= dofs && i < dofs + n ? 0x5A : 0xEE);
				CHECK(!bad);
			}
	uint8_t b[64];   /* forward overlap (memmove's memcpy case) */
	for (int i = 0; i < 64; i++)
		b[i] = (uint8_t)i;
	mkb_memmove(b, b + 3, 50);
	for (int i = 0; i < 50; i++)
		CHECK_EQ(b[i], i + 3);
}

static const struct check_test tests[] = {
	CHECK_TEST(test_every_alignment_and_length),
	CHECK_TEST(test_memcpy_returns_its_destination),
	CHECK_TEST(test_memset_and_memmove),
};
CHECK_MAIN(tests)
