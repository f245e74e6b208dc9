/* usem_micro.c - usem.h on the micro kernel's notifications (seL4-style
 * user-level semaphores): the counter goes below zero by the number of
 * sleepers; a wait that takes it below zero sleeps on the waiter's
 * notification, and a post that finds it below zero signals it. One
 * waiting process per semaphore (its notification is the wake-up). The
 * waiter owns the notification and grants it to the poster's endpoint,
 * as the kernel's rules ask (kernels/micro/notify.c). Linked into the
 * micro bench programs. */
#include "ipc.h"
#include "os.h"
#include "usem.h"

const char usem_kind[] = "ntfn";

void usem_init(struct usem *s, int32_t initial)
{
	*s = (struct usem){ initial, 0, 0, 0 };
}

int usem_waiter(struct usem *s, long grant_ep)
{
	long n = ntfn_create();
	if (n < 0)
		return (int)n;
	if (grant_ep > 0 && ntfn_grant(n, grant_ep) < 0)
		return -E_PERM;
	s->wake = (uint32_t)n;
	return 0;
}

long usem_grant_ep(void)
{
	static long ep;
	if (!ep)
		ep = os_chan_create();
	return ep;
}

int usem_wait(struct usem *s)
{
	if (__atomic_sub_fetch(&s->count, 1, __ATOMIC_ACQUIRE) >= 0)
		return 0;   /* a unit was free: no kernel entry */
	long r = ntfn_wait(s->wake);
	return ntfn_failed(r) ? (r < 0 && r >= -4095 ? (int)r : -E_PEER) : 0;
}

int usem_post(struct usem *s)
{
	if (__atomic_add_fetch(&s->count, 1, __ATOMIC_RELEASE) > 0)
		return 0;   /* nobody sleeps */
	long r = ntfn_signal(s->wake, 1, 0);
	return r < 0 ? (int)r : 0;
}
