/*
 * qnx.c - IPC strategy "qnx": QNX Neutrino message passing (QNX
 * Neutrino System Architecture guide, "Interprocess Communication"):
 * a server's channel and a client's connection to it (here a connection
 * is the channel's id; ConnectAttach is implicit), MsgSend / MsgReceive /
 * MsgReply with multi-part messages (IOVs, at most QNX_IOV_MAX parts)
 * copied by the kernel straight from the sender's parts into the
 * receiver's: every byte, the header too, crosses by one copy, none in
 * registers. A client is SEND-blocked until the server receives, then
 * REPLY-blocked until it replies; the reply does not block the server,
 * which then calls MsgReceive again (two system calls per request on its
 * side). A send to a RECEIVE-blocked server switches to it at once; the
 * server runs at its client's priority while it serves (priority
 * inheritance) and returns to its own when it waits with nothing queued.
 * A message of one part needs no IOV array: a negative part count -n
 * names a single buffer of n bytes (as MsgSend() is MsgSendv() with
 * sparts < 0 in the QNX kernel), so a short message passes its buffer in
 * registers. SEND-blocked clients queue in priority order, oldest first
 * within a priority, and a client that must queue raises the channel's
 * server, busy with a lower-priority request, to its own priority until
 * the server waits again (QNX System Architecture, "Priority inheritance
 * and messages"; tests/guest/st_ipc_qnx.c shows it).
 * A pulse (MsgSendPulse) is QNX's asynchronous signal: a code and a
 * value, sent on a connection without blocking. It is queued on the
 * channel in a small kernel object (NPULSE of them, charged to the
 * sender's process tree like a message buffer) and MsgReceive returns it
 * as rcvid 0 with a struct qnx_pulse in the receive buffer; a server
 * RECEIVE-blocked on the channel gets it at once. Queued pulses are
 * taken before SEND-blocked clients (QNX orders both by priority; ours
 * all share one).
 */
#include "defs.h"
#include "ipc.h"
#include "quota.h"
#include "syscall.h"

const char ipc_name[] = "qnx";

void ipc_init(const char *cmdline) { ipc_no_options(cmdline); }

/* Read parts iov[0..n) from the caller into p->iov at slot (0: send,
 * QNX_IOV_MAX: receive), checking each range; n negative: one part, the
 * buffer uiov of -n bytes. Returns the total length. */
static int64_t read_parts(uint64_t uiov, uint64_t n, int slot, int write)
{
	struct proc *cur = curproc;
	struct qnx_iov v[QNX_IOV_MAX];
	uint64_t total = 0;
	if ((int64_t)n < 0) {
		if ((int64_t)n < -(int64_t)QNX_MSG_MAX)
			return -E_FAULT;
		v[0].base = uiov, v[0].len = -n, n = 1;
	} else if (n > QNX_IOV_MAX || (n && copyin(v, uiov, n * sizeof v[0]) < 0)) {
		return -E_FAULT;
	}
	for (uint64_t i = 0; i < n; i++) {
		if (!ipc_user_ok(cur, v[i].base, v[i].len, write))
			return -E_FAULT;
		cur->iov[2 * (slot + i)] = v[i].base, cur->iov[2 * (slot + i) + 1] = v[i].len;
		total += v[i].len;
	}
	if (slot)
		cur->iov_recv = (int)n;
	else
		cur->iov_send = (int)n;
	return (int64_t)total;
}

/* Copy src's parts at sslot (ns of them) into dst's at dslot (nd), cut
 * to what fits; one message copy between the two spaces. -> bytes. */
