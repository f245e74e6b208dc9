/*
 * rc4000.c - IPC strategy "rc4000": the RC 4000 nucleus (Brinch Hansen,
 * "The nucleus of a multiprogramming system", CACM 13(4), 1970). Four
 * primitives: send message, wait answer, wait message, send answer. A
 * message is 8 words held in a buffer taken from a fixed kernel pool
 * (NBUF, and at most CLAIM per sending process, the paper's buffer
 * claim) and returned when the sender takes the answer; send message is
 * asynchronous (the sender runs on and may have several messages out);
 * the words are copied into the buffer and out of it (two copies each
 * way), and nobody switches straight to anyone: the receiver is made
 * ready and the scheduler picks. An empty pool or a used-up claim is an
 * error the sender sees (-E_NOMEM, -E_AGAIN), never a hang. A receiver
 * that dies holding a message leaves a dummy answer (-E_PEER), as the
 * nucleus did for a removed process.
 *
 * Our extension: data beyond the 8 words. The nucleus moved only the
 * words between internal processes (bulk data went to external
 * processes, the devices, through storage areas named in the message).
 * Here a sender may name two storage areas of its own with a message,
 * and its receiver copies from the first or into the second (SYS_RC_COPY,
 * one kernel copy) while it holds the buffer.
 */
#include "defs.h"
#include "ipc.h"
#include "quota.h"
#include "syscall.h"

const char ipc_name[] = "rc4000";

void ipc_init(const char *cmdline) { ipc_no_options(cmdline); }

#define NBUF 32
#define CLAIM 4

enum { B_FREE, B_QUEUED, B_RECEIVED, B_ANSWERED };

struct rcbuf {
	int state;
	struct proc *sender, *receiver;
	struct account *acct;       /* its sender's process tree, charged for it (quota.h) */
	uint64_t words[RC_WORDS];   /* the message, then the answer */
	int64_t result;
	struct rc_area area;
	struct rcbuf *next;         /* on its endpoint's queue */
};

static struct rcbuf pool[NBUF];

#define WORDS_SIZE (RC_WORDS * sizeof(uint64_t))

static struct rcbuf *buf_get(uint64_t id)
{
	return id >= 1 && id <= NBUF && pool[id - 1].state != B_FREE ? &pool[id - 1] : 0;
}

static uint64_t buf_id(const struct rcbuf *b) { return (uint64_t)(b - pool) + 1; }

static void buf_free(struct rcbuf *b)
{
	quota_give(b->acct, Q_KMSGS);
	b->acct = 0;
	b->state = B_FREE;
	b->sender = b->receiver = 0;
	kstat.kbufs--;
}

/* Is s waiting in wait answer for b? */
static int awaits(const struct proc *s, const struct rcbuf *b)
{
	return s && s->state == P_BLOCKED && s->wait == W_REPLY && s->msg.tag == buf_id(b);
}

/* The receiver rcv (current or blocked in wait message) takes b. */
static void take(struct rcbuf *b, struct proc *rcv)
{
	b->state = B_RECEIVED;
	b->receiver = rcv;
	ipc_copy(COPY_KBUF_OUT, rcv, rcv->msg.rbuf, 0, (uint64_t)b->words, WORDS_SIZE);
	rcv->sf->rax = buf_id(b);
	rcv->sf->rdi = (uint64_t)b->sender->pid;
	if (awaits(b->sender, b))
		b->sender->callee = rcv;
}

