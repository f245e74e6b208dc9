/* test_zipf.c - bench/apps/zipf.c: the integer power matches x^-0.01,
 * the ranks follow 1/(r+1)^0.99 (YCSB's zipfian constant), the keys
 * stay in range and cover the space, and a seed repeats its sequence. */
#include <math.h>
#include "check.h"
#include "zipf.h"

static struct zipf z, z2;

static void test_power_is_exact_to_eight_digits(void)
{
	for (uint32_t x = 1; x <= 1u << 20; x = x * 3 + 1) {
		double got = (double)zipf_pow_m001(x) / 4294967296.0, want = pow(x, -0.01);
		CHECK(fabs(got - want) < 1e-8);
	}
}

static void test_ranks_follow_the_distribution(void)
{
	REQUIRE_EQ(zipf_init(&z, 1000, 7), 0);
	static unsigned count[1000];
	const int n = 400000;
	for (int i = 0; i < n; i++)
		count[zipf_rank(&z)]++;
	double zeta = 0;
	for (int r = 1; r <= 1000; r++)
		zeta += pow(r, -0.99);
	for (int r = 0; r < 10; r++) {   /* within 5% of the expected share (and 4 sigma) */
		double want = pow(r + 1, -0.99) / zeta, got = (double)count[r] / n;
		CHECK(fabs(got - want) < 0.05 * want);
	}
	CHECK(count[0] > 5 * count[9]);   /* a uniform draw would fail this */
}

static void test_keys_in_range_and_spread(void)
{
	REQUIRE_EQ(zipf_init(&z, 100, 1), 0);
	unsigned seen[100] = { 0 }, distinct = 0, low_half = 0;
	for (int i = 0; i < 20000; i++) {
		uint32_t k = zipf_key(&z);
		REQUIRE(k < 100);
		distinct += !seen[k]++;
		low_half += k < 50;
	}
	CHECK(distinct > 80);
	CHECK(low_half > 3000 && low_half < 17000);   /* scrambled: the hot ranks are not all low keys */
}

static void test_a_seed_repeats_and_another_differs(void)
{
	REQUIRE_EQ(zipf_init(&z, 500, 42), 0);
	REQUIRE_EQ(zipf_init(&z2, 500, 42), 0);
	int same = 1;
	for (int i = 0; i < 1000; i++)
		same &= zipf_key(&z) == zipf_key(&z2);
	CHECK(same);
	REQUIRE_EQ(zipf_init(&z2, 500, 43), 0);
	int differ = 0;
	for (int i = 0; i < 1000; i++)
		differ += zipf_key(&z) != zipf_key(&z2);
	CHECK(differ > 100);
}

static void test_bad_sizes_are_refused(void)
{
	CHECK_EQ(zipf_init(&z, 0, 1), -1);
	CHECK_EQ(zipf_init(&z, ZIPF_MAX_KEYS + 1, 1), -1);
	CHECK_EQ(zipf_init(&z, 1, 1), 0);
	CHECK_EQ(zipf_key(&z), 0u);
}

static const struct check_test tests[] = {
	CHECK_TEST(test_power_is_exact_to_eight_digits),
	CHECK_TEST(test_ranks_follow_the_distribution),
	CHECK_TEST(test_keys_in_range_and_spread),
	CHECK_TEST(test_a_seed_repeats_and_another_differs),
	CHECK_TEST(test_bad_sizes_are_refused),
};
CHECK_MAIN(tests)
