/* ipc/sel4.h - user side of the sel4 strategy (kernels/micro/ipc/sel4.c):
 * Call and ReplyRecv system calls, the three words in registers, a
 * buffer named in a struct ipc_desc for the kernel's one copy. A call
 * that names neither a send nor a receive buffer takes the kernel's fast
 * path. */
#ifndef MKB_UIPC_SEL4_H
#define MKB_UIPC_SEL4_H

#include "ipc/regs.h"

#define IPC_STRATEGY "sel4"

static inline long ipc_ool(size_t min) { (void)min; return -E_NOSYS; }   /* no virtual copy */

static inline long ipc_chan_create(void)
{
	return syscall3(SYS_EP_CREATE, 0, 0, 0);
}

static inline struct ipc_in ipc_call(long ep, uint32_t label, const uint64_t mr[3],
				     const void *sbuf, size_t slen, void *rbuf, size_t rcap)
{
	return ipc_regs_op(SYS_IPC_CALL, (uint64_t)ep, label, mr, sbuf, slen, rbuf, rcap);
}

static inline struct ipc_in ipc_recv(long ep, void *rbuf, size_t rcap)
{
	return ipc_regs_op(SYS_IPC_RECV, (uint64_t)ep, 0, 0, 0, 0, rbuf, rcap);
}

static inline struct ipc_in ipc_reply_recv(long ep, const uint64_t mr[3], const void *sbuf,
					   size_t slen, void *rbuf, size_t rcap)
{
	return ipc_regs_op(SYS_IPC_REPLY_RECV, (uint64_t)ep, 0, mr, sbuf, slen, rbuf, rcap);
}
/* SaveCaller: the reply capability moves into a slot of ours. */
static inline long ipc_defer(void)
{
	return syscall3(SYS_SAVE_CALLER, 0, 0, 0);
}

/* A send on the saved reply capability. */
static inline long ipc_answer(long token, const uint64_t mr[3])
{
	return ipc_regs_op(SYS_IPC_SEND, SEL4_REPLY_CAP | (uint64_t)token, 0, mr, 0, 0, 0, 0).status;
}

/* The wake-up: a notification (kernels/micro/notify.c), signalled by the
 * owner of the endpoint it is granted to. */
#define IPC_WAKE "ntfn"

static inline long ipc_wake_create(long grant_ep)
{
	long n = ntfn_create();
	if (n < 0)
		return n;
	if (grant_ep > 0 && ntfn_grant(n, grant_ep) < 0)
		return -E_PERM;
	return n;
}

static inline long ipc_wake_wait(long w)
{
	long r = ntfn_wait(w);
	if (!ntfn_failed(r))
		return 0;
	return r < 0 && r >= -4095 ? r : -E_PEER;
}

static inline long ipc_wake_signal(long w, uint32_t *state)
{
	(void)state;
	long r = ntfn_signal(w, 1, 0);
	return r < 0 ? r : 0;
}

static inline void ipc_wake_settle(uint32_t *state) { (void)state; }   /* nothing stays out */
#endif
