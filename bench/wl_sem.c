/* wl_sem.c - semaphore workloads: ping-pong between two processes (we
 * post ours and wait on the partner's: one round trip), and an
 * uncontended wait plus post in one process. Mono: system calls into the
 * kernel's semaphores; micro: requests to the semaphore server, which
 * keeps a waiter's request unanswered until a post (the design's deferred
 * reply). Both also run over a user-level semaphore in shared memory
 * (usem.h), which enters the kernel only to sleep or wake: mono on
 * futexes (futex_pingpong, futex_uncontended), micro on the design's own
 * wake-up (<kind>_pingpong: ntfn_ in sel4, pulse_ in qnx, notify_ in
 * minix, msg_ in mach and rc4000, send0_ in l4). */
#include "bench.h"
#include "fmt.h"
#include "os.h"
#include "usem.h"

#define USEM_KEY 0x5E3

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
		bench_window(&run);
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
		bench_window(&run);
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

/* The user-level semaphore variants: three in one shared page. */
static int usem_variants(const struct bench_args *a)
{
	int seg = os_shm_create(USEM_KEY, 4096), failures = 0, pid = -1, st;
	long at = seg >= 0 ? os_shm_attach(seg) : -1;
	char name[2][32];
	fmt_snprintf(name[0], sizeof name[0], "%s_pingpong", usem_kind);
	fmt_snprintf(name[1], sizeof name[1], "%s_uncontended", usem_kind);
	struct bench_params p = { "sem", name[0], -1, "round_trip", 0, a->iters, a->warmup };
	bench_begin(&run, &p);
	struct usem *s = (struct usem *)at;   /* s[0]: ping, s[1]: pong, s[2]: uncontended */
	long ep = usem_grant_ep();
	if (at < 0 || ep < 0) {
		bench_fail(&run, "set-up failed: segment %ld, endpoint %ld", at, ep);
		return bench_end(&run);
	}
	usem_init(&s[0], 0);
	usem_init(&s[1], 0);
	usem_init(&s[2], 1);
	int r = usem_waiter(&s[1], 0);   /* we wait on pong; the partner waits on ping */
	char arg[80];
	fmt_snprintf(arg, sizeof arg, "role=usem seg=%d n=%u ep=%ld", seg, a->warmup + a->iters, ep);
	if (r < 0 || (pid = os_spawn("bench-helper", arg)) < 0)
		bench_fail(&run, "cannot set up: waiter %d, partner %d", r, pid);
	for (unsigned i = 0; pid > 0 && i < a->warmup + run.p.iters && !run.check[0]; i++) {
		if (i == a->warmup)
			os_counters(&run.ev0);
		bench_window(&run);
		uint64_t t0 = bench_now();
		int r1 = usem_post(&s[0]), r2 = usem_wait(&s[1]);
		uint64_t t1 = bench_now();
		if (r1 || r2)
			bench_fail(&run, "round trip %u: post %d wait %d", i, r1, r2);
		else if (i >= a->warmup)
			bench_sample(&run, t1 - t0);
	}
	failures += bench_end(&run);
	if (pid > 0 && (os_wait(pid, &st) != pid || st != 0))
		failures++, os_printf("bench: usem partner exit status %d\n", st);
	usem_done(&s[1]);
	usem_post_done(&s[0]);
	struct bench_params u = { "sem", name[1], -1, "per_op", 0, a->iters, a->warmup };
	for (unsigned i = 0; i < a->warmup; i++)
		usem_wait(&s[2]), usem_post(&s[2]);
	bench_begin(&run, &u);
	for (unsigned i = 0; i < run.p.iters && !run.check[0]; i++) {
		bench_window(&run);
		uint64_t t0 = bench_now();
		int r1 = usem_wait(&s[2]), r2 = usem_post(&s[2]);
		uint64_t t1 = bench_now();
		if (r1 || r2)
			bench_fail(&run, "op %u: wait %d post %d", i, r1, r2);
		else
			bench_sample(&run, t1 - t0);
	}
	failures += bench_end(&run);
	os_shm_detach(seg);
	return failures;
}

int wl_sem(const struct bench_args *a)
{
	return pingpong(a) + uncontended(a) + usem_variants(a);
}
