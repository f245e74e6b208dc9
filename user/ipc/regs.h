/* ipc/regs.h - the register message of the sel4 and l4 strategies' user
 * sides (kernels/micro/ipc/regs.c): a tag and three words in registers,
 * buffers named in a struct ipc_desc, the answer back in registers. */
#ifndef MKB_UIPC_REGS_H
#define MKB_UIPC_REGS_H

/* System call num with first argument a0 and the message; its answer. */
static inline struct ipc_in ipc_regs_op(uint64_t num, uint64_t a0, uint32_t label, const uint64_t *mr,
					const void *sbuf, size_t slen, void *rbuf, size_t rcap)
{
	struct ipc_desc d = { sbuf, slen, rbuf, rcap };
	int use_desc = sbuf || rcap;
	struct sysret6 r = syscall6(num, a0, IPC_TAG(label, slen), mr ? mr[0] : 0, mr ? mr[1] : 0,
				    mr ? mr[2] : 0, use_desc ? (uint64_t)&d : 0);
	struct ipc_in in = { r.rax, (long)r.rdi, IPC_LABEL(r.rsi), IPC_LEN(r.rsi),
			     (r.rsi & IPC_INBUF) != 0, { r.rdx, r.r10, r.r8 } };
	return in;
}
#endif
