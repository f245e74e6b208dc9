/*
 * wl_calib.c - the "calib" workload: instruction sequences whose cost the
 * cycle model (bench/model/mkbmodel.c) must price exactly as its profile
 * says (tests/boot/test_model.py checks the arithmetic). Not one of the
 * suite's benchmarks (make bench does not run it); run=bench
 * workload=calib runs it. Each sample is:
 *   nops_100       100 NOPs: only the base cost per instruction;
 *   rep_movsb_4k   one rep movsb of 4 KiB between two warm, page-aligned
 *                  buffers: per-iteration copy cost, no misses;
 *   page_sweep_128 one load from each of 128 pages, 4 KiB apart: every
 *                  load misses the L1 DTLB (8 pages per 4-way set) and
 *                  hits the STLB, misses L1D (one set) and L2 (8 lines
 *                  per 4-way set), on the geometry of both profiles.
 */
#include "bench.h"

#define SWEEP_PAGES 128

static uint8_t src[4096] __attribute__((aligned(4096))), dst[4096] __attribute__((aligned(4096)));
static uint8_t sweep[SWEEP_PAGES * 4096] __attribute__((aligned(4096)));
static struct bench_run run;

static void nops(void)
{
	__asm__ volatile(".rept 100\n\tnop\n\t.endr" ::: "memory");
}

static void copy(void)
{
	void *d = dst, *s = src;
	uint64_t n = sizeof dst;
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) :: "memory");
}

static void page_sweep(void)
{
	const uint8_t *q = sweep;
	__asm__ volatile(".rept 128\n\tmovb (%0), %%al\n\taddq $4096, %0\n\t.endr"
			 : "+r"(q) :: "rax", "memory");
}

static int one(const struct bench_args *a, const char *variant, void (*fn)(void))
{
	struct bench_params p = { "calib", variant, -1, "per_op", 0, a->iters, a->warmup };
	bench_begin(&run, &p);
	for (unsigned i = 0; i < a->warmup + run.p.iters; i++) {
		uint64_t t0 = bench_now();
		fn();
		uint64_t t1 = bench_now();
		if (i >= a->warmup)
			bench_sample(&run, t1 - t0);
	}
	return bench_end(&run);
}

int wl_calib(const struct bench_args *a)
{
	for (unsigned i = 0; i < sizeof sweep; i += 4096)
		sweep[i] = (uint8_t)i;   /* every page mapped before timing */
	for (unsigned i = 0; i < sizeof src; i++)
		src[i] = (uint8_t)i;
	return one(a, "nops_100", nops) + one(a, "rep_movsb_4k", copy) +
	       one(a, "page_sweep_128", page_sweep);
}
