/*
 * wl_smp.c - the multicore round trips (the SMP kernels, CPUS=2 or 4;
 * kernels/core/include/smp.h). The client runs on CPU 0; its echo
 * partner (bench-helper) on CPU 0 or CPU 1, placed with SYS_SET_CPU;
 * every row says where ("placement").
 *   ipc_same, ipc_cross   the pingpong workload's round trip over the
 *                         mode's channel (mono: packet pipes; micro: the
 *                         strategy's call and reply), the partner on the
 *                         client's CPU or the next one: a cross-core
 *                         round trip wakes the other CPU with an IPI
 *                         each way (blocking).
 *   poll_cross            a round trip with no system call: the message
 *                         and a sequence number written into shared
 *                         memory, the partner polling for it (pause in
 *                         the loop) on the other CPU and answering the
 *                         same way; Barrelfish's user-level message
 *                         passing between cores (Baumann et al., "The
 *                         Multikernel", SOSP 2009, section 4.6). Polling
 *                         on one CPU would wait for a timer tick, so
 *                         there is no poll_same.
 *   handoff_cross,        the shm workload's hand-off (bench/wl_shm.c) with
 *   handoff_<usem>_cross  the consumer on CPU 1: over the kernel's or
 *                         server's semaphores, and over user-level ones.
 *   pairs_<k>             sel4bench's smp benchmark: k independent pairs,
 *                         pair j's client and echo partner both on CPU j,
 *                         every client timing a batch of round trips at
 *                         once; a sample is one client's batch over its
 *                         round trips. On real cores (or multi-threaded
 *                         TCG's wall clock) the kernel's locks show as
 *                         pairs are added; under -icount the CPUs take
 *                         turns and a batch counts the instructions run
 *                         meanwhile on every CPU.
 * What a figure counts under -icount: README.md, "Several CPUs".
 */
#include "bench.h"
#include "fastpat.h"
#include "fmt.h"
#include "os.h"
#include "protocol.h"
#include "str.h"

static struct bench_run run;
static uint8_t out[65536] __attribute__((aligned(4096))), in[65536] __attribute__((aligned(4096)));

static void fill(uint8_t *b, size_t n, unsigned iter)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(i * 13 + iter * 5 + (i >> 9));
}

static inline __attribute__((always_inline)) void
check(unsigned i, long r, int64_t n, uint64_t ticks)
{
	if (r != n)
		bench_fail(&run, "round trip %u: reply of %ld bytes, want %ld", i, r, (long)n);
	else if (!pat_equal(out, in, (size_t)n))
		bench_fail(&run, "round trip %u: reply differs from the message", i);
	else if (i >= run.p.warmup)
		bench_sample(&run, ticks);
}

static int place(int pid, int cpu, const char *variant)
{
	int r = os_set_cpu(pid, cpu);
	if (r < 0)
		bench_fail(&run, "%s: cannot place pid %d on CPU %d (%d)", variant, pid, cpu, r);
	return r;
}

/* The mode's channel, the partner on CPU server_cpu. */
static int measure_ipc(const struct bench_args *a, int64_t n, int server_cpu, const char *variant)
{
	struct bench_count c = bench_scale(a->iters, a->warmup, n);
	struct bench_params p = { "smp", variant, n, "round_trip", 0, c.iters, c.warmup };
	char arg[64], where[32];
	long ch = os_chan_create();
	fmt_snprintf(arg, sizeof arg, "role=echo ch=%ld cap=%lu ool=0", ch, (unsigned long)n);
	int pid = ch < 0 ? (int)ch : os_spawn("bench-helper", arg), st;
	bench_begin(&run, &p);
	fmt_snprintf(where, sizeof where, "client 0, server %d", server_cpu);
	run.placement = where;
	if (pid < 0) {
		bench_fail(&run, "cannot start the echo partner (%d)", pid);
		return bench_end(&run);
	}
	if (place(pid, server_cpu, variant) == 0)
		for (unsigned i = 0; i < run.p.warmup + run.p.iters && !run.check[0]; i++) {
			fill(out, (size_t)n, i);
			if (i == run.p.warmup)
				os_counters(&run.ev0);
			bench_window(&run);
			uint64_t t0 = bench_now();
			long r = os_chan_call(ch, out, (size_t)n, in, (size_t)n);
			uint64_t t1 = bench_now();
			check(i, r, n, t1 - t0);
		}
	int failures = bench_end(&run);
	os_kill(pid);
	os_wait(pid, &st);
	return failures;
}

