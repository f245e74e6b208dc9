/* usem_micro.c - usem.h on the micro kernel: the counter goes below zero
 * by the number of sleepers; a wait that takes it below zero sleeps on the
 * waiter's wake-up channel, and a post that finds it below zero signals
 * it. One waiting process per semaphore. The wake-up is the IPC design's
 * own asynchronous signal (user/ipc.h: a notification in sel4, a pulse in
 * qnx, notify in minix, a message in mach and rc4000, a zero-timeout
 * send in l4), so each strategy's user-level semaphore rows measure its
 * own mechanism (usem_kind names it). Linked into the micro bench
 * programs. */
#include "ipc.h"
#include "os.h"
#include "usem.h"

const char usem_kind[] = IPC_WAKE;

void usem_init(struct usem *s, int32_t initial)
{
	*s = (struct usem){ initial, 0, 0, 0 };
}

/* Our wake-up channels: those in use and those done with, for reuse
 * (only with the same grant: a notification's grant is fixed). */
#define NWAKE 16
struct wake {
	long w, grant;
	int free;
};
static struct wake wakes[NWAKE];
static int nwakes;

int usem_waiter(struct usem *s, long grant_ep)
{
	for (int i = 0; i < nwakes; i++)
		if (wakes[i].free && wakes[i].grant == grant_ep) {
			wakes[i].free = 0;
			s->wake = (uint32_t)wakes[i].w;
			return 0;
		}
	long w = ipc_wake_create(grant_ep);
	if (w < 0)
		return (int)w;
	if (nwakes < NWAKE)
		wakes[nwakes++] = (struct wake){ w, grant_ep, 0 };
	s->wake = (uint32_t)w;
	return 0;
}

void usem_post_done(struct usem *s)
{
	ipc_wake_settle(&s->signaller);
}

void usem_done(struct usem *s)
{
	for (int i = 0; i < nwakes; i++)
		if (wakes[i].w == (long)s->wake)
			wakes[i].free = 1;
}

long usem_grant_ep(void)
{
	static long ep;
	if (!ep)
		ep = os_chan_create();
	return ep;
}

/* The kernel paths, out of line, so that the paths that enter no kernel
 * are the same instructions whatever the design's wake-up needs. */
static __attribute__((noinline)) int sleep_on(struct usem *s)
{
	return (int)ipc_wake_wait(s->wake);
}

static __attribute__((noinline)) int wake_up(struct usem *s)
{
	return (int)ipc_wake_signal(s->wake, &s->signaller);
}

int usem_wait(struct usem *s)
{
	if (__atomic_sub_fetch(&s->count, 1, __ATOMIC_ACQUIRE) >= 0)
		return 0;   /* a unit was free: no kernel entry */
	return sleep_on(s);
}

int usem_post(struct usem *s)
{
	if (__atomic_add_fetch(&s->count, 1, __ATOMIC_RELEASE) > 0)
		return 0;   /* nobody sleeps */
	return wake_up(s);
}
