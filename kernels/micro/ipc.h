/* ipc.h - the micro kernel's IPC objects, shared by ipc.c and ipc_fast.c. */
#ifndef MKB_IPC_H
#define MKB_IPC_H
#include "proc.h"

#define NEP 32
#define NNTFN 32

/* An endpoint belongs to one process, which (with its children, for a
 * channel a parent made for a child to serve) alone may receive on it; a
 * server's well-known endpoint is its server's alone. Anyone may send or call, unless call_ep names an
 * endpoint whose owner alone may (MINIX 3-style IPC permissions: only the
 * file server may call the block server). A well-known endpoint whose
 * server died has no owner until the restarted server claims it. */
struct endpoint {
	int used;
	struct proc *owner;
	int call_ep;          /* 0: anyone may call; else only that endpoint's owner */
	struct waitq sendq;   /* senders and callers waiting for a receiver */
	struct waitq recvq;   /* receivers waiting for a sender */
};

extern struct endpoint endpoints[NEP];

struct endpoint *ep_get(uint64_t id);
int ep_alloc_at(int id, struct proc *owner);
void ntfn_proc_exit(struct proc *p);
void ipc_deliver(struct proc *src, const struct ipc_msg *m, struct proc *dst);
void ipc_take_sender(struct proc *snd, struct proc *rcv);
int64_t sys_ipc_call_slow(struct sysframe *sf);
int64_t sys_ipc_reply_recv_slow(struct sysframe *sf);
#endif