/* Polling over shared memory (struct smp_poll, bench.h), the partner
 * on CPU 1. */
static int measure_poll(const struct bench_args *a, int64_t n)
{
	struct bench_count c = bench_scale(a->iters, a->warmup, n);
	struct bench_params p = { "smp", "poll_cross", n, "round_trip", 0, c.iters, c.warmup };
	static unsigned key = 0x53500;   /* a segment of its own per run (keys stay taken) */
	int seg = os_shm_create(key++, sizeof(struct smp_poll)), pid = -1, st;
	long at = seg < 0 ? seg : os_shm_attach(seg);
	bench_begin(&run, &p);
	run.placement = "client 0, server 1";
	if (at <= 0) {
		bench_fail(&run, "shared segment: create %d, attach %ld", seg, at);
		return bench_end(&run);
	}
	struct smp_poll *sp = (struct smp_poll *)at;
	sp->req.seq = sp->resp.seq = 0;
	sp->req.len = 0;
	char arg[48];
	fmt_snprintf(arg, sizeof arg, "role=poll seg=%d", seg);
	pid = os_spawn("bench-helper", arg);
	if (pid < 0)
		bench_fail(&run, "cannot start the polling partner (%d)", pid);
	else if (place(pid, 1, "poll_cross") == 0)
		for (unsigned i = 0; i < run.p.warmup + run.p.iters && !run.check[0]; i++) {
			fill(out, (size_t)n, i);
			if (i == run.p.warmup)
				os_counters(&run.ev0);
			bench_window(&run);
			uint64_t seq = i + 1, spins = 0;
			uint64_t t0 = bench_now();
			memcpy(sp->req.data, out, (size_t)n);
			sp->req.len = (uint64_t)n;
			__atomic_store_n(&sp->req.seq, seq, __ATOMIC_RELEASE);
			while (__atomic_load_n(&sp->resp.seq, __ATOMIC_ACQUIRE) != seq && ++spins < SMP_POLL_SPINS)
				__asm__ volatile("pause" ::: "memory");
			long r = (long)sp->resp.len;
			memcpy(in, sp->resp.data, (size_t)n);
			uint64_t t1 = bench_now();
			if (spins >= SMP_POLL_SPINS)
				bench_fail(&run, "round trip %u: no answer after %lu polls", i, (unsigned long)spins);
			check(i, r, n, t1 - t0);
		}
	int failures = bench_end(&run);
	if (pid > 0) {
		__atomic_store_n(&sp->req.seq, SMP_POLL_STOP, __ATOMIC_RELEASE);
		os_wait(pid, &st);
		if (st != 0 && !failures)
			os_printf("smp: the polling partner ended with status %d\n", st);
	}
	os_shm_detach(seg);
	return failures;
}

#define PAIR_ROUNDS 50   /* round trips in one client's timed batch */

/* The pairs' channels and echo partners, partner j on CPU j: made once,
 * for every count of pairs (a process tree has few channels). */
static long pair_ch[SMP_PAIRS_MAX];
static int pair_server[SMP_PAIRS_MAX];

static int pair_partner(int j, const char *variant)
{
	char arg[64];
	if (pair_server[j] > 0)
		return 0;
	pair_ch[j] = os_chan_create();
	fmt_snprintf(arg, sizeof arg, "role=echo ch=%ld cap=8 ool=0", pair_ch[j]);
	pair_server[j] = pair_ch[j] < 0 ? (int)pair_ch[j] : os_spawn("bench-helper", arg);
	if (pair_server[j] < 0 || place(pair_server[j], j, variant) < 0) {
		bench_fail(&run, "pair %d: channel %ld, partner %d", j, pair_ch[j], pair_server[j]);
		return -1;
	}
	return 0;
}

