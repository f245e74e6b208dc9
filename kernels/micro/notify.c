/* notify.c - asynchronous notifications (seL4 style): a word of signal
 * bits; signal ORs bits in and never blocks, wait returns and clears
 * them or blocks until some arrive. Also page mapping between address
 * spaces (sys_map, sys_unmap). Micro kernel only. */
#include "defs.h"
#include "ipc.h"
#include "syscall.h"

struct ntfn {
	int used;
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
			memset(&ntfns[i], 0, sizeof ntfns[i]);
			ntfns[i].used = 1;
			return i;
		}
	return -E_NOMEM;
}

int64_t sys_ntfn_signal(struct sysframe *sf)
{
	struct ntfn *n = ntfn_get(ARG0(sf));
	if (!n)
		return -E_BADH;
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
	if (!n)
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
 * SYS_UNMAP: servers may change any; others only a child or parent. */
static int64_t map_target(uint64_t pid, struct proc **out)
{
	struct proc *cur = curproc, *p = proc_find((int)pid);
	if (!p)
		return -E_SRCH;
	if (cur->server_ep < 0 && p->parent != cur && cur->parent != p)
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
