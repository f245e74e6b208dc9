/*
 * l4_fast.c - the l4 strategy's fast path, L4's own invention (Liedtke,
 * "Improving IPC by Kernel Design", SOSP 1993, section 5): a short
 * message stays in registers, the kernel switches straight to the partner
 * thread without a scheduler pass, and the ready queues are not touched
 * for threads that block and unblock in IPC (lazy scheduling). Two cases
 * take it (no finite timeout), each guarded by every precondition it
 * needs; any other case
 * goes to the general path in l4.c:
 *  - a call to a server thread waiting in an open wait;
 *  - a server's answer by thread id (zero send timeout) to the client in
 *    its closed wait for that server, then an open wait with no sender
 *    queued. L4 finds a thread's control block from its id in O(1) (the
 *    id holds the TCB's address); here the server's reply link names the
 *    client it answers, and the id must be that client's.
 * The message moves as in sel4_fast.c (fastpath.h).
 */
#include "defs.h"
#include "fastpath.h"
#include "ipc.h"
#include "syscall.h"

int64_t sys_l4_ipc_slow(struct sysframe *sf);

int64_t sys_l4_ipc(struct sysframe *sf)
{
	uint64_t a0 = ARG0(sf);
	uint32_t dest = L4_DEST(a0), rcv = L4_RCV(a0), high = (uint32_t)(a0 >> 48);   /* flags, timeout */
	struct proc *cur = curproc, *partner;
	struct endpoint *ep;
	if (ARG5(sf) || IPC_LEN(ARG1(sf)) > IPC_INLINE_MAX)
		return sys_l4_ipc_slow(sf);
	if (!(dest & L4_TID)) {   /* a call: send to the server's thread, closed wait */
		if (rcv != L4_FROM_DEST || high || !(ep = ep_get(dest)) || ep->call_ep ||
		    !(partner = fast_take_receiver(ep)))
			return sys_l4_ipc_slow(sf);
		return fast_call(sf, cur, partner);
	}
	partner = cur->reply_to;   /* an answer, then an open wait on rcv */
	if (high != L4_SND_NB << 8 || !partner || partner->pid != (int)(dest & ~L4_TID) ||
	    !ipc_awaits(partner, cur) || partner->ticks_left <= 0 || rcv == L4_FROM_DEST ||
	    !(ep = ep_get(rcv)) || !fast_may_recv(ep, rcv, cur) || ep->sendq.head)
		return sys_l4_ipc_slow(sf);
	return fast_reply_wait(sf, cur, partner, ep);
}
