/*
 * l4.c - IPC strategy "l4": classic L4 (Liedtke, "Improving IPC by
 * Kernel Design", SOSP 1993; "On micro-kernel construction", SOSP 1995).
 * One ipc system call with a send phase and a receive phase, either of
 * which may be absent: call = send to a thread and wait for its answer
 * (closed wait); reply-and-wait = send to the client, then wait for anyone
 * (open wait). Messages are addressed to threads: a server's thread id is
 * its well-known endpoint (bound to the thread that waits on it), a
 * client's is L4_TID | pid. Three words in registers, a string item
 * copied once between the address spaces (regs.c). Timeouts are zero
 * or infinite: a zero send timeout fails with -E_AGAIN when the partner
 * is not waiting, which is how an L4 server answers (it never blocks on
 * a client); finite timeouts are not modelled. Direct switch to the
 * partner, no scheduler, as the paper's "direct process switch".
 */
#include "defs.h"
#include "ipc.h"
#include "syscall.h"

const char ipc_name[] = "l4";

#define DEST(a) ((uint32_t)(a))
#define RCV(a) ((uint32_t)((a) >> 32) & 0xFFFF)
#define FLAGS(a) ((uint32_t)((a) >> 56))

/* A receiver takes the blocked sender snd; a sender with a receive phase
 * from its destination (a call) now waits for the answer. */
static void take_sender(struct proc *snd, struct proc *rcv)
{
	ipc_deliver_regs(snd, &snd->msg, rcv);
	if (snd->ipc_is_call) {
		ipc_await_reply(snd, rcv);
	} else {
		snd->sf->rax = 0;
		sched_ready(snd);
	}
}

/* Open wait on ep: a queued sender, else block (or -E_AGAIN with a zero
 * receive timeout). handoff: switch to it while blocking (the client
 * just answered). */
static int64_t open_wait(struct endpoint *ep, uint32_t flags, struct proc *handoff)
{
	struct proc *cur = curproc, *snd = waitq_pop(&ep->sendq);
	if (snd) {
		take_sender(snd, cur);
		if (handoff)
			sched_ready(handoff);
		return 0;
	}
	if (flags & L4_RCV_NB) {
		if (handoff)
			sched_ready(handoff);
		return -E_AGAIN;
	}
	cur->sf->rax = (uint64_t)-E_PEER;
	if (!handoff || handoff->ticks_left <= 0) {
		if (handoff)
			sched_ready(handoff);
		sched_block(W_RECV, &ep->recvq);
		return (int64_t)cur->sf->rax;
	}
	cur->state = P_BLOCKED;
	cur->wait = W_RECV;
	cur->waitobj = &ep->recvq;
	waitq_push(&ep->recvq, cur);
	ipc_handoff(handoff);
	return (int64_t)cur->sf->rax;
}

/* Send to thread id ep (its waiting receiver); with a closed receive
 * phase, wait for the answer from it. */
static int64_t send_to_ep(struct endpoint *ep, int call, uint32_t flags)
{
	struct proc *cur = curproc, *rcv = waitq_pop(&ep->recvq);
	cur->ipc_is_call = call;
	cur->sf->rax = (uint64_t)-E_PEER;
	if (!rcv) {
		if (flags & L4_SND_NB)
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

/* Send to the thread pid, which must be in a closed wait for us (our
 * client awaiting its answer); then the receive phase, if any. */
static int64_t send_to_thread(struct sysframe *sf, uint32_t pid, uint32_t rcv, uint32_t flags)
{
	struct proc *cur = curproc, *dst = proc_find((int)pid);
	struct endpoint *ep = rcv ? ep_get(rcv) : 0;
	if (rcv && (!ep || rcv == L4_FROM_DEST))
		return -E_BADH;
	if (ep && !ep_may_recv(ep, rcv))
		return -E_PERM;
	struct ipc_msg m;
	int r = ipc_msg_read(sf, &m, 1);
	if (r < 0)
		return r;
	cur->msg.rbuf = m.rbuf, cur->msg.rcap = m.rcap;
	int waiting = dst && dst->state == P_BLOCKED && dst->wait == W_REPLY && dst->callee == cur;
	if (waiting) {
		ipc_deliver_regs(cur, &m, dst);
		dst->callee = 0;
		if (cur->reply_to == dst)
			cur->reply_to = 0;
	}
	if (!ep) {
		if (waiting)
			sched_ready(dst);
		return waiting ? 0 : (flags & L4_SND_NB) ? -E_AGAIN : -E_SRCH;
	}
	return open_wait(ep, flags, waiting ? dst : 0);
}

static int64_t sys_l4_ipc(struct sysframe *sf)
{
	uint32_t dest = DEST(ARG0(sf)), rcv = RCV(ARG0(sf)), flags = FLAGS(ARG0(sf));
	if (dest & L4_TID)
		return send_to_thread(sf, dest & ~L4_TID, rcv, flags);
	if (dest) {   /* send to a server's thread id; a call if rcv names it */
		struct endpoint *ep = ep_get(dest);
		if (!ep)
			return -E_BADH;
		if (rcv && rcv != L4_FROM_DEST)
			return -E_INVAL;
		if (!ep_may_call(ep))
			return -E_PERM;
		int r = ipc_msg_read(sf, &curproc->msg, 1);
		return r < 0 ? r : send_to_ep(ep, rcv == L4_FROM_DEST, flags);
	}
	struct endpoint *ep = ep_get(rcv);   /* receive only: open wait */
	if (!ep)
		return -E_BADH;
	if (!ep_may_recv(ep, rcv))
		return -E_PERM;
	int r = ipc_msg_read(sf, &curproc->msg, 0);
	return r < 0 ? r : open_wait(ep, flags, 0);
}

const struct ipc_sysent ipc_syscalls[] = {
	{ SYS_L4_IPC, sys_l4_ipc },
	{ 0, 0 },
};

void ipc_proc_exit(struct proc *p) { (void)p; }
void ipc_ep_free(struct endpoint *ep) { (void)ep; }
