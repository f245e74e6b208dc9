/* ipc.h - micro-kernel IPC calls with message registers and buffers, for
 * os_micro.c and the ring-3 servers. A message carries a label, three
 * registers and optionally a buffer (which the kernel copies). */
#ifndef MKB_UIPC_H
#define MKB_UIPC_H
#include <stddef.h>
#include "syscall.h"

struct ipc_in {
	long status;        /* 0, or -E_* from the kernel */
	long badge;         /* sender's pid (receives) */
	uint32_t label, len;
	int inbuf;          /* the payload landed in the receive buffer */
	uint64_t mr[3];
};

/* One IPC system call (SYS_IPC_CALL, _RECV, _REPLY_RECV, _SEND). */
static inline struct ipc_in ipc_op(uint64_t num, long ep, uint32_t label, uint64_t m0, uint64_t m1,
				   uint64_t m2, const void *sbuf, size_t slen, void *rbuf, size_t rcap)
{
	struct ipc_desc d = { sbuf, slen, rbuf, rcap };
	int use_desc = sbuf || rcap;
	struct sysret6 r = syscall6(num, (uint64_t)ep, IPC_TAG(label, slen), m0, m1, m2,
				    use_desc ? (uint64_t)&d : 0);
	struct ipc_in in = { r.rax, (long)r.rdi, IPC_LABEL(r.rsi), IPC_LEN(r.rsi),
			     (r.rsi & IPC_INBUF) != 0, { r.rdx, r.r10, r.r8 } };
	return in;
}
#endif
