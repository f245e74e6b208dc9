/*
 * test_stats.c - host unit tests of bench/stats.c, the in-guest runtime's
 * integer statistics (sort, median, p99, mean, stddev, integer sqrt).
 */
#include <stdint.h>
#include <stdlib.h>

#include "bench.h"
#include "check.h"

static void test_sort_orders_any_input(void)
{
	uint64_t v[1000];
	srand(7);
	for (int i = 0; i < 1000; i++)
		v[i] = (uint64_t)rand() % 50;
	bench_sort(v, 1000);
	for (int i = 1; i < 1000; i++)
		REQUIRE(v[i - 1] <= v[i]);
	bench_sort(v, 0);
	bench_sort(v, 1);
}

static void test_stats_of_known_samples(void)
{
	uint64_t v[] = { 9, 1, 5, 3, 7 };   /* mean 5, population stddev sqrt(8) */
	struct bench_stats s;
	bench_stats(v, 5, &s);
	CHECK_EQ(s.min, 1u);
	CHECK_EQ(s.max, 9u);
	CHECK_EQ(s.median, 5u);
	CHECK_EQ(s.p99, 9u);
	CHECK_EQ(s.mean_milli, 5000u);
	CHECK_EQ(s.stddev_milli, 2828u);   /* 2.828427... */
}

static void test_median_and_p99_ranks(void)
{
	uint64_t v[200];
	for (int i = 0; i < 200; i++)
		v[i] = (uint64_t)(200 - i);   /* 1..200 reversed */
	struct bench_stats s;
	bench_stats(v, 200, &s);
	CHECK_EQ(s.median, 100u);   /* lower middle of an even count */
	CHECK_EQ(s.p99, 198u);      /* rank ceil(0.99 * 200) = 198 */
	CHECK_EQ(s.mean_milli, 100500u);
}

static void test_constant_samples_have_zero_stddev(void)
{
	uint64_t v[64];
	for (int i = 0; i < 64; i++)
		v[i] = 412;
	struct bench_stats s;
	bench_stats(v, 64, &s);
	CHECK_EQ(s.stddev_milli, 0u);
	CHECK_EQ(s.mean_milli, 412000u);
	bench_stats(v, 0, &s);
	CHECK_EQ(s.median, 0u);
}

/* One outlier of 4.5 million ticks among 99 zeros: its deviation is past
 * 2^32 thousandths, whose square does not fit 64 bits. */
static void test_stddev_of_a_large_outlier(void)
{
    uint64_t v[100] = { 0 };
    v[99] = 4500000;
    struct bench_stats s;
    bench_stats(v, 100, &s);
    CHECK_EQ(s.mean_milli, 45000000u);
    CHECK_EQ(s.stddev_milli / 1000, 447744u);   /* sqrt(99) * 45000 = 447,744.3 */
}

static void test_isqrt(void)
{
	CHECK_EQ(bench_isqrt(0), 0u);
	CHECK_EQ(bench_isqrt(15), 3u);
	CHECK_EQ(bench_isqrt(16), 4u);
	CHECK_EQ(bench_isqrt(UINT64_MAX), 4294967295u);
}

/* bench_scale: as asked up to 4 KiB, in proportion above, with floors. */
static void test_scale_by_size(void)
{
	struct bench_count c = bench_scale(1000, 100, -1);   /* no size */
	CHECK_EQ(c.iters, 1000u);
	CHECK_EQ(c.warmup, 100u);
	c = bench_scale(1000, 100, 4096);
	CHECK_EQ(c.iters, 1000u);
	CHECK_EQ(c.warmup, 100u);
	c = bench_scale(1000, 100, 16384);
	CHECK_EQ(c.iters, 250u);
	CHECK_EQ(c.warmup, 25u);
	c = bench_scale(1000, 100, 65536);
	CHECK_EQ(c.iters, 62u);
	CHECK_EQ(c.warmup, 6u);
	c = bench_scale(100, 10, 65536);      /* QUICK: the floors */
	CHECK_EQ(c.iters, (unsigned)BENCH_MIN_SAMPLES);
	CHECK_EQ(c.warmup, (unsigned)BENCH_MIN_WARMUP);
	c = bench_scale(20, 2, 65536);        /* asked for fewer than the floors */
	CHECK_EQ(c.iters, 20u);
	CHECK_EQ(c.warmup, 2u);
	c = bench_scale(100000, 0, 64);       /* never more than a run holds */
	CHECK_EQ(c.iters, (unsigned)BENCH_MAX_SAMPLES);
	CHECK_EQ(c.warmup, 0u);
}

static const struct check_test tests[] = {
	CHECK_TEST(test_scale_by_size),
	CHECK_TEST(test_sort_orders_any_input),
	CHECK_TEST(test_stats_of_known_samples),
	CHECK_TEST(test_median_and_p99_ranks),
	CHECK_TEST(test_constant_samples_have_zero_stddev),
	CHECK_TEST(test_isqrt),
	CHECK_TEST(test_stddev_of_a_large_outlier),
};
CHECK_MAIN(tests)
