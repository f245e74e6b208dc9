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
#endif
