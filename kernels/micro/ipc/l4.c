/*
 * l4.c - IPC strategy "l4": classic L4 (Liedtke, "Improving IPC by
 * Kernel Design", SOSP 1993; "On micro-kernel construction", SOSP 1995).
 * One ipc system call with a send phase and a receive phase, either of
 * which may be absent: call = send to a thread and wait for its answer
 * (closed wait); reply-and-wait = send to the client, then wait for anyone
 * (open wait). Messages are addressed to threads: a server's thread id is
 * its well-known endpoint (bound to the thread that waits on it), a
 * client's is L4_TID | pid. Three words in registers, a string item
 * copied once between the address spaces (regs.c). A zero send timeout
 * fails with -E_AGAIN when the partner is not waiting, which is how an L4
 * server answers (it never blocks on a client); a finite timeout (timer
 * ticks, one value bounding both phases) ends a wait with -E_TIMEOUT;
 * none means infinite. Direct switch to the
 * partner, no scheduler, as the paper's "direct process switch". This is
 * the general path; l4_fast.c takes the short call and answer first.
 */
#include "defs.h"
#include "ipc.h"
#include "rendezvous.h"
#include "syscall.h"

const char ipc_name[] = "l4";

void ipc_init(const char *cmdline) { ipc_no_options(cmdline); }

/* Send to the thread pid, which must be in a closed wait for us (our
 * client awaiting its answer); then the receive phase, if any. */
static int64_t send_to_thread(struct sysframe *sf, uint32_t pid, uint32_t rcv, uint32_t flags)
{
	struct proc *cur = curproc;
	struct proc *dst = cur->reply_to && cur->reply_to->pid == (int)pid ? cur->reply_to : proc_find((int)pid);
	struct endpoint *ep = rcv ? ep_get(rcv) : 0;
	if (rcv && (!ep || rcv == L4_FROM_DEST))
		return -E_BADH;
	if (ep && !ep_may_recv(ep, rcv))
		return -E_PERM;
	struct ipc_msg m;
	int r = ipc_msg_read(sf, &m, 1);
	if (r < 0)
		return r;
	cur->msg.rbuf = m.rbuf, cur->msg.rcap = m.rcap;
	int waiting = ipc_awaits(dst, cur);
	if (waiting) {
		ipc_deliver_regs(cur, &m, dst);
		ipc_answered(dst, cur);
	}
	if (!ep) {
		if (waiting)
			sched_ready(dst);
		return waiting ? 0 : (flags & L4_SND_NB) ? -E_AGAIN : -E_SRCH;
	}
	return ipc_wait_regs(ep, flags & L4_RCV_NB, waiting ? dst : 0);
}

static int64_t l4_ipc(struct sysframe *sf)
{
	uint32_t dest = L4_DEST(ARG0(sf)), rcv = L4_RCV(ARG0(sf)), flags = L4_FLAGS(ARG0(sf));
	if (dest & L4_TID)
		return send_to_thread(sf, dest & ~L4_TID, rcv, flags);
	if (dest) {   /* send to a server's thread id; a call if rcv names it */
		struct endpoint *ep = ep_get(dest);
		if (!ep)
			return -E_BADH;
		if (rcv && rcv != L4_FROM_DEST)
			return -E_INVAL;
		if (!ep_may_call(ep))
			return -E_PERM;
		int r = ipc_msg_read(sf, &curproc->msg, 1);
		return r < 0 ? r : ipc_send_regs(ep, rcv == L4_FROM_DEST, flags & L4_SND_NB);
	}
	struct endpoint *ep = ep_get(rcv);   /* receive only: open wait */
	if (!ep)
		return -E_BADH;
	if (!ep_may_recv(ep, rcv))
		return -E_PERM;
	int r = ipc_msg_read(sf, &curproc->msg, 0);
	return r < 0 ? r : ipc_wait_regs(ep, flags & L4_RCV_NB, 0);
}

/* The general path: with a finite timeout, every wait of the call is
 * bounded (sched.c wakes it with -E_TIMEOUT); the kernel runs with
 * interrupts off, so a call that never blocks cannot time out. */
int64_t sys_l4_ipc_slow(struct sysframe *sf)
{
	uint32_t tmo = L4_TIMEOUT(ARG0(sf));
	if (!tmo)
		return l4_ipc(sf);
	struct proc *cur = curproc;
	sched_arm(cur, tmo);
	int64_t r = l4_ipc(sf);
	sched_disarm(cur);
	return r;
}

int64_t sys_l4_ipc(struct sysframe *sf);

const struct ipc_sysent ipc_syscalls[] = {
	{ SYS_L4_IPC, sys_l4_ipc },
	{ 0, 0 },
};

void ipc_proc_start(struct proc *p) { (void)p; }
void ipc_proc_exit(struct proc *p) { (void)p; }
void ipc_ep_free(struct endpoint *ep) { (void)ep; }
