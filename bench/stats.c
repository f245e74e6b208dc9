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

uint64_t bench_isqrt(uint64_t x)
{
	uint64_t r = 0, bit = 1ULL << 62;
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
	return r;
}

/* Sorts v and fills s. Median of an even count is the lower middle; p99 is
 * the sample at rank ceil(0.99 n). Mean and stddev (population) are exact
 * to a thousandth of a tick as long as samples stay below 2^40. */
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
	/* variance in (milli-ticks)^2 / 1000^2: sum of squared deviations */
	uint64_t acc = 0;
	for (unsigned i = 0; i < n; i++) {
		uint64_t x = v[i] * 1000;
		uint64_t d = x > s->mean_milli ? x - s->mean_milli : s->mean_milli - x;
		acc += d * d / n;
	}
	s->stddev_milli = bench_isqrt(acc);
}