static uint64_t copy_parts(struct proc *dst, int dslot, int nd, struct proc *src, int sslot, int ns)
{
	uint64_t total = 0, soff = 0, doff = 0;
	int si = 0, di = 0;
	while (si < ns && di < nd) {
		uint64_t *s = &src->iov[2 * (sslot + si)], *d = &dst->iov[2 * (dslot + di)];
		uint64_t n = s[1] - soff < d[1] - doff ? s[1] - soff : d[1] - doff;
		if (n)
			vm_copy_between(dst->pml4, d[0] + doff, src->pml4, s[0] + soff, n);
		total += n, soff += n, doff += n;
		if (soff == s[1])
			si++, soff = 0;
		if (doff == d[1])
			di++, doff = 0;
	}
	kstat_copy(COPY_DIRECT, total);
	return total;
}

/* The server rcv (current or RECEIVE-blocked) takes the SEND-blocked
 * client snd: the message lands, rcv learns who (rcvid) and how long the
 * message was, inherits snd's priority, and snd is REPLY-blocked. */
static void take_client(struct proc *snd, struct proc *rcv, uint64_t srclen)
{
	copy_parts(rcv, QNX_IOV_MAX, rcv->iov_recv, snd, 0, snd->iov_send);
	rcv->sf->rax = (uint64_t)snd->pid;
	rcv->sf->rdx = srclen;
	rcv->prio = snd->prio;
	ipc_await_reply(snd, rcv);
}

/* The server last seen taking messages from ch, if it still lives. */
static struct proc *server_of(struct endpoint *ch)
{
	struct proc *s = ch->server;
	return s && s->pid == ch->server_pid && s->state != P_UNUSED && s->state != P_ZOMBIE ? s : 0;
}

/* A queued pulse (QNX allocates one per pulse sent; none may be lost). */
#define NPULSE 64
struct kpulse {
	int used;
	struct account *acct;   /* the sender's process tree, charged for it */
	struct qnx_pulse p;
	struct kpulse *next;
};
static struct kpulse pulses[NPULSE];

static void pulse_free(struct kpulse *k)
{
	quota_give(k->acct, Q_KMSGS);
	k->used = 0;
}

/* The pulse p lands in rcv's receive parts (it is receiving): its
 * MsgReceive returns rcvid 0, rdx the pulse's size. */
static void land_pulse(struct proc *rcv, const struct qnx_pulse *p)
{
	uint64_t off = 0;
	for (int i = 0; i < rcv->iov_recv && off < sizeof *p; i++) {
		uint64_t n = rcv->iov[2 * (QNX_IOV_MAX + i) + 1];
		n = n < sizeof *p - off ? n : sizeof *p - off;
		vm_copy_between(rcv->pml4, rcv->iov[2 * (QNX_IOV_MAX + i)], 0, (uint64_t)p + off, n);
		off += n;
	}
	kstat_copy(COPY_KBUF_OUT, off);
	rcv->sf->rax = 0;
	rcv->sf->rdx = sizeof *p;
}

static int64_t sys_qnx_pulse(struct sysframe *sf)
{
	struct proc *cur = curproc, *rcv;
	struct endpoint *ch = ep_get(ARG0(sf));
	if (!ch)
		return -E_BADH;
	if (!ep_may_call(ch))
		return -E_PERM;
	struct qnx_pulse p = { (int32_t)ARG1(sf), cur->pid, ARG2(sf) };
	if ((rcv = waitq_pop(&ch->recvq))) {   /* a server waits: it takes the pulse now */
		land_pulse(rcv, &p);
		sched_ready(rcv);
		return 0;
	}
	struct kpulse *k = 0;
	for (int i = 0; i < NPULSE && !k; i++)
		if (!pulses[i].used)
			k = &pulses[i];
	if (!k)
		return -E_AGAIN;   /* QNX: EAGAIN, no pulse object free */
	if (quota_take(cur->acct, Q_KMSGS) < 0)
		return -E_QUOTA;
	k->used = 1, k->acct = cur->acct, k->p = p, k->next = 0;
	kstat_copy(COPY_KBUF_IN, sizeof p);
	if (ch->kq_tail)
		((struct kpulse *)ch->kq_tail)->next = k;
	else
		ch->kq_head = k;
	ch->kq_tail = k;
	return 0;
}

