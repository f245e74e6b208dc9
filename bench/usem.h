/* usem.h - a user-level counting semaphore in shared memory over the mono
 * kernel's futexes (the way Linux's POSIX semaphores work): wait and post
 * are atomic operations on a counter, and the kernel is entered only to
 * sleep when the count is zero or to wake a sleeper. Used by the
 * futex_* variants of the sem workload (wl_sem.c, helper.c). */
#ifndef MKB_USEM_H
#define MKB_USEM_H
#include <stdint.h>
#include "os.h"

struct usem {
	volatile uint32_t count;     /* free units */
	volatile uint32_t sleepers;  /* processes in, or about to enter, futex_wait */
};

static inline int usem_wait(struct usem *s)
{
	for (;;) {
		uint32_t c = s->count;
		if (c > 0 && __atomic_compare_exchange_n(&s->count, &c, c - 1, 0, __ATOMIC_ACQUIRE,
							 __ATOMIC_RELAXED))
			return 0;
		if (c > 0)
			continue;
		__atomic_add_fetch(&s->sleepers, 1, __ATOMIC_SEQ_CST);
		int r = os_futex_wait(&s->count, 0);   /* -E_AGAIN: a post came first */
		__atomic_sub_fetch(&s->sleepers, 1, __ATOMIC_SEQ_CST);
		if (r < 0 && r != -E_AGAIN)
			return r;
	}
}

static inline int usem_post(struct usem *s)
{
	__atomic_add_fetch(&s->count, 1, __ATOMIC_RELEASE);
	if (__atomic_load_n(&s->sleepers, __ATOMIC_SEQ_CST))
		return os_futex_wake(&s->count, 1) < 0 ? -1 : 0;
	return 0;
}
#endif
