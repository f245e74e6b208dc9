/* fastpath.h - the two halves of a register fast path, shared by the
 * sel4 (sel4_fast.c) and l4 (l4_fast.c) strategies: a short message
 * copied from the sender's registers into the partner's saved registers,
 * and a direct switch to the partner, with no scheduler pass and no queue
 * but the endpoint's (Liedtke, "Improving IPC by Kernel Design", SOSP
 * 1993, section 5: messages in registers, direct process switch, lazy
 * scheduling; seL4 keeps the same shape in its fastpath). Inline, so each
 * strategy's fast path compiles as one function of its own. The caller
 * has checked every precondition. */
#ifndef MKB_FASTPATH_H
#define MKB_FASTPATH_H
#include "defs.h"
#include "ipc.h"
#include "syscall.h"

/* The message in sf's registers (tag, three words) into dst's. */
static inline void fast_deliver(struct sysframe *sf, struct proc *src, struct proc *dst)
{
	struct sysframe *df = dst->sf;
	df->rdx = ARG2(sf), df->r10 = ARG3(sf), df->r8 = ARG4(sf);
	df->rsi = ARG1(sf) & ~(uint64_t)IPC_INBUF;   /* nothing came in a buffer */
	df->rdi = (uint64_t)src->pid;                /* badge: who sent it */
	df->rax = 0;
	src->msg.rcap = 0;
	kstat_copy(COPY_REG, IPC_LEN(ARG1(sf)));
}

/* ep_may_recv() for the fast paths (ep.c), less the claim of a restarted
 * server, which the general path makes: the owner, or a child of the
 * owner on an endpoint that is no server's well-known one. */
static inline int fast_may_recv(const struct endpoint *ep, uint64_t id, const struct proc *cur)
{
	return ep->owner && (ep->owner == cur || (id >= EP_FIRST_FREE && ep->owner == cur->parent));
}

/* The first receiver waiting on ep, taken off the queue, or 0. */
static inline struct proc *fast_take_receiver(struct endpoint *ep)
{
	struct proc *rcv = ep->recvq.head;
	if (rcv) {
		ep->recvq.head = rcv->qnext;
		if (!ep->recvq.head)
			ep->recvq.tail = 0;
	}
	return rcv;
}

/* cur calls rcv, a receiver taken off its queue: rcv runs now, cur waits
 * for the answer. */
static inline int64_t fast_call(struct sysframe *sf, struct proc *cur, struct proc *rcv)
{
	fast_deliver(sf, cur, rcv);
	ipc_await_reply(cur, rcv);
	sf->rax = (uint64_t)-E_PEER;   /* what cur sees if rcv dies */
	ipc_handoff(rcv);
	return (int64_t)sf->rax;
}

/* cur answers caller (waiting for cur's answer), then waits on ep, whose
 * send queue is empty: caller runs now. */
static inline int64_t fast_reply_wait(struct sysframe *sf, struct proc *cur, struct proc *caller,
				      struct endpoint *ep)
{
	fast_deliver(sf, cur, caller);
	caller->callee = 0;
	cur->reply_to = 0;
	cur->state = P_BLOCKED;
	cur->wait = W_RECV;
	cur->waitobj = &ep->recvq;
	waitq_push(&ep->recvq, cur);
	sf->rax = (uint64_t)-E_PEER;
	ipc_handoff(caller);
	return (int64_t)sf->rax;
}
#endif
