/*
 * runtime.c - the in-guest timing harness: timer overhead, warm-ups,
 * event counters, one protocol line per result. Linked into the bench
 * program of both kernels.
 *
 * Kernel events are counted for the measured work only: a workload opens
 * a window (bench_window) just before its timed region and bench_sample
 * closes it, so calls made around the timed region (a create before the
 * timed unlink, a seek before a timed sequential read) are not counted.
 * The window's own cost (its two counter reads) is measured once per boot
 * and subtracted, as the timer's is.
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
static struct kcounters window_cost;   /* events of an empty window */

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
	struct kcounters a, b;
	os_counters(&a);
	os_counters(&b);
	window_cost = (struct kcounters){ b.kentries - a.kentries, b.switches - a.switches,
					  b.as_switches - a.as_switches,
					  b.bytes_copied - a.bytes_copied };
	overhead_known = 1;
	return overhead_ticks;
}

/* Open the event window of the next sample (just before its timed region). */
void bench_window(struct bench_run *r)
{
	os_counters(&r->w0);
	r->window_open = 1;
}

static void window_close(struct bench_run *r)
{
	struct kcounters w1;
	os_counters(&w1);
	r->acc.kentries += w1.kentries - r->w0.kentries - window_cost.kentries;
	r->acc.switches += w1.switches - r->w0.switches - window_cost.switches;
	r->acc.as_switches += w1.as_switches - r->w0.as_switches - window_cost.as_switches;
	r->acc.bytes_copied += w1.bytes_copied - r->w0.bytes_copied - window_cost.bytes_copied;
	r->windows++;
}

void bench_begin(struct bench_run *r, const struct bench_params *p)
{
	r->p = *p;
	if (r->p.iters > BENCH_MAX_SAMPLES)
		r->p.iters = BENCH_MAX_SAMPLES;
	r->n = 0;
	r->check[0] = '\0';
	r->windows = r->window_open = 0;
	r->acc = r->w0 = (struct kcounters){ 0, 0, 0, 0 };
	bench_overhead();
	os_counters(&r->ev0);
}

/* Record one raw sample (ticks between two bench_now() calls), closing
 * its event window if one is open. */
void bench_sample(struct bench_run *r, uint64_t ticks)
{
	if (r->n >= BENCH_MAX_SAMPLES)
		return;
	r->samples[r->n++] = ticks > overhead_ticks ? ticks - overhead_ticks : 0;
	if (r->window_open)
		window_close(r);
	r->window_open = 0;
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
	/* Windows: the measured work only. Otherwise the whole loop, less the
	 * os_counters calls themselves (the second call's kernel entry and the
	 * first call's copy-out). */
	struct kcounters ev = r->windows ? r->acc : (struct kcounters){
		r->ev1.kentries - r->ev0.kentries - 1, r->ev1.switches - r->ev0.switches,
		r->ev1.as_switches - r->ev0.as_switches,
		r->ev1.bytes_copied - r->ev0.bytes_copied - sizeof(struct kcounters) };
	unsigned nev = r->windows ? (unsigned)r->windows : r->n;
	os_printf(MKB_PREFIX "{\"type\":\"result\",\"workload\":\"%s\",\"mode\":\"%s\",\"variant\":\"%s\","
		  "\"size\":%s,\"what\":\"%s\",\"unit\":\"tsc\",\"n\":%u,\"warmup\":%u,"
		  "\"min\":%lu,\"median\":%lu,\"mean\":%s,\"stddev\":%s,\"p99\":%lu,\"max\":%lu,"
		  "\"overhead\":%lu,\"events\":{\"kentries\":%s,\"switches\":%s,\"as_switches\":%s,"
		  "\"bytes_copied\":%s},\"check\":\"%s\"%s}\n",
		  r->p.workload, os_mode, r->p.variant, size, r->p.what, r->n, r->p.warmup,
		  (unsigned long)s.min, (unsigned long)s.median, milli(mean, sizeof mean, s.mean_milli),
		  milli(sd, sizeof sd, s.stddev_milli), (unsigned long)s.p99, (unsigned long)s.max,
		  (unsigned long)overhead_ticks, per(e0, sizeof e0, ev.kentries, nev),
		  per(e1, sizeof e1, ev.switches, nev), per(e2, sizeof e2, ev.as_switches, nev),
		  per(e3, sizeof e3, ev.bytes_copied, nev),
		  r->check[0] ? r->check : "ok", shape);
	return r->check[0] ? 1 : 0;
}
