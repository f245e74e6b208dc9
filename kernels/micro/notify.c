/* notify.c - asynchronous notifications (seL4 style): a word of signal
 * bits; signal ORs bits in and never blocks, wait returns and clears
 * them or blocks until some arrive. A notification belongs to the process
 * that made it: only it waits; it, its children and the owner of the
 * endpoint it was granted to (SYS_NTFN_GRANT: a server it uses) may
 * signal; it goes when its owner dies. Also page mapping between address spaces (sys_map,
 * sys_unmap). Micro kernel only. */
#include "defs.h"
#include "ipc.h"
#include "quota.h"
#include "syscall.h"

struct ntfn {
	int used;
	struct proc *owner;
	int signal_ep;        /* 0, or the endpoint whose owner may signal too ... */
	uint32_t signal_gen;  /* ... while it is the one granted (its generation then) */
	uint64_t bits;
	struct waitq waiters;
};

static struct ntfn ntfns[NNTFN];

static struct ntfn *ntfn_get(uint64_t id)
{
	return id < NNTFN && ntfns[id].used ? &ntfns[id] : 0;
}

int64_t sys_ntfn_create(struct sysframe *sf)
{
	(void)sf;
	for (int i = 1; i < NNTFN; i++)
		if (!ntfns[i].used) {
			if (quota_take(curproc->acct, Q_NTFNS) < 0)
				return -E_QUOTA;
			memset(&ntfns[i], 0, sizeof ntfns[i]);
			ntfns[i].used = 1;
			ntfns[i].owner = curproc;
			return i;
		}
	return -E_NOMEM;
}

/* Let the owner of endpoint ep (a server) signal notification id too. */
int64_t sys_ntfn_grant(struct sysframe *sf)
{
	struct ntfn *n = ntfn_get(ARG0(sf));
	if (!n || n->owner != curproc)
		return -E_BADH;
	struct endpoint *ep = ep_get(ARG1(sf));
	if (!ep)
		return -E_INVAL;
	n->signal_ep = (int)ARG1(sf);
	n->signal_gen = ep->gen;
	return 0;
}

/* Is n granted to endpoint ep as it is now (not to an earlier endpoint
 * that had its id)? A grant dies with its endpoint. */
static int granted_to(const struct ntfn *n, int ep)
{
	return n->signal_ep && n->signal_ep == ep && endpoints[ep].used &&
	       endpoints[ep].gen == n->signal_gen;
}

/* The owner of endpoint ep died: every notification granted to it gets
 * NTFN_PEER_DIED, and its waiter wakes (a client of a semaphore server
 * that died must not sleep forever on a wake-up that will not come). */
void ntfn_peer_died(int ep)
{
	for (int i = 1; i < NNTFN; i++) {
		struct ntfn *n = &ntfns[i];
		if (!n->used || !granted_to(n, ep))
			continue;
		n->bits |= NTFN_PEER_DIED;
		struct proc *w = n->waiters.head;
		if (w) {
			w->sf->rax = n->bits;
			n->bits = 0;
			sched_wakeup(w);
		}
	}
}

/* The notifications of a dying process go with it. */
void ntfn_proc_exit(struct proc *p)
{
	for (int i = 1; i < NNTFN; i++)
		if (ntfns[i].used && ntfns[i].owner == p) {
			ntfns[i].used = 0;   /* only p waited on it */
			quota_give(p->acct, Q_NTFNS);
		}
}

int64_t sys_ntfn_signal(struct sysframe *sf)
{
	struct ntfn *n = ntfn_get(ARG0(sf));
	struct proc *cur = curproc;
	if (!n)
		return -E_BADH;
	if (n->owner != cur && cur->parent != n->owner &&
	    !(granted_to(n, n->signal_ep) && endpoints[n->signal_ep].owner == cur))
		return -E_PERM;
	if (ARG2(sf) && (uint64_t)n->owner->pid != ARG2(sf))
		return -E_PERM;   /* not the process the signaller meant */
	n->bits |= ARG1(sf);
	struct proc *w = n->waiters.head;
	if (w && n->bits) {
		w->sf->rax = n->bits;
		n->bits = 0;
		sched_wakeup(w);
	}
	return 0;
}

int64_t sys_ntfn_wait(struct sysframe *sf)
{
	struct ntfn *n = ntfn_get(ARG0(sf));
	if (!n || n->owner != curproc)
		return -E_BADH;
	if (n->bits) {
		uint64_t b = n->bits;
		n->bits = 0;
		return (int64_t)b;
	}
	sf->rax = (uint64_t)-E_PEER;
	sched_block(W_NTFN, &n->waiters);
	return (int64_t)sf->rax;
}

/* The process whose address space the caller may change with SYS_MAP or
 * SYS_UNMAP: servers may change any (the shm server maps segments into
 * its clients); others only their own children. */
static int64_t map_target(uint64_t pid, struct proc **out)
{
	struct proc *cur = curproc, *p = proc_find((int)pid);
	if (!p)
		return -E_SRCH;
	if (cur->server_ep < 0 && p->parent != cur)
		return -E_PERM;
	*out = p;
	return 0;
}

/* Map npages of the caller's memory at src into process pid at dst. */
int64_t sys_map(struct sysframe *sf)
{
	struct proc *p;
	int64_t r = map_target(ARG0(sf), &p);
	return r < 0 ? r : vm_share(p->pml4, ARG2(sf), curproc->pml4, ARG1(sf), ARG3(sf), ARG4(sf) != 0);
}

/* Remove npages of shared mappings at va from process pid; pages pid
 * allocated itself are never touched. */
int64_t sys_unmap(struct sysframe *sf)
{
	struct proc *p;
	int64_t r = map_target(ARG0(sf), &p);
	if (r < 0)
		return r;
	if (ARG2(sf) > (USER_TOP - USER_BASE) / PGSIZE)
		return -E_INVAL;
	return vm_unmap(p->pml4, ARG1(sf), ARG2(sf));
}
