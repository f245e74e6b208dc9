/*
 * sel4_fast.c - the sel4 strategy's fast path for call and reply_recv
 * (seL4 style). Each precondition is a guard; when any fails the general
 * path in sel4.c runs instead. The fast case: a message of at most 24 bytes in
 * registers, no descriptor, and a partner already waiting, so the kernel
 * copies three registers and switches straight to the partner
 * (fastpath.h, shared with l4_fast.c).
 */
#include "defs.h"
#include "fastpath.h"
#include "ipc.h"
#include "syscall.h"

int64_t sys_ipc_call_slow(struct sysframe *sf);
int64_t sys_ipc_reply_recv_slow(struct sysframe *sf);

int64_t sys_ipc_call_fast(struct sysframe *sf)
{
	struct endpoint *ep = ep_get(ARG0(sf));
	struct proc *rcv;
	if (!ep || ARG5(sf) || IPC_LEN(ARG1(sf)) > IPC_INLINE_MAX || ep->call_ep ||
	    !(rcv = fast_take_receiver(ep)))
		return sys_ipc_call_slow(sf);
	return fast_call(sf, curproc, rcv);
}

int64_t sys_ipc_reply_recv_fast(struct sysframe *sf)
{
	struct endpoint *ep = ep_get(ARG0(sf));
	struct proc *cur = curproc, *caller = cur->reply_to;
	if (!ep || !fast_may_recv(ep, ARG0(sf), cur) || ARG5(sf) || IPC_LEN(ARG1(sf)) > IPC_INLINE_MAX || !ipc_awaits(caller, cur) ||
	    caller->ticks_left <= 0 || ep->sendq.head)
		return sys_ipc_reply_recv_slow(sf);
	return fast_reply_wait(sf, cur, caller, ep);
}
