/* mq.c - message queues for the mono kernel, with POSIX mq semantics
 * (mq_send / mq_receive): a bounded queue of at most maxmsg messages of
 * at most msgsize bytes each, each with a priority; a receive takes the
 * oldest message of the highest priority; a send blocks while the queue
 * is full, a receive while it is empty. Send copies in, receive copies
 * out (two copies, as in Linux). Like a pipe, a queue belongs to the
 * process that made it: it and its children use it, only it closes it,
 * and it goes when its owner dies. */
#include "defs.h"
#include "quota.h"
#include "proc.h"
#include "kpages.h"
#include "syscall.h"

#define NMQ 16
#define MQ_MAXMSG 64         /* messages per queue, at most */
#define MQ_MSGSIZE 8192      /* bytes per message, at most (Linux's default cap) */
#define MQ_BYTES 65536       /* maxmsg * msgsize, at most */

struct mq_msg {
	int used;
	uint32_t len, prio;
	uint64_t seq;            /* arrival order among equal priorities */
};

struct mq {
	int used, owner;
	struct account *acct;   /* its creator's process tree, charged for it (quota.h) */
	uint64_t gen, seq;
	uint32_t maxmsg, msgsize, count;
	struct mq_msg msg[MQ_MAXMSG];   /* slot i's bytes start at byte i * msgsize */
	uint8_t *page[MQ_BYTES / PGSIZE];
	struct waitq senders, receivers;
};

static struct mq mqs[NMQ];
LOCK_DEFINE(mq_lk);   /* several CPUs (smp.h): every queue */
static uint64_t mq_gens;

/* Queue id if the caller may use it (owner or owner's child; close: owner). */
static struct mq *mq_get(uint64_t id, int close)
{
	struct mq *q = id < NMQ && mqs[id].used ? &mqs[id] : 0;
	return q && kobj_may_use(q->owner, close) ? q : 0;
}


static void mq_free(struct mq *q)
{
	quota_give(q->acct, Q_MQS);
	q->acct = 0;
	q->used = 0;
	for (unsigned i = 0; i < MQ_BYTES / PGSIZE; i++)
		if (q->page[i])
			page_free(q->page[i]);
	wake_all(&q->senders);
	wake_all(&q->receivers);
}

/* (maxmsg, msgsize) -> id; -E_INVAL beyond the limits, -E_NOMEM. */
SVC_LOCKED(sys_mq_create, mq_lk)
{
	uint64_t maxmsg = ARG0(sf), msgsize = ARG1(sf);
	if (!maxmsg || maxmsg > MQ_MAXMSG || !msgsize || msgsize > MQ_MSGSIZE ||
	    maxmsg * msgsize > MQ_BYTES)
		return -E_INVAL;
	for (int i = 1; i < NMQ; i++) {
		struct mq *q = &mqs[i];
		if (q->used)
			continue;
		if (quota_take(curproc->acct, Q_MQS) < 0)
			return -E_QUOTA;
		memset(q, 0, sizeof *q);
		q->acct = curproc->acct;
		for (uint64_t p = 0; p < PGROUNDUP(maxmsg * msgsize) / PGSIZE; p++)
			if (!(q->page[p] = page_alloc())) {
				mq_free(q);
				return -E_NOMEM;
			}
		q->used = 1;
		q->owner = curproc->pid;
		q->gen = ++mq_gens;
		q->maxmsg = (uint32_t)maxmsg, q->msgsize = (uint32_t)msgsize;
		return i;
	}
	return -E_NOMEM;
}

SVC_LOCKED(sys_mq_close, mq_lk)
{
	struct mq *q = mq_get(ARG0(sf), 1);
	if (!q)
		return -E_BADH;
	mq_free(q);
	return 0;
}

/* A dying process's queues go with it; their sleepers get -E_PIPE. */
void mq_proc_exit(struct proc *p)
{
	svc_lock(mq_lk);
	for (int i = 1; i < NMQ; i++)
		if (mqs[i].used && mqs[i].owner == p->pid)
			mq_free(&mqs[i]);
	svc_unlock(mq_lk);
}

/* Copy n bytes between user memory and slot s of q. */
static int slot_xfer(struct mq *q, uint32_t s, uint64_t ubuf, uint64_t n, int to_user)
{
	return kpages_xfer(q->page, MQ_BYTES, (uint64_t)s * q->msgsize, ubuf, n, to_user);
}

/* Sleep on w until q (id, gen) changes; 0, or -E_PIPE if it was closed. */
static int mq_sleep(uint64_t id, uint64_t gen, struct waitq *w)
{
	svc_sleep(W_PIPE, w, mq_lk);
	return mqs[id].used && mqs[id].gen == gen ? 0 : -E_PIPE;
}

/* (id, buf, len, prio): queue one message; blocks while the queue is full. */
SVC_LOCKED(sys_mq_send, mq_lk)
{
	uint64_t id = ARG0(sf), ubuf = ARG1(sf), len = ARG2(sf);
	struct mq *q = mq_get(id, 0);
	if (!q)
		return -E_BADH;
	if (len > q->msgsize)
		return -E_MSGSIZE;
	if (!vm_check(curproc->pml4, ubuf, len, 0))
		return -E_FAULT;
	for (uint64_t gen = q->gen; q->count == q->maxmsg;)
		if (mq_sleep(id, gen, &q->senders) < 0)
			return -E_PIPE;
	uint32_t s = 0;
	while (q->msg[s].used)   /* a free slot exists: count < maxmsg */
		s++;
	if (slot_xfer(q, s, ubuf, len, 0) < 0)
		return -E_FAULT;
	q->msg[s] = (struct mq_msg){ 1, (uint32_t)len, (uint32_t)ARG3(sf), q->seq++ };
	q->count++;
	wake_all(&q->receivers);
	return 0;
}

/* (id, buf, cap, *prio) -> length: the oldest message of the highest
 * priority; cap below the queue's msgsize is -E_MSGSIZE, as in POSIX. */
SVC_LOCKED(sys_mq_receive, mq_lk)
{
	uint64_t id = ARG0(sf), ubuf = ARG1(sf), cap = ARG2(sf), uprio = ARG3(sf);
	struct mq *q = mq_get(id, 0);
	if (!q)
		return -E_BADH;
	if (cap < q->msgsize)
		return -E_MSGSIZE;
	if (!vm_check(curproc->pml4, ubuf, q->msgsize, 1) ||
	    (uprio && !vm_check(curproc->pml4, uprio, 4, 1)))
		return -E_FAULT;
	for (uint64_t gen = q->gen; !q->count;)
		if (mq_sleep(id, gen, &q->receivers) < 0)
			return -E_PIPE;
	int best = -1;
	for (uint32_t i = 0; i < q->maxmsg; i++)
		if (q->msg[i].used && (best < 0 || q->msg[i].prio > q->msg[best].prio ||
				       (q->msg[i].prio == q->msg[best].prio &&
					q->msg[i].seq < q->msg[best].seq)))
			best = (int)i;
	struct mq_msg m = q->msg[best];
	if (slot_xfer(q, (uint32_t)best, ubuf, m.len, 1) < 0 ||
	    (uprio && copyout(uprio, &m.prio, 4) < 0))
		return -E_FAULT;
	q->msg[best].used = 0;
	q->count--;
	wake_all(&q->senders);
	return m.len;
}