/* k pairs, one per CPU; a->iters / PAIR_ROUNDS batches per client. */
static int measure_pairs(const struct bench_args *a, int k)
{
	unsigned reps = a->iters / PAIR_ROUNDS ? a->iters / PAIR_ROUNDS : 1;
	char variant[16], where[64], arg[96];
	fmt_snprintf(variant, sizeof variant, "pairs_%d", k);
	struct bench_params p = { "smp", variant, 8, "round_trip", 0, reps * (unsigned)k, 0 };
	static unsigned key = 0x53700;
	int seg = os_shm_create(key++, sizeof(struct smp_pairs)), client[SMP_PAIRS_MAX] = { 0 }, st;
	long at = seg < 0 ? seg : os_shm_attach(seg);
	bench_begin(&run, &p);
	fmt_snprintf(where, sizeof where, "pair j on CPU j, j < %d", k);
	run.placement = where;
	if (at <= 0) {
		bench_fail(&run, "shared segment: create %d, attach %ld", seg, at);
		return bench_end(&run);
	}
	struct smp_pairs *sp = (struct smp_pairs *)at;
	for (unsigned r = 0; r < reps && !run.check[0]; r++) {
		sp->go = 0;
		for (int j = 0; j < k && !run.check[0]; j++) {
			sp->ticks[j] = 0;
			if (pair_partner(j, variant) < 0)
				break;
			fmt_snprintf(arg, sizeof arg, "role=pair seg=%d ch=%ld slot=%d rounds=%d", seg,
				     pair_ch[j], j, PAIR_ROUNDS);
			client[j] = os_spawn("bench-helper", arg);
			if (client[j] < 0 || place(client[j], j, variant) < 0)
				bench_fail(&run, "pair %d: client %d", j, client[j]);
		}
		if (r == 0)
			os_counters(&run.ev0);
		__atomic_store_n(&sp->go, 1, __ATOMIC_RELEASE);
		for (int j = 0; j < k; j++) {
			if (client[j] > 0 && (os_wait(client[j], &st) != client[j] || st != 0))
				bench_fail(&run, "pair %d: client ended with status %d", j, st);
			client[j] = 0;
		}
		uint64_t ov = bench_overhead();   /* one clock pair per batch, not per round trip */
		for (int j = 0; j < k && !run.check[0]; j++)
			bench_sample(&run, (sp->ticks[j] > ov ? sp->ticks[j] - ov : 0) / PAIR_ROUNDS + ov);
	}
	int failures = bench_end(&run);
	os_shm_detach(seg);
	return failures;
}

/* The start of a multicore workload: the CPUs there are (an error line
 * and -1 if fewer than 2), and ourself on CPU 0. */
int smp_workload_cpus(const char *workload)
{
	int cpus = os_get_cpu() >> 16;
	if (cpus < 2) {
		os_printf(MKB_PREFIX "{\"type\":\"error\",\"msg\":\"%s: needs 2 CPUs or more, has %d "
			  "(CPUS=2, an SMP kernel)\"}\n", workload, cpus);
		return -1;
	}
	return os_set_cpu(0, 0) < 0 ? -1 : cpus;
}

int wl_smp(const struct bench_args *a)
{
	int cpus = smp_workload_cpus("smp");
	if (cpus < 0)
		return 1;
	int failures = 0;
	for (unsigned i = 0; i < a->nsizes; i++) {
		int64_t n = a->sizes[i];
		if (n > SMP_POLL_MAX)
			continue;
		failures += measure_ipc(a, n, 0, "ipc_same");
		failures += measure_ipc(a, n, 1, "ipc_cross");
		failures += measure_poll(a, n);
		if (n >= 1) {   /* a block of n bytes handed over */
			failures += shm_handoff(a, n, 0x5300 + i, 0, 1);
			failures += shm_handoff(a, n, 0x5380 + i, 1, 1);
		}
	}
	for (int k = 1; k <= cpus && k <= SMP_PAIRS_MAX; k++)
		failures += measure_pairs(a, k);
	for (int j = 0; j < SMP_PAIRS_MAX; j++)
		if (pair_server[j] > 0) {
			int st;
			os_kill(pair_server[j]);
			os_wait(pair_server[j], &st);
		}
	return failures;
}
