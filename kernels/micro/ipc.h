/* ipc.h - the micro kernel's IPC layer: what every strategy shares
 * (endpoints and their owners, notifications, the copy counters, the
 * direct switch) and the three names each strategy file provides. One
 * strategy is linked into a build (kernels/micro/ipc/<name>.c, chosen by
 * the Makefile's IPC=); kernels/micro/ep.c holds the shared part. */
#ifndef MKB_IPC_H
#define MKB_IPC_H
#include "defs.h"
#include "proc.h"

#define NEP 48
#define NNTFN 48

/* An endpoint belongs to one process, which (with its children, for a
 * channel a parent made for a child to serve) alone may receive on it; a
 * server's well-known endpoint is its server's alone. Anyone may send or
 * call, unless call_ep names an endpoint whose owner alone may (MINIX
 * 3-style IPC permissions: only the file server may call the block
 * server). A well-known endpoint whose server died has no owner until the
 * restarted server claims it. Strategies that buffer messages in the
 * kernel (mach, rc4000) queue them on kq, and qnx its pulses. Each strategy names it in its
 * own words: an endpoint (seL4), a thread id (L4), a port (Mach), a
 * channel (QNX), an endpoint (MINIX), a process (RC 4000). */
struct endpoint {
	int used;
	uint32_t gen;         /* how many times this id was given out: a grant names (id, gen) */
	struct proc *owner;
	struct account *acct; /* charged one endpoint (quota.h) */
	int call_ep;          /* 0: anyone may call; else only that endpoint's owner */
	struct waitq sendq;   /* senders and callers waiting for a receiver */
	struct waitq recvq;   /* receivers waiting for a sender */
	void *kq_head, *kq_tail;   /* queued kernel message buffers (mach, rc4000) */
	int kq_len;
	struct proc *server;  /* qnx: who last received on it (the one to boost), */
	int server_pid;       /* ...valid while that process has this pid */
	uint64_t notified;    /* minix: notifies not yet received, a bit per process slot */
};

extern struct endpoint endpoints[NEP];

/* A strategy's system calls, {0, 0} at the end. */
struct ipc_sysent {
	int num;
	int64_t (*fn)(struct sysframe *sf);
};

// ipc/<strategy>.c: one of them is linked
extern const char ipc_name[];
extern const struct ipc_sysent ipc_syscalls[];
void ipc_proc_start(struct proc *p);  /* a new p (mach: its name space) */
void ipc_proc_exit(struct proc *p);   /* free the strategy's state of a dying p */
void ipc_ep_free(struct endpoint *ep);   /* ep goes: free its queued buffers */
void ipc_init(const char *cmdline);      /* its boot options (mach: handoff=on|off) */

/* The endpoint p means by id. On several CPUs a process that chose a
 * CPU's replicated servers (SYS_REPLICA, kernels/micro/mode.c) names them
 * by the well-known endpoints: its calls to EP_FS and EP_SEM go there
 * (and its grants to them: ipc/minix.c), and its code stays the one-CPU
 * code. */
static inline uint64_t ep_id_of(const struct proc *p, uint64_t id)
{
#ifdef MKB_SMP
	if (p->replica && (id == EP_FS || id == EP_SEM))
		return id == EP_FS ? EP_FS_OF(p->replica) : EP_SEM_OF(p->replica);
#else
	(void)p;
#endif
	return id;
}

/* The endpoint named id, or 0 (inline: every IPC call starts here). */
static inline struct endpoint *ep_get(uint64_t id)
{
	id = ep_id_of(curproc, id);
	return id < NEP && endpoints[id].used ? &endpoints[id] : 0;
}

// ep.c
int ep_alloc_at(int id, struct proc *owner);
void ep_free(struct endpoint *ep);
int ep_owned(struct endpoint *ep, uint64_t id);
int ep_may_recv(struct endpoint *ep, uint64_t id);
int ep_may_call(const struct endpoint *ep);
void ipc_fail_all(struct waitq *q);
void ipc_no_options(const char *cmdline);
int ipc_copy(int kind, struct proc *dst, uint64_t dva, struct proc *src, uint64_t sva, size_t len);
int ipc_user_ok(struct proc *p, uint64_t va, uint64_t len, int write);
int64_t ipc_keep(struct proc *holder, struct proc *caller);
int ipc_kept_find(struct proc *holder, uint64_t name, struct proc **caller);
int ipc_kept_take(struct proc *holder, uint64_t name, struct proc **caller);
#define KEPT_GEN_MASK 0xFFFFu   /* a name fits in 22 bits */

/* Inline: both run on every call of the fast paths. */
/* Switch to the IPC partner without asking the scheduler. */
static inline void ipc_handoff(struct proc *next)
{
#ifdef MKB_SMP
	if (next->cpu == cpu_id())   /* else a wake-up on its own CPU (sched_switch_to) */
#endif
	kstat.direct_switches++;
	sched_switch_to(next);
}

/* caller now waits for server's reply (the caller is current or blocked). */
static inline void ipc_await_reply(struct proc *caller, struct proc *server)
{
	caller->state = P_BLOCKED;
	caller->wait = W_REPLY;
	caller->waitobj = 0;
	caller->callee = server;
	server->reply_to = caller;
}

/* Is c blocked waiting for server's answer (the pair ipc_await_reply made)? */
static inline int ipc_awaits(const struct proc *c, const struct proc *server)
{
	return c && c->state == P_BLOCKED && c->wait == W_REPLY && c->callee == server;
}

/* server has answered c: the pair is undone (c is made ready by the caller). */
static inline void ipc_answered(struct proc *c, struct proc *server)
{
	c->callee = 0;
	if (server->reply_to == c)
		server->reply_to = 0;
}

// ipc/regs.c (sel4, l4)
int ipc_msg_read(struct sysframe *sf, struct ipc_msg *m, int sending);
void ipc_deliver_regs(struct proc *src, const struct ipc_msg *m, struct proc *dst);


// notify.c
void ntfn_proc_exit(struct proc *p);
void ntfn_peer_died(int ep);
#endif