static int64_t sys_send_message(struct sysframe *sf)
{
	struct proc *cur = curproc;
	struct endpoint *ep = ep_get(ARG0(sf));
	struct rc_area a = { 0, 0, 0, 0 };
	if (!ep)
		return -E_BADH;
	if (!ep_may_call(ep))
		return -E_PERM;
	if (!ipc_user_ok(cur, ARG1(sf), WORDS_SIZE, 0) || (ARG2(sf) && copyin(&a, ARG2(sf), sizeof a) < 0) ||
	    !ipc_user_ok(cur, a.in, a.in_len, 0) || !ipc_user_ok(cur, a.out, a.out_len, 1))
		return -E_FAULT;
	struct rcbuf *b = 0;
	int held = 0;
	for (int i = 0; i < NBUF; i++) {
		held += pool[i].state != B_FREE && pool[i].sender == cur;
		if (!b && pool[i].state == B_FREE)
			b = &pool[i];
	}
	if (held >= CLAIM)
		return -E_AGAIN;   /* its claim is used up: take an answer first */
	if (!b)
		return -E_NOMEM;   /* the pool is empty */
	if (quota_take(cur->acct, Q_KMSGS) < 0)
		return -E_QUOTA;   /* its process tree holds its share of the pool */
	*b = (struct rcbuf){ B_QUEUED, cur, 0, cur->acct, { 0 }, 0, a, 0 };
	kstat.kbufs++;
	ipc_copy(COPY_KBUF_IN, 0, (uint64_t)b->words, cur, ARG1(sf), WORDS_SIZE);
	struct proc *rcv = waitq_pop(&ep->recvq);
	if (rcv) {
		take(b, rcv);
		sched_ready(rcv);
		return (int64_t)buf_id(b);
	}
	if (ep->kq_tail)
		((struct rcbuf *)ep->kq_tail)->next = b;
	else
		ep->kq_head = b;
	ep->kq_tail = b;
	ep->kq_len++;
	return (int64_t)buf_id(b);
}

/* The answer of b lands in the sender's words; the buffer goes back. */
static int64_t deliver_answer(struct rcbuf *b, struct proc *s, uint64_t uwords)
{
	int64_t result = b->result;
	ipc_copy(COPY_KBUF_OUT, s, uwords, 0, (uint64_t)b->words, WORDS_SIZE);
	buf_free(b);
	return result;
}

/* ... straight to its sender s, blocked in wait answer: s runs on. */
static void answer_waiter(struct rcbuf *b, struct proc *s)
{
	s->sf->rax = (uint64_t)deliver_answer(b, s, s->msg.rbuf);
	s->msg.tag = 0;   /* wait answer: it came */
	s->callee = 0;
	sched_ready(s);
}

static int64_t sys_wait_answer(struct sysframe *sf)
{
	struct proc *cur = curproc;
	struct rcbuf *b = buf_get(ARG0(sf));
	if (!b || b->sender != cur)
		return -E_BADH;
	if (!ipc_user_ok(cur, ARG1(sf), WORDS_SIZE, 1))
		return -E_FAULT;
	if (b->state != B_ANSWERED) {
		cur->msg.tag = ARG0(sf);
		cur->msg.rbuf = ARG1(sf);
		cur->callee = b->state == B_RECEIVED ? b->receiver : 0;
		cur->sf->rax = (uint64_t)-E_PEER;
		sched_block(W_REPLY, 0);
		if (!cur->msg.tag)   /* answered while we slept: it is in our words */
			return (int64_t)cur->sf->rax;
		cur->msg.tag = 0;
		if (b->state != B_ANSWERED) {   /* its receiver died */
			buf_free(b);
			return -E_PEER;
		}
	}
	return deliver_answer(b, cur, ARG1(sf));
}

static int64_t sys_wait_message(struct sysframe *sf)
{
	struct proc *cur = curproc;
	struct endpoint *ep = ep_get(ARG0(sf));
	if (!ep)
		return -E_BADH;
	if (!ep_may_recv(ep, ARG0(sf)))
		return -E_PERM;
	if (!ipc_user_ok(cur, ARG1(sf), WORDS_SIZE, 1))
		return -E_FAULT;
	cur->msg.rbuf = ARG1(sf);
	struct rcbuf *b = ep->kq_head;
	if (b) {
		ep->kq_head = b->next;
		if (!ep->kq_head)
			ep->kq_tail = 0;
		ep->kq_len--;
		take(b, cur);
		return (int64_t)cur->sf->rax;
	}
	cur->sf->rax = (uint64_t)-E_PEER;
	sched_block(W_RECV, &ep->recvq);
	return (int64_t)cur->sf->rax;
}

