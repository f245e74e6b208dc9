/* usem.h - a user-level counting semaphore in shared memory: wait and
 * post are atomic operations on a counter, and the kernel is entered only
 * to sleep when no unit is free or to wake a sleeper. One interface, one
 * implementation per kernel, chosen by linking: usem_mono.c sleeps on a
 * futex (as glibc's POSIX semaphores do on Linux), usem_micro.c on the
 * IPC design's own wake-up (a notification, as seL4's user-level
 * semaphores do, a pulse in QNX, ...: user/ipc.h). Used by the sem
 * workload's usem_* variants (wl_sem.c, helper.c). */
#ifndef MKB_USEM_H
#define MKB_USEM_H
#include <stdint.h>

struct usem {
	volatile int32_t count;      /* free units; below 0: -(sleepers) (micro) */
	volatile uint32_t sleepers;  /* processes about to sleep or asleep (mono) */
	volatile uint32_t wake;      /* the sleeper's wake-up channel (micro) */
	uint32_t signaller;          /* the poster's own word for it (micro: rc4000's message out) */
};

extern const char usem_kind[];   /* how a sleeper sleeps: "futex", "ntfn", "pulse", ... */

/* Set s up with initial units (before any process uses it). */
void usem_init(struct usem *s, int32_t initial);
/* The one process that will wait on s makes its wake-up channel; grant_ep
 * (micro) is an endpoint of the process that will post, so that it may
 * signal the channel. 0, or a negative error. */
int usem_waiter(struct usem *s, long grant_ep);
/* The waiter is done with s (every post has been waited for): its
 * wake-up channel may serve the next semaphore it waits on (micro: the
 * channels count against the process tree's endpoints or notifications,
 * and the kernel has no call that frees one). */
void usem_done(struct usem *s);
/* The poster is done with s: what its posts left in the kernel is taken
 * back (micro rc4000: the answer to its last wake-up message). */
void usem_post_done(struct usem *s);
int usem_wait(struct usem *s);
int usem_post(struct usem *s);
/* An endpoint the posting process owns, for usem_waiter (micro); 0 in a
 * kernel that needs none. */
long usem_grant_ep(void);
#endif
