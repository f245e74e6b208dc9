/* ipc/sel4.h - user side of the sel4 strategy (kernels/micro/ipc/sel4.c):
 * Call and ReplyRecv system calls, the three words in registers, a
 * buffer named in a struct ipc_desc for the kernel's one copy. A call
 * that names neither a send nor a receive buffer takes the kernel's fast
 * path. */
#ifndef MKB_UIPC_SEL4_H
#define MKB_UIPC_SEL4_H

#define IPC_STRATEGY "sel4"

static inline struct ipc_in op(uint64_t num, long ep, uint32_t label, const uint64_t *mr, const void *sbuf,
			size_t slen, void *rbuf, size_t rcap)
{
	struct ipc_desc d = { sbuf, slen, rbuf, rcap };
	int use_desc = sbuf || rcap;
	struct sysret6 r = syscall6(num, (uint64_t)ep, IPC_TAG(label, slen), mr ? mr[0] : 0,
				    mr ? mr[1] : 0, mr ? mr[2] : 0, use_desc ? (uint64_t)&d : 0);
	struct ipc_in in = { r.rax, (long)r.rdi, IPC_LABEL(r.rsi), IPC_LEN(r.rsi),
			     (r.rsi & IPC_INBUF) != 0, { r.rdx, r.r10, r.r8 } };
	return in;
}

static inline long ipc_chan_create(void)
{
	return syscall3(SYS_EP_CREATE, 0, 0, 0);
}

static inline struct ipc_in ipc_call(long ep, uint32_t label, const uint64_t mr[3],
				     const void *sbuf, size_t slen, void *rbuf, size_t rcap)
{
	return op(SYS_IPC_CALL, ep, label, mr, sbuf, slen, rbuf, rcap);
}

static inline struct ipc_in ipc_recv(long ep, void *rbuf, size_t rcap)
{
	return op(SYS_IPC_RECV, ep, 0, 0, 0, 0, rbuf, rcap);
}

static inline struct ipc_in ipc_reply_recv(long ep, const uint64_t mr[3], const void *sbuf,
					   size_t slen, void *rbuf, size_t rcap)
{
	return op(SYS_IPC_REPLY_RECV, ep, 0, mr, sbuf, slen, rbuf, rcap);
}
#endif
