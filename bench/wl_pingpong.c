/*
 * wl_pingpong.c - one round trip of a message between two processes, per
 * size, contents checked on every round trip. The channel is the mode's
 * IPC: mono, packet pipes (copy in, copy out); micro, call/reply_recv on
 * an endpoint (registers up to 24 bytes, kernel copy beyond). A fresh echo
 * partner per size receives with a buffer of exactly that size, so small
 * messages can take the micro kernel's fast path. Micro also measures the
 * 8-byte case on the general path ("_slowpath": a 32-byte reply buffer
 * needs a descriptor, which the fast path does not take). Where the IPC
 * has virtual copy (mach's out-of-line memory, os_chan_ool), the sizes
 * of a page or more are measured that way too ("_ool"): both sides'
 * buffers move by copy-on-write mapping, and the timed round trip also
 * holds the first write to each page of the message after it (the copy
 * a program that reuses its buffer pays; the rest of the refill is
 * untimed, as in every row).
 */
#include "bench.h"
#include "fastpat.h"
#include "fmt.h"
#include "os.h"
#include "str.h"

static struct bench_run run;
static uint8_t out[65536] __attribute__((aligned(4096))), in[65536] __attribute__((aligned(4096)));

static void fill(uint8_t *b, size_t n, unsigned iter)
{
	size_t i = 0;
	uint64_t steps = pat_steps(31);   /* fastpat.h: i >> 9 is the same over 8 bytes */
	for (; i + 8 <= n; i += 8)
		pat_store(b + i, pat_group((uint8_t)(i * 31 + iter * 7 + (i >> 9)), steps));
	for (; i < n; i++)
		b[i] = (uint8_t)(i * 31 + iter * 7 + (i >> 9));
}

/* Round trip i brought back r bytes in ticks: the reply must be the n
 * bytes sent; then (after the warm-ups) it is a sample. Always inlined:
 * as a call it moved the timed code and changed the figures. */
static inline __attribute__((always_inline)) void
check_round_trip(unsigned warmup, unsigned i, long r, int64_t n, uint64_t ticks)
{
	if (r != n)
		bench_fail(&run, "round trip %u: reply of %ld bytes, want %ld", i, r, (long)n);
	else if (!pat_equal(out, in, (size_t)n))
		bench_fail(&run, "round trip %u: reply differs from the message", i);
	else if (i >= warmup)
		bench_sample(&run, ticks);
}

#define PAGE 4096

/* The round trips of one run; touch: the timed part also writes the
 * first byte of each page of the message (the virtual-copy rows). Always
 * inlined with a constant touch, so the rows without it time exactly
 * the call. */
static inline __attribute__((always_inline)) void round_trips(long ch, int64_t n, size_t rcap, int touch)
{
	for (unsigned i = 0; i < run.p.warmup + run.p.iters && !run.check[0]; i++) {
		fill(out, (size_t)n, i);
		if (i == run.p.warmup)
			os_counters(&run.ev0);   /* count events of measured trips only */
		bench_window(&run);
		uint64_t t0 = bench_now();
		long r = os_chan_call(ch, out, (size_t)n, in, rcap);
		if (touch)
			for (int64_t o = 0; o < n; o += PAGE)
				((volatile uint8_t *)out)[o] = out[o];
		uint64_t t1 = bench_now();
		check_round_trip(run.p.warmup, i, r, n, t1 - t0);
	}
}

/* Time round trips of n bytes (iters of them, fewer above 4 KiB:
 * bench_scale); rcap is the reply buffer we offer; ool: both sides move
 * buffers of n bytes by virtual copy (0: they copy). */
static int measure(const struct bench_args *a, int64_t n, size_t rcap, const char *variant, size_t ool)
{
	struct bench_count c = bench_scale(a->iters, a->warmup, n);
	struct bench_params p = { "pingpong", variant, n, "round_trip", 0, c.iters, c.warmup };
	char arg[64];
	long ch = os_chan_create();
	fmt_snprintf(arg, sizeof arg, "role=echo ch=%ld cap=%lu ool=%lu", ch, (unsigned long)rcap,
		     (unsigned long)ool);
	int pid = ch < 0 ? (int)ch : os_spawn("bench-helper", arg);
	bench_begin(&run, &p);
	if (pid < 0 || (ool && os_chan_ool(ool) < 0)) {
		bench_fail(&run, "cannot start the echo partner (%d) or set virtual copy", pid);
		return bench_end(&run);
	}
	if (ool)
		round_trips(ch, n, rcap, 1);
	else
		round_trips(ch, n, rcap, 0);
	os_chan_ool(0);
	int failures = bench_end(&run), st;
	os_kill(pid);
	os_wait(pid, &st);
	return failures;
}

/* Mono's POSIX-style message queues: a request queue and a reply queue,
 * message size n (8 for n = 0); -1 if the kernel has none. */
static int measure_mq(const struct bench_args *a, int64_t n)
{
	size_t msgsize = n ? (size_t)n : 8;
	int req = os_mq_create(8, msgsize), rep = os_mq_create(8, msgsize), st;
	if (req == -E_NOSYS)
		return -1;
	struct bench_count c = bench_scale(a->iters, a->warmup, n);
	struct bench_params p = { "pingpong", "mq", n, "round_trip", 0, c.iters, c.warmup };
	char arg[64];
	fmt_snprintf(arg, sizeof arg, "role=mqecho req=%d rep=%d size=%lu", req, rep,
		     (unsigned long)msgsize);
	int pid = req < 0 || rep < 0 ? -1 : os_spawn("bench-helper", arg);
	bench_begin(&run, &p);
	if (pid < 0) {
		bench_fail(&run, "set-up failed: queues %d %d, partner %d", req, rep, pid);
		return bench_end(&run);
	}
	for (unsigned i = 0; i < run.p.warmup + run.p.iters && !run.check[0]; i++) {
		fill(out, (size_t)n, i);
		if (i == run.p.warmup)
			os_counters(&run.ev0);
		bench_window(&run);
		uint64_t t0 = bench_now();
		long r = os_mq_send(req, out, (size_t)n, 0);
		if (r == 0)
			r = os_mq_receive(rep, in, msgsize, 0);
		uint64_t t1 = bench_now();
		check_round_trip(run.p.warmup, i, r, n, t1 - t0);
	}
	int failures = bench_end(&run);
	os_kill(pid);
	os_wait(pid, &st);
	os_mq_close(req);
	os_mq_close(rep);
	return failures;
}

#define MQ_SIZE_MAX 8192   /* the largest message a mono queue takes */

int wl_pingpong(const struct bench_args *a)
{
	int failures = 0;
	for (unsigned i = 0; i < a->nsizes; i++)
		failures += measure(a, a->sizes[i], (size_t)a->sizes[i], os_chan_variant, 0);
	if (!strcmp(os_ipc, "sel4"))   /* a receive buffer longer than the registers: no fast path */
		failures += measure(a, 8, IPC_INLINE_MAX + 8, "call_replyrecv_slowpath", 0);
	if (os_chan_ool(0) == 0)   /* virtual copy: whole pages */
		for (unsigned i = 0; i < a->nsizes; i++)
			if (a->sizes[i] >= PAGE && a->sizes[i] % PAGE == 0)
				failures += measure(a, a->sizes[i], (size_t)a->sizes[i], "call_replyrecv_ool", PAGE);
	for (unsigned i = 0; i < a->nsizes && a->sizes[i] <= MQ_SIZE_MAX; i++) {
		int f = measure_mq(a, a->sizes[i]);
		if (f < 0)
			break;   /* no message queues in this kernel */
		failures += f;
	}
	return failures;
}
