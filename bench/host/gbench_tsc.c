/*
 * gbench_tsc.c - gbench.h for the Linux guest (bench/host/guest_init.c):
 * the same C interface as gbench.cc, timed as our own guests time
 * (bench/bench.h: a fenced rdtsc, which under `-icount shift=0` counts guest
 * instructions) and reported as our guests report (bench/runtime.c: one
 * protocol line per result, statistics of bench/stats.c).
 *
 * Linked into: build/linux-guest/init (static), so that the Linux guest runs
 * the host baseline's workloads (bench/host/wl_*.c) unchanged.
 *
 * One sample is one iteration: the clock is read on every gb_keep_running
 * call, and a sample is the time between two calls less any paused time and
 * less the measured cost of the loop itself (the median iteration of an
 * empty benchmark, gbt_overhead). The first `warmup` iterations are run and
 * dropped. A run's iteration count is the guest's (gbt_counts), scaled by
 * size as our guests scale theirs (bench_scale), not Google Benchmark's
 * estimate. The marks of bench/bench.h (a sample, a run's end) let the
 * profile plugin (bench/profile/profile.c) find each run's samples.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "gbench.h"
#include "gbench_tsc.h"
#include "protocol.h"

#define MAX_BENCHES 32
#define MAX_ARGS 16

struct gb_bench {
	char name[64];
	gb_fn fn;
	const void *arg;
	int64_t args[MAX_ARGS];
	int nargs;
	int64_t iters;   /* gb_bench_iterations, or 0 */
};

struct gb_state {
	int64_t arg0;
	unsigned total, warmup, done;   /* iterations: all, dropped, begun */
	uint64_t last, paused, pause_at;
	unsigned pauses;                /* in the sample being taken */
	uint64_t all_pauses;            /* in the run */
	uint64_t samples[BENCH_MAX_SAMPLES];
	unsigned n;
	char label[32], check[BENCH_CHECK_MAX];
	int64_t wire_bytes;
	int ended;                      /* the end mark was passed */
};

static struct gb_bench benches[MAX_BENCHES];
static int nbenches, errors;
static unsigned want_iters = 1000, want_warmup = 10;
static const char *only_prefix = "";   /* run benchmarks whose name starts so */
static const char *mode_name = "linux-guest", *extra_json = "";
static const int64_t *only_sizes;      /* run only these arguments, if set */
static unsigned nsizes;
static uint64_t overhead, pause_cost;   /* the loop's own; a pause-resume pair's */
static struct gb_state st;             /* one run at a time */

void gbt_configure(const struct gbt_config *c)
{
	want_iters = c->iters, want_warmup = c->warmup;
	only_prefix = c->prefix, mode_name = c->mode, extra_json = c->extra_json;
	only_sizes = c->sizes, nsizes = c->nsizes;
}

static int size_wanted(int64_t x)
{
	for (unsigned i = 0; i < nsizes; i++)
		if (only_sizes[i] == x)
			return 1;
	return nsizes == 0;
}

void gb_init(int *argc, char **argv, void (*usage)(void))
{
	(void)argc, (void)argv, (void)usage;
}

void gb_context(const char *key, const char *value)
{
	(void)key, (void)value;
}

void gb_default_iterations(int64_t n)
{
	(void)n;   /* the guest's counts decide (gbt_configure) */
}

gb_bench *gb_register(const char *name, gb_fn fn, const void *arg)
{
	if (nbenches == MAX_BENCHES) {
		printf(MKB_PREFIX "{\"type\":\"error\",\"msg\":\"more than %d benchmarks\"}\n", MAX_BENCHES);
		return &benches[MAX_BENCHES - 1];   /* overwritten, and the boot fails */
	}
	struct gb_bench *b = &benches[nbenches++];
	snprintf(b->name, sizeof b->name, "%s", name);
	b->fn = fn, b->arg = arg;
	return b;
}

void gb_bench_arg(gb_bench *b, int64_t x)
{
	if (b->nargs < MAX_ARGS)
		b->args[b->nargs++] = x;
}

void gb_bench_iterations(gb_bench *b, int64_t n)
{
	b->iters = n;
}

int gb_keep_running(gb_state *s)
{
	uint64_t t = bench_now();
	if (!s->check[0] && s->done > s->warmup && s->n < BENCH_MAX_SAMPLES) {
		uint64_t d = t - s->last - s->paused, less = overhead + s->pauses * pause_cost;
		s->samples[s->n++] = d > less ? d - less : 0;
		BENCH_MARK_SAMPLE();
	}
	if (s->check[0] || s->done == s->total) {
		if (!s->ended)   /* right after the last sample: a profile's window ends here */
			BENCH_MARK_END();
		s->ended = 1;
		return 0;
	}
	s->done++;
	s->paused = 0, s->pauses = 0;
	s->last = bench_now();   /* after the bookkeeping: only the body is timed */
	return 1;
}

int64_t gb_arg(gb_state *s, int i)
{
	return i == 0 ? s->arg0 : 0;
}

void gb_pause(gb_state *s)
{
	BENCH_MARK_PAUSE();
	s->pause_at = bench_now();
}

void gb_resume(gb_state *s)
{
	s->paused += bench_now() - s->pause_at;
	s->pauses++, s->all_pauses++;
	BENCH_MARK_RESUME();
}

