/* kpages.h - what the mono kernel's page-backed channels share (pipe.c,
 * mq.c): the owner rule, the copy between user memory and an array of
 * kernel pages, and waking every sleeper. Inline, so each caller's copy
 * is specialised for its constant capacity (these run on every pipe and
 * queue call). Mono kernel only. */
#ifndef MKB_KPAGES_H
#define MKB_KPAGES_H
#include <stdint.h>
#include "defs.h"
#include "proc.h"
#include "syscall.h"

/* May the caller use an object owned by pid owner? Its owner and the
 * owner's children may; with close set, the owner only. */
static inline int kobj_may_use(int owner, int close)
{
	struct proc *cur = curproc, *parent = cur->parent;   /* read once: another CPU may orphan us */
	return cur->pid == owner || (!close && parent && parent->pid == owner);
}

/* Copy n bytes between user memory at ubuf and the pages page[], starting
 * at byte off of them, which wraps at cap (a ring); to_user: out of the
 * pages. 0 or -E_FAULT. */
static inline int kpages_xfer(uint8_t *const *page, uint64_t cap, uint64_t off, uint64_t ubuf,
			      uint64_t n, int to_user)
{
	kstat_copy(to_user ? COPY_KBUF_OUT : COPY_KBUF_IN, n);
	while (n) {
		uint64_t at = off % cap, k = PGSIZE - at % PGSIZE < n ? PGSIZE - at % PGSIZE : n;
		uint8_t *kp = page[at / PGSIZE] + at % PGSIZE;
		int r = to_user ? copyout(ubuf, kp, k) : copyin(kp, ubuf, k);
		if (r < 0)
			return r;
		off += k, ubuf += k, n -= k;
	}
	return 0;
}

/* Make every process blocked on w runnable. */
static inline void wake_all(struct waitq *w)
{
	struct proc *p;
	sched_lock();
	while ((p = waitq_pop(w)))
		sched_ready(p);
	sched_unlock();
}

/* Several CPUs (the SMP kernel's fine locks, smp.h): SVC_LOCKED(fn, lk)
 * defines system call fn to run under its service's lock lk; svc_sleep
 * blocks on a queue with that lock dropped while asleep (taken again on
 * waking) after taking sched_lock, so that no wake-up is lost between
 * the check and the sleep. Otherwise the plain function and sched_block. */
#if FINE_LOCKS
#define SVC_LOCKED(fn, lk) \
	static int64_t fn##_locked(struct sysframe *sf); \
	int64_t fn(struct sysframe *sf) \
	{ \
		spin_lock(&(lk)); \
		int64_t r = fn##_locked(sf); \
		spin_unlock(&(lk)); \
		return r; \
	} \
	static int64_t fn##_locked(struct sysframe *sf)
#define svc_sleep(why, q, lk) \
	do { \
		sched_lock(); \
		spin_unlock(&(lk)); \
		sched_block(why, q); \
		sched_unlock(); \
		spin_lock(&(lk)); \
	} while (0)
#else
#define SVC_LOCKED(fn, lk) int64_t fn(struct sysframe *sf)
#define svc_sleep(why, q, lk) sched_block(why, q)
#endif
#endif
