/*
 * stats.c - the cycle model's timing points and statistics. The guest's
 * benchmark runtime (bench/bench.h, bench/runtime.c) marks a clock read
 * (right after each rdtsc of bench_now), a sample taken (the last two
 * clock reads), an empty pair of the overhead calibration and the end of
 * a run; at the end this writes one JSON line: the guest's statistics
 * (min, median, mean, stddev, p99, max, after subtracting the median
 * empty pair) and the events per sample by class.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "model.h"

uint64_t now[NC];
static const char *const cname[NC] = {
	"cycles", "base_cycles", "kentry_cycles", "cr3_cycles", "copy_cycles", "tlb_cycles",
	"cache_cycles", "insns", "itlb_misses", "dtlb_misses", "stlb_misses", "page_walks",
	"l1i_misses", "l1d_misses", "l2_misses", "cr3_writes", "rep_iters", "pt_reads",
	"syscalls", "sysrets", "irets", "wrmsrs", "rdtscs", "rep_bytes", "rep_runs", "unpriced_insns",
	"pt_l1_hits", "l2_serial", "l2_overlapped", "mem_serial", "mem_overlapped", "l1_credits",
	"exceptions", "kernel_cycles", "server_cycles", "kernel_insns", "server_insns" };

static uint64_t clk_prev[NC], clk_cur[NC];
static uint64_t *samples, nsamples, cap_samples, sums[NC];
/* The calibration's empty pairs, each with what it is made of; the
 * median pair's total is taken off every sample, its classes off the
 * per-class figures. */
struct pair { uint64_t c[NC]; };
static struct pair overheads[256], overhead_pair;
static uint64_t noverheads, overhead_m;
static int overhead_known;
static unsigned runs;
static FILE *out;

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_pair(const void *a, const void *b)
{
	return cmp_u64(&((const struct pair *)a)->c[C_CYCLES], &((const struct pair *)b)->c[C_CYCLES]);
}

/* UNITS -> cycles, "12.345" */
static void fmt_m(char *buf, size_t cap, double m) { snprintf(buf, cap, "%.3f", m / UNITS); }

static void end_run(void)
{
	uint64_t n = nsamples;
	for (uint64_t i = 0; i < n; i++)
		samples[i] = samples[i] > overhead_m ? samples[i] - overhead_m : 0;
	qsort(samples, n, sizeof *samples, cmp_u64);
	double mean = 0, var = 0;
	for (uint64_t i = 0; i < n; i++)
		mean += (double)samples[i];
	mean = n ? mean / n : 0;
	for (uint64_t i = 0; i < n; i++)
		var += ((double)samples[i] - mean) * ((double)samples[i] - mean);
	double sd = n ? sqrt(var / n) : 0;   /* population, as bench/stats.c */
	uint64_t r99 = (99 * n + 99) / 100;
	char a[32], b[32], c[32], d[32], e[32], f[32], g[32];
	fmt_m(a, sizeof a, n ? samples[0] : 0);
	fmt_m(b, sizeof b, n ? samples[(n - 1) / 2] : 0);
	fmt_m(c, sizeof c, mean);
	fmt_m(d, sizeof d, sd);
	fmt_m(e, sizeof e, n ? samples[(r99 ? r99 : 1) - 1] : 0);   /* rank ceil(0.99 n) */
	fmt_m(f, sizeof f, n ? samples[n - 1] : 0);
	fmt_m(g, sizeof g, overhead_m);
	fprintf(out, "{\"run\":%u,\"n\":%" PRIu64 ",\"min\":%s,\"median\":%s,\"mean\":%s,\"stddev\":%s,"
		"\"p99\":%s,\"max\":%s,\"overhead\":%s,\"profile\":\"%s\",\"model_version\":\"%s\",\"events\":{",
		runs, n, a, b, c, d, e, f, g, P.name, MODEL_VERSION);
	/* Per class: the mean per sample less the median timing pair's
	 * classes (the pair whose total is taken off the headline). */
	for (int i = 1; i < NC; i++) {
		double per = n ? (double)sums[i] / n : 0;
		if (overhead_known)
			per -= (double)overhead_pair.c[i];
		if (per < 0)
			per = 0;
		if (strstr(cname[i], "cycles"))
			per /= UNITS;
		fprintf(out, "%s\"%s\":%.2f", i > 1 ? "," : "", cname[i], per);
	}
	fprintf(out, "}}\n");
	fflush(out);
	runs++;
	nsamples = 0;
	memset(sums, 0, sizeof sums);
}

void marker(int m)
{
	switch (m) {
	case M_CLOCK:
		memcpy(clk_prev, clk_cur, sizeof clk_cur);
		memcpy(clk_cur, now, sizeof now);
		break;
	case M_SAMPLE:
		if (nsamples == cap_samples) {
			cap_samples = cap_samples ? 2 * cap_samples : 4096;
			samples = realloc(samples, cap_samples * sizeof *samples);
		}
		samples[nsamples++] = clk_cur[C_CYCLES] - clk_prev[C_CYCLES];
		for (int i = 0; i < NC; i++)
			sums[i] += clk_cur[i] - clk_prev[i];
		break;
	case M_OVERHEAD:
		if (!overhead_known && noverheads < 256) {
			for (int i = 0; i < NC; i++)
				overheads[noverheads].c[i] = clk_cur[i] - clk_prev[i];
			noverheads++;
		}
		if (!overhead_known && noverheads == 256) {
			qsort(overheads, noverheads, sizeof *overheads, cmp_pair);
			overhead_pair = overheads[(noverheads - 1) / 2];
			overhead_m = overhead_pair.c[C_CYCLES];
			overhead_known = 1;
		}
		break;
	case M_END:
		end_run();
		break;
	}
}

int stats_open(const char *path)
{
	if (!(out = fopen(path, "w")))
		return model_fail("cannot write", path);
	return 0;
}

void stats_close(void)
{
	if (out)
		fclose(out);
	out = 0;
}