void gb_error(gb_state *s, const char *msg)
{
	if (s->check[0])
		return;
	errors++;
	size_t k = 0;
	for (; msg[k] && k + 1 < sizeof s->check; k++)   /* JSON-safe: no quotes or escapes */
		s->check[k] = msg[k] == '"' || msg[k] == '\\' || (unsigned char)msg[k] < 32 ? '\'' : msg[k];
	s->check[k] = 0;
}

int gb_failed(gb_state *s)
{
	return s->check[0] != 0;
}

void gb_counter(gb_state *s, const char *name, double value)
{
	if (strcmp(name, "wire_bytes") == 0)
		s->wire_bytes = (int64_t)value;
}

void gb_label(gb_state *s, const char *label)
{
	snprintf(s->label, sizeof s->label, "%s", label);
}

void gb_bytes(gb_state *s, int64_t bytes)
{
	(void)s, (void)bytes;
}

int64_t gb_iterations(gb_state *s)
{
	return s->done;
}

static void begin(gb_state *s, int64_t arg0, unsigned total, unsigned warmup)
{
	memset(s, 0, sizeof *s);
	s->arg0 = arg0, s->total = total, s->warmup = warmup, s->wire_bytes = -1;
}

/* The loop's own cost: the median iteration of an empty benchmark; then
 * what an empty gb_pause/gb_resume pair leaves in a sample (the calls
 * and the clock reads' halves outside the paused span), subtracted per
 * pair. One calibration run (one end mark) for the profile plugin. */
static void measure_overhead(void)
{
	begin(&st, 0, 2 * (256 + 16), 16);
	while (st.done < 256 + 16 && gb_keep_running(&st))
		BENCH_MARK_OVERHEAD();
	struct bench_stats s;
	bench_stats(st.samples, st.n, &s);
	overhead = s.median;
	unsigned first = st.n;
	while (gb_keep_running(&st)) {
		gb_pause(&st);
		gb_resume(&st);
	}
	bench_stats(st.samples + first, st.n - first, &s);
	pause_cost = s.median;
}

static void milli(char *buf, size_t cap, uint64_t m)
{
	snprintf(buf, cap, "%lu.%03lu", (unsigned long)(m / 1000), (unsigned long)(m % 1000));
}

/* One run of b with argument arg0 (-1: none): its result line. */
static void run_one(const struct gb_bench *b, int64_t arg0)
{
	struct bench_count c = b->iters ? (struct bench_count){ (unsigned)b->iters, 0 }
					: bench_scale(want_iters, want_warmup, arg0);
	if (c.iters > BENCH_MAX_SAMPLES)
		c.iters = BENCH_MAX_SAMPLES;
	begin(&st, arg0 < 0 ? 0 : arg0, c.iters + c.warmup, c.warmup);
	b->fn(&st, b->arg);
	if (!st.ended)   /* it failed before its loop ended: one end mark a run all the same */
		BENCH_MARK_END();
	if (!st.check[0] && st.n == 0)
		gb_error(&st, "no samples");
	struct bench_stats s;
	bench_stats(st.samples, st.n, &s);
	char workload[64], variant[64], size[24], mean[32], sd[32], wire[40] = "", paused[48] = "";
	const char *slash = strchr(b->name, '/');
	snprintf(workload, sizeof workload, "%.*s", slash ? (int)(slash - b->name) : 0, b->name);
	snprintf(variant, sizeof variant, "%s", slash ? slash + 1 : b->name);
	snprintf(size, sizeof size, arg0 < 0 ? "null" : "%ld", (long)arg0);
	if (st.wire_bytes >= 0 && st.wire_bytes != arg0)
		snprintf(wire, sizeof wire, ",\"wire_bytes\":%ld", (long)st.wire_bytes);
	if (st.all_pauses)   /* untimed checks: what each pause-resume pair costs, subtracted */
		snprintf(paused, sizeof paused, ",\"pause_overhead\":%lu", (unsigned long)pause_cost);
	milli(mean, sizeof mean, s.mean_milli);
	milli(sd, sizeof sd, s.stddev_milli);
	printf(MKB_PREFIX "{\"type\":\"result\",\"workload\":\"%s\",\"mode\":\"%s\",\"variant\":\"%s\","
	       "\"size\":%s,\"what\":\"%s\",\"unit\":\"tsc\",\"n\":%u,\"warmup\":%u,\"min\":%lu,"
	       "\"median\":%lu,\"mean\":%s,\"stddev\":%s,\"p99\":%lu,\"max\":%lu,\"overhead\":%lu,"
	       "\"check\":\"%s\"%s%s%s}\n",
	       workload, mode_name, variant, size, st.label[0] ? st.label : "per_op", st.n, st.warmup,
	       (unsigned long)s.min, (unsigned long)s.median, mean, sd, (unsigned long)s.p99,
	       (unsigned long)s.max, (unsigned long)overhead, st.check[0] ? st.check : "ok", wire,
	       paused, extra_json);
	fflush(stdout);
}

int gb_run(void)
{
	measure_overhead();
	size_t plen = strlen(only_prefix);
	for (int i = 0; i < nbenches; i++) {
		const struct gb_bench *b = &benches[i];
		if (strncmp(b->name, only_prefix, plen) != 0)
			continue;
		if (b->nargs == 0)
			run_one(b, -1);
		for (int a = 0; a < b->nargs; a++)
			if (size_wanted(b->args[a]))
				run_one(b, b->args[a]);
	}
	return errors;
}
