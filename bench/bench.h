/*
 * bench.h - the in-guest benchmark runtime shared by every workload (one
 * source for both kernels). A workload times one operation per sample
 * with bench_now() pairs; the runtime drops warm-ups, subtracts the
 * measured timer overhead, computes the statistics and kernel event
 * counts, and prints one result line in the serial protocol.
 */
#ifndef MKB_BENCH_H
#define MKB_BENCH_H
#include <stddef.h>
#include <stdint.h>
#include "abi.h"

#define BENCH_MAX_SAMPLES 4096
#define BENCH_CHECK_MAX 96

/* Timing points for the cycle model (bench/model/mkbmodel.c, a QEMU
 * plugin): multi-byte NOPs with a tag it recognises (0x4B4D = "MK" in
 * the displacement); without the plugin they are plain NOPs. */
#define BENCH_MARK_CLOCK "nopl 0x4b4d0001(%%rax)"   /* a clock read */
#define BENCH_MARK(code) __asm__ volatile("nopl 0x4b4d000" #code "(%%rax)" ::: "memory")
#define BENCH_MARK_SAMPLE() BENCH_MARK(2)     /* a sample: the last two clock reads */
#define BENCH_MARK_OVERHEAD() BENCH_MARK(3)   /* an empty pair of the calibration */
#define BENCH_MARK_END() BENCH_MARK(4)        /* a run's end: its result line follows */
#define BENCH_MARK_PAUSE() BENCH_MARK(5)      /* untimed work begins inside a sample ... */
#define BENCH_MARK_RESUME() BENCH_MARK(6)     /* ... and ends (bench/profile/profile.c) */

/* Fenced time stamp: earlier instructions finish before rdtsc reads, and
 * later ones do not start before it has. The clock mark sits between
 * the two fences, so both ends of a sample include one (the overhead
 * subtraction takes it out again). */
static inline uint64_t bench_now(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc; " BENCH_MARK_CLOCK "; lfence" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

/* What one run of a workload measures; the parameters are data. */
struct bench_params {
	const char *workload;
	const char *variant;
	int64_t size;             /* bytes, or -1 for none */
	const char *what;         /* round_trip, one_way, per_op, per_handoff */
	const char *shape;        /* extra label (file server shape) or 0 */
	unsigned iters, warmup;
};

/* A run in progress: samples and counters. Workloads fill samples[] with
 * raw tick counts (bench_sample), set check on a data error, and the
 * runtime does the rest. */
struct bench_run {
	struct bench_params p;
	uint64_t samples[BENCH_MAX_SAMPLES];
	unsigned n;
	struct kcounters ev0, ev1;
	struct kcounters w0, acc;   /* event window of the sample being taken, and the sum */
	int windows;                /* samples counted by windows (bench_window) */
	int window_open;
	char check[BENCH_CHECK_MAX];
	const char *placement;      /* where its processes run (the smp workload), or 0:
				     * set after bench_begin, printed as "placement" */
	uint64_t work;              /* units of work in a sample (jobs, operations), or 0:
				     * set after bench_begin, printed as "work" */
};

/* Statistics of n samples (sorted in place). mean and stddev are in
 * thousandths of a tick. */
struct bench_stats {
	uint64_t min, median, p99, max;
	uint64_t mean_milli, stddev_milli;
};

// runtime.c
uint64_t bench_overhead(void);
void bench_begin(struct bench_run *r, const struct bench_params *p);
void bench_window(struct bench_run *r);
void bench_sample(struct bench_run *r, uint64_t ticks);
/* Count the events between two counter readings taken elsewhere (the
 * clients of wl_clients.c) as ops operations' windows. */
void bench_window_add(struct bench_run *r, const struct kcounters *w0, const struct kcounters *w1,
		      unsigned ops);
void bench_fail(struct bench_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int bench_end(struct bench_run *r);

// stats.c (portable, unit-tested on the host)
void bench_sort(uint64_t *v, unsigned n);
void bench_stats(uint64_t *v, unsigned n, struct bench_stats *s);
uint64_t bench_isqrt(uint64_t x);

/* Samples and warm-ups of a case that moves size bytes (stats.c). */
#define BENCH_SCALE_FROM 4096   /* bytes: up to here, what was asked */
#define BENCH_MIN_SAMPLES 50
#define BENCH_MIN_WARMUP 4
struct bench_count {
	unsigned iters, warmup;
};
struct bench_count bench_scale(unsigned iters, unsigned warmup, int64_t size);

// workload entry points: (args from the kernel command line) -> failures
struct bench_args {
	int64_t sizes[32];
	unsigned nsizes, iters, warmup;
	char shape[16];           /* micro file server shape ("fs", "fs+blk") */
};
int wl_null(const struct bench_args *a);
int wl_pingpong(const struct bench_args *a);
int wl_sem(const struct bench_args *a);
int wl_shm(const struct bench_args *a);
int wl_fileio(const struct bench_args *a);
int wl_calib(const struct bench_args *a);   /* wl_calib.c: the cycle model's check */
int wl_kvstore(const struct bench_args *a);   /* apps/: the application workloads (app.h) */
int wl_build(const struct bench_args *a);
int wl_mix(const struct bench_args *a);
int wl_smp(const struct bench_args *a);       /* wl_smp.c: several CPUs */
int wl_clients(const struct bench_args *a);   /* wl_clients.c: many clients, one server */
int smp_workload_cpus(const char *workload);   /* wl_smp.c: CPUs (2 or more), or -1 */
int shm_handoff(const struct bench_args *a, int64_t size, unsigned key, int user, int cpu);

/* wl_smp.c's polling round trip: a request and a reply slot in a shared
 * segment, each a sequence number and a length on a cache line of their
 * own, then the bytes. The partner (helper.c, role=poll) stops at
 * SMP_POLL_STOP; a side gives up after SMP_POLL_SPINS polls. */
#define SMP_POLL_MAX 65536
#define SMP_POLL_SPINS 100000000ULL
#define SMP_POLL_STOP (~0ULL)
struct smp_slot {
	volatile uint64_t seq, len;
	uint8_t pad[48];
	uint8_t data[SMP_POLL_MAX];
};
struct smp_poll {
	struct smp_slot req, resp;
};

/* wl_smp.c's independent pairs: each client (helper.c, role=pair) waits
 * for go, times its rounds round trips and stores the ticks in its slot. */
#define SMP_PAIRS_MAX 4
struct smp_pairs {
	volatile uint64_t go;
	volatile uint64_t ticks[SMP_PAIRS_MAX];
};

/* wl_clients.c's clients (helper.c, role=client): client j, on CPU j,
 * sets up, counts itself in ready, waits until all k are, then times
 * its batch of operations: its clock and the kernel's counters at both
 * ends go into slot j; it counts itself in done and waits until all
 * are, so that no client's exit runs inside another's batch. */
#define CLIENTS_ROUNDS 50   /* operations in one client's batch */
#define CLIENTS_IO 4096     /* bytes of one read */
struct clients_slot {
	volatile uint64_t t0, t1;
	struct kcounters kc0, kc1;
};
struct clients_seg {
	volatile uint64_t ready, done;
	struct clients_slot slot[SMP_PAIRS_MAX];
};
#endif
