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

/* acc += b - a - less, word by word (struct kcounters is all words);
 * the kbufs level is taken from b, not summed. */
static void kc_add(struct kcounters *acc, const struct kcounters *b, const struct kcounters *a,
		   const struct kcounters *less)
{
	uint64_t *w = (uint64_t *)acc;
	const uint64_t *x = (const uint64_t *)b, *y = (const uint64_t *)a;
	const uint64_t *z = (const uint64_t *)less;
	for (unsigned i = 0; i < KC_WORDS; i++)
		w[i] = i == KC_LEVEL ? x[i] : w[i] + x[i] - y[i] - (z ? z[i] : 0);
}

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
		BENCH_MARK_OVERHEAD();
		v[i] = t1 - t0;
	}
	struct bench_stats s;
	bench_stats(v, OVERHEAD_SAMPLES, &s);
	overhead_ticks = s.median;
	struct kcounters a, b;
	os_counters(&a);
	os_counters(&b);
	kc_add(&window_cost, &b, &a, 0);
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
	kc_add(&r->acc, &w1, &r->w0, &window_cost);
	r->windows++;
}

void bench_window_add(struct bench_run *r, const struct kcounters *w0, const struct kcounters *w1,
		      unsigned ops)
{
	kc_add(&r->acc, w1, w0, &window_cost);
	r->windows += (int)ops;
}

void bench_begin(struct bench_run *r, const struct bench_params *p)
{
	r->p = *p;
	if (r->p.iters > BENCH_MAX_SAMPLES)
		r->p.iters = BENCH_MAX_SAMPLES;
	r->n = 0;
	r->check[0] = '\0';
	r->windows = r->window_open = 0;
	r->work = 0;
	r->placement = 0;
	memset(&r->acc, 0, sizeof r->acc);
	memset(&r->w0, 0, sizeof r->w0);
	bench_overhead();
	os_counters(&r->ev0);
}

/* Record one raw sample (ticks between two bench_now() calls), closing
 * its event window if one is open. */
void bench_sample(struct bench_run *r, uint64_t ticks)
{
	if (r->n >= BENCH_MAX_SAMPLES)
		return;
	BENCH_MARK_SAMPLE();
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

static const char *const copy_names[COPY_KINDS] = { "reg", "direct", "kbuf_in", "kbuf_out", "grant",
						     "virt", "cow" };

/* The events object of a result line: per-sample counts, two decimals. */
static void events_json(char *out, size_t cap, const struct kcounters *ev, unsigned n)
{
	char a[24], b[24], c[24], d[24], e[24], f[24];
	size_t k = fmt_snprintf(out, cap, "{\"kentries\":%s,\"switches\":%s,\"as_switches\":%s,"
				"\"bytes_copied\":%s,\"sched_picks\":%s,\"direct_switches\":%s",
				per(a, sizeof a, ev->kentries, n), per(b, sizeof b, ev->switches, n),
				per(c, sizeof c, ev->as_switches, n), per(d, sizeof d, ev->bytes_copied, n),
				per(e, sizeof e, ev->sched_picks, n), per(f, sizeof f, ev->direct_switches, n));
	for (int i = 0; i < COPY_KINDS && k < cap; i++)
		k += fmt_snprintf(out + k, cap - k, ",\"copies_%s\":%s,\"bytes_%s\":%s", copy_names[i],
				  per(a, sizeof a, ev->copies[i], n), copy_names[i],
				  per(b, sizeof b, ev->copy_bytes[i], n));
	if (k < cap)
		fmt_snprintf(out + k, cap - k, ",\"rights\":%s,\"ipis\":%s,\"kbufs\":%lu}",
			     per(a, sizeof a, ev->rights, n), per(b, sizeof b, ev->ipis, n),
			     (unsigned long)ev->kbufs);
}

/* Finish a run: counters, statistics, the result line. Returns 1 if the
 * run failed its data check (or took no samples), else 0. */
int bench_end(struct bench_run *r)
{
	BENCH_MARK_END();
	os_counters(&r->ev1);
	if (!r->check[0] && r->n == 0)
		bench_fail(r, "no samples");
	struct bench_stats s;
	bench_stats(r->samples, r->n, &s);
	char size[24], mean[32], sd[32], shape[96] = "";
	static char events[1024];
	if (r->p.size >= 0)
		fmt_snprintf(size, sizeof size, "%ld", (long)r->p.size);
	else
		fmt_snprintf(size, sizeof size, "null");
	if (r->p.shape)
		fmt_snprintf(shape, sizeof shape, ",\"shape\":\"%s\"", r->p.shape);
	if (r->work)   /* after the shape, if any */
		fmt_snprintf(shape + strlen(shape), sizeof shape - strlen(shape), ",\"work\":%lu",
			     (unsigned long)r->work);
	if (r->placement)
		fmt_snprintf(shape + strlen(shape), sizeof shape - strlen(shape), ",\"placement\":\"%s\"",
			     r->placement);
	/* Windows: the measured work only. Otherwise the whole loop, less the
	 * os_counters calls themselves (the second call's kernel entry and the
	 * first call's copy-out). */
	struct kcounters ev = r->acc;
	if (!r->windows) {
		memset(&ev, 0, sizeof ev);
		kc_add(&ev, &r->ev1, &r->ev0, 0);
		ev.kentries -= 1;
		ev.bytes_copied -= sizeof(struct kcounters);
	}
	unsigned nev = r->windows ? (unsigned)r->windows : r->n;
	events_json(events, sizeof events, &ev, nev);
	os_printf(MKB_PREFIX "{\"type\":\"result\",\"workload\":\"%s\",\"mode\":\"%s\",\"ipc\":\"%s\","
		  "\"variant\":\"%s\",\"size\":%s,\"what\":\"%s\",\"unit\":\"tsc\",\"n\":%u,\"warmup\":%u,"
		  "\"min\":%lu,\"median\":%lu,\"mean\":%s,\"stddev\":%s,\"p99\":%lu,\"max\":%lu,"
		  "\"overhead\":%lu,\"events\":%s,\"check\":\"%s\"%s}\n",
		  r->p.workload, os_mode, os_ipc, r->p.variant, size, r->p.what, r->n, r->p.warmup,
		  (unsigned long)s.min, (unsigned long)s.median, milli(mean, sizeof mean, s.mean_milli),
		  milli(sd, sizeof sd, s.stddev_milli), (unsigned long)s.p99, (unsigned long)s.max,
		  (unsigned long)overhead_ticks, events, r->check[0] ? r->check : "ok", shape);
	return r->check[0] ? 1 : 0;
}
