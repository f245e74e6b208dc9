/* ipc/l4.h - user side of the l4 strategy (kernels/micro/ipc/l4.c): one
 * ipc system call. A client's call sends to the server's thread id and
 * waits for its answer; a server answers its client by thread id with a
 * zero send timeout and waits for anyone in the same call. */
#ifndef MKB_UIPC_L4_H
#define MKB_UIPC_L4_H

#include "ipc/regs.h"

#define IPC_STRATEGY "l4"

static long client;   /* thread we owe an answer (servers) */

static inline struct ipc_in l4_ipc(uint64_t a0, uint32_t label, const uint64_t *mr, const void *sbuf,
				   size_t slen, void *rbuf, size_t rcap)
{
	return ipc_regs_op(SYS_L4_IPC, a0, label, mr, sbuf, slen, rbuf, rcap);
}

static inline long ipc_ool(size_t min) { (void)min; return -E_NOSYS; }   /* no virtual copy */

static inline long ipc_chan_create(void)
{
	return syscall3(SYS_EP_CREATE, 0, 0, 0);
}

static inline struct ipc_in ipc_call(long ep, uint32_t label, const uint64_t mr[3],
				     const void *sbuf, size_t slen, void *rbuf, size_t rcap)
{
	return l4_ipc(L4_ARG(ep, L4_FROM_DEST, 0), label, mr, sbuf, slen, rbuf, rcap);
}

static inline struct ipc_in received(struct ipc_in in)
{
	client = in.status == 0 ? in.badge : 0;
	return in;
}

static inline struct ipc_in ipc_recv(long ep, void *rbuf, size_t rcap)
{
	return received(l4_ipc(L4_ARG(0, ep, 0), 0, 0, 0, 0, rbuf, rcap));
}

static inline struct ipc_in ipc_reply_recv(long ep, const uint64_t mr[3], const void *sbuf,
					   size_t slen, void *rbuf, size_t rcap)
{
	if (!client)
		return ipc_recv(ep, rbuf, rcap);
	return received(l4_ipc(L4_ARG(L4_TID | (uint32_t)client, ep, L4_SND_NB), 0, mr, sbuf, slen,
			       rbuf, rcap));
}
/* Keep the client's thread id; answer it later by a send with a zero
 * timeout (it is in its closed wait for us). */
static inline long ipc_defer(void)
{
	long t = client;
	client = 0;
	return t ? t : -E_SRCH;
}

static inline long ipc_answer(long token, const uint64_t mr[3])
{
	return l4_ipc(L4_ARG(L4_TID | (uint32_t)token, 0, L4_SND_NB), 0, mr, 0, 0, 0, 0).status;
}

/* The wake-up, as classic L4 has no asynchronous object: the waiter
 * waits for a message on a thread id of its own; the signaller sends to
 * it with a zero timeout, which lands when the waiter is already in its
 * receive, and otherwise (it has taken the semaphore down but not yet
 * entered the kernel) falls back to an ordinary send, which waits for it. */
#define IPC_WAKE "send0"

static inline long ipc_wake_create(long grant_ep)
{
	(void)grant_ep;   /* anyone may send to a thread */
	return ipc_chan_create();
}

static inline long ipc_wake_wait(long w)
{
	return l4_ipc(L4_ARG(0, w, 0), 0, 0, 0, 0, 0, 0).status;
}

static inline long ipc_wake_signal(long w, uint32_t *state)
{
	static const uint64_t mr[3];
	(void)state;
	long r = l4_ipc(L4_ARG(w, 0, L4_SND_NB), 0, mr, 0, 0, 0, 0).status;
	return r == -E_AGAIN ? l4_ipc(L4_ARG(w, 0, 0), 0, mr, 0, 0, 0, 0).status : r;
}

static inline void ipc_wake_settle(uint32_t *state) { (void)state; }   /* nothing stays out */
#endif
