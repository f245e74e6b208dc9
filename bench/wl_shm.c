/*
 * wl_shm.c - shared memory: a producer (this process) hands a block in a
 * shared segment to a consumer (the partner) by semaphore. One sample is
 * one hand-off of a block already written: the producer posts "full", the
 * consumer takes the block and posts "ack", the producer wakes. The block
 * is written before the timed region, and the consumer checks every byte
 * of it after (told by "go", answering "done"), so neither the fill nor
 * the check is in the figure: a zero-copy hand-off costs the same at
 * every block size. Mismatches are counted in the segment header.
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
	int full = os_sem_create(0), ack = os_sem_create(0), go = os_sem_create(0);
	int done = os_sem_create(0), pid = -1, st;
	unsigned total = a->warmup + (a->iters > BENCH_MAX_SAMPLES ? BENCH_MAX_SAMPLES : a->iters);
	char arg[112];
	bench_begin(&run, &p);
	if (addr > 0 && full >= 0 && ack >= 0 && go >= 0 && done >= 0) {
		fmt_snprintf(arg, sizeof arg, "role=shm seg=%d full=%d ack=%d go=%d done=%d size=%ld n=%u",
			     seg, full, ack, go, done, (long)size, total);
		pid = os_spawn("bench-helper", arg);
	}
	if (pid < 0) {
		bench_fail(&run, "set-up failed: seg %d addr %ld sems %d %d %d %d partner %d", seg, addr,
			   full, ack, go, done, pid);
		return bench_end(&run);
	}
	struct shm_hdr *h = (struct shm_hdr *)addr;
	for (unsigned i = 0; i < total && !run.check[0]; i++) {
		shm_fill(h->data, (size_t)size, i);   /* before the timed hand-off */
		h->seq = i;
		if (i == a->warmup)
			os_counters(&run.ev0);
		bench_window(&run);
		uint64_t t0 = bench_now();
		int r1 = os_sem_post(full), r2 = os_sem_wait(ack);
		uint64_t t1 = bench_now();
		if (r1 || r2)
			bench_fail(&run, "hand-off %u: post %d wait %d", i, r1, r2);
		else if (i >= a->warmup)
			bench_sample(&run, t1 - t0);
		if (os_sem_post(go) || os_sem_wait(done))   /* the consumer checks the block */
			bench_fail(&run, "check %u: the consumer did not answer", i);
	}
	if (!run.check[0] && (h->bad || h->seen != total))
		bench_fail(&run, "consumer saw %u blocks, %u corrupt", h->seen, h->bad);
	int failures = bench_end(&run);
	os_wait(pid, &st);
	os_shm_detach(seg);
	os_sem_destroy(full);
	os_sem_destroy(ack);
	os_sem_destroy(go);
	os_sem_destroy(done);
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
