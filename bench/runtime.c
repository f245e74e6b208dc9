/*
 * runtime.c - the in-guest timing harness: timer overhead, warm-ups,
 * event counters, one protocol line per result. Linked into the bench
 * program of both kernels.
 */
#include <stdarg.h>
#include "bench.h"
#include "fmt.h"
#include "os.h"
#include "protocol.h"
#include "str.h"

#define OVERHEAD_SAMPLES 256

static uint64_t overhead_ticks;
static int overhead_known;

/* The cost of an empty bench_now() pair: the median of many, measured
 * once per boot and subtracted from every sample. */
uint64_t bench_overhead(void)
{
	static uint64_t v[OVERHEAD_SAMPLES];
	if (overhead_known)
		return overhead_ticks;
	for (unsigned i = 0; i < OVERHEAD_SAMPLES; i++) {
		uint64_t t0 = bench_now();
		uint64_t t1 = bench_now();
		v[i] = t1 - t0;
	}
	struct bench_stats s;
	bench_stats(v, OVERHEAD_SAMPLES, &s);
	overhead_ticks = s.median;
	overhead_known = 1;
	return overhead_ticks;
}

void bench_begin(struct bench_run *r, const struct bench_params *p)
{
	r->p = *p;
	if (r->p.iters > BENCH_MAX_SAMPLES)
		r->p.iters = BENCH_MAX_SAMPLES;
	r->n = 0;
	r->check[0] = '\0';
	bench_overhead();
	os_counters(&r->ev0);
}

/* Record one raw sample (ticks between two bench_now() calls). */
void bench_sample(struct bench_run *r, uint64_t ticks)
{
	if (r->n < BENCH_MAX_SAMPLES)
		r->samples[r->n++] = ticks > overhead_ticks ? ticks - overhead_ticks : 0;
}

/* Mark the run failed (first failure wins); the workload should stop. */
void bench_fail(struct bench_run *r, const char *fmt, ...)
{
	if (r->check[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	fmt_vsnprintf(r->check, sizeof r->check, fmt, ap);
	va_end(ap);
}

/* "12.345" from thousandths into buf. */
static const char *milli(char *buf, size_t cap, uint64_t m)
{
	fmt_snprintf(buf, cap, "%lu.%03lu", (unsigned long)(m / 1000), (unsigned long)(m % 1000));
	return buf;
}

/* Per-sample event count, to two decimals. */
static const char *per(char *buf, size_t cap, uint64_t total, unsigned n)
{
	uint64_t c = n ? total * 100 / n : 0;
	fmt_snprintf(buf, cap, "%lu.%02lu", (unsigned long)(c / 100), (unsigned long)(c % 100));
	return buf;
}

/* Finish a run: counters, statistics, the result line. Returns 1 if the
 * run failed its data check (or took no samples), else 0. */
int bench_end(struct bench_run *r)
{
	os_counters(&r->ev1);
	if (!r->check[0] && r->n == 0)
		bench_fail(r, "no samples");
	struct bench_stats s;
	bench_stats(r->samples, r->n, &s);
	char size[24], mean[32], sd[32], e0[24], e1[24], e2[24], e3[24], shape[48] = "";
	if (r->p.size >= 0)
		fmt_snprintf(size, sizeof size, "%ld", (long)r->p.size);
	else
		fmt_snprintf(size, sizeof size, "null");
	if (r->p.shape)
		fmt_snprintf(shape, sizeof shape, ",\"shape\":\"%s\"", r->p.shape);
	/* The counters also count the os_counters calls themselves: the second
	 * call's kernel entry and the first call's copy-out. */
	uint64_t kent = r->ev1.kentries - r->ev0.kentries - 1;
	uint64_t copied = r->ev1.bytes_copied - r->ev0.bytes_copied - sizeof(struct kcounters);
	os_printf(MKB_PREFIX "{\"type\":\"result\",\"workload\":\"%s\",\"mode\":\"%s\",\"variant\":\"%s\","
		  "\"size\":%s,\"what\":\"%s\",\"unit\":\"tsc\",\"n\":%u,\"warmup\":%u,"
		  "\"min\":%lu,\"median\":%lu,\"mean\":%s,\"stddev\":%s,\"p99\":%lu,\"max\":%lu,"
		  "\"overhead\":%lu,\"events\":{\"kentries\":%s,\"switches\":%s,\"as_switches\":%s,"
		  "\"bytes_copied\":%s},\"check\":\"%s\"%s}\n",
		  r->p.workload, os_mode, r->p.variant, size, r->p.what, r->n, r->p.warmup,
		  (unsigned long)s.min, (unsigned long)s.median, milli(mean, sizeof mean, s.mean_milli),
		  milli(sd, sizeof sd, s.stddev_milli), (unsigned long)s.p99, (unsigned long)s.max,
		  (unsigned long)overhead_ticks, per(e0, sizeof e0, kent, r->n),
		  per(e1, sizeof e1, r->ev1.switches - r->ev0.switches, r->n),
		  per(e2, sizeof e2, r->ev1.as_switches - r->ev0.as_switches, r->n),
		  per(e3, sizeof e3, copied, r->n),
		  r->check[0] ? r->check : "ok", shape);
	return r->check[0] ? 1 : 0;
}
