/* rendezvous.h - the rendezvous on an endpoint that the register-based
 * strategies (sel4.c, l4.c) share: a sender meets a waiting receiver and
 * the CPU goes straight to it, or it queues. Inline, so each strategy's
 * general path is compiled for its own calls (as kernels/mono/kpages.h). */
#ifndef MKB_RENDEZVOUS_H
#define MKB_RENDEZVOUS_H
#include "defs.h"
#include "ipc.h"
#include "syscall.h"

/* Receiver rcv takes blocked sender snd: deliver, then the sender waits
 * for the reply (a call) or runs on (a send). */
static inline void take_sender(struct proc *snd, struct proc *rcv)
{
	ipc_deliver_regs(snd, &snd->msg, rcv);
	if (snd->ipc_is_call) {
		ipc_await_reply(snd, rcv);
	} else {
		snd->sf->rax = 0;
		sched_ready(snd);
	}
}

/* Send (or call) on ep with the message in cur->msg: straight to a
 * waiting receiver, switching to it; else block until one comes, or
 * -E_AGAIN if nonblock. */
static inline int64_t ipc_send_regs(struct endpoint *ep, int call, int nonblock)
{
	struct proc *cur = curproc, *rcv = waitq_pop(&ep->recvq);
	cur->ipc_is_call = call;
	cur->sf->rax = (uint64_t)-E_PEER;   /* what we see if the partner dies */
	if (!rcv) {
		if (nonblock)
			return -E_AGAIN;
		sched_block(W_SEND, &ep->sendq);
		return (int64_t)cur->sf->rax;
	}
	ipc_deliver_regs(cur, &cur->msg, rcv);
	if (call) {
		ipc_await_reply(cur, rcv);
	} else {
		cur->sf->rax = 0;
		sched_ready(cur);
	}
	ipc_handoff(rcv);
	return (int64_t)cur->sf->rax;
}

/* Wait on ep for a sender (into cur->msg's buffer): a queued one at
 * once, else block (-E_AGAIN instead if nonblock). answered: a caller
 * just given its reply, which runs next: the CPU goes straight to it
 * while we block, unless its slice went on this request (then it queues). */
static inline int64_t ipc_wait_regs(struct endpoint *ep, int nonblock, struct proc *answered)
{
	struct proc *cur = curproc, *snd = waitq_pop(&ep->sendq);
	if (snd || nonblock || (answered && answered->ticks_left <= 0)) {
		if (answered)
			sched_ready(answered);
		answered = 0;
	}
	if (snd) {
		take_sender(snd, cur);
		return 0;
	}
	if (nonblock)
		return -E_AGAIN;
	cur->sf->rax = (uint64_t)-E_PEER;
	if (!answered) {
		sched_block(W_RECV, &ep->recvq);
		return (int64_t)cur->sf->rax;
	}
	cur->state = P_BLOCKED;
	cur->wait = W_RECV;
	cur->waitobj = &ep->recvq;
	waitq_push(&ep->recvq, cur);
	ipc_handoff(answered);
	return (int64_t)cur->sf->rax;
}
#endif
