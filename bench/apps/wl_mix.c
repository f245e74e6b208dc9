/*
 * wl_mix.c - the multi-user application (mix.h), driver side. Per user
 * count (sizes=: 1, 2, 4 and 8 by default) the users start at once, each
 * a process tree of its own, run their jobs (iters / 250 each, at least
 * one: 4 at the default 1,000) and exit; one sample ("per_run") is the
 * time from the first start to the last exit, work = users x jobs, so
 * throughput is work over time. Checked: every user exits 0 (every test's
 * own check held).
 */
#include "app.h"
#include "bench.h"
#include "mix.h"
#include "os.h"

static struct bench_run run;
static const char *shape;   /* the micro file server's shape (fsshape=), else 0 */

int wl_mix(const struct bench_args *a)
{
	shape = a->shape[0] ? a->shape : 0;
	static const int64_t dflt[] = { 1, 2, 4, 8 };
	unsigned nsizes = a->nsizes ? a->nsizes : 4, jobs = a->iters / 250 ? a->iters / 250 : 1;
	int failures = 0;
	for (unsigned s = 0; s < nsizes; s++) {
		int64_t users = a->nsizes ? a->sizes[s] : dflt[s];
		struct bench_params p = { "mix", "aim7_shared", users, "per_run", shape, 1, 0 };
		int pid[MIX_MAX_USERS], st;
		char arg[48];
		bench_begin(&run, &p);
		run.work = (uint64_t)users * jobs;
		if (users < 1 || users > MIX_MAX_USERS) {
			bench_fail(&run, "%lld users (1-%d)", (long long)users, MIX_MAX_USERS);
			failures += bench_end(&run);
			continue;
		}
		os_counters(&run.ev0);
		bench_window(&run);
		uint64_t t0 = bench_now();
		for (int u = 0; u < users; u++) {
			fmt_snprintf(arg, sizeof arg, "role=mixuser u=%d jobs=%u", u, jobs);
			pid[u] = os_spawn_priv(APP_IMAGE, arg, SPAWN_NEW_TREE);
		}
		int bad = 0;
		for (int u = 0; u < users; u++)
			if (pid[u] < 0 || os_wait(pid[u], &st) != pid[u] || st != 0)
				bad = bad ? bad : pid[u] < 0 ? pid[u] : st ? st : -1;
		uint64_t t1 = bench_now();
		if (bad)
			bench_fail(&run, "a user failed (%d: a test class + 10, or an error)", bad);
		else
			bench_sample(&run, t1 - t0);
		failures += bench_end(&run);
	}
	return failures;
}
