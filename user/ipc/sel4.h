/* ipc/sel4.h - user side of the sel4 strategy (kernels/micro/ipc/sel4.c):
 * Call and ReplyRecv system calls, the three words in registers, a
 * buffer named in a struct ipc_desc for the kernel's one copy. A call
 * that names neither a send nor a receive buffer takes the kernel's fast
 * path. */
#ifndef MKB_UIPC_SEL4_H
#define MKB_UIPC_SEL4_H

#include "ipc/regs.h"

#define IPC_STRATEGY "sel4"

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
#endif
