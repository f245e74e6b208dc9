/* ipc.h - the micro kernel's IPC objects, shared by ipc.c and ipc_fast.c. */
#ifndef MKB_IPC_H
#define MKB_IPC_H
#include "proc.h"

#define NEP 32
#define NNTFN 32

struct endpoint {
	int used;
	struct waitq sendq;   /* senders and callers waiting for a receiver */
	struct waitq recvq;   /* receivers waiting for a sender */
};

extern struct endpoint endpoints[NEP];

struct endpoint *ep_get(uint64_t id);
int ep_alloc_at(int id);
void ipc_deliver(struct proc *src, const struct ipc_msg *m, struct proc *dst);
void ipc_take_sender(struct proc *snd, struct proc *rcv);
int64_t sys_ipc_call_slow(struct sysframe *sf);
int64_t sys_ipc_reply_recv_slow(struct sysframe *sf);
#endif
