/*
 * sel4_fast.c - the sel4 strategy's fast path for call and reply_recv
 * (seL4 style). Each precondition is a guard; when any fails the general
 * path in sel4.c runs instead. The fast case: a message of at most 24 bytes in
 * registers, no descriptor, and a partner already waiting, so the kernel
 * copies three registers and switches straight to the partner.
 */
#include "defs.h"
#include "ipc.h"
#include "syscall.h"

int64_t sys_ipc_call_slow(struct sysframe *sf);
int64_t sys_ipc_reply_recv_slow(struct sysframe *sf);

int64_t sys_ipc_call_fast(struct sysframe *sf)
{
	struct endpoint *ep = ep_get(ARG0(sf));
	struct proc *cur = curproc, *rcv;
	if (!ep || ARG5(sf) || IPC_LEN(ARG1(sf)) > IPC_INLINE_MAX || ep->call_ep ||
	    !(rcv = ep->recvq.head))
		return sys_ipc_call_slow(sf);
	ep->recvq.head = rcv->qnext;
	if (!ep->recvq.head)
		ep->recvq.tail = 0;
	struct sysframe *df = rcv->sf;
	df->rdx = ARG2(sf), df->r10 = ARG3(sf), df->r8 = ARG4(sf);
	df->rsi = ARG1(sf) & ~(uint64_t)IPC_INBUF;   /* nothing came in a buffer */
	df->rdi = (uint64_t)cur->pid;
	df->rax = 0;
	cur->msg.rcap = 0;
	kstat_copy(COPY_REG, IPC_LEN(ARG1(sf)));
	ipc_await_reply(cur, rcv);
	sf->rax = (uint64_t)-E_PEER;
	ipc_handoff(rcv);
	return (int64_t)sf->rax;
}

int64_t sys_ipc_reply_recv_fast(struct sysframe *sf)
{
	struct endpoint *ep = ep_get(ARG0(sf));
	struct proc *cur = curproc, *caller = cur->reply_to;
	if (!ep || !ep->owner || (ep->owner != cur && ep->owner != cur->parent) || ARG5(sf) ||
	    IPC_LEN(ARG1(sf)) > IPC_INLINE_MAX || !ipc_awaits(caller, cur) ||
	    caller->ticks_left <= 0 || ep->sendq.head)
		return sys_ipc_reply_recv_slow(sf);
	struct sysframe *df = caller->sf;
	df->rdx = ARG2(sf), df->r10 = ARG3(sf), df->r8 = ARG4(sf);
	df->rsi = ARG1(sf) & ~(uint64_t)IPC_INBUF;
	df->rdi = (uint64_t)cur->pid;
	df->rax = 0;
	caller->callee = 0;
	cur->reply_to = 0;
	cur->msg.rcap = 0;
	kstat_copy(COPY_REG, IPC_LEN(ARG1(sf)));
	cur->state = P_BLOCKED;
	cur->wait = W_RECV;
	cur->waitobj = &ep->recvq;
	waitq_push(&ep->recvq, cur);
	sf->rax = (uint64_t)-E_PEER;
	ipc_handoff(caller);
	return (int64_t)sf->rax;
}
