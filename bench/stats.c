/* stats.c - sample statistics for the in-guest runtime: integer only (no
 * FPU state in the kernels), portable, unit-tested on the host. */
#include "bench.h"

/* Heap sort: O(n log n), no recursion, no allocation. */
static void sift(uint64_t *v, unsigned start, unsigned end)
{
	unsigned root = start;
	while (2 * root + 1 < end) {
		unsigned child = 2 * root + 1;
		if (child + 1 < end && v[child] < v[child + 1])
			child++;
		if (v[root] >= v[child])
			return;
		uint64_t t = v[root];
		v[root] = v[child];
		v[child] = t;
		root = child;
	}
}

void bench_sort(uint64_t *v, unsigned n)
{
	for (unsigned i = n / 2; i-- > 0;)
		sift(v, i, n);
	for (unsigned end = n; end > 1; end--) {
		uint64_t t = v[0];
		v[0] = v[end - 1];
		v[end - 1] = t;
		sift(v, 0, end - 1);
	}
}

/* x / n for a 128-bit x and n < 2^32, by 32-bit limbs: 64-bit divisions
 * only (a 128-bit one would need libgcc, which the kernels do not link). */
static unsigned __int128 div128(unsigned __int128 x, uint32_t n)
{
	unsigned __int128 q = 0;
	uint64_t rem = 0;
	for (int shift = 96; shift >= 0; shift -= 32) {
		uint64_t cur = rem << 32 | (uint32_t)(x >> shift);
		q |= (unsigned __int128)(cur / n) << shift;
		rem = cur % n;
	}
	return q;
}

/* floor(sqrt(x)) for a 128-bit x (the result fits 64 bits). */
static uint64_t isqrt128(unsigned __int128 x)
{
	unsigned __int128 r = 0, bit = (unsigned __int128)1 << 126;
	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return (uint64_t)r;
}

uint64_t bench_isqrt(uint64_t x)
{
	return isqrt128(x);
}

/* Sorts v and fills s. Median of an even count is the lower middle; p99 is
 * the sample at rank ceil(0.99 n). Mean and stddev (population) are exact
 * to a thousandth of a tick as long as samples stay below 2^40; the
 * squared deviations are summed in 128 bits, since one deviation of 2^32
 * thousandths (4.3 million ticks) already squares past 64 bits. */
void bench_stats(uint64_t *v, unsigned n, struct bench_stats *s)
{
	*s = (struct bench_stats){ 0, 0, 0, 0, 0, 0 };
	if (!n)
		return;
	bench_sort(v, n);
	s->min = v[0];
	s->max = v[n - 1];
	s->median = v[(n - 1) / 2];
	unsigned r99 = (99 * n + 99) / 100;
	s->p99 = v[(r99 ? r99 : 1) - 1];
	uint64_t sum = 0;
	for (unsigned i = 0; i < n; i++)
		sum += v[i];
	s->mean_milli = sum * 1000 / n;
	/* variance in milli-ticks^2: the sum of squared deviations over n */
	unsigned __int128 acc = 0;
	for (unsigned i = 0; i < n; i++) {
		uint64_t x = v[i] * 1000;
		uint64_t d = x > s->mean_milli ? x - s->mean_milli : s->mean_milli - x;
		acc += (unsigned __int128)d * d;
	}
	s->stddev_milli = isqrt128(div128(acc, n));
}

/* What a case that moves size bytes takes: iters samples and warmup
 * warm-ups up to BENCH_SCALE_FROM bytes; above it both shrink in
 * proportion (x 4096 / size: a 64 KiB case takes a sixteenth), to at
 * least BENCH_MIN_SAMPLES and BENCH_MIN_WARMUP (or what was asked, if
 * less). A large case costs its bytes many times over (the copies, and
 * filling and checking them), so without this the largest size cost
 * more than all the others together; and under icount its samples
 * agree to a few instructions in a hundred thousand (the reference
 * run's 64 KiB round trips), so fifty of them give the median that a
 * thousand would. The result's n and warmup say what ran. */
static unsigned scaled(unsigned asked, int64_t size, unsigned least)
{
	if (size <= BENCH_SCALE_FROM)
		return asked;
	uint64_t n = (uint64_t)asked * BENCH_SCALE_FROM / (uint64_t)size;
	if (n < least)
		n = asked < least ? asked : least;
	return (unsigned)n;
}

struct bench_count bench_scale(unsigned iters, unsigned warmup, int64_t size)
{
	struct bench_count c = { scaled(iters, size, BENCH_MIN_SAMPLES),
				 scaled(warmup, size, BENCH_MIN_WARMUP) };
	if (c.iters > BENCH_MAX_SAMPLES)
		c.iters = BENCH_MAX_SAMPLES;
	return c;
}
