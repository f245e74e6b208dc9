/* regs.c - the message of the register-based strategies (sel4, l4): a
 * tag and three words in registers, and a string (struct ipc_desc)
 * copied once between the two address spaces. Linked into the
 * micro-sel4 and micro-l4 kernels; their rendezvous is rendezvous.h. */
#include "defs.h"
#include "ipc.h"
#include "syscall.h"

/* Read the message a syscall names: tag and inline words from registers,
 * buffers from the optional descriptor. Checks every buffer now, so the
 * later copy between address spaces cannot fail. */
int ipc_msg_read(struct sysframe *sf, struct ipc_msg *m, int sending)
{
	struct ipc_desc d = { 0, 0, 0, 0 };
	if (ARG5(sf) && copyin(&d, ARG5(sf), sizeof d) < 0)
		return -E_FAULT;
	m->tag = sending ? ARG1(sf) : 0;
	m->mr[0] = ARG2(sf), m->mr[1] = ARG3(sf), m->mr[2] = ARG4(sf);
	m->sbuf = (uint64_t)d.sbuf, m->slen = d.slen;
	m->rbuf = (uint64_t)d.rbuf, m->rcap = d.rcap;
	uint32_t len = IPC_LEN(m->tag);
	if (sending && !m->sbuf && len > IPC_INLINE_MAX)
		return -E_FAULT;   /* too long for registers and no buffer named */
	if (sending && m->sbuf && (d.slen < len || !ipc_user_ok(curproc, m->sbuf, len, 0)))
		return -E_FAULT;
	if (m->rcap && !ipc_user_ok(curproc, m->rbuf, m->rcap, 1))
		return -E_FAULT;
	return 0;
}

/* Copy message m from src into the blocked dst's registers and buffer.
 * A long message larger than dst's buffer is truncated to it. */
void ipc_deliver_regs(struct proc *src, const struct ipc_msg *m, struct proc *dst)
{
	struct sysframe *df = dst->sf;
	uint32_t len = IPC_LEN(m->tag), inbuf = 0;
	if (m->sbuf) {
		if (len > dst->msg.rcap)
			len = (uint32_t)dst->msg.rcap;
		ipc_copy(COPY_DIRECT, dst, dst->msg.rbuf, src, m->sbuf, len);
		inbuf = IPC_INBUF;
	} else {
		kstat_copy(COPY_REG, len);
	}
	df->rdx = m->mr[0], df->r10 = m->mr[1], df->r8 = m->mr[2];
	df->rsi = IPC_TAG(IPC_LABEL(m->tag), len) | inbuf;
	df->rdi = (uint64_t)src->pid;   /* badge: who sent it */
	df->rax = 0;
}