static int64_t sys_qnx_send(struct sysframe *sf)
{
	struct proc *cur = curproc, *rcv;
	struct endpoint *ch = ep_get(ARG0(sf));
	if (!ch)
		return -E_BADH;
	if (!ep_may_call(ch))
		return -E_PERM;
	int64_t len = read_parts(ARG1(sf), ARG2(sf), 0, 0);
	if (len < 0 || read_parts(ARG3(sf), ARG4(sf), QNX_IOV_MAX, 1) < 0)
		return -E_FAULT;
	cur->msg.slen = (uint64_t)len;
	cur->ipc_is_call = 1;
	cur->sf->rax = (uint64_t)-E_PEER;
	if (!(rcv = waitq_pop(&ch->recvq))) {
		struct proc *srv = server_of(ch);
		if (srv && srv->prio < cur->prio)
			sched_set_prio(srv, cur->prio);   /* busy on our behalf from now */
		sched_block_prio(W_SEND, &ch->sendq);
		return (int64_t)cur->sf->rax;
	}
	take_client(cur, rcv, (uint64_t)len);
	ipc_handoff(rcv);
	return (int64_t)cur->sf->rax;
}

static int64_t sys_qnx_receive(struct sysframe *sf)
{
	struct proc *cur = curproc, *snd;
	struct endpoint *ch = ep_get(ARG0(sf));
	if (!ch)
		return -E_BADH;
	if (!ep_may_recv(ch, ARG0(sf)))
		return -E_PERM;
	if (read_parts(ARG1(sf), ARG2(sf), QNX_IOV_MAX, 1) < 0)
		return -E_FAULT;
	ch->server = cur, ch->server_pid = cur->pid;
	struct kpulse *k = ch->kq_head;
	if (k) {   /* a queued pulse first */
		if (!(ch->kq_head = k->next))
			ch->kq_tail = 0;
		land_pulse(cur, &k->p);
		pulse_free(k);
		return 0;
	}
	if ((snd = waitq_pop(&ch->sendq))) {
		take_client(snd, cur, snd->msg.slen);
		return (int64_t)cur->sf->rax;
	}
	cur->prio = cur->base_prio;
	cur->sf->rax = (uint64_t)-E_PEER;
	sched_block(W_RECV, &ch->recvq);
	return (int64_t)cur->sf->rax;
}

/* Reply to rcvid (a REPLY-blocked client of ours): its MsgSend returns
 * status, with rdx the reply bytes that landed; it becomes ready, and
 * the server runs on. */
static int64_t sys_qnx_reply(struct sysframe *sf)
{
	struct proc *cur = curproc, *c = proc_find((int)ARG0(sf));
	if (read_parts(ARG2(sf), ARG3(sf), 0, 0) < 0)
		return -E_FAULT;
	if (!ipc_awaits(c, cur))
		return -E_SRCH;
	c->sf->rdx = copy_parts(c, QNX_IOV_MAX, c->iov_recv, cur, 0, cur->iov_send);
	c->sf->rax = ARG1(sf);
	ipc_answered(c, cur);
	sched_ready(c);
	return 0;
}

const struct ipc_sysent ipc_syscalls[] = {
	{ SYS_QNX_SEND, sys_qnx_send },
	{ SYS_QNX_RECEIVE, sys_qnx_receive },
	{ SYS_QNX_REPLY, sys_qnx_reply },
	{ SYS_QNX_PULSE, sys_qnx_pulse },
	{ 0, 0 },
};

void ipc_proc_start(struct proc *p) { (void)p; }

void ipc_proc_exit(struct proc *p) { (void)p; }

/* The channel goes: its queued pulses with it. */
void ipc_ep_free(struct endpoint *ep)
{
	struct kpulse *k;
	while ((k = ep->kq_head)) {
		ep->kq_head = k->next;
		pulse_free(k);
	}
	ep->kq_tail = 0;
}
