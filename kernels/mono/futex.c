/* futex.c - futex-style wait and wake for the mono kernel (Linux's
 * FUTEX_WAIT / FUTEX_WAKE, the mechanism under its user-level mutexes and
 * semaphores): wait blocks only while the 32-bit word at a user address
 * still holds the value the caller expects; wake releases up to n
 * waiters on that word. Waiters are keyed by the word's physical address,
 * so processes sharing the page (a shm segment) meet on it. */
#include "defs.h"
#include "proc.h"
#include "syscall.h"
#include "kpages.h"

static struct waitq futex_waiters;   /* every waiter, in arrival order */
LOCK_DEFINE(futex_lk);   /* several CPUs (smp.h): a word's check and its sleep, against a wake */

/* The physical address of the aligned user word at uva, or 0. */
static uint64_t futex_key(uint64_t uva)
{
	if (uva & 3 || !vm_user_range_ok(uva, 4))
		return 0;
	return vm_translate(curproc->pml4, uva, 0);
}

/* (uaddr, expected): -E_AGAIN if *uaddr != expected, else sleep until a
 * wake on that word; -E_FAULT/-E_INVAL for a bad address. */
SVC_LOCKED(sys_futex_wait, futex_lk)
{
	uint64_t key = futex_key(ARG0(sf));
	uint32_t v;
	if (ARG0(sf) & 3)
		return -E_INVAL;
	if (!key || copyin(&v, ARG0(sf), sizeof v) < 0)
		return -E_FAULT;
	if (v != (uint32_t)ARG1(sf))
		return -E_AGAIN;   /* it changed: no lost wake-up (interrupts are off) */
	curproc->svc_arg[0] = key;
	svc_sleep(W_SVC, &futex_waiters, futex_lk);
	return 0;
}

/* (uaddr, n): wake up to n waiters on the word; returns how many. */
SVC_LOCKED(sys_futex_wake, futex_lk)
{
	uint64_t key = futex_key(ARG0(sf)), n = ARG1(sf), woken = 0;
	if (ARG0(sf) & 3)
		return -E_INVAL;
	if (!key)
		return -E_FAULT;
	sched_lock();
	struct proc *p = futex_waiters.head;
	while (p && woken < n) {
		struct proc *next = p->qnext;
		if (p->svc_arg[0] == key) {
			waitq_remove(&futex_waiters, p);
			sched_ready(p);
			woken++;
		}
		p = next;
	}
	sched_unlock();
	return (int64_t)woken;
}