static int64_t sys_send_answer(struct sysframe *sf)
{
	struct proc *cur = curproc;
	struct rcbuf *b = buf_get(ARG0(sf));
	if (!b || b->receiver != cur || b->state != B_RECEIVED)
		return -E_BADH;
	if (!ipc_user_ok(cur, ARG1(sf), WORDS_SIZE, 0))
		return -E_FAULT;
	ipc_copy(COPY_KBUF_IN, 0, (uint64_t)b->words, cur, ARG1(sf), WORDS_SIZE);
	b->result = (int64_t)ARG2(sf);
	b->state = B_ANSWERED;
	struct proc *s = b->sender;
	if (!s) {                 /* the sender died: the answer goes nowhere */
		buf_free(b);
		return -E_PEER;
	}
	if (awaits(s, b))
		answer_waiter(b, s);
	return 0;
}

/* The receiver of buffer id copies len bytes at offset off between its
 * addr and the sender's storage area: into the out area with
 * RC_TO_SENDER, else from the in area. */
static int64_t sys_rc_copy(struct sysframe *sf)
{
	struct proc *cur = curproc;
	struct rcbuf *b = buf_get(ARG0(sf));
	uint64_t off = ARG1(sf), addr = ARG2(sf), len = ARG3(sf) & ~RC_TO_SENDER;
	int to_sender = (ARG3(sf) & RC_TO_SENDER) != 0;
	if (!b || b->receiver != cur || b->state != B_RECEIVED || !b->sender)
		return -E_BADH;
	uint64_t base = to_sender ? b->area.out : b->area.in, size = to_sender ? b->area.out_len : b->area.in_len;
	if (off > size || len > size - off)
		return -E_PERM;
	if (!ipc_user_ok(cur, addr, len, !to_sender))
		return -E_FAULT;
	if (to_sender)
		return ipc_copy(COPY_DIRECT, b->sender, base + off, cur, addr, len);
	return ipc_copy(COPY_DIRECT, cur, addr, b->sender, base + off, len);
}

const struct ipc_sysent ipc_syscalls[] = {
	{ SYS_RC_SEND_MESSAGE, sys_send_message },
	{ SYS_RC_WAIT_ANSWER, sys_wait_answer },
	{ SYS_RC_WAIT_MESSAGE, sys_wait_message },
	{ SYS_RC_SEND_ANSWER, sys_send_answer },
	{ SYS_RC_COPY, sys_rc_copy },
	{ 0, 0 },
};

void ipc_proc_start(struct proc *p) { (void)p; }

/* p dies: its messages out are forgotten (a queued one is freed, one
 * being served is freed by its answer); messages it was serving get a
 * dummy answer, which wakes a waiting sender. */
void ipc_proc_exit(struct proc *p)
{
	for (int i = 0; i < NBUF; i++) {
		struct rcbuf *b = &pool[i];
		if (b->state == B_FREE)
			continue;
		if (b->sender == p)
			b->sender = 0;
		if (b->receiver == p && b->state == B_RECEIVED) {
			b->state = B_ANSWERED;
			b->result = -E_PEER;
			memset(b->words, 0, sizeof b->words);
		}
		if (!b->sender && b->state != B_QUEUED && b->state != B_RECEIVED)
			buf_free(b);
	}
	for (int i = 1; i < NEP; i++) {   /* queued messages of p: unlink and free */
		struct endpoint *ep = &endpoints[i];
		struct rcbuf **pp = (struct rcbuf **)&ep->kq_head, *last = 0;
		while (*pp) {
			struct rcbuf *b = *pp;
			if (!b->sender) {
				*pp = b->next;
				ep->kq_len--;
				buf_free(b);
			} else {
				last = b;
				pp = &b->next;
			}
		}
		ep->kq_tail = last;
	}
}

/* ep goes: its queued messages get dummy answers. */
void ipc_ep_free(struct endpoint *ep)
{
	for (struct rcbuf *b = ep->kq_head, *n; b; b = n) {
		n = b->next;
		b->state = B_ANSWERED;
		b->result = -E_PEER;
		memset(b->words, 0, sizeof b->words);
		if (awaits(b->sender, b))
			answer_waiter(b, b->sender);
	}
	ep->kq_head = ep->kq_tail = 0;
	ep->kq_len = 0;
}
