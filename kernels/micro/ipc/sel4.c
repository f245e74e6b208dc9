/*
 * sel4.c - IPC strategy "sel4" (the default): synchronous endpoints,
 * seL4 style (seL4 Reference Manual, ch. 4 "Message Passing"): send,
 * recv, call, reply_recv. Up to 24 bytes travel in registers (rdx, r10,
 * r8); a message whose struct ipc_desc names a send buffer is copied once
 * by the kernel from the sender's buffer into the receiver's. A call
 * hands the CPU straight to a waiting receiver and a reply straight back
 * to the caller, without the scheduler. This is the general path;
 * sel4_fast.c handles the common short case first; regs.c reads and
 * delivers the register-and-string message it shares with l4.
 */
#include "defs.h"
#include "ipc.h"
#include "syscall.h"

const char ipc_name[] = "sel4";

/* Receiver rcv takes blocked sender snd: deliver, then the sender waits
 * for the reply (call) or runs on (send). */
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

/* Send or call on ep with the message in cur->msg. */
static int64_t send_common(struct endpoint *ep, int is_call)
{
	struct proc *cur = curproc, *rcv = waitq_pop(&ep->recvq);
	cur->ipc_is_call = is_call;
	cur->sf->rax = (uint64_t)-E_PEER;   /* what we see if the partner dies */
	if (!rcv) {
		sched_block(W_SEND, &ep->sendq);
		return (int64_t)cur->sf->rax;
	}
	ipc_deliver_regs(cur, &cur->msg, rcv);
	if (is_call) {
		ipc_await_reply(cur, rcv);
	} else {
		cur->sf->rax = 0;
		sched_ready(cur);
	}
	ipc_handoff(rcv);
	return (int64_t)cur->sf->rax;
}

/* Receive on ep into cur->msg's buffer: a waiting sender or block. */
static int64_t recv_common(struct endpoint *ep)
{
	struct proc *cur = curproc, *snd = waitq_pop(&ep->sendq);
	if (snd) {
		take_sender(snd, cur);
		return 0;
	}
	cur->sf->rax = (uint64_t)-E_PEER;
	sched_block(W_RECV, &ep->recvq);
	return (int64_t)cur->sf->rax;
}

static int64_t send_or_call(struct sysframe *sf, int is_call)
{
	struct endpoint *ep = ep_get(ARG0(sf));
	if (!ep)
		return -E_BADH;
	if (!ep_may_call(ep))
		return -E_PERM;
	int r = ipc_msg_read(sf, &curproc->msg, 1);
	return r < 0 ? r : send_common(ep, is_call);
}

static int64_t sys_ipc_send(struct sysframe *sf) { return send_or_call(sf, 0); }
int64_t sys_ipc_call_slow(struct sysframe *sf) { return send_or_call(sf, 1); }

static int64_t sys_ipc_recv(struct sysframe *sf)
{
	struct endpoint *ep = ep_get(ARG0(sf));
	if (!ep)
		return -E_BADH;
	if (!ep_may_recv(ep, ARG0(sf)))
		return -E_PERM;
	int r = ipc_msg_read(sf, &curproc->msg, 0);
	return r < 0 ? r : recv_common(ep);
}

/* Reply to the caller this server holds, then wait on ep. With no queued
 * sender the server blocks and the CPU goes straight to the caller. */
int64_t sys_ipc_reply_recv_slow(struct sysframe *sf)
{
	struct proc *cur = curproc, *caller = cur->reply_to;
	struct endpoint *ep = ep_get(ARG0(sf));
	if (!ep)
		return -E_BADH;
	if (!ep_may_recv(ep, ARG0(sf)))
		return -E_PERM;
	struct ipc_msg reply;
	int r = ipc_msg_read(sf, &reply, 1);
	if (r < 0)
		return r;
	cur->msg.rbuf = reply.rbuf, cur->msg.rcap = reply.rcap;
	cur->reply_to = 0;
	if (!caller || caller->state != P_BLOCKED || caller->wait != W_REPLY || caller->callee != cur)
		return recv_common(ep);   /* nobody to reply to (caller died) */
	ipc_deliver_regs(cur, &reply, caller);
	caller->callee = 0;
	struct proc *snd = waitq_pop(&ep->sendq);
	if (snd) {
		take_sender(snd, cur);
		sched_ready(caller);
		return 0;
	}
	if (caller->ticks_left <= 0) {   /* its slice went on this request */
		sched_ready(caller);
		return recv_common(ep);
	}
	cur->sf->rax = (uint64_t)-E_PEER;
	cur->state = P_BLOCKED;
	cur->wait = W_RECV;
	cur->waitobj = &ep->recvq;
	waitq_push(&ep->recvq, cur);
	ipc_handoff(caller);
	return (int64_t)cur->sf->rax;
}

int64_t sys_ep_create(struct sysframe *sf);
int64_t sys_ipc_call_fast(struct sysframe *sf);
int64_t sys_ipc_reply_recv_fast(struct sysframe *sf);

const struct ipc_sysent ipc_syscalls[] = {
	{ SYS_EP_CREATE, sys_ep_create },
	{ SYS_IPC_SEND, sys_ipc_send },
	{ SYS_IPC_RECV, sys_ipc_recv },
	{ SYS_IPC_CALL, sys_ipc_call_fast },
	{ SYS_IPC_REPLY_RECV, sys_ipc_reply_recv_fast },
	{ 0, 0 },
};

void ipc_proc_exit(struct proc *p) { (void)p; }
void ipc_ep_free(struct endpoint *ep) { (void)ep; }
