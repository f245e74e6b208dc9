/*
 * ipc.c - synchronous endpoint IPC for the micro kernel (L4/seL4 style):
 * send, recv, call, reply_recv. Up to 24 bytes travel in registers
 * (rdx, r10, r8); a message whose struct ipc_desc names a send buffer
 * is copied by the kernel from the sender's buffer into the receiver's. A
 * call hands the CPU straight to a waiting receiver and a reply straight
 * back to the caller (sched_switch_to), without sched_pick(). This is
 * the general path; ipc_fast.c handles the common short case first.
 */
#include "defs.h"
#include "ipc.h"
#include "syscall.h"

struct endpoint endpoints[NEP];

struct endpoint *ep_get(uint64_t id)
{
	return id < NEP && endpoints[id].used ? &endpoints[id] : 0;
}

/* Claim endpoint id (or the first free one from EP_FIRST_FREE if id < 0)
 * for owner. */
int ep_alloc_at(int id, struct proc *owner)
{
	for (int i = id < 0 ? EP_FIRST_FREE : id; i < NEP; i++) {
		if (!endpoints[i].used) {
			memset(&endpoints[i], 0, sizeof endpoints[i]);
			endpoints[i].used = 1;
			endpoints[i].owner = owner;
			return i;
		}
		if (id >= 0)
			break;
	}
	return -E_NOMEM;
}

int64_t sys_ep_create(struct sysframe *sf)
{
	(void)sf;
	return ep_alloc_at(-1, curproc);
}

/* Does the caller own endpoint id? A restarted server claims its
 * well-known endpoint the first time it uses it. */
static int ep_owned(struct endpoint *ep, uint64_t id)
{
	struct proc *cur = curproc;
	if (!ep->owner && cur->server_ep == (int)id)
		ep->owner = cur;
	return ep->owner == cur;
}

/* May the caller receive on ep (id)? Its owner, or a child of its owner
 * (a channel made by a parent for the child that serves it); a server's
 * well-known endpoint, only its server. */
static int ep_may_recv(struct endpoint *ep, uint64_t id)
{
	if (ep_owned(ep, id))
		return 1;
	return ep->owner && id >= EP_FIRST_FREE && curproc->parent == ep->owner;
}

/* May the caller send or call on ep? */
static int ep_may_call(const struct endpoint *ep)
{
	return !ep->call_ep || ep_owned(&endpoints[ep->call_ep], (uint64_t)ep->call_ep);
}

/* Read the message a syscall names: tag and inline words from registers,
 * buffers from the optional descriptor. Checks every buffer now, so the
 * later copy between address spaces cannot fail. */
static int msg_from_frame(struct sysframe *sf, struct ipc_msg *m, int sending)
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
	if (sending && m->sbuf && (d.slen < len || !vm_check(curproc->pml4, m->sbuf, len, 0)))
		return -E_FAULT;
	if (m->rcap && !vm_check(curproc->pml4, m->rbuf, m->rcap, 1))
		return -E_FAULT;
	return 0;
}

/* Copy message m from src into the blocked dst's registers and buffer.
 * A long message larger than dst's buffer is truncated to it. */
void ipc_deliver(struct proc *src, const struct ipc_msg *m, struct proc *dst)
{
	struct sysframe *df = dst->sf;
	uint32_t len = IPC_LEN(m->tag), inbuf = 0;
	if (m->sbuf) {
		if (len > dst->msg.rcap)
			len = (uint32_t)dst->msg.rcap;
		if (len)
			vm_copy_between(dst->pml4, dst->msg.rbuf, src->pml4, m->sbuf, len);
		inbuf = IPC_INBUF;
	}
	df->rdx = m->mr[0], df->r10 = m->mr[1], df->r8 = m->mr[2];
	df->rsi = IPC_TAG(IPC_LABEL(m->tag), len) | inbuf;
	df->rdi = (uint64_t)src->pid;   /* badge: who sent it */
	df->rax = 0;
}

/* Receiver rcv takes blocked sender snd: deliver, then the sender waits
 * for the reply (call) or runs on (send). */
void ipc_take_sender(struct proc *snd, struct proc *rcv)
{
	ipc_deliver(snd, &snd->msg, rcv);
	if (snd->ipc_is_call) {
		snd->wait = W_REPLY;
		snd->waitobj = 0;
		snd->callee = rcv;
		rcv->reply_to = snd;
	} else {
		snd->sf->rax = 0;
		sched_ready(snd);
	}
}

