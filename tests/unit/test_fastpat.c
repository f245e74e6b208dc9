/* test_fastpat.c - bench/fastpat.h: the 8-bytes-at-a-time patterns equal
 * the byte formulas they replace (bench/wl_fileio.c, wl_pingpong.c,
 * shm_layout.h), for every offset of the sizes the workloads use. */
#include <string.h>
#include "check.h"
#include "fastpat.h"

static uint8_t file_byte(uint32_t off, unsigned g)
{
	return (uint8_t)((off * 7 + (off >> 8) * 3 + (off >> 16)) ^ (g * 0x5B));
}

static void test_file_pattern_groups(void)
{
	uint64_t steps = pat_steps(7);
	for (uint32_t off = 0; off < 256u * 1024u + 4096; off += 8)
		for (unsigned g = 0; g < 3; g++) {
			uint64_t w = pat_group((uint8_t)(off * 7 + (off >> 8) * 3 + (off >> 16)), steps) ^
				     (PAT_ONES * (uint8_t)(g * 0x5B));
			for (unsigned k = 0; k < 8; k++)
				if ((uint8_t)(w >> (8 * k)) != file_byte(off + k, g))
					CHECK_EQ(off * 10 + k, 0u);   /* report the first bad byte */
		}
}

static void test_pingpong_and_shm_groups(void)
{
	uint64_t s31 = pat_steps(31), s13 = pat_steps(13);
	for (size_t i = 0; i < 65536; i += 8)
		for (unsigned it = 0; it < 300; it += 37) {
			uint64_t p = pat_group((uint8_t)(i * 31 + it * 7 + (i >> 9)), s31);
			uint64_t q = pat_group((uint8_t)(i * 13 + it * 101 + (i >> 10)), s13);
			for (unsigned k = 0; k < 8; k++) {
				size_t j = i + k;
				CHECK_EQ((uint8_t)(p >> (8 * k)), (uint8_t)(j * 31 + it * 7 + (j >> 9)));
				CHECK_EQ((uint8_t)(q >> (8 * k)), (uint8_t)(j * 13 + it * 101 + (j >> 10)));
			}
		}
}

static void test_add8_has_no_carries_and_equal_finds_every_byte(void)
{
	CHECK_EQ(pat_add8(0xFFFFFFFFFFFFFFFFULL, PAT_ONES), 0ULL);
	CHECK_EQ(pat_add8(0x80ULL, 0x80ULL), 0ULL);
	uint8_t a[37], b[37];
	for (unsigned i = 0; i < sizeof a; i++)
		a[i] = b[i] = (uint8_t)(i * 11);
	CHECK(pat_equal(a, b, sizeof a));
	for (unsigned i = 0; i < sizeof a; i++) {
		b[i] ^= 1;
		CHECK(!pat_equal(a, b, sizeof a));
		b[i] ^= 1;
	}
	CHECK(pat_equal(a, b, 0));
}

static const struct check_test tests[] = {
	CHECK_TEST(test_file_pattern_groups),
	CHECK_TEST(test_pingpong_and_shm_groups),
	CHECK_TEST(test_add8_has_no_carries_and_equal_finds_every_byte),
};
CHECK_MAIN(tests)
