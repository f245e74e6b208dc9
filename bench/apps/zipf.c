/* zipf.c - see zipf.h. */
#include "zipf.h"

/* log2(x) in 2^-30 units, for x >= 1: its integer part from the top bit,
 * then 30 bits of fraction by squaring the mantissa (the usual
 * bit-by-bit method). */
static uint64_t log2_q30(uint32_t x)
{
	int k = 31;
	while (!(x >> k))
		k--;
	uint64_t m = ((uint64_t)x << 30) >> k;   /* x / 2^k in Q30, in [1, 2) */
	uint64_t r = (uint64_t)k << 30;
	for (int b = 29; b >= 0; b--) {
		m = (m * m) >> 30;
		if (m >= (2ull << 30)) {
			m >>= 1;
			r |= 1ull << b;
		}
	}
	return r;
}

/* 2^32 * 2^(-y) for y in 2^-30 units, 0 <= y < 2^30 (y < 1): e^(-y ln 2)
 * by its series to the fifth term (|y ln 2| < 0.7: error below 2^-12
 * relative; here y <= 0.12, below 2^-24). */
static uint64_t exp2_neg_q32(uint64_t y)
{
	const uint64_t ln2_q30 = 744261118ull;    /* ln 2 * 2^30 */
	uint64_t t = (y * ln2_q30) >> 30;          /* y ln 2, Q30 */
	uint64_t one = 1ull << 30, term = one, sum = one;
	for (int k = 1; k <= 5; k++) {
		term = term * t / ((uint64_t)k << 30);
		sum = k & 1 ? sum - term : sum + term;
	}
	return sum << 2;   /* Q30 -> Q32 */
}

uint64_t zipf_pow_m001(uint32_t x)
{
	return exp2_neg_q32(log2_q30(x) / 100);   /* x^-0.01 = 2^(-log2(x) / 100) */
}

static uint64_t next64(struct zipf *z)   /* splitmix64 (Steele, Lea, Flood, OOPSLA 2014) */
{
	uint64_t v = (z->state += 0x9e3779b97f4a7c15ull);
	v = (v ^ (v >> 30)) * 0xbf58476d1ce4e5b9ull;
	v = (v ^ (v >> 27)) * 0x94d049bb133111ebull;
	return v ^ (v >> 31);
}

int zipf_init(struct zipf *z, uint32_t n, uint64_t seed)
{
	if (n < 1 || n > ZIPF_MAX_KEYS)
		return -1;
	z->n = n;
	z->state = seed;
	uint64_t total = 0;
	for (uint32_t r = 0; r < n; r++) {
		/* (r+1)^-0.99 = (r+1)^-1 / (r+1)^-0.01, scaled by 2^40 (20 bits of
		 * the divisor are plenty, and keep the product in 64 bits) */
		uint64_t w = ((1ull << 40) / (r + 1) << 20) / (zipf_pow_m001(r + 1) >> 12);
		total += w ? w : 1;
		z->cdf[r] = total;
	}
	return 0;
}

uint32_t zipf_uniform(struct zipf *z, uint32_t bound)
{
	return (uint32_t)(next64(z) % bound);
}

uint32_t zipf_rank(struct zipf *z)
{
	uint64_t u = next64(z) % z->cdf[z->n - 1];
	uint32_t lo = 0, hi = z->n - 1;   /* the first rank whose cdf exceeds u */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (z->cdf[mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

uint32_t zipf_key(struct zipf *z)
{
	uint64_t h = 0xcbf29ce484222325ull;   /* FNV-1a 64 over the rank's 8 bytes */
	uint64_t r = zipf_rank(z);
	for (int i = 0; i < 8; i++) {
		h ^= (r >> (8 * i)) & 0xff;
		h *= 0x100000001b3ull;
	}
	return (uint32_t)(h % z->n);
}
