/*
 * minix.c - IPC strategy "minix": MINIX 3 (Tanenbaum and Woodhull,
 * "Operating Systems: Design and Implementation", 3rd ed., 2006; Herder et
 * al., "MINIX 3: a highly reliable, self-repairing operating system",
 * 2006). Fixed-size 64-byte messages (struct mx_msg) copied by the kernel
 * from the sender's memory straight into the receiver's; rendezvous
 * send/receive/sendrec with no kernel buffering (a sender blocks until
 * the receiver receives); a server answers with a send to the caller,
 * which must be waiting in its sendrec (else -E_AGAIN: the answer never
 * blocks the server). Larger data moves by safecopy on a grant the client
 * made in its own grant table (sys_setgrant), so a file read is a message
 * each way plus one grant copy. safecopy is a kernel call, as in MINIX 3
 * (kernel/system.c: kernel_call()): the request travels in a message the
 * kernel copies in, and the result goes back in the message's m_type,
 * copied out again. The kernel does not
 * switch straight to the partner: the receiver is made ready and the
 * scheduler picks who runs (MINIX's pick_proc). notify (MINIX 3's
 * mini_notify) is the asynchronous signal: it never blocks; a receiver
 * waiting on the endpoint gets at once a message of type MX_NOTIFY_MSG
 * whose source is the notifier (receive returns MX_NOTIFIED), else a
 * pending bit per notifier is set on the endpoint (repeated notifies
 * collapse into one, as in MINIX) and the next receive delivers it
 * before any blocked sender.
 */
#include "defs.h"
#include "ipc.h"
#include "syscall.h"

const char ipc_name[] = "minix";

void ipc_init(const char *cmdline) { ipc_no_options(cmdline); }

#define MSG_SIZE sizeof(struct mx_msg)

/* Copy the message at src's sva into dst's message buffer and stamp
 * its source (the kernel's word, not the sender's). */
static void copy_msg(struct proc *dst, struct proc *src, uint64_t sva)
{
	int32_t source = src->pid;
	ipc_copy(COPY_DIRECT, dst, dst->msg.rbuf, src, sva, MSG_SIZE);
	vm_copy_between(dst->pml4, dst->msg.rbuf, 0, (uint64_t)&source, sizeof source);
	dst->sf->rax = 0;
}

/* The receiver rcv (current, or blocked) takes the blocked sender snd. */
static void take_sender(struct proc *snd, struct proc *rcv)
{
	copy_msg(rcv, snd, snd->msg.sbuf);
	if (snd->ipc_is_call) {
		ipc_await_reply(snd, rcv);
	} else {
		snd->sf->rax = 0;
		sched_ready(snd);
	}
}

/* Block the caller until a partner wakes it, letting the scheduler pick. */
static int64_t block(int why, struct waitq *q)
{
	curproc->sf->rax = (uint64_t)-E_PEER;
	sched_block(why, q);
	return (int64_t)curproc->sf->rax;
}

/* Send (or sendrec) the message at msg to endpoint ep. */
static int64_t send_ep(uint64_t id, uint64_t msg, int call)
{
	struct proc *cur = curproc, *rcv;
	struct endpoint *ep = ep_get(id);
	if (!ep)
		return -E_BADH;
	if (!ep_may_call(ep))
		return -E_PERM;
	if (!ipc_user_ok(cur, msg, MSG_SIZE, call))
		return -E_FAULT;
	cur->msg.sbuf = msg, cur->msg.rbuf = msg;   /* sendrec: the answer lands here */
	cur->ipc_is_call = call;
	if (!(rcv = waitq_pop(&ep->recvq)))
		return block(W_SEND, &ep->sendq);
	copy_msg(rcv, cur, msg);
	sched_ready(rcv);
	if (!call)
		return 0;
	ipc_await_reply(cur, rcv);
	cur->sf->rax = (uint64_t)-E_PEER;
	sched_switch_to(sched_pick());
	return (int64_t)cur->sf->rax;
}

/* An answer to process pid, which must be waiting in sendrec for us. */
static int64_t send_proc(uint32_t pid, uint64_t msg)
{
	struct proc *cur = curproc, *dst = proc_find((int)pid);
	if (!ipc_user_ok(cur, msg, MSG_SIZE, 0))
		return -E_FAULT;
	if (!ipc_awaits(dst, cur))
		return -E_AGAIN;
	copy_msg(dst, cur, msg);
	ipc_answered(dst, cur);
	sched_ready(dst);
	return 0;
}

static int64_t sys_mx_send(struct sysframe *sf)
{
	uint64_t dest = ARG0(sf);
	if (dest & MX_PROC)
		return send_proc((uint32_t)(dest & ~(uint64_t)MX_PROC), ARG1(sf));
	return send_ep(dest, ARG1(sf), 0);
}

static int64_t sys_mx_sendrec(struct sysframe *sf)
{
	return send_ep(ARG0(sf), ARG1(sf), 1);
}

_Static_assert(NPROC <= 64, "an endpoint's pending notifies are one bit per process slot");

/* A notification from src lands in rcv's message buffer. */
static void land_notify(struct proc *rcv, int src)
{
	struct mx_msg m = { .m_source = src, .m_type = MX_NOTIFY_MSG };
	ipc_copy(COPY_KBUF_OUT, rcv, rcv->msg.rbuf, 0, (uint64_t)&m, MSG_SIZE);
	rcv->sf->rax = MX_NOTIFIED;
}

