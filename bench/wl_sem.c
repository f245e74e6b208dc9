/* wl_sem.c - semaphore workloads: ping-pong between two processes (we
 * post ours and wait on the partner's: one round trip), and an
 * uncontended wait plus post in one process. Mono: system calls into the
 * kernel's semaphores; micro: requests to the semaphore server, blocking
 * on a notification. */
#include "bench.h"
#include "fmt.h"
#include "os.h"

static struct bench_run run;

static int pingpong(const struct bench_args *a)
{
	struct bench_params p = { "sem", "pingpong", -1, "round_trip", 0, a->iters, a->warmup };
	int ping = os_sem_create(0), pong = os_sem_create(0), pid = -1, st;
	char arg[64];
	bench_begin(&run, &p);
	if (ping >= 0 && pong >= 0) {
		fmt_snprintf(arg, sizeof arg, "role=sem ping=%d pong=%d n=%u", ping, pong, a->warmup + run.p.iters);
		pid = os_spawn("bench-helper", arg);
	}
	if (pid < 0) {
		bench_fail(&run, "set-up failed: sems %d %d, partner %d", ping, pong, pid);
		return bench_end(&run);
	}
	for (unsigned i = 0; i < a->warmup + run.p.iters && !run.check[0]; i++) {
		if (i == a->warmup)
			os_counters(&run.ev0);
		uint64_t t0 = bench_now();
		int r1 = os_sem_post(ping), r2 = os_sem_wait(pong);
		uint64_t t1 = bench_now();
		if (r1 || r2)
			bench_fail(&run, "round trip %u: post %d wait %d", i, r1, r2);
		else if (i >= a->warmup)
			bench_sample(&run, t1 - t0);
	}
	int failures = bench_end(&run);
	if (os_wait(pid, &st) != pid || st != 0)
		failures++, os_printf("bench: sem partner exit status %d\n", st);
	os_sem_destroy(ping);
	os_sem_destroy(pong);
	return failures;
}

static int uncontended(const struct bench_args *a)
{
	struct bench_params p = { "sem", "uncontended", -1, "per_op", 0, a->iters, a->warmup };
	int s = os_sem_create(1);
	for (unsigned i = 0; i < a->warmup && s >= 0; i++)
		os_sem_wait(s), os_sem_post(s);
	bench_begin(&run, &p);
	if (s < 0)
		bench_fail(&run, "sem_create: %d", s);
	for (unsigned i = 0; i < run.p.iters && !run.check[0]; i++) {
		uint64_t t0 = bench_now();
		int r1 = os_sem_wait(s), r2 = os_sem_post(s);
		uint64_t t1 = bench_now();
		if (r1 || r2)
			bench_fail(&run, "op %u: wait %d post %d", i, r1, r2);
		else
			bench_sample(&run, t1 - t0);
	}
	os_sem_destroy(s);
	return bench_end(&run);
}

int wl_sem(const struct bench_args *a)
{
	return pingpong(a) + uncontended(a);
}
