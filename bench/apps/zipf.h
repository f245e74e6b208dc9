/*
 * zipf.h - YCSB's request distribution for the key-value application
 * (bench/apps/): keys drawn from a scrambled Zipfian distribution with a
 * seeded generator, in integers only (user code has no floating point:
 * the kernels save no FPU state, and user programs build with
 * -mgeneral-regs-only). Portable; unit-tested on the host
 * (tests/unit/test_zipf.c).
 *
 * Rank r (0 = hottest) has weight 1 / (r + 1)^theta, theta = 0.99, YCSB's
 * default zipfian constant (Cooper et al., "Benchmarking Cloud Serving
 * Systems with YCSB", SoCC 2010); a rank becomes a key by a 64-bit FNV-1a
 * hash, modulo the key count, so the hot keys are spread over the key
 * space. One difference from YCSB's ScrambledZipfianGenerator: it draws
 * ranks over 10^10 items before the hash (its hottest key takes about 4%
 * of the requests), these over the keys themselves (the hottest about
 * 13% of 1,000): a more skewed mix than YCSB's.
 */
#ifndef MKB_ZIPF_H
#define MKB_ZIPF_H
#include <stdint.h>

#define ZIPF_MAX_KEYS 4096u

struct zipf {
	uint32_t n;
	uint64_t cdf[ZIPF_MAX_KEYS];   /* cumulative weights, cdf[n-1] the total */
	uint64_t state;                 /* the generator (splitmix64) */
};

/* n keys (1 .. ZIPF_MAX_KEYS), seed: 0, or -1 if n is out of range. */
int zipf_init(struct zipf *z, uint32_t n, uint64_t seed);
/* The next rank, 0 .. n-1 (0 the most frequent). */
uint32_t zipf_rank(struct zipf *z);
/* The next key, 0 .. n-1: the rank scrambled (FNV-1a 64, modulo n). */
uint32_t zipf_key(struct zipf *z);
/* A uniform number below bound (bound >= 1), from the same generator. */
uint32_t zipf_uniform(struct zipf *z, uint32_t bound);
/* 2^32 * x^-0.01 for x >= 1, in integers (what the weights are made of). */
uint64_t zipf_pow_m001(uint32_t x);
#endif