static int64_t sys_mx_notify(struct sysframe *sf)
{
	struct proc *cur = curproc, *rcv;
	struct endpoint *ep = ep_get(ARG0(sf));
	if (!ep)
		return -E_BADH;
	if (!ep_may_call(ep))
		return -E_PERM;
	if ((rcv = waitq_pop(&ep->recvq))) {
		land_notify(rcv, cur->pid);
		sched_ready(rcv);
	} else {
		ep->notified |= 1ULL << (cur - ptable);
	}
	return 0;
}

static int64_t sys_mx_receive(struct sysframe *sf)
{
	struct proc *cur = curproc, *snd;
	struct endpoint *ep = ep_get(ARG0(sf));
	if (!ep)
		return -E_BADH;
	if (!ep_may_recv(ep, ARG0(sf)))
		return -E_PERM;
	if (!ipc_user_ok(cur, ARG1(sf), MSG_SIZE, 1))
		return -E_FAULT;
	cur->msg.rbuf = ARG1(sf);
	if (ep->notified) {   /* pending notifications first, lowest slot first */
		int slot = __builtin_ctzll(ep->notified);
		ep->notified &= ep->notified - 1;
		land_notify(cur, ptable[slot].pid);
		return MX_NOTIFIED;
	}
	if ((snd = waitq_pop(&ep->sendq))) {
		take_sender(snd, cur);
		return 0;
	}
	return block(W_RECV, &ep->recvq);
}

static int64_t sys_mx_setgrant(struct sysframe *sf)
{
	if (ARG1(sf) > 1024 || !ipc_user_ok(curproc, ARG0(sf), ARG1(sf) * sizeof(struct mx_grant), 0))
		return -E_FAULT;
	curproc->grant_table = ARG0(sf);
	curproc->grant_count = (uint32_t)ARG1(sf);
	return 0;
}

/* May the caller use grant g of granter? It names the caller, or an
 * endpoint the caller may receive on, as the granter names endpoints (a
 * client of servers=percpu means its CPU's replica by EP_FS: ipc.h). */
static int grantee_ok(const struct mx_grant *g, const struct proc *granter)
{
	if (!(g->grantee & MX_GRANTEE_EP))
		return g->grantee == (uint32_t)curproc->pid;
	uint64_t id = ep_id_of(granter, g->grantee & ~MX_GRANTEE_EP);
	struct endpoint *ep = id < NEP && endpoints[id].used ? &endpoints[id] : 0;
	return ep && ep_may_recv(ep, id);
}

/* safecopy: len bytes between our addr and offset off of grant id of
 * process pid, into the granter if to_granter. */
static int64_t safecopy(const struct mx_safecopy *c, int to_granter)
{
	struct proc *cur = curproc, *granter = proc_find((int)c->granter);
	uint64_t id = c->grant, off = c->offset, addr = c->addr, len = c->len;
	struct mx_grant g;
	if (!granter || id >= granter->grant_count)
		return -E_PERM;
	if (vm_copy_between(0, (uint64_t)&g, granter->pml4, granter->grant_table + id * sizeof g,
			    sizeof g) < 0)
		return -E_FAULT;
	uint32_t need = MX_GRANT_VALID | (to_granter ? MX_GRANT_WRITE : MX_GRANT_READ);
	if ((g.flags & need) != need || !grantee_ok(&g, granter) || off > g.len || len > g.len - off)
		return -E_PERM;
	if (!ipc_user_ok(cur, addr, len, !to_granter) ||
	    !ipc_user_ok(granter, g.addr + off, len, to_granter))
		return -E_FAULT;
	if (to_granter)
		return ipc_copy(COPY_GRANT, granter, g.addr + off, cur, addr, len);
	return ipc_copy(COPY_GRANT, cur, addr, granter, g.addr + off, len);
}

/* A kernel call: the message in, the call, its result into m_type and
 * the message out (MINIX 3 copies the whole message both ways). */
static int64_t sys_mx_kernel_call(struct sysframe *sf)
{
	struct mx_msg m;
	if (!ipc_user_ok(curproc, ARG1(sf), MSG_SIZE, 1) || copyin(&m, ARG1(sf), MSG_SIZE) < 0)
		return -E_FAULT;
	kstat_copy(COPY_KBUF_IN, MSG_SIZE);
	const struct mx_safecopy *c = (const struct mx_safecopy *)m.m_payload;
	int64_t r = ARG0(sf) == MX_SYS_SAFECOPYFROM ? safecopy(c, 0) :
		    ARG0(sf) == MX_SYS_SAFECOPYTO ? safecopy(c, 1) : -E_NOSYS;
	m.m_type = (int32_t)r;
	kstat_copy(COPY_KBUF_OUT, MSG_SIZE);
	copyout(ARG1(sf), &m, MSG_SIZE);
	return r;
}

const struct ipc_sysent ipc_syscalls[] = {
	{ SYS_MX_SEND, sys_mx_send },
	{ SYS_MX_RECEIVE, sys_mx_receive },
	{ SYS_MX_SENDREC, sys_mx_sendrec },
	{ SYS_MX_SETGRANT, sys_mx_setgrant },
	{ SYS_MX_KERNEL_CALL, sys_mx_kernel_call },
	{ SYS_MX_NOTIFY, sys_mx_notify },
	{ 0, 0 },
};

void ipc_proc_start(struct proc *p) { (void)p; }

/* p dies: its grants go, and so do its notifies not yet received (its
 * slot will name another process). */
void ipc_proc_exit(struct proc *p)
{
	p->grant_table = 0, p->grant_count = 0;
	for (int i = 1; i < NEP; i++)
		endpoints[i].notified &= ~(1ULL << (p - ptable));
}
void ipc_ep_free(struct endpoint *ep) { (void)ep; }
