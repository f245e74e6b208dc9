/* usem_mono.c - usem.h on the mono kernel's futexes: a sleeper waits on
 * the counter's word while it reads zero; a post wakes one if any sleeps.
 * Any number of waiters. Linked into the mono bench programs. */
#include "os.h"
#include "usem.h"

const char usem_kind[] = "futex";

void usem_init(struct usem *s, int32_t initial)
{
	*s = (struct usem){ initial, 0, 0, 0 };
}

int usem_waiter(struct usem *s, long grant_ep)
{
	(void)s, (void)grant_ep;
	return 0;   /* a futex needs no set-up */
}

void usem_post_done(struct usem *s)
{
	(void)s;
}

void usem_done(struct usem *s)
{
	(void)s;   /* a futex is the word itself */
}

long usem_grant_ep(void)
{
	return 0;
}

int usem_wait(struct usem *s)
{
	for (;;) {
		int32_t c = s->count;
		if (c > 0 && __atomic_compare_exchange_n(&s->count, &c, c - 1, 0, __ATOMIC_ACQUIRE,
							 __ATOMIC_RELAXED))
			return 0;
		if (c > 0)
			continue;
		__atomic_add_fetch(&s->sleepers, 1, __ATOMIC_SEQ_CST);
		int r = os_futex_wait((volatile uint32_t *)&s->count, 0);   /* -E_AGAIN: posted */
		__atomic_sub_fetch(&s->sleepers, 1, __ATOMIC_SEQ_CST);
		if (r < 0 && r != -E_AGAIN)
			return r;
	}
}

int usem_post(struct usem *s)
{
	__atomic_add_fetch(&s->count, 1, __ATOMIC_RELEASE);
	if (__atomic_load_n(&s->sleepers, __ATOMIC_SEQ_CST))
		return os_futex_wake((volatile uint32_t *)&s->count, 1) < 0 ? -1 : 0;
	return 0;
}
