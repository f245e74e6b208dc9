/*
 * wl_clients.c - many clients, one server (the SMP kernels, CPUS=2 or 4):
 * k clients, client j on CPU j, each reading a file or using a semaphore
 * of its own at once; sizes= gives the counts k (those above the CPUs
 * there are are skipped).
 *   read   seek to 0 and read 4 KiB (CLIENTS_IO) of the client's file
 *   sem    post the client's semaphore and take it again (never blocks)
 * mono: the kernel's file system and semaphores, on the client's own CPU
 * (behind the kernel's lock of that subsystem); micro: the file server and
 * semaphore server, one of each on CPU 0 (shape "shared": a client on
 * another CPU calls across CPUs), or one of each per CPU (shape "percpu",
 * the kernel's servers=percpu: each client calls its CPU's replica, which
 * keeps its own files and semaphores).
 * A sample is one round of the k clients: from the first client's start
 * to the last one's end, over the k * CLIENTS_ROUNDS operations done, so
 * the time all CPUs took per operation. Under -icount the CPUs take turns
 * and that is the instructions every CPU ran per operation (the work,
 * not the throughput real cores would reach: README.md, "Several CPUs").
 * Events are per operation, counted between the clients' own readings.
 */
#include "bench.h"
#include "fmt.h"
#include "os.h"
#include "protocol.h"
#include "str.h"

static struct bench_run run;

/* One round: k clients started (client 0, on our CPU, last), waited for;
 * its sample and events recorded. */
static void round_of(struct clients_seg *cs, int seg, const char *op, int k, int percpu,
		     int timed)
{
	char arg[96];
	int pid[SMP_PAIRS_MAX] = { 0 }, st;
	cs->ready = cs->done = 0;
	for (int j = k - 1; j >= 0 && !run.check[0]; j--) {
		cs->slot[j].t0 = cs->slot[j].t1 = 0;
		fmt_snprintf(arg, sizeof arg, "role=client op=%s seg=%d slot=%d k=%d replica=%d", op, seg, j,
			     k, percpu);
		pid[j] = os_spawn("bench-helper", arg);
		if (pid[j] < 0 || os_set_cpu(pid[j], j) < 0)
			bench_fail(&run, "client %d: cannot start it on CPU %d (%d)", j, j, pid[j]);
	}
	for (int j = 0; j < k; j++)
		if (pid[j] > 0 && (os_wait(pid[j], &st) != pid[j] || st != 0))
			bench_fail(&run, "client %d ended with status %d", j, st);
	if (run.check[0] || !timed)
		return;
	int first = 0, last = 0;
	for (int j = 1; j < k; j++) {
		first = cs->slot[j].t0 < cs->slot[first].t0 ? j : first;
		last = cs->slot[j].t1 > cs->slot[last].t1 ? j : last;
	}
	uint64_t ops = (uint64_t)k * CLIENTS_ROUNDS, span = cs->slot[last].t1 - cs->slot[first].t0;
	uint64_t ov = bench_overhead();   /* one clock pair per span, not per operation */
	bench_sample(&run, (span > ov ? span - ov : 0) / ops + ov);
	bench_window_add(&run, &cs->slot[first].kc0, &cs->slot[last].kc1, (unsigned)ops);
}

static int measure(const struct bench_args *a, const char *op, int k, int percpu)
{
	unsigned reps = a->iters / CLIENTS_ROUNDS ? a->iters / CLIENTS_ROUNDS : 1;
	unsigned warm = (a->warmup + CLIENTS_ROUNDS - 1) / CLIENTS_ROUNDS;
	struct bench_params p = { "clients", op, k, "per_op", a->shape[0] ? a->shape : 0, reps, warm };
	static unsigned key = 0x5c100;   /* a segment of its own per run (keys stay taken) */
	char where[64];
	int seg = os_shm_create(key++, sizeof(struct clients_seg));
	long at = seg < 0 ? seg : os_shm_attach(seg);
	bench_begin(&run, &p);
	fmt_snprintf(where, sizeof where, "client j on CPU j, j < %d; %s", k,
		     !strcmp(os_mode, "mono") ? "services in the kernel"
		     : percpu               ? "servers on every CPU"
					    : "servers on CPU 0");
	run.placement = where;
	if (at <= 0) {
		bench_fail(&run, "shared segment: create %d, attach %ld", seg, at);
		return bench_end(&run);
	}
	for (unsigned r = 0; r < warm + reps && !run.check[0]; r++)
		round_of((struct clients_seg *)at, seg, op, k, percpu, r >= warm);
	int failures = bench_end(&run);
	os_shm_detach(seg);
	return failures;
}

int wl_clients(const struct bench_args *a)
{
	int cpus = smp_workload_cpus("clients"), percpu = !strcmp(a->shape, "percpu");
	if (cpus < 0)
		return 1;
	int failures = 0;
	for (unsigned i = 0; i < a->nsizes; i++) {
		int k = (int)a->sizes[i];
		if (k < 1 || k > cpus || k > SMP_PAIRS_MAX)
			continue;   /* no such CPUs here */
		failures += measure(a, "read", k, percpu);
		failures += measure(a, "sem", k, percpu);
	}
	return failures;
}
