/*
 * wl_mix.c - the multi-user application (mix.h), driver side. Per user
 * count (sizes=: 1, 2, 4 and 8 by default) the users start, each a
 * process tree of its own, set up (files, partner, semaphore, segment) and
 * call their channel; once every user has, the driver answers them all,
 * they run their jobs (iters / 250 each, at least one: 4 at the default
 * 1,000) and call again. One sample ("per_run") is the time from the go
 * to the last user's done (set-up and clean-up outside it), work = users
 * x jobs, so throughput is work over time. Checked: every user exits 0 (every test's
 * own check held).
 */
#include "app.h"
#include "bench.h"
#include "mix.h"
#include "os.h"

static struct bench_run run;
static const char *shape;   /* the micro file server's shape (fsshape=), else 0 */

/* A user's call on ch (start, or done), kept in *kept to be answered
 * whatever it says (else the user would wait for good): 0, or what the
 * user said (its failure), or -1. */
static int hear(long ch, long *kept)
{
	int32_t said = -1;
	long r = os_chan_recv(ch, &said, sizeof said);
	*kept = r == (long)sizeof said ? os_chan_defer(ch) : -1;
	return r != (long)sizeof said || *kept < 0 ? -1 : said;
}

int wl_mix(const struct bench_args *a)
{
	shape = a->shape[0] ? a->shape : 0;
	static const int64_t dflt[] = { 1, 2, 4, 8 };
	unsigned nsizes = a->nsizes ? a->nsizes : 4, jobs = a->iters / 250 ? a->iters / 250 : 1;
	int failures = 0;
	long ch[MIX_MAX_USERS];   /* one per user: a channel has one caller */
	for (int u = 0; u < MIX_MAX_USERS; u++)
		ch[u] = os_chan_create();
	for (unsigned s = 0; s < nsizes; s++) {
		int64_t users = a->nsizes ? a->sizes[s] : dflt[s];
		struct bench_params p = { "mix", "aim7_shared", users, "per_run", shape, 1, 0 };
		int pid[MIX_MAX_USERS], st;
		char arg[48];
		bench_begin(&run, &p);
		run.work = (uint64_t)users * jobs;
		if (users < 1 || users > MIX_MAX_USERS || ch[users - 1] < 0) {
			bench_fail(&run, "%lld users (1-%d), or no channel for each", (long long)users, MIX_MAX_USERS);
			failures += bench_end(&run);
			continue;
		}
		int bad = 0;
		for (int u = 0; u < users; u++) {
			fmt_snprintf(arg, sizeof arg, "role=mixuser u=%d jobs=%u drv=%ld", u, jobs, ch[u]);
			pid[u] = os_spawn_priv(APP_IMAGE, arg, SPAWN_NEW_TREE);
			bad = bad ? bad : pid[u] < 0 ? pid[u] : 0;
		}
		/* every user set up (each calls its channel), then go: the jobs
		 * alone are timed, until every user said it is done */
		long kept[MIX_MAX_USERS];   /* each user's waiting call (os_chan_defer) */
		for (int u = 0; u < MIX_MAX_USERS; u++)
			kept[u] = -1;
		for (int u = 0; u < users; u++) {
			int said = pid[u] >= 0 ? hear(ch[u], &kept[u]) : 0;
			bad = bad ? bad : said;
		}
		os_counters(&run.ev0);
		bench_window(&run);
		uint64_t t0 = bench_now();
		for (int u = 0; u < users; u++)
			if (pid[u] >= 0 && kept[u] >= 0)
				os_chan_answer(ch[u], kept[u]);
		for (int u = 0; u < users; u++) {
			int said = pid[u] >= 0 ? hear(ch[u], &kept[u]) : 0;
			bad = bad ? bad : said;
		}
		uint64_t t1 = bench_now();
		for (int u = 0; u < users; u++)
			if (pid[u] >= 0 && kept[u] >= 0)
				os_chan_answer(ch[u], kept[u]);
		for (int u = 0; u < users; u++)
			if (pid[u] >= 0 && (os_wait(pid[u], &st) != pid[u] || st != 0))
				bad = bad ? bad : st ? st : -1;
		if (bad)
			bench_fail(&run, "a user failed (%d: a test class + 10, or an error)", bad);
		else
			bench_sample(&run, t1 - t0);
		failures += bench_end(&run);
	}
	return failures;
}
