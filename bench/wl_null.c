/* wl_null.c - the null workloads: one null system call (per_op), and a
 * yield round trip between two processes (this one and a child that
 * yields in a loop: each of our yields runs the child once). */
#include "bench.h"
#include "os.h"

static struct bench_run run;

static int null_syscall(const struct bench_args *a)
{
	struct bench_params p = { "null", "syscall", -1, "per_op", 0, a->iters, a->warmup };
	for (unsigned i = 0; i < a->warmup; i++)
		os_null();
	bench_begin(&run, &p);
	for (unsigned i = 0; i < run.p.iters; i++) {
		bench_window(&run);
		uint64_t t0 = bench_now();
		int r = os_null();
		uint64_t t1 = bench_now();
		if (r != 0) {
			bench_fail(&run, "null call returned %d", r);
			break;
		}
		bench_sample(&run, t1 - t0);
	}
	return bench_end(&run);
}

static int yield_round_trip(const struct bench_args *a)
{
	struct bench_params p = { "null", "yield", -1, "round_trip", 0, a->iters, a->warmup };
	int pid = os_spawn("bench-helper", "role=yield");
	if (pid < 0) {
		bench_begin(&run, &p);
		bench_fail(&run, "cannot start the yield partner: %d", pid);
		return bench_end(&run);
	}
	for (unsigned i = 0; i < a->warmup; i++)
		os_yield();
	bench_begin(&run, &p);
	for (unsigned i = 0; i < run.p.iters; i++) {
		bench_window(&run);
		uint64_t t0 = bench_now();
		os_yield();
		uint64_t t1 = bench_now();
		bench_sample(&run, t1 - t0);
	}
	int failures = bench_end(&run);
	int st;
	os_kill(pid);
	os_wait(pid, &st);
	return failures;
}

int wl_null(const struct bench_args *a)
{
	return null_syscall(a) + yield_round_trip(a);
}
