/*
 * ep.c - what every IPC strategy of the micro kernel shares: the
 * endpoint table and its ownership rules, the direct switch, the copy
 * counters, and the undoing of a dying process's IPC links. The strategy
 * itself (how a message moves, who blocks) is kernels/micro/ipc/<name>.c.
 */
#include "defs.h"
#include "ipc.h"
#include "quota.h"
#include "syscall.h"

struct endpoint endpoints[NEP];

/* Claim endpoint id (or the first free one from EP_FIRST_FREE if id < 0)
 * for owner, charged to owner's process tree: -E_QUOTA past its limit,
 * -E_NOMEM if none is free. */
int ep_alloc_at(int id, struct proc *owner)
{
	for (int i = id < 0 ? EP_FIRST_FREE : id; i < NEP; i++) {
		if (!endpoints[i].used) {
			if (quota_take(owner->acct, Q_EPS) < 0)
				return -E_QUOTA;
			uint32_t gen = endpoints[i].gen + 1;
			memset(&endpoints[i], 0, sizeof endpoints[i]);
			endpoints[i].used = 1;
			endpoints[i].gen = gen;
			endpoints[i].owner = owner;
			endpoints[i].acct = owner->acct;
			return i;
		}
		if (id >= 0)
			break;
	}
	return -E_NOMEM;
}

/* Endpoint ep goes (its queues already failed and freed). */
void ep_free(struct endpoint *ep)
{
	quota_give(ep->acct, Q_EPS);
	ep->used = 0;
	ep->acct = 0;
}

int64_t sys_ep_create(struct sysframe *sf)
{
	(void)sf;
	return ep_alloc_at(-1, curproc);
}

/* Does the caller own endpoint id? A restarted server claims its
 * well-known endpoint the first time it uses it. */
int ep_owned(struct endpoint *ep, uint64_t id)
{
	struct proc *cur = curproc;
	if (!ep->owner && cur->server_ep == (int)id)
		ep->owner = cur;
	return ep->owner == cur;
}

/* May the caller receive on ep (id)? Its owner, or a child of its owner
 * (a channel made by a parent for the child that serves it); a server's
 * well-known endpoint, only its server. */
int ep_may_recv(struct endpoint *ep, uint64_t id)
{
	if (ep_owned(ep, id))
		return 1;
	return ep->owner && id >= EP_FIRST_FREE && curproc->parent == ep->owner;
}

/* A strategy without boot options refuses another's (a clear error, not
 * a run that silently measures something else). */
void ipc_no_options(const char *cmdline)
{
	char v[8];
	if (fmt_getarg(cmdline, "handoff", v, sizeof v) >= 0)
		panic("handoff=%s: handoff scheduling is an option of the mach strategy, not %s", v, ipc_name);
}

/* May the caller send or call on ep? */
int ep_may_call(const struct endpoint *ep)
{
	return !ep->call_ep || ep_owned(&endpoints[ep->call_ep], (uint64_t)ep->call_ep);
}

/* Is [va, va+len) p's memory (writable if write)? Checked when a call
 * starts, so a later copy between address spaces cannot fail, except a
 * copy into a copy-on-write page (only mach makes them: vm.c
 * vm_cow_take) when no page is left for the writer's own copy. */
int ipc_user_ok(struct proc *p, uint64_t va, uint64_t len, int write)
{
	return vm_check(p->pml4, va, len, write);
}

/* Copy len bytes from src's space at sva to dst's at dva (a null proc
 * means kernel memory, the address a kernel pointer) and count it. */
int ipc_copy(int kind, struct proc *dst, uint64_t dva, struct proc *src, uint64_t sva, size_t len)
{
	kstat_copy(kind, len);
	return vm_copy_between(dst ? dst->pml4 : 0, dva, src ? src->pml4 : 0, sva, len);
}

/* holder keeps the right to answer caller (who waits for holder's
 * answer) in a slot of its own: -> the right's name (slot | gen << 6),
 * or -E_NOMEM. A slot whose caller is gone (a dead name) is taken back
 * when no slot is empty; its generation changes, so its old name answers
 * nobody. NKEPT is NPROC, and a process awaits one answer at a time, so
 * a free or dead slot is always found. */
_Static_assert(NKEPT == 64, "a kept right's name holds its slot in 6 bits");

int64_t ipc_keep(struct proc *holder, struct proc *caller)
{
	struct kept_right *k = 0;
	for (int i = 0; i < NKEPT && !k; i++)
		if (!holder->kept[i].pid)
			k = &holder->kept[i];
	for (int i = 0; i < NKEPT && !k; i++)
		if (!proc_find(holder->kept[i].pid))
			k = &holder->kept[i], k->gen = (k->gen + 1) & KEPT_GEN_MASK;
	if (!k)
		return -E_NOMEM;
	k->pid = caller->pid;
	return (int64_t)(k - holder->kept) | (int64_t)k->gen << 6;
}

/* Find the right named name among holder's slots: 0 and *caller (0 if
 * it died since), or -E_BADH if name names no right holder keeps. */
int ipc_kept_find(struct proc *holder, uint64_t name, struct proc **caller)
{
	struct kept_right *k = &holder->kept[name % NKEPT];
	if (name >> 6 != k->gen || !k->pid)
		return -E_BADH;
	*caller = proc_find(k->pid);
	return 0;
}

/* As ipc_kept_find, and the right is used up: the slot is free, and the
 * name answers nobody from now on. */
int ipc_kept_take(struct proc *holder, uint64_t name, struct proc **caller)
{
	struct kept_right *k = &holder->kept[name % NKEPT];
	if (ipc_kept_find(holder, name, caller) < 0)
		return -E_BADH;
	k->pid = 0;
	k->gen = (k->gen + 1) & KEPT_GEN_MASK;
	return 0;
}

/* Wake every process blocked on q with -E_PEER. */
void ipc_fail_all(struct waitq *q)
{
	struct proc *w;
	while ((w = waitq_pop(q))) {
		w->sf->rax = (uint64_t)-E_PEER;
		sched_ready(w);
	}
}

void mode_proc_start(struct proc *p)
{
	ipc_proc_start(p);
}

/* Undo p's IPC links when it dies: every caller waiting for its reply
 * gets -E_PEER (not only the last one it received), a server holding p
 * as caller forgets it, the strategy frees what p held, and p's
 * endpoints and notifications are freed (their waiting senders get
 * -E_PEER), except a restarting server's well-known endpoint, which keeps
 * its queue for the next server. */
void mode_proc_exit(struct proc *p)
{
	for (int i = 1; i < NPROC; i++) {
		struct proc *c = &ptable[i];
		if (ipc_awaits(c, p)) {
			c->callee = 0;
			c->sf->rax = (uint64_t)-E_PEER;
			sched_ready(c);
		}
		if (c->reply_to == p)
			c->reply_to = 0;
	}
	p->reply_to = 0;
	ipc_proc_exit(p);
	for (int i = 1; i < NEP; i++) {
		struct endpoint *ep = &endpoints[i];
		if (!ep->used || ep->owner != p)
			continue;
		ep->owner = 0;
		ntfn_peer_died(i);
		if (p->restart && p->server_ep == i)
			continue;
		ipc_fail_all(&ep->sendq);
		ipc_fail_all(&ep->recvq);
		ipc_ep_free(ep);
		ep_free(ep);
	}
	ntfn_proc_exit(p);
}
