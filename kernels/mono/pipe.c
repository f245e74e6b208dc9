/*
 * pipe.c - kernel pipes for the mono kernel: a 128 KiB ring of pages per
 * pipe (one 64 KiB message fits), in packet mode (each write is one
 * message that one read returns, like Linux's O_DIRECT pipes); write copies in from the writer, read
 * copies out to the reader (two copies per message). Blocked readers and
 * writers wait on the pipe's queues and are woken by the other side.
 * A pipe belongs to the process that made it: it and its children may
 * read and write it, only it may close it, and it goes when its owner
 * dies.
 */
#include <stddef.h>
#include "defs.h"
#include "quota.h"
#include "proc.h"
#include "kpages.h"
#include "syscall.h"

#define NPIPE 64
#define PIPE_PAGES 32
#define PIPE_CAP (PIPE_PAGES * PGSIZE)

struct pipe {
#if FINE_LOCKS
	struct spinlock lk;    /* several CPUs (smp.h): this pipe; first, so a new pipe's memset spares it */
#endif
	int used;
	int owner;             /* pid of the creator */
	struct account *acct;   /* its creator's process tree, charged for it (quota.h) */
	uint64_t gen;          /* tells a reused slot from the pipe a sleeper knew */
	uint8_t *page[PIPE_PAGES];
	uint64_t rpos, wpos;   /* bytes read and written since creation */
	struct waitq readers, writers;
};

static struct pipe pipes[NPIPE];
static uint64_t pipe_gens;
LOCK_DEFINE(pipes_lk);   /* several CPUs: the table, for taking a free slot */

#if FINE_LOCKS
/* Pipe id, locked, if it exists and the caller may use it; PIPE_LOCKED's
 * wrapper drops the lock when the call returns. */
static struct pipe *pipe_get(uint64_t id, int close)
{
	if (id >= NPIPE)
		return 0;
	spin_lock(&pipes[id].lk);
	if (pipes[id].used && kobj_may_use(pipes[id].owner, close))
		return &pipes[id];
	spin_unlock(&pipes[id].lk);
	return 0;
}

#define PIPE_LOCKED(fn) \
	static int64_t fn##_locked(struct sysframe *sf); \
	int64_t fn(struct sysframe *sf) \
	{ \
		int64_t r = fn##_locked(sf); \
		if (ARG0(sf) < NPIPE && spin_held(&pipes[ARG0(sf)].lk)) \
			spin_unlock(&pipes[ARG0(sf)].lk); \
		return r; \
	} \
	static int64_t fn##_locked(struct sysframe *sf)
#else
/* Pipe id if it exists and the caller may use it (owner or owner's child;
 * with close set, the owner only). */
static struct pipe *pipe_get(uint64_t id, int close)
{
	struct pipe *pp = id < NPIPE && pipes[id].used ? &pipes[id] : 0;
	return pp && kobj_may_use(pp->owner, close) ? pp : 0;
}

#define PIPE_LOCKED(fn) int64_t fn(struct sysframe *sf)
#endif

/* After sleeping: is the pipe the one we slept on? */
static int pipe_same(uint64_t id, uint64_t gen)
{
	return pipes[id].used && pipes[id].gen == gen;
}


SVC_LOCKED(sys_pipe, pipes_lk)
{
	(void)sf;
	for (int i = 1; i < NPIPE; i++) {
		struct pipe *pp = &pipes[i];
		if (pp->used)
			continue;
		if (quota_take(curproc->acct, Q_PIPES) < 0)
			return -E_QUOTA;
#if FINE_LOCKS
		spin_lock(&pp->lk);   /* a caller of a closed id may look at it meanwhile */
		memset(&pp->used, 0, sizeof *pp - offsetof(struct pipe, used));
#else
		memset(pp, 0, sizeof *pp);
#endif
		pp->acct = curproc->acct;
		for (int j = 0; j < PIPE_PAGES; j++) {
			if (!(pp->page[j] = page_alloc())) {
				while (j--)
					page_free(pp->page[j]);
				quota_give(pp->acct, Q_PIPES);
				svc_unlock(pp->lk);
				return -E_NOMEM;
			}
		}
		pp->used = 1;
		pp->owner = curproc->pid;
		pp->gen = ++pipe_gens;
		svc_unlock(pp->lk);
		return i;
	}
	return -E_NOMEM;
}