/* Send or call on ep with the message in cur->msg. */
static int64_t ipc_send_common(struct endpoint *ep, int is_call)
{
	struct proc *cur = curproc, *rcv = waitq_pop(&ep->recvq);
	cur->ipc_is_call = is_call;
	cur->sf->rax = (uint64_t)-E_PEER;   /* what we see if the partner dies */
	if (!rcv) {
		sched_block(W_SEND, &ep->sendq);
		return (int64_t)cur->sf->rax;
	}
	ipc_deliver(cur, &cur->msg, rcv);
	if (is_call) {
		rcv->reply_to = cur;
		cur->callee = rcv;
		cur->state = P_BLOCKED;
		cur->wait = W_REPLY;
		cur->waitobj = 0;
	} else {
		cur->sf->rax = 0;
		sched_ready(cur);
	}
	sched_switch_to(rcv);   /* direct switch to the partner */
	return (int64_t)cur->sf->rax;
}

/* Receive on ep into cur->msg's buffer: a waiting sender or block. */
static int64_t ipc_recv_common(struct endpoint *ep)
{
	struct proc *cur = curproc, *snd = waitq_pop(&ep->sendq);
	if (snd) {
		ipc_take_sender(snd, cur);
		return 0;
	}
	cur->sf->rax = (uint64_t)-E_PEER;
	sched_block(W_RECV, &ep->recvq);
	return (int64_t)cur->sf->rax;
}

int64_t sys_ipc_send(struct sysframe *sf)
{
	struct endpoint *ep = ep_get(ARG0(sf));
	if (!ep)
		return -E_BADH;
	if (!ep_may_call(ep))
		return -E_PERM;
	int r = msg_from_frame(sf, &curproc->msg, 1);
	return r < 0 ? r : ipc_send_common(ep, 0);
}

int64_t sys_ipc_call_slow(struct sysframe *sf)
{
	struct endpoint *ep = ep_get(ARG0(sf));
	if (!ep)
		return -E_BADH;
	if (!ep_may_call(ep))
		return -E_PERM;
	int r = msg_from_frame(sf, &curproc->msg, 1);
	return r < 0 ? r : ipc_send_common(ep, 1);
}

int64_t sys_ipc_recv(struct sysframe *sf)
{
	struct endpoint *ep = ep_get(ARG0(sf));
	if (!ep)
		return -E_BADH;
	if (!ep_may_recv(ep, ARG0(sf)))
		return -E_PERM;
	int r = msg_from_frame(sf, &curproc->msg, 0);
	return r < 0 ? r : ipc_recv_common(ep);
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
	int r = msg_from_frame(sf, &reply, 1);
	if (r < 0)
		return r;
	cur->msg.rbuf = reply.rbuf, cur->msg.rcap = reply.rcap;
	cur->reply_to = 0;
	if (!caller || caller->state != P_BLOCKED || caller->wait != W_REPLY || caller->callee != cur)
		return ipc_recv_common(ep);   /* nobody to reply to (caller died) */
	ipc_deliver(cur, &reply, caller);
	caller->callee = 0;
	struct proc *snd = waitq_pop(&ep->sendq);
	if (snd) {
		ipc_take_sender(snd, cur);
		sched_ready(caller);
		return 0;
	}
	if (caller->ticks_left <= 0) {   /* its slice went on this request */
		sched_ready(caller);
		return ipc_recv_common(ep);
	}
	cur->sf->rax = (uint64_t)-E_PEER;
	cur->state = P_BLOCKED;
	cur->wait = W_RECV;
	cur->waitobj = &ep->recvq;
	waitq_push(&ep->recvq, cur);
	sched_switch_to(caller);
	return (int64_t)cur->sf->rax;
}

/* Wake every process blocked on q with -E_PEER (their frames hold it). */
static void fail_all(struct waitq *q)
{
	struct proc *w;
	while ((w = waitq_pop(q))) {
		w->sf->rax = (uint64_t)-E_PEER;
		sched_ready(w);
	}
}

/* Undo p's IPC links when it dies: every caller waiting for its reply
 * gets -E_PEER (not only the last one it received), a server holding p
 * as caller forgets it, its endpoints and notifications are freed (their
 * waiting senders get -E_PEER), except a restarting server's well-known
 * endpoint, which keeps its queue for the next server. */
void mode_proc_exit(struct proc *p)
{
	for (int i = 1; i < NPROC; i++) {
		struct proc *c = &ptable[i];
		if (c->state == P_BLOCKED && c->wait == W_REPLY && c->callee == p) {
			c->callee = 0;
			c->sf->rax = (uint64_t)-E_PEER;
			sched_ready(c);
		}
		if (c->reply_to == p)
			c->reply_to = 0;
	}
	p->reply_to = 0;
	for (int i = 1; i < NEP; i++) {
		struct endpoint *ep = &endpoints[i];
		if (!ep->used || ep->owner != p)
			continue;
		ep->owner = 0;
		if (p->restart && p->server_ep == i)
			continue;
		fail_all(&ep->sendq);
		fail_all(&ep->recvq);
		ep->used = 0;
	}
	ntfn_proc_exit(p);
}
