/*
 * wl_shm.c - shared memory: a producer (this process) fills a block in a
 * shared segment and a consumer (the partner) drains it, handing off by
 * semaphore (full/empty). One sample is one hand-off as the producer sees
 * it: wait for the empty block, fill it, post it. The consumer checks
 * every byte of every block and counts mismatches in the segment header.
 */
#include "bench.h"
#include "fmt.h"
#include "os.h"
#include "shm_layout.h"

static struct bench_run run;

static int measure(const struct bench_args *a, int64_t size, unsigned key)
{
	struct bench_params p = { "shm", "handoff", size, "per_handoff", 0, a->iters, a->warmup };
	int seg = os_shm_create(key, sizeof(struct shm_hdr) + (size_t)size);
	long addr = seg < 0 ? seg : os_shm_attach(seg);
	int full = os_sem_create(0), empty = os_sem_create(1), pid = -1, st;
	unsigned total = a->warmup + (a->iters > BENCH_MAX_SAMPLES ? BENCH_MAX_SAMPLES : a->iters);
	char arg[96];
	bench_begin(&run, &p);
	if (addr > 0 && full >= 0 && empty >= 0) {
		fmt_snprintf(arg, sizeof arg, "role=shm seg=%d full=%d empty=%d size=%ld n=%u", seg, full, empty,
			     (long)size, total);
		pid = os_spawn("bench-helper", arg);
	}
	if (pid < 0) {
		bench_fail(&run, "set-up failed: seg %d addr %ld sems %d %d partner %d", seg, addr, full, empty, pid);
		return bench_end(&run);
	}
	struct shm_hdr *h = (struct shm_hdr *)addr;
	for (unsigned i = 0; i < total && !run.check[0]; i++) {
		if (i == a->warmup)
			os_counters(&run.ev0);
		uint64_t t0 = bench_now();
		int r1 = os_sem_wait(empty);
		shm_fill(h->data, (size_t)size, i);
		h->seq = i;
		int r2 = os_sem_post(full);
		uint64_t t1 = bench_now();
		if (r1 || r2)
			bench_fail(&run, "hand-off %u: wait %d post %d", i, r1, r2);
		else if (i >= a->warmup)
			bench_sample(&run, t1 - t0);
	}
	os_sem_wait(empty);   /* the consumer has checked the last block */
	if (!run.check[0] && (h->bad || h->seen != total))
		bench_fail(&run, "consumer saw %u blocks, %u corrupt", h->seen, h->bad);
	int failures = bench_end(&run);
	os_wait(pid, &st);
	os_shm_detach(seg);
	os_sem_destroy(full);
	os_sem_destroy(empty);
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
		failures += measure(a, a->sizes[i], 0x5100 + i);
	}
	return failures;
}