static void pipe_free(struct pipe *pp)
{
	quota_give(pp->acct, Q_PIPES);
	pp->used = 0;
	for (int j = 0; j < PIPE_PAGES; j++)
		page_free(pp->page[j]);
	wake_all(&pp->readers);
	wake_all(&pp->writers);
}

PIPE_LOCKED(sys_pipe_close)
{
	struct pipe *pp = pipe_get(ARG0(sf), 1);
	if (!pp)
		return -E_BADH;
	pipe_free(pp);
	return 0;
}

/* A dying process's pipes go with it; their sleepers get -E_PIPE. */
void pipe_proc_exit(struct proc *p)
{
	for (int i = 1; i < NPIPE; i++) {
		svc_lock(pipes[i].lk);
		if (pipes[i].used && pipes[i].owner == p->pid)
			pipe_free(&pipes[i]);
		svc_unlock(pipes[i].lk);
	}
}

/* Move n bytes between the ring at position pos and user memory. */
static int ring_xfer(struct pipe *pp, uint64_t pos, uint64_t ubuf, uint64_t n, int to_user)
{
	return kpages_xfer(pp->page, PIPE_CAP, pos, ubuf, n, to_user);
}

static uint64_t *ring_word(struct pipe *pp, uint64_t pos)
{
	uint64_t off = pos % PIPE_CAP;
	return (uint64_t *)(pp->page[off / PGSIZE] + off % PGSIZE);
}

#define PKT_SPACE(len) (8 + (((len) + 7) & ~7UL))

/* Write one packet of len bytes (0 to 64 KiB - 8), blocking until it
 * fits whole: packets are atomic, as in Linux's packet-mode pipes. */
PIPE_LOCKED(sys_pipe_write)
{
	uint64_t id = ARG0(sf), ubuf = ARG1(sf), len = ARG2(sf);
	struct pipe *pp = pipe_get(id, 0);
	if (!pp)
		return -E_BADH;
	if (len > PIPE_CAP - 8)
		return -E_MSGSIZE;
	if (!vm_check(curproc->pml4, ubuf, len, 0))
		return -E_FAULT;
	uint64_t gen = pp->gen;
	while (PIPE_CAP - (pp->wpos - pp->rpos) < PKT_SPACE(len)) {
		svc_sleep(W_PIPE, &pp->writers, pp->lk);
		if (!pipe_same(id, gen))
			return -E_PIPE;   /* closed while we slept */
	}
	if (ring_xfer(pp, pp->wpos + 8, ubuf, len, 0) < 0)
		return -E_FAULT;
	*ring_word(pp, pp->wpos) = len;
	pp->wpos += PKT_SPACE(len);
	wake_all(&pp->readers);
	return (int64_t)len;
}

/* Read one packet into ubuf (at most cap bytes; the rest of a longer
 * packet is dropped), blocking while the pipe is empty. */
PIPE_LOCKED(sys_pipe_read)
{
	uint64_t id = ARG0(sf), ubuf = ARG1(sf), cap = ARG2(sf);
	struct pipe *pp = pipe_get(id, 0);
	if (!pp)
		return -E_BADH;
	if (!vm_check(curproc->pml4, ubuf, cap, 1))
		return -E_FAULT;
	uint64_t gen = pp->gen;
	while (pp->wpos == pp->rpos) {
		svc_sleep(W_PIPE, &pp->readers, pp->lk);
		if (!pipe_same(id, gen))
			return -E_PIPE;
	}
	uint64_t len = *ring_word(pp, pp->rpos), n = len < cap ? len : cap;
	if (ring_xfer(pp, pp->rpos + 8, ubuf, n, 1) < 0)
		return -E_FAULT;
	pp->rpos += PKT_SPACE(len);
	wake_all(&pp->writers);
	return (int64_t)n;
}
