/*
 * wl_shm.c - shared memory: a producer (this process) hands a block in a
 * shared segment to a consumer (the partner) by semaphore. One sample is
 * one hand-off of a block already written: the producer posts "full", the
 * consumer takes the block and posts "ack", the producer wakes. The block
 * is written before the timed region, and the consumer checks every byte
 * of it after (told by "go", answering "done"), so neither the fill nor
 * the check is in the figure: a zero-copy hand-off costs the same at
 * every block size. Mismatches are counted in the segment header. Each
 * size runs twice: over the kernel's or server's semaphores ("handoff")
 * and over user-level ones (usem.h: "handoff_futex", "handoff_<kind>" with each IPC design's wake-up).
 */
#include "bench.h"
#include "fmt.h"
#include "os.h"
#include "shm_layout.h"

static struct bench_run run;

/* One hand-off variant: over the kernel's (mono) or the server's (micro)
 * semaphores, or over user-level ones (user: usem.h); cpu > 0: the
 * consumer on that CPU (the smp workload's rows, bench/wl_smp.c). */
int shm_handoff(const struct bench_args *a, int64_t size, unsigned key, int user, int cpu)
{
	char variant[40], where[40];
	fmt_snprintf(variant, sizeof variant, user ? "handoff_%s%s" : "handoff%s",
		     user ? usem_kind : (cpu ? "_cross" : ""), user && cpu ? "_cross" : "");
	struct bench_count c = bench_scale(a->iters, a->warmup, size);   /* fewer above 4 KiB */
	struct bench_params p = { cpu ? "smp" : "shm", variant, size, "per_handoff", 0, c.iters,
				  c.warmup };
	int seg = os_shm_create(key, sizeof(struct shm_hdr) + (size_t)size), pid = -1, st, ok = 1;
	long addr = seg < 0 ? seg : os_shm_attach(seg), ep = user ? usem_grant_ep() : 0;
	struct shm_sync sync = { user, { -1, -1, -1, -1 }, (struct shm_hdr *)addr };
	unsigned total = c.warmup + c.iters;
	char arg[128];
	bench_begin(&run, &p);
	for (int k = 0; addr > 0 && k < SHM_NSYNC; k++) {
		if (user) {
			usem_init(&sync.h->u[k], 0);
			if ((k == SHM_ACK || k == SHM_DONE) && usem_waiter(&sync.h->u[k], 0) < 0)
				ok = 0;   /* we wait on ack and done */
		} else if ((sync.id[k] = os_sem_create(0)) < 0) {
			ok = 0;
		}
	}
	if (addr > 0 && ok && ep >= 0) {
		fmt_snprintf(arg, sizeof arg, "role=shm seg=%d user=%d ep=%ld sems=%d,%d,%d,%d size=%ld n=%u",
			     seg, user, ep, sync.id[0], sync.id[1], sync.id[2], sync.id[3], (long)size, total);
		pid = os_spawn("bench-helper", arg);
	}
	if (cpu) {
		fmt_snprintf(where, sizeof where, "producer 0, consumer %d", cpu);
		run.placement = where;
	}
	if (pid < 0 || (cpu && os_set_cpu(pid, cpu) < 0)) {
		bench_fail(&run, "set-up failed: seg %d addr %ld sems ok %d partner %d", seg, addr, ok, pid);
		return bench_end(&run);
	}
	struct shm_hdr *h = sync.h;
	for (unsigned i = 0; i < total && !run.check[0]; i++) {
		shm_fill(h->data, (size_t)size, i);   /* before the timed hand-off */
		h->seq = i;
		if (i == c.warmup)
			os_counters(&run.ev0);
		bench_window(&run);
		uint64_t t0 = bench_now();
		int r1 = shm_post(&sync, SHM_FULL), r2 = shm_wait(&sync, SHM_ACK);
		uint64_t t1 = bench_now();
		if (r1 || r2)
			bench_fail(&run, "hand-off %u: post %d wait %d", i, r1, r2);
		else if (i >= c.warmup)
			bench_sample(&run, t1 - t0);
		if (shm_post(&sync, SHM_GO) || shm_wait(&sync, SHM_DONE))   /* the consumer checks */
			bench_fail(&run, "check %u: the consumer did not answer", i);
	}
	if (!run.check[0] && (h->bad || h->seen != total))
		bench_fail(&run, "consumer saw %u blocks, %u corrupt", h->seen, h->bad);
	int failures = bench_end(&run);
	os_wait(pid, &st);
	if (user && addr > 0) {
		usem_done(&sync.h->u[SHM_ACK]);
		usem_done(&sync.h->u[SHM_DONE]);
		usem_post_done(&sync.h->u[SHM_FULL]);
		usem_post_done(&sync.h->u[SHM_GO]);
	}
	os_shm_detach(seg);
	for (int k = 0; !user && k < SHM_NSYNC; k++)
		os_sem_destroy(sync.id[k]);
	return failures;
}

int wl_shm(const struct bench_args *a)
{
	int failures = 0;
	for (unsigned i = 0; i < a->nsizes; i++) {
		if (a->sizes[i] < 1 || a->sizes[i] > 65536) {
			bench_begin(&run, &(struct bench_params){ "shm", "handoff", a->sizes[i], "per_handoff", 0, 1, 0 });
			bench_fail(&run, "block size must be 1 to 65536");
			failures += bench_end(&run);
			continue;
		}
		failures += shm_handoff(a, a->sizes[i], 0x5100 + i, 0, 0);
		failures += shm_handoff(a, a->sizes[i], 0x5180 + i, 1, 0);
	}
	return failures;
}
